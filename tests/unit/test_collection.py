"""Rules across files and against the clock, judged by the handbook version that governs each incident."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from statusbook.check.collection import FileRules, duplicate_ids
from statusbook.check.incident import check_incident_file
from statusbook.core.handbook import parse_handbook

REPO = Path(__file__).resolve().parents[2]
SCHEMA = (REPO / "handbook" / "schema.yml").read_bytes()
COMPONENTS = (REPO / "handbook" / "components.yml").read_bytes()
RESOLVED_SEV3 = b"""title: Slow exports
severity: SEV3
components: [reports]
updates:
  - at: 2026-03-01T10:00:00Z
    status: investigating
    message: Exports are slow.
  - at: 2026-03-01T11:00:00Z
    status: resolved
    message: Exports are fast again.
"""
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _handbook(schema: bytes):
    handbook, problems = parse_handbook(schema, COMPONENTS, schema_path="handbook/schema.yml", components_path="handbook/components.yml")
    assert handbook is not None and not problems
    return handbook


def test_a_stricter_new_policy_does_not_apply_to_incidents_governed_by_the_old_one() -> None:
    old = _handbook(SCHEMA)
    marker = b"    impact: minor\n    postmortem: optional\n"
    assert marker in SCHEMA
    new = _handbook(SCHEMA.replace(marker, b"    impact: minor\n    postmortem: required\n"))
    checked = check_incident_file(RESOLVED_SEV3, "incidents/2026/2026-03-01-slow-exports.yml", old)
    assert checked.problems == ()

    under_new = FileRules(new, NOW).check(checked)
    assert [(p.line, p.column, p.rule, str(p.level)) for p in under_new] == [(8, 5, "postmortem-overdue", "notice")]

    under_old = FileRules(new, NOW, handbook_for=lambda incident: old).check(checked)
    assert under_old == []


def test_duplicate_ids_across_folders_are_reported_on_the_later_file() -> None:
    handbook = _handbook(SCHEMA)
    first = check_incident_file(RESOLVED_SEV3, "incidents/2025/same-id.yml", handbook)
    second = check_incident_file(RESOLVED_SEV3, "incidents/2026/same-id.yaml", handbook)
    problems = duplicate_ids([second, first])
    assert [(p.path, p.rule) for p in problems] == [("incidents/2026/same-id.yaml", "id-duplicate")]
    assert "incidents/2025/same-id.yml" in problems[0].message
