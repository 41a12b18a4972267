"""Handbook versions: their order, which one governs an incident, mike's versions.json, and the ``latest`` redirects."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from statusbook.core.model import Incident, Update
from statusbook.core.versions import DEV, Release, default_version, governing_version, is_prerelease, newest_first, version_key, versions_json
from statusbook.handbook.redirects import alias_redirects


def release(name: str, day: str) -> Release:
    return Release(name, "0" * 40, datetime.fromisoformat(day).replace(tzinfo=UTC))


def test_versions_sort_by_version_order_not_string_order() -> None:
    names = ["v1.9", "v1.10", "v1.0", "v1.0rc1", "v2.0", "v1.0.1"]
    assert sorted(names, key=version_key, reverse=True) == ["v2.0", "v1.10", "v1.9", "v1.0.1", "v1.0", "v1.0rc1"]
    assert [r.name for r in newest_first([release(n, "2026-01-01") for n in names])] == ["v2.0", "v1.10", "v1.9", "v1.0.1", "v1.0", "v1.0rc1"]


def incident(started: str, pin: str | None = None) -> Incident:
    at = datetime.fromisoformat(started).replace(tzinfo=UTC)
    return Incident("x", "incidents/x.yml", "X", "incident", "SEV3", "default", ("api",), (Update(at, "resolved", "ok", ()),), handbook=pin)


def test_governing_version_is_the_pin_or_the_newest_release_before_the_start_or_the_first_or_dev() -> None:
    releases = newest_first([release("v1.0", "2026-01-10T12:00:00"), release("v1.1", "2026-03-10T12:00:00")])
    assert governing_version(incident("2026-02-01T00:00:00"), releases) == "v1.0"
    assert governing_version(incident("2026-03-10T12:00:00"), releases) == "v1.1"  # tagged at that very moment
    assert governing_version(incident("2026-05-01T00:00:00"), releases) == "v1.1"
    assert governing_version(incident("2025-12-01T00:00:00"), releases) == "v1.0"  # older than every release: the first one
    assert governing_version(incident("2026-05-01T00:00:00", pin="v1.0"), releases) == "v1.0"
    assert governing_version(incident("2026-05-01T00:00:00"), ()) == DEV


def test_versions_json_is_mikes_format() -> None:
    releases = newest_first([release("v1.0", "2026-01-10"), release("v1.1", "2026-03-10")])
    assert json.loads(versions_json(releases)) == [
        {"version": "dev", "title": "dev", "aliases": []},
        {"version": "v1.1", "title": "v1.1", "aliases": ["latest"]},
        {"version": "v1.0", "title": "v1.0", "aliases": []},
    ]
    assert versions_json(releases).startswith('[\n  {\n    "version": "dev",\n') and versions_json(releases).endswith("]\n")
    assert json.loads(versions_json(())) == [{"version": "dev", "title": "dev", "aliases": []}]


def test_latest_is_never_a_pre_release() -> None:
    releases = newest_first([release("v1.0", "2026-01-10"), release("v1.1", "2026-03-10"), release("v2.0rc1", "2026-04-10"), release("v2.0-beta", "2026-04-01")])
    assert [r.name for r in releases][:2] == ["v2.0rc1", "v2.0-beta"]
    assert [e["aliases"] for e in json.loads(versions_json(releases))] == [[], [], [], ["latest"], []]
    assert [is_prerelease(n) for n in ("v2.0rc1", "v2.0-beta", "v3.0a2", "v1.1", "2026.11", "v10")] == [True, True, True, False, False, False]
    assert default_version(releases) == "latest"
    only_candidates = newest_first([release("v1.0rc1", "2026-01-10")])
    assert default_version(only_candidates) == "v1.0rc1" and "latest" not in versions_json(only_candidates)


def test_latest_redirects_point_at_the_same_page_of_the_release() -> None:
    pages = alias_redirects("v1.1", ["index.html", "severity/index.html", "404.html"])
    assert set(pages) == {"latest/index.html", "latest/severity/index.html", "latest/404.html"}
    assert 'window.location.replace("../../v1.1/severity/"' in pages["latest/severity/index.html"]
    assert 'url=../v1.1/"' in pages["latest/index.html"]
    assert 'url=../v1.1/404.html"' in pages["latest/404.html"]
