"""The handbook's tables come from the schema: every placeholder has one, they show what the validator enforces, and schema text cannot add markup."""

from __future__ import annotations

from statusbook.check.catalogue import RULES
from statusbook.core.handbook import Handbook, parse_handbook
from statusbook.handbook.tables import PLACEHOLDER_RE, TABLES, expand_placeholders, severity_anchor
from support.handbook_repo import REPO, SEV2_OLD

SCHEMA = (REPO / "handbook" / "schema.yml").read_bytes()
COMPONENTS = (REPO / "handbook" / "components.yml").read_bytes()


def handbook_of(schema: bytes = SCHEMA, components: bytes = COMPONENTS) -> Handbook:
    handbook, problems = parse_handbook(schema, components, schema_path="handbook/schema.yml", components_path="handbook/components.yml")
    assert handbook is not None and not [p for p in problems if p.is_error], problems
    return handbook


def test_every_placeholder_in_the_pages_has_a_table() -> None:
    used = {m[1] for path in (REPO / "handbook").rglob("*.md") for m in PLACEHOLDER_RE.finditer(path.read_text(encoding="utf-8"))}
    assert used == set(TABLES), "a placeholder in handbook/*.md has no table, or a table is used by no page"


def test_changing_a_description_in_the_schema_changes_the_table() -> None:
    changed = SCHEMA.replace(SEV2_OLD.encode(), b"Some customers cannot work, in new words.")
    assert changed != SCHEMA
    old_text, _ = expand_placeholders("<!-- statusbook:severities -->", handbook_of())
    new_text, _ = expand_placeholders("<!-- statusbook:severities -->", handbook_of(changed))
    assert SEV2_OLD in old_text and SEV2_OLD not in new_text
    assert "Some customers cannot work, in new words." in new_text


def test_severities_get_anchors_the_status_page_links_to() -> None:
    handbook = handbook_of()
    text, unknown = expand_placeholders("# Severity\n\n<!-- statusbook:severities -->\n", handbook)
    assert unknown == []
    for severity in handbook.severities:
        assert f"## {severity.id} — {severity.name} {{#severity-{severity.id.lower()}}}" in text
        assert f"[{severity.id}](#{severity_anchor(severity.id)})" in text


def test_incident_format_lists_the_actual_values_of_the_handbook() -> None:
    handbook = handbook_of()
    text, _ = expand_placeholders("<!-- statusbook:incident-format -->", handbook)
    severity_row = next(line for line in text.splitlines() if line.startswith("| `severity` |"))
    assert severity_row.split(" | ")[3] == ", ".join(f"`{s.id}`" for s in handbook.severities)
    status_row = next(line for line in text.splitlines() if line.startswith("| `status` |"))
    assert "incident: `investigating`, `identified`, `monitoring`, `resolved`" in status_row
    assert "maintenance: `scheduled`, `in_progress`, `verifying`, `completed`" in status_row
    for heading in ("### The file {#fields-file}", "### Each item of `updates` {#fields-updates}", "### `updates[].correction` {#fields-updates-correction}", "### Each item of `internal.timeline` {#fields-internal-timeline}"):
        assert heading in text


def test_rules_table_has_every_rule_with_its_examples() -> None:
    text, _ = expand_placeholders("<!-- statusbook:rules -->", handbook_of())
    rows = text.strip().splitlines()[2:]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [f"`{r.id}`" for r in RULES]
    duplicate = next(row for row in rows if row.startswith("| `yaml-duplicate-key` |"))
    assert "`title: A`<br>`title: B`" in duplicate


def test_an_unknown_placeholder_is_reported_not_dropped() -> None:
    text, unknown = expand_placeholders("a <!-- statusbook:severites --> b", handbook_of())
    assert unknown == ["severites"]
    assert text == "a <!-- statusbook:severites --> b"
