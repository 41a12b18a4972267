"""The handbook site: tables from the schema, versions from git tags, the cache, and governing versions.

The expensive part (a real repository with two releases, built four times) is
the session fixture ``versioned_handbook``; see tests/handbook_repo.py.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from handbook_repo import CHANGES_PAGE, DETECT_DEV, DETECT_OLD, REPO, SEV1_EDIT, SEV1_OLD, SEV2_NEW, SEV2_OLD, git, make_release_history, replace_in
from statusbook.check.incident import RULES
from statusbook.commands.validate import read_handbook, validate_repository
from statusbook.config import load_config
from statusbook.core.handbook import parse_handbook
from statusbook.core.model import Incident, Update
from statusbook.core.versions import DEV, Release, alias_redirects, governing_version, newest_first, version_key, versions_json
from statusbook.handbook.tables import PLACEHOLDER_RE, TABLES, expand_placeholders, severity_anchor

PAGES = ("index.html", "severity/index.html", "roles/index.html", "phases/index.html", "reference/incident-files/index.html")


def text_of(html: bytes) -> str:
    """The visible words of a page, so assertions do not depend on markup."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html.decode("utf-8"), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def page(build: object, version: str, rel: str) -> str:
    return text_of(build.files[f"handbook/{version}/{rel}"])


# --- tables from the schema (pure) ------------------------------------------------------------


def real_handbook():
    handbook, problems = read_handbook(REPO / "handbook", REPO)
    assert handbook is not None and not problems
    return handbook


def test_every_placeholder_in_the_pages_has_a_table() -> None:
    used = {m[1] for path in (REPO / "handbook").rglob("*.md") for m in PLACEHOLDER_RE.finditer(path.read_text(encoding="utf-8"))}
    assert used == set(TABLES), "a placeholder in handbook/*.md has no table, or a table is used by no page"


def test_changing_a_description_in_the_schema_changes_the_table() -> None:
    schema = (REPO / "handbook" / "schema.yml").read_bytes()
    components = (REPO / "handbook" / "components.yml").read_bytes()
    changed = schema.replace(SEV2_OLD.encode(), b"Some customers cannot work, in new words.")
    assert changed != schema
    before, _ = parse_handbook(schema, components, schema_path="s", components_path="c")
    after, _ = parse_handbook(changed, components, schema_path="s", components_path="c")
    old_text, _ = expand_placeholders("<!-- statusbook:severities -->", before)
    new_text, _ = expand_placeholders("<!-- statusbook:severities -->", after)
    assert SEV2_OLD in old_text and SEV2_OLD not in new_text
    assert "Some customers cannot work, in new words." in new_text


def test_severities_get_anchors_the_status_page_links_to() -> None:
    handbook = real_handbook()
    text, unknown = expand_placeholders("# Severity\n\n<!-- statusbook:severities -->\n", handbook)
    assert unknown == []
    for severity in handbook.severities:
        assert f"## {severity.id} — {severity.name} {{#severity-{severity.id.lower()}}}" in text
        assert f"[{severity.id}](#{severity_anchor(severity.id)})" in text


def test_incident_format_lists_the_actual_values_of_the_handbook() -> None:
    handbook = real_handbook()
    text, _ = expand_placeholders("<!-- statusbook:incident-format -->", handbook)
    severity_row = next(line for line in text.splitlines() if line.startswith("| `severity` |"))
    assert severity_row.split(" | ")[3] == ", ".join(f"`{s.id}`" for s in handbook.severities)
    status_row = next(line for line in text.splitlines() if line.startswith("| `status` |"))
    assert "incident: `investigating`, `identified`, `monitoring`, `resolved`" in status_row
    assert "maintenance: `scheduled`, `in_progress`, `verifying`, `completed`" in status_row
    for heading in ("### The file {#fields-file}", "### Each item of `updates` {#fields-updates}", "### `updates[].correction` {#fields-updates-correction}", "### Each item of `internal.timeline` {#fields-internal-timeline}"):
        assert heading in text


def test_rules_table_has_every_rule_with_its_examples() -> None:
    text, _ = expand_placeholders("<!-- statusbook:rules -->", real_handbook())
    rows = text.strip().splitlines()[2:]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [f"`{r.id}`" for r in RULES]
    duplicate = next(row for row in rows if row.startswith("| `yaml-duplicate-key` |"))
    assert "`title: A`<br>`title: B`" in duplicate


def test_an_unknown_placeholder_is_reported_not_dropped() -> None:
    text, unknown = expand_placeholders("a <!-- statusbook:severites --> b", real_handbook())
    assert unknown == ["severites"]
    assert text == "a <!-- statusbook:severites --> b"


# --- versions (pure) --------------------------------------------------------------------------


def release(name: str, day: str) -> Release:
    return Release(name, "0" * 40, datetime.fromisoformat(day).replace(tzinfo=UTC))


def test_versions_sort_by_version_order_not_string_order() -> None:
    names = ["v1.9", "v1.10", "v1.0", "v1.0rc1", "v2.0", "v1.0.1"]
    assert sorted(names, key=version_key, reverse=True) == ["v2.0", "v1.10", "v1.9", "v1.0.1", "v1.0", "v1.0rc1"]
    assert [r.name for r in newest_first([release(n, "2026-01-01") for n in names])] == ["v2.0", "v1.10", "v1.9", "v1.0.1", "v1.0", "v1.0rc1"]


def incident(started: str, pin: str | None = None) -> Incident:
    at = datetime.fromisoformat(started).replace(tzinfo=UTC)
    return Incident("x", "incidents/x.yml", "X", "incident", "SEV3", "default", ("api",), (Update(at, "resolved", "ok", ()),), handbook=pin)


def test_governing_version_is_the_pin_or_the_newest_release_before_the_start_or_dev() -> None:
    releases = newest_first([release("v1.0", "2026-01-10T12:00:00"), release("v1.1", "2026-03-10T12:00:00")])
    assert governing_version(incident("2026-02-01T00:00:00"), releases) == "v1.0"
    assert governing_version(incident("2026-03-10T12:00:00"), releases) == "v1.1"  # tagged at that very moment
    assert governing_version(incident("2026-05-01T00:00:00"), releases) == "v1.1"
    assert governing_version(incident("2025-12-01T00:00:00"), releases) == DEV
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


def test_latest_redirects_point_at_the_same_page_of_the_release() -> None:
    pages = alias_redirects("v1.1", ["index.html", "severity/index.html", "404.html"])
    assert set(pages) == {"latest/index.html", "latest/severity/index.html", "latest/404.html"}
    assert 'window.location.replace("../../v1.1/severity/"' in pages["latest/severity/index.html"]
    assert 'url=../v1.1/"' in pages["latest/index.html"]
    assert 'url=../v1.1/404.html"' in pages["latest/404.html"]


# --- the versioned site (one real repository, built four times) ------------------------------------


def test_each_release_and_dev_is_built_and_nothing_else(versioned_handbook) -> None:
    files = versioned_handbook.cold.files
    folders = {path.split("/")[1] for path in files if path.count("/") >= 2}
    assert folders == {"v1.0", "v1.1", "dev", "latest"}  # not old-1, which does not match v*
    for version in ("v1.0", "v1.1", "dev"):
        for rel in PAGES:
            assert f"handbook/{version}/{rel}" in files
    assert all(isinstance(data, bytes) for data in files.values())  # copies and redirects, never symlinks


def test_versions_json_lists_the_releases_newest_first(versioned_handbook) -> None:
    assert versioned_handbook.cold.files["handbook/versions.json"].decode() == textwrap.dedent("""\
        [
          {
            "version": "dev",
            "title": "dev",
            "aliases": []
          },
          {
            "version": "v1.1",
            "title": "v1.1",
            "aliases": [
              "latest"
            ]
          },
          {
            "version": "v1.0",
            "title": "v1.0",
            "aliases": []
          }
        ]
        """)


def test_a_changed_severity_description_shows_only_in_the_new_version(versioned_handbook) -> None:
    cold = versioned_handbook.cold
    assert SEV2_NEW in page(cold, "v1.1", "severity/index.html")
    assert SEV2_OLD not in page(cold, "v1.1", "severity/index.html")
    assert SEV2_OLD in page(cold, "v1.0", "severity/index.html")
    assert SEV2_NEW not in page(cold, "v1.0", "severity/index.html")
    v10 = cold.files["handbook/v1.0/severity/index.html"].decode()
    v11 = cold.files["handbook/v1.1/severity/index.html"].decode()
    assert 'id="severity-sev3"' in v10 and 'id="severity-low"' not in v10
    assert 'id="severity-low"' in v11 and 'id="severity-sev3"' not in v11
    assert "handbook/v1.1/changes/index.html" in cold.files and "handbook/v1.0/changes/index.html" not in cold.files
    assert "minor severity level is now called LOW" in page(cold, "v1.1", "changes/index.html")
    assert CHANGES_PAGE.splitlines()[0].lstrip("# ") in page(cold, "v1.1", "changes/index.html")


def test_dev_is_the_working_tree(versioned_handbook) -> None:
    cold, edited = versioned_handbook.cold, versioned_handbook.edited
    assert DETECT_DEV in page(cold, "dev", "phases/index.html")
    assert DETECT_OLD in page(cold, "v1.1", "phases/index.html") and DETECT_DEV not in page(cold, "v1.1", "phases/index.html")
    # An uncommitted edit of the schema shows in dev at once, and only there.
    assert SEV1_EDIT in page(edited, "dev", "severity/index.html") and SEV1_OLD not in page(edited, "dev", "severity/index.html")
    for version in ("v1.0", "v1.1"):
        assert SEV1_OLD in page(edited, version, "severity/index.html")
        assert all(edited.files[p] == cold.files[p] for p in cold.files if p.startswith(f"handbook/{version}/"))


def test_building_leaves_the_working_tree_index_and_head_alone(versioned_handbook) -> None:
    before, after = versioned_handbook.git_before, versioned_handbook.git_after
    assert before[0] == after[0] == ""  # git status --porcelain: clean
    assert before[1] == after[1]  # HEAD
    assert before[2] == after[2]  # .git/index, byte for byte
    assert before[3] == after[3]  # every working tree file
    assert git(versioned_handbook.root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_a_second_build_reuses_every_version_from_the_cache(versioned_handbook) -> None:
    cold, warm = versioned_handbook.cold, versioned_handbook.warm
    assert cold.mkdocs_runs == 3
    assert warm.mkdocs_runs == 0
    assert warm.files == cold.files
    assert [m for m in warm.messages if "reused" in m] == [f"handbook {v}: unchanged, reused from the cache" for v in ("v1.1", "v1.0", "dev")]
    assert "handbook v1.0: building" in cold.messages


def test_only_the_changed_version_is_rebuilt_and_rebuilding_is_byte_identical(versioned_handbook) -> None:
    assert versioned_handbook.edited.mkdocs_runs == 1  # dev only
    assert versioned_handbook.undone.mkdocs_runs == 1  # the first dev output was dropped from the cache, so built again
    assert versioned_handbook.undone.files == versioned_handbook.cold.files
    cached = sorted(p.name for p in (versioned_handbook.root / ".statusbook-cache" / "handbook").iterdir())
    assert len(cached) == 3


def test_latest_and_the_handbook_index_redirect(versioned_handbook) -> None:
    files = versioned_handbook.cold.files
    release_pages = sorted(p.removeprefix("handbook/v1.1/") for p in files if p.startswith("handbook/v1.1/") and p.endswith(".html"))
    latest_pages = sorted(p.removeprefix("handbook/latest/") for p in files if p.startswith("handbook/latest/"))
    assert latest_pages == release_pages
    assert b'window.location.replace("../../v1.1/severity/"' in files["handbook/latest/severity/index.html"]
    assert b'window.location.replace("latest/"' in files["handbook/index.html"]


def test_pages_carry_git_dates_edit_links_and_their_own_url(versioned_handbook) -> None:
    files = versioned_handbook.cold.files
    assert "Last updated 10 January 2026" in page(versioned_handbook.cold, "v1.0", "severity/index.html")
    assert "Last updated 10 March 2026" in page(versioned_handbook.cold, "v1.1", "severity/index.html")  # severity.md changed in v1.1
    assert "Last updated 10 January 2026" in page(versioned_handbook.cold, "v1.1", "roles/index.html")  # roles.md did not
    severity = files["handbook/v1.0/severity/index.html"].decode()
    assert '<time datetime="2026-01-10">' in severity
    assert 'href="https://github.com/example/statusbook/edit/main/handbook/severity.md"' in severity
    assert '<link rel="canonical" href="https://status.example.com/handbook/v1.0/severity/">' in severity
    assert "Back to the status page" in text_of(files["handbook/v1.0/severity/index.html"])
    assert set(re.findall(r"<lastmod>([^<]+)</lastmod>", files["handbook/v1.0/sitemap.xml"].decode())) == {"2026-01-10"}


def test_pages_make_no_third_party_requests(versioned_handbook) -> None:
    for path, data in versioned_handbook.cold.files.items():
        if path.endswith(".html"):
            html = data.decode()
            assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html, path
            assert 'data-md-component="source"' not in html, path  # would ask the GitHub API for stars
            assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://(?!status\.example\.com)', html), path


def test_the_real_repository_handbook_builds_strict(tmp_path: Path) -> None:
    """mkdocs build --strict of the working tree as it is, through the same entry point statusbook uses."""
    from statusbook.handbook.mkdocs_hooks import build_site

    build_site(REPO / "mkdocs.yml", tmp_path / "site", site_url="https://status.example.com/handbook/dev/")
    severity = (tmp_path / "site" / "severity" / "index.html").read_text(encoding="utf-8")
    for severity_id in ("sev1", "sev2", "sev3"):
        assert f'id="severity-{severity_id}"' in severity
    assert "statusbook:" not in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))


# --- validation against the governing version -------------------------------------------------------


def incident_file(started: str, severity: str, pin: str | None = None) -> str:
    return textwrap.dedent(f"""\
        title: Slow reports
        severity: {severity}
        components: [reports]
        {f"handbook: {pin}" if pin else ""}
        updates:
          - at: {started}
            status: investigating
            message: Reports are slow.
            components: {{reports: degraded_performance}}
          - at: {started[:11]}23:00:00Z
            status: resolved
            message: Reports are fast again.
            components: {{reports: operational}}
        """)


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory) -> object:
    root = tmp_path_factory.mktemp("governed") / "repo"
    make_release_history(root, pages=False)  # v1.1 renames SEV3 to LOW; the working tree keeps LOW
    files = {
        "2026-05-01-pinned": incident_file("2026-05-01T10:00:00Z", "SEV3", pin="v1.0"),
        "2026-02-01-old": incident_file("2026-02-01T10:00:00Z", "SEV3"),
        "2026-05-02-old-name": incident_file("2026-05-02T10:00:00Z", "SEV3"),
        "2026-05-03-new": incident_file("2026-05-03T10:00:00Z", "LOW"),
        "2025-12-01-before": incident_file("2025-12-01T10:00:00Z", "LOW"),
        "2026-05-04-bad-pin": incident_file("2026-05-04T10:00:00Z", "LOW", pin="v9.9"),
    }
    for name, text in files.items():
        (root / "incidents" / "2026").mkdir(parents=True, exist_ok=True)
        (root / "incidents" / "2026" / f"{name}.yml").write_text(text, encoding="utf-8")
    return validate_repository(load_config(root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=False)


def rules_of(validation: object, name: str) -> list[str]:
    return [p.rule for p in validation.problems if p.path == f"incidents/2026/{name}.yml"]


def test_an_old_incident_is_checked_against_its_own_version(governed) -> None:
    assert rules_of(governed, "2026-05-01-pinned") == []  # SEV3 exists in the pinned v1.0
    assert rules_of(governed, "2026-02-01-old") == []  # started under v1.0
    assert rules_of(governed, "2026-05-03-new") == []  # LOW exists in v1.1
    assert rules_of(governed, "2025-12-01-before") == []  # before any release: the working tree's schema


def test_a_renamed_severity_fails_for_incidents_under_the_new_version(governed) -> None:
    assert rules_of(governed, "2026-05-02-old-name") == ["severity-unknown"]
    problem = next(p for p in governed.problems if p.rule == "severity-unknown")
    assert "LOW" in problem.message  # the expected values come from v1.1


def test_a_pin_that_is_not_a_tag_is_reported(governed) -> None:
    assert rules_of(governed, "2026-05-04-bad-pin") == ["handbook-version-unknown"]
    problem = next(p for p in governed.problems if p.rule == "handbook-version-unknown")
    assert "v1.0, v1.1" in problem.message and "old-1" not in problem.message


def test_each_incident_knows_its_governing_version(governed) -> None:
    assert governed.handbook_versions == {
        "2026-05-01-pinned": "v1.0",
        "2026-02-01-old": "v1.0",
        "2026-05-03-new": "v1.1",
        "2025-12-01-before": "dev",
        "2026-05-04-bad-pin": "v9.9",
    }


def test_without_tags_everything_is_governed_by_dev(project) -> None:
    project.write("incidents/2026/2026-05-03-slow.yml", incident_file("2026-05-03T10:00:00Z", "SEV3"))
    result = validate_repository(load_config(project.root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=False)
    assert [p.rule for p in result.problems] == []
    assert result.handbook_versions == {"2026-05-03-slow": "dev"}


def test_renaming_in_the_working_tree_does_not_change_released_versions(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    make_release_history(root, pages=False)
    replace_in(root / "handbook" / "schema.yml", "  - id: LOW\n", "  - id: MINOR\n")  # uncommitted, after v1.1
    (root / "incidents").mkdir()
    (root / "incidents" / "2026-05-03-new.yml").write_text(incident_file("2026-05-03T10:00:00Z", "LOW"), encoding="utf-8")
    result = validate_repository(load_config(root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=True)
    assert [p.rule for p in result.problems] == []  # governed by v1.1, where LOW still exists
    again = validate_repository(load_config(root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=True)
    assert again.problems == result.problems and again.handbook_versions == {"2026-05-03-new": "v1.1"}
