"""Translations in the handbook's schema: the real files carry Dutch, broken translations give located problems.

Variants are made by editing the real files; expected positions are found in
the edited text, as in test_schema.py.
"""

from __future__ import annotations

import pytest
from statusbook.core.handbook import Handbook, parse_handbook
from support.handbook_repo import REPO

SCHEMA = (REPO / "handbook" / "schema.yml").read_text(encoding="utf-8")
COMPONENTS = (REPO / "handbook" / "components.yml").read_text(encoding="utf-8")
SCHEMA_PATH, COMPONENTS_PATH = "handbook/schema.yml", "handbook/components.yml"
SEV2 = "  - id: SEV2\n"
ROLE = "  - id: scribe\n"


def parse(schema: str = SCHEMA, components: str = COMPONENTS) -> tuple[Handbook | None, list]:
    return parse_handbook(schema.encode(), components.encode(), schema_path=SCHEMA_PATH, components_path=COMPONENTS_PATH)


def position(text: str, needle: str, *, after: str = "") -> tuple[int, int]:
    """1-based line and column of needle (the first one after ``after``) in text."""
    index = text.index(needle, text.index(after) if after else 0)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def with_translation(text: str, entry: str, block: str) -> str:
    """Give ``entry`` (its ``- id:`` line) a translations block, in place of the one it has."""
    start = text.index(entry) + len(entry)
    indent = " " * (len(entry) - len(entry.lstrip()) + 2)
    end = text.index(f"{indent}translations:\n", start)
    following = end + len(f"{indent}translations:\n")
    while text.startswith(indent + "  ", following):
        following = text.index("\n", following) + 1
    return text[:end] + "".join(f"{indent}{line}\n" for line in block.splitlines()) + text[following:]


def located(found: list) -> list[tuple[str, int, int, str]]:
    return [(p.path, p.line, p.column, p.rule) for p in found]


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    result, found = parse()
    assert found == [] and result is not None
    return result


def test_the_real_files_carry_dutch_and_english_is_unchanged(handbook: Handbook) -> None:
    sev2 = handbook.severity_by_id["SEV2"]
    assert (sev2.name, sev2.name_in("en"), sev2.name_in("nl")) == ("Major", "Major", "Groot")
    assert sev2.criteria_in("nl")[0].startswith("Een dienst voor klanten") and sev2.criteria_in("en") == sev2.criteria
    assert handbook.component_by_id["checkout-web"].name_in("nl") == "Afrekenen"
    assert handbook.group_by_id["identity"].name_in("nl") == "Identiteit en meldingen"
    assert handbook.component_statuses[0].name_in("nl") == "Werkt normaal"
    assert handbook.team_by_id["data"].escalation_in("nl").startswith("Piep")
    entries = (*handbook.phases, *handbook.severities, *handbook.roles, *handbook.incident_statuses, *handbook.maintenance_statuses)
    assert all(entry.name_in("nl") != "" and entry.description_in("nl") != "" for entry in entries)


def test_a_language_without_translations_falls_back_to_english(handbook: Handbook) -> None:
    sev1 = handbook.severity_by_id["SEV1"]
    assert (sev1.name_in("de"), sev1.description_in("de"), sev1.examples_in("de")) == (sev1.name, sev1.description, sev1.examples)


def test_a_partial_translation_falls_back_field_by_field() -> None:
    found, problems = parse(with_translation(SCHEMA, SEV2, "translations:\n  nl:\n    name: Groot\n"))
    assert problems == []
    sev2 = found.severity_by_id["SEV2"]
    assert sev2.name_in("nl") == "Groot"
    assert (sev2.description_in("nl"), sev2.criteria_in("nl")) == (sev2.description, sev2.criteria)


def test_an_unknown_language_is_located_with_the_languages_allowed() -> None:
    schema = with_translation(SCHEMA, SEV2, "translations:\n  fr:\n    name: Majeur\n")
    _, problems = parse(schema)
    assert located(problems) == [(SCHEMA_PATH, *position(schema, "fr:", after=SEV2), "key-unknown")]
    assert "'fr' is not a language the site is translated into; expected one of nl" in problems[0].message


def test_an_unknown_key_in_a_translation_is_located_with_a_did_you_mean() -> None:
    schema = with_translation(SCHEMA, SEV2, "translations:\n  nl:\n    nam: Groot\n")
    _, problems = parse(schema)
    assert located(problems) == [(SCHEMA_PATH, *position(schema, "nam:", after=SEV2), "key-unknown")]
    assert "expected one of name, description, criteria, examples; did you mean 'name'?" in problems[0].message


def test_only_severities_translate_criteria() -> None:
    schema = with_translation(SCHEMA, ROLE, "translations:\n  nl:\n    criteria: [x]\n")
    _, problems = parse(schema)
    assert located(problems) == [(SCHEMA_PATH, *position(schema, "criteria:", after=ROLE), "key-unknown")]
    assert "expected one of name, description" in problems[0].message


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        ("translations:\n  nl:\n    name: 3\n", "3"),
        ("translations:\n  nl:\n    criteria: Een zin\n", "Een zin"),
        ("translations:\n  nl: Groot\n", "Groot"),
        ("translations: [nl]\n", "[nl]"),
    ],
    ids=["name-not-text", "criteria-not-a-list", "language-not-a-mapping", "translations-not-a-mapping"],
)
def test_a_translation_of_the_wrong_type_is_located(block: str, needle: str) -> None:
    schema = with_translation(SCHEMA, SEV2, block)
    _, problems = parse(schema)
    assert located(problems) == [(SCHEMA_PATH, *position(schema, needle, after=SEV2), "type-mismatch")]


def test_problems_in_the_components_file_name_that_file() -> None:
    components = with_translation(COMPONENTS, "      - id: api\n", "translations:\n  nl:\n    naam: Publieke API\n  en:\n    name: API\n")
    _, problems = parse(components=components)
    assert located(problems) == [
        (COMPONENTS_PATH, *position(components, "naam:", after="id: api"), "key-unknown"),
        (COMPONENTS_PATH, *position(components, "en:", after="id: api"), "key-unknown"),
    ]
    assert "expected one of nl" in problems[1].message, "English is the files' own language, not a translation"
