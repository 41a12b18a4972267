"""The handbook's schema: the real one parses clean, broken variants give located problems.

Variants are made by editing the real files, and the expected positions are
found in the edited text, so the tests keep working when the handbook grows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from statusbook.commands.validate import read_handbook, validate_repository
from statusbook.core.handbook import Handbook, parse_handbook
from statusbook.core.problems import Level
from statusbook.io.config_file import load_config

REPO = Path(__file__).resolve().parents[2]
SCHEMA = (REPO / "handbook" / "schema.yml").read_text(encoding="utf-8")
COMPONENTS = (REPO / "handbook" / "components.yml").read_text(encoding="utf-8")
SCHEMA_PATH, COMPONENTS_PATH = "handbook/schema.yml", "handbook/components.yml"


def parse(schema: str = SCHEMA, components: str = COMPONENTS) -> tuple[Handbook | None, list]:
    return parse_handbook(schema.encode(), components.encode(), schema_path=SCHEMA_PATH, components_path=COMPONENTS_PATH)


def edit(text: str, old: str, new: str, *, occurrence: int = 1) -> str:
    """Replace the n-th occurrence of old (which must exist)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(old, index + 1)
    return text[:index] + new + text[index + len(old) :]


def position(text: str, needle: str, *, occurrence: int = 1, offset: int = 0) -> tuple[int, int]:
    """1-based line and column of the n-th occurrence of needle (plus offset characters) in text."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def located(found: list) -> list[tuple[str, int, int, str]]:
    return [(p.path, p.line, p.column, p.rule) for p in found]


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    result, found = read_handbook(load_config(REPO))
    assert found == []
    assert result is not None
    return result


def test_real_schema_parses_clean(handbook: Handbook) -> None:
    assert [s.id for s in handbook.severities] == ["SEV1", "SEV2", "SEV3"]
    assert [s.id for s in handbook.incident_statuses] == ["investigating", "identified", "monitoring", "resolved"]
    assert [s.id for s in handbook.maintenance_statuses] == ["scheduled", "in_progress", "verifying", "completed"]
    assert handbook.final_status("incident") == "resolved" and handbook.final_status("maintenance") == "completed"
    assert handbook.component_statuses[0].id == "operational"
    assert {"incident_manager", "tech_lead", "communications_manager", "customer_support_lead", "subject_matter_expert", "social_media_lead", "problem_manager"} <= set(handbook.role_by_id)
    assert [r.id for r in handbook.roles if r.required_for_major] == ["incident_manager"]
    assert len(handbook.components) >= 8 and len(handbook.groups) >= 3
    assert all(c.team in handbook.team_by_id for c in handbook.components)
    assert handbook.severity_by_id["SEV1"].major and not handbook.severity_by_id["SEV3"].major


def test_phases_for_security_insert_the_extra_phases_after_escalate(handbook: Handbook) -> None:
    assert [p.id for p in handbook.phases_for("security")] == [
        "detect", "channels", "assess", "communicate", "escalate", "contain", "eradicate", "recover", "delegate", "resolve", "review",
    ]  # fmt: skip


def test_default_incidents_skip_the_optional_phases(handbook: Handbook) -> None:
    assert [p.id for p in handbook.phases_for("default")] == ["detect", "channels", "assess", "communicate", "escalate", "delegate", "resolve", "review"]
    assert [p.id for p in handbook.phases_for("no-such-type")] == [p.id for p in handbook.phases_for("default")]


def test_a_type_without_insert_after_appends_its_phases() -> None:
    schema = edit(SCHEMA, "    insert_after: escalate\n", "")
    result, found = parse(schema)
    assert found == []
    assert [p.id for p in result.phases_for("security")][-3:] == ["contain", "eradicate", "recover"]


def test_duplicate_severity_id() -> None:
    schema = edit(SCHEMA, "  - id: SEV2\n", "  - id: SEV1\n")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "id: SEV1", occurrence=2, offset=4), "schema-id-duplicate")]
    assert "defined twice" in found[0].message


def test_component_id_that_would_overwrite_the_page_badge() -> None:
    components = edit(COMPONENTS, "      - id: reports\n", "      - id: status\n")
    _, found = parse(components=components)
    assert located(found) == [(COMPONENTS_PATH, *position(components, "- id: status", offset=6), "schema-id-reserved")]
    assert "badges/status.svg" in found[0].message


def test_duplicate_component_across_groups() -> None:
    components = edit(COMPONENTS, "      - id: reports\n", "      - id: api\n")
    _, found = parse(components=components)
    assert located(found) == [(COMPONENTS_PATH, *position(components, "- id: api", occurrence=2, offset=6), "schema-id-duplicate")]


def test_unknown_key_with_a_did_you_mean() -> None:
    schema = edit(SCHEMA, "    name: Detect\n", "    name: Detect\n    descripton: typo\n")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "descripton"), "key-unknown")]
    assert "did you mean 'description'?" in found[0].message


def test_unknown_top_level_key() -> None:
    schema = edit(SCHEMA, "schema_version: 1\n", "schema_version: 1\nseverity_levels: []\n")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "severity_levels"), "key-unknown")]
    assert "did you mean 'severities'?" in found[0].message


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("    major: true\n", '    major: "yes"\n', '"yes"'),
        ("    update_every_minutes: 30\n", "    update_every_minutes: soon\n", "soon"),
        ("    criteria:\n      - A customer-facing service is unavailable for all or most customers.\n", "    criteria: everything\n", "everything"),
        ("    downtime_weight: 0.3\n", "    downtime_weight: [0.3]\n", "[0.3]"),
    ],
    ids=["boolean as text", "minutes as text", "text for a list", "list for a number"],
)
def test_wrong_types_are_located(old: str, new: str, needle: str) -> None:
    schema = edit(SCHEMA, old, new)
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, needle), "type-mismatch")]


def test_extra_phase_must_be_a_defined_optional_phase() -> None:
    schema = edit(SCHEMA, "extra_phases: [contain, eradicate, recover]", "extra_phases: [contain, eradicate, recovr]")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "recovr"), "schema-phase-unknown")]
    assert "did you mean 'recover'?" in found[0].message


def test_core_phase_cannot_be_an_extra_phase() -> None:
    schema = edit(SCHEMA, "extra_phases: [contain, eradicate, recover]", "extra_phases: [contain, resolve]")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "resolve]"), "schema-phase-unknown")]
    assert "contain, eradicate, recover" in found[0].message


def test_insert_after_must_name_a_phase() -> None:
    schema = edit(SCHEMA, "insert_after: escalate", "insert_after: escalation")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "escalation"), "schema-phase-unknown")]


def test_component_team_must_be_defined() -> None:
    components = edit(COMPONENTS, "        team: payments\n", "        team: paymnts\n")
    _, found = parse(components=components)
    assert located(found) == [(COMPONENTS_PATH, *position(components, "paymnts"), "schema-team-unknown")]
    assert "did you mean 'payments'?" in found[0].message


def test_statuses_need_exactly_one_final() -> None:
    schema = edit(SCHEMA, "    description: The service works normally again.\n    final: true\n", "    description: The service works normally again.\n")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "incident_statuses:\n  - id", offset=len("incident_statuses:\n  ")), "schema-final-status")]
    assert "found 0" in found[0].message


def test_statuses_must_be_statuspage_statuses() -> None:
    schema = edit(SCHEMA, "  - id: monitoring\n", "  - id: watching\n")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "watching"), "schema-status-unknown")]
    assert "investigating, identified, monitoring, resolved" in found[0].message


def test_component_status_must_be_a_statuspage_status() -> None:
    schema = edit(SCHEMA, "  - id: major_outage\n", "  - id: total_outage\n")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "total_outage"), "schema-status-unknown")]


def test_unknown_impact_and_postmortem_policy() -> None:
    schema = edit(edit(SCHEMA, "    impact: critical\n", "    impact: huge\n"), "    postmortem: required\n", "    postmortem: always\n")
    _, found = parse(schema)
    assert located(found) == [
        (SCHEMA_PATH, *position(schema, "huge"), "schema-impact-unknown"),
        (SCHEMA_PATH, *position(schema, "always"), "schema-postmortem-policy"),
    ]


def test_severity_id_must_be_a_safe_id() -> None:
    schema = edit(SCHEMA, "  - id: SEV3\n", "  - id: SEV 3\n")
    _, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "SEV 3"), "schema-id-invalid")]


def test_schema_file_gets_the_same_yaml_checks_as_incidents() -> None:
    schema = edit(SCHEMA, "schema_version: 1\n", "schema_version: 1\nschema_version: 1\n")
    handbook, found = parse(schema)
    assert located(found) == [(SCHEMA_PATH, *position(schema, "schema_version: 1", occurrence=2), "yaml-duplicate-key")]
    assert handbook is not None


def test_schema_that_is_not_a_mapping() -> None:
    handbook, found = parse("- a\n- b\n")
    assert handbook is None
    assert located(found) == [(SCHEMA_PATH, 1, 1, "type-mismatch")]


def test_empty_schema_document_fails_validation(project) -> None:
    project.write("handbook/schema.yml", "---\n")
    result = validate_repository(load_config(project.root), now=_now(), use_cache=False)
    assert [(p.path, p.line, p.column, p.rule, p.level) for p in result.problems] == [(SCHEMA_PATH, 1, 1, "schema-empty", Level.ERROR)]
    assert result.has_errors()


def test_missing_schema_file_is_reported(project) -> None:
    (project.root / "handbook" / "components.yml").unlink()
    result = validate_repository(load_config(project.root), now=_now(), use_cache=False)
    assert [(p.path, p.rule) for p in result.problems] == [(COMPONENTS_PATH, "schema-missing")]


def test_schema_problems_stop_incident_checks_but_are_all_reported(project) -> None:
    schema = edit(edit(SCHEMA, "  - id: monitoring\n", "  - id: watching\n"), "    impact: critical\n", "    impact: huge\n")
    project.write("handbook/schema.yml", schema)
    project.write("incidents/2026/x.yml", "title: [broken\n")
    result = validate_repository(load_config(project.root), now=_now(), use_cache=False)
    assert sorted(p.rule for p in result.problems) == ["schema-impact-unknown", "schema-status-unknown"]
    assert all(p.path == SCHEMA_PATH for p in result.problems)


def test_digest_changes_with_the_schema() -> None:
    first, _ = parse()
    second, _ = parse(edit(SCHEMA, "update_every_minutes: 30", "update_every_minutes: 20"))
    assert first.digest != second.digest
    assert parse()[0].digest == first.digest


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
