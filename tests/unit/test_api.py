"""The Statuspage-compatible API, checked against JSON Schemas of Statuspage's shapes; plus the file count and the
leak test over every output of the status side (feeds, calendar, API, schema and pages) of the sample repository.

Two renders of the sample repository in fresh interpreters are compared byte for byte in tests/functional/test_determinism.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from statusbook.core import urls
from statusbook.render import api
from statusbook.render.api import format_time, statuspage_id
from support.repos import REPO
from support.samples import MARKER, SITE, render_samples

SCHEMAS = REPO / "tests" / "schemas" / "statuspage"
ENDPOINTS = {
    urls.API_SUMMARY: "summary.json",
    urls.API_STATUS: "status.json",
    urls.API_COMPONENTS: "components.json",
    urls.API_INCIDENTS: "incidents.json",
    urls.API_UNRESOLVED: "incidents-unresolved.json",
    urls.API_MAINTENANCES: "scheduled-maintenances.json",
    urls.API_UPCOMING: "scheduled-maintenances-upcoming.json",
    urls.API_ACTIVE: "scheduled-maintenances-active.json",
}


def validator(name: str) -> Draft202012Validator:
    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return render_samples(tmp_path_factory.mktemp("samples") / "repo")


def load(site: dict[str, bytes], path: str) -> dict:
    return json.loads(site[path])


def by_name(items: list[dict]) -> dict[str, dict]:
    return {item["name"]: item for item in items}


def test_every_endpoint_exists_and_matches_statuspage_schema(site: dict[str, bytes]) -> None:
    assert sorted(p for p in site if p.startswith("api/")) == sorted(ENDPOINTS)
    for path, schema in ENDPOINTS.items():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(load(site, path))]
        assert not errors, (path, errors[:5])


def test_schemas_reject_what_statuspage_clients_would_not_read(site: dict[str, bytes]) -> None:
    """The shape schemas are not vacuous: an invented field, a foreign enum or a bare timestamp fails."""
    check = validator("incidents.json")
    for mutate in (
        lambda d: d["incidents"][0].update(extra=1),
        lambda d: d["incidents"][0].update(impact="severe"),
        lambda d: d["incidents"][0]["incident_updates"][0].update(created_at="2026-05-10T10:30:00Z"),
        lambda d: d["incidents"][0]["components"][0].update(status="down"),
        lambda d: d["page"].update(url=SITE),
    ):
        document = load(site, "api/v2/incidents.json")
        mutate(document)
        assert list(check.iter_errors(document)), mutate
    status = load(site, "api/v2/status.json")
    status["status"]["indicator"] = "maintenance"
    assert list(validator("status.json").iter_errors(status))


def test_page_and_blended_status(site: dict[str, bytes]) -> None:
    status = load(site, "api/v2/status.json")
    assert status["page"] == {
        "id": statuspage_id("page", SITE),
        "name": "Test status",
        "url": "https://status.test.example",
        "time_zone": "Europe/Amsterdam",
        "updated_at": "2026-05-31T11:15:00.000+02:00",  # the newest public change, in the page's zone
    }
    # Dashboard and reports degraded, the rest operational.
    assert status["status"] == {"indicator": "minor", "description": "Partially Degraded Service"}
    summary = load(site, "api/v2/summary.json")
    assert list(summary) == ["page", "components", "incidents", "scheduled_maintenances", "status"]
    assert summary["status"] == status["status"]


def test_components_and_groups(site: dict[str, bytes]) -> None:
    components = load(site, "api/v2/components.json")["components"]
    named = by_name(components)
    assert named["Dashboard"]["status"] == "degraded_performance"
    assert named["Reports and exports"]["status"] == "degraded_performance"
    assert named["Public API"]["status"] == "operational"
    platform = named["Platform"]
    assert platform["group"] is True and platform["group_id"] is None
    assert platform["status"] == "degraded_performance"  # the worst of its components
    children = [c for c in components if c["group_id"] == platform["id"]]
    assert platform["components"] == [c["id"] for c in children]
    assert [c["position"] for c in children] == list(range(1, len(children) + 1))
    assert named["Dashboard"]["updated_at"] == "2026-05-31T11:15:00.000+02:00"
    first = components[0]
    assert list(first)[:13] == [
        "id",
        "name",
        "status",
        "created_at",
        "updated_at",
        "position",
        "description",
        "showcase",
        "start_date",
        "group_id",
        "page_id",
        "group",
        "only_show_if_degraded",
    ]


def test_incidents_newest_first_with_updates_newest_first(site: dict[str, bytes]) -> None:
    incidents = load(site, "api/v2/incidents.json")["incidents"]
    assert [i["name"] for i in incidents] == ["Dashboard slow", "Reports delayed", "API errors"]
    errors = by_name(incidents)["API errors"]
    assert errors["id"] == statuspage_id("incident", "2026-05-10-api-errors")
    assert errors["status"] == "resolved"
    assert errors["impact"] == "major"
    assert errors["created_at"] == "2026-05-10T11:05:00.000+02:00"
    assert errors["resolved_at"] == "2026-05-10T12:30:00.000+02:00"
    assert errors["monitoring_at"] is None
    assert errors["shortlink"] == f"{SITE}incidents/2026-05-10-api-errors/"
    assert errors["updated_at"] == "2026-05-10T13:00:00.000+02:00"  # the correction
    updates = errors["incident_updates"]
    assert [u["status"] for u in updates] == ["resolved", "identified", "investigating"]
    assert updates[1]["created_at"] == updates[1]["display_at"] == "2026-05-10T11:40:00.000+02:00"
    assert updates[1]["updated_at"] == "2026-05-10T13:00:00.000+02:00"
    # Each update carries every affected component's status from then on, unchanged ones too (as Statuspage's captures do).
    assert [(c["name"], c["old_status"], c["new_status"]) for c in updates[1]["affected_components"]] == [
        ("Public API", "partial_outage", "partial_outage"),
        ("Webhooks", "degraded_performance", "degraded_performance"),
    ]
    assert updates[0]["affected_components"] == [
        {"code": statuspage_id("component", "api"), "name": "Public API", "old_status": "partial_outage", "new_status": "operational"},
        {"code": statuspage_id("component", "webhooks"), "name": "Webhooks", "old_status": "degraded_performance", "new_status": "operational"},
    ]
    assert updates[2]["body"] == "Some API requests fail with **500** errors."
    assert {u["incident_id"] for u in updates} == {errors["id"]}
    assert [c["name"] for c in errors["components"]] == ["Public API", "Webhooks"]
    # The reports resolution is dated after the build, so it is not public yet.
    reports = by_name(incidents)["Reports delayed"]
    assert reports["status"] == "investigating" and reports["resolved_at"] is None and len(reports["incident_updates"]) == 1
    unresolved = load(site, "api/v2/incidents/unresolved.json")["incidents"]
    assert [i["name"] for i in unresolved] == ["Dashboard slow", "Reports delayed"]
    assert by_name(unresolved)["Dashboard slow"]["monitoring_at"] == "2026-05-31T11:15:00.000+02:00"
    assert [i["name"] for i in load(site, "api/v2/summary.json")["incidents"]] == ["Dashboard slow", "Reports delayed"]


def test_scheduled_maintenances(site: dict[str, bytes]) -> None:
    everything = load(site, "api/v2/scheduled-maintenances.json")["scheduled_maintenances"]
    assert [m["name"] for m in everything] == ["Database upgrade", "Email provider switch", "Sign-in migration"]
    upgrade = by_name(everything)["Database upgrade"]
    assert upgrade["impact"] == "maintenance"
    assert upgrade["scheduled_for"] == "2026-06-10T04:00:00.000+02:00" and upgrade["scheduled_until"] == "2026-06-10T05:00:00.000+02:00"
    assert upgrade["started_at"] == upgrade["scheduled_for"]
    assert list(upgrade)[-2:] == ["scheduled_for", "scheduled_until"]
    login = by_name(everything)["Sign-in migration"]
    assert login["status"] == "completed" and login["resolved_at"] == "2026-05-20T03:50:00.000+02:00"
    # Left 'scheduled' past its window: completed, as the status page and Statuspage's auto-transition show it.
    email = by_name(everything)["Email provider switch"]
    assert email["status"] == "completed" and email["resolved_at"] == "2026-05-26T01:00:00.000+02:00"
    assert [m["name"] for m in load(site, "api/v2/scheduled-maintenances/upcoming.json")["scheduled_maintenances"]] == ["Database upgrade"]
    assert load(site, "api/v2/scheduled-maintenances/active.json")["scheduled_maintenances"] == []
    assert [m["name"] for m in load(site, "api/v2/summary.json")["scheduled_maintenances"]] == ["Database upgrade"]


def test_maintenance_in_progress_is_active(tmp_path) -> None:
    site = render_samples(tmp_path / "repo", now=datetime(2026, 6, 10, 2, 30, tzinfo=UTC))
    active = load(site, "api/v2/scheduled-maintenances/active.json")["scheduled_maintenances"]
    assert [(m["name"], m["status"]) for m in active] == [("Database upgrade", "in_progress")]
    assert not list(validator("scheduled-maintenances-active.json").iter_errors(load(site, "api/v2/scheduled-maintenances/active.json")))
    status = load(site, "api/v2/status.json")["status"]
    assert by_name(load(site, "api/v2/components.json")["components"])["Public API"]["status"] == "under_maintenance"
    # Reports resolved by now; the dashboard is still degraded, which outranks maintenance in the wording.
    assert status == {"indicator": "minor", "description": "Partially Degraded Service"}


def test_incidents_json_holds_the_50_most_recent(tmp_path) -> None:
    samples = {
        f"incidents/2026/2026-04-{day:02d}-blip-{n}.yml": f"""
title: Blip {day}-{n}
severity: SEV3
components: [website]
updates:
  - at: 2026-04-{day:02d}T{n + 8:02d}:00:00Z
    status: investigating
    message: A blip.
  - at: 2026-04-{day:02d}T{n + 8:02d}:30:00Z
    status: resolved
    message: Over.
"""
        for day in range(1, 29)
        for n in range(2)
    }
    site = render_samples(tmp_path / "repo", samples=samples, internal=False)
    incidents = load(site, "api/v2/incidents.json")["incidents"]
    assert len(incidents) == api.INCIDENTS_LIMIT == 50
    assert incidents[0]["name"] == "Blip 28-1" and incidents[-1]["name"] == "Blip 4-0"
    assert len({i["id"] for i in incidents}) == 50
    assert not list(validator("incidents.json").iter_errors(load(site, "api/v2/incidents.json")))


def test_ids_are_statuspage_like_and_pinned() -> None:
    # Clients store these ids; changing how they are derived would break them.
    assert statuspage_id("incident", "2026-05-10-api-errors") == statuspage_id("incident", "2026-05-10-api-errors")
    assert statuspage_id("component", "api") == "3mlmhi55lzcg"
    assert statuspage_id("incident", "api") != statuspage_id("component", "api")
    for key in ("a", "2026-05-10-api-errors", "x" * 100):
        value = statuspage_id("incident", key)
        assert len(value) == 12 and set(value) <= set("0123456789abcdefghijklmnopqrstuvwxyz")


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", "2026-05-10T10:30:00.250Z"),
        ("Etc/UTC", "2026-05-10T10:30:00.250Z"),
        ("Europe/Amsterdam", "2026-05-10T12:30:00.250+02:00"),
        ("America/Tijuana", "2026-05-10T03:30:00.250-07:00"),
        ("Europe/London", "2026-05-10T11:30:00.250+01:00"),
    ],
)
def test_timestamps_in_statuspage_format(zone: str, expected: str) -> None:
    assert format_time(datetime(2026, 5, 10, 10, 30, 0, 250999, tzinfo=UTC), ZoneInfo(zone)) == expected


def test_each_part_renders_its_files(site: dict[str, bytes]) -> None:
    components = 9  # in the real handbook's components.yml
    assert len(site) == 2 * (1 + components) + (1 + components) + len(ENDPOINTS) + 1  # feeds, calendars, API, schema
    for path in ("history.atom", "maintenance.ics", urls.API_SUMMARY, urls.INCIDENT_SCHEMA):
        assert path in site


def test_no_internal_field_reaches_any_output(tmp_path, site: dict[str, bytes]) -> None:
    # Rendered again with the status pages too: no file of the status side may carry the marker.
    everything = render_samples(tmp_path / "repo", parts=None)
    # The marker is in every internal field of every sample: roles, chat, call, assessment, impact, timeline.
    for path in sorted((tmp_path / "repo" / "incidents").rglob("*.yml")):
        assert path.read_text(encoding="utf-8").count(MARKER) == 8, path
    assert len(site) == 39
    assert set(site) < set(everything) and any(p.endswith(".html") for p in everything)
    leaks = [path for path, data in everything.items() if MARKER.encode() in data]
    assert not leaks, leaks


def test_a_page_without_incidents_still_renders_everything(tmp_path) -> None:
    site = render_samples(tmp_path / "repo", samples={})
    assert len(site) == 39
    for path, schema in ENDPOINTS.items():
        assert not list(validator(schema).iter_errors(load(site, path))), path
    status = load(site, "api/v2/status.json")
    assert status["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert status["page"]["updated_at"] == "2026-06-01T14:00:00.000+02:00"  # the build clock (the commit time): nothing newer exists
    assert {c["status"] for c in load(site, "api/v2/components.json")["components"]} == {"operational"}
    feed = feedparser.parse(site["history.atom"])
    assert feed.bozo == 0 and feed.entries == [] and feed.feed.updated == "2026-06-01T12:00:00+00:00"
    assert b"BEGIN:VEVENT" not in site["maintenance.ics"]
