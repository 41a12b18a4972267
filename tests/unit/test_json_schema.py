"""The incident file JSON Schema: generated from the validator's shapes and the handbook, valid
draft 2020-12, accepting every sample incident and rejecting what ``statusbook validate`` rejects.

tests/functional/test_json_schema_command.py checks that the build publishes it and that ``statusbook schema`` writes the same."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from statusbook.check.incident import check_incident_file
from statusbook.check.incident_format import INCIDENT_SHAPE
from statusbook.commands.validate import read_handbook
from statusbook.core import urls
from statusbook.core.yaml_source import parse_yaml
from statusbook.io.config_file import load_config
from statusbook.render.json_schema import incident_schema
from support.samples import SAMPLES, SITE

REPO = Path(__file__).resolve().parents[2]


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML without its YAML 1.1 timestamp resolver, so timestamps stay text as in editors' YAML 1.2."""


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"] for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


@pytest.fixture(scope="module")
def handbook() -> object:
    handbook, problems = read_handbook(load_config(REPO))
    assert handbook is not None and not [p for p in problems if p.level.name == "ERROR"]
    return handbook


@pytest.fixture(scope="module")
def validator(handbook: object) -> jsonschema.Draft202012Validator:
    schema = incident_schema(handbook, SITE)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def sample_files() -> list[Path]:
    return sorted(p for p in (REPO / "incidents").rglob("*") if p.suffix in (".yml", ".yaml"))


def errors_of(validator: jsonschema.Draft202012Validator, text: str) -> list[str]:
    value = parse_yaml(text, "test.yml").value
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]


def test_every_sample_incident_validates(validator: jsonschema.Draft202012Validator, handbook: object) -> None:
    files = sample_files()
    assert len(files) >= 10, "the repository ships sample incidents"
    for path in files:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(REPO).as_posix()
        assert not [p for p in check_incident_file(text.encode(), rel, handbook).problems if p.level.name == "ERROR"], rel
        assert errors_of(validator, text) == [], rel
        # The same with plain PyYAML, as an editor or another tool would read it.
        plain = yaml.load(text, Loader=_Yaml12Loader)
        assert list(validator.iter_errors(plain)) == [], rel


def test_test_samples_validate_too(validator: jsonschema.Draft202012Validator) -> None:
    for path, text in SAMPLES.items():
        assert errors_of(validator, text) == [], path


BASE = """
title: API errors
severity: SEV2
components: [api]
updates:
  - at: 2026-05-10T11:05:00+02:00
    status: investigating
    message: Some requests fail.
    components:
      api: partial_outage
"""


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("severity: SEV2", "severity: SEV5"), "unknown severity"),
        (("components: [api]", "components: [apii]"), "unknown component"),
        (("status: investigating", "status: in_progress"), "a maintenance status on an incident"),
        (("api: partial_outage", "api: down"), "unknown component status"),
        (("at: 2026-05-10T11:05:00+02:00", "at: 2026-05-10 11:05"), "a timestamp without a UTC offset"),
        (("title: API errors", "titel: API errors"), "an unknown key (and title missing)"),
        (("severity: SEV2\n", ""), "an incident without a severity"),
        (("components: [api]", "components: []"), "no components"),
        (("title: API errors", "title: API errors\nscheduled: {start: 2026-05-10T01:00:00Z, end: 2026-05-10T02:00:00Z}"), "a window on an incident"),
        (("severity: SEV2", "severity: SEV2\npostmortem: example.com/pm"), "a postmortem that is not a URL"),
    ],
)
def test_schema_rejects_what_the_validator_rejects(validator: jsonschema.Draft202012Validator, handbook: object, change: tuple[str, str], why: str) -> None:
    assert errors_of(validator, BASE) == []
    text = BASE.replace(*change, 1)
    assert text != BASE
    assert errors_of(validator, text), why
    problems = check_incident_file(text.encode(), "incidents/2026/2026-05-10-api-errors.yml", handbook).problems
    assert [p for p in problems if p.level.name == "ERROR"], why


def test_maintenance_statuses_follow_kind(validator: jsonschema.Draft202012Validator) -> None:
    maintenance = """
title: Database upgrade
kind: maintenance
components: [api]
scheduled:
  start: 2026-06-10T02:00:00Z
  end: 2026-06-10T03:00:00Z
updates:
  - at: 2026-05-30T10:00:00Z
    status: scheduled
    message: We will upgrade the database.
"""
    assert errors_of(validator, maintenance) == []
    assert errors_of(validator, maintenance.replace("status: scheduled", "status: investigating"))
    assert errors_of(validator, maintenance.replace("scheduled:\n  start: 2026-06-10T02:00:00Z\n  end: 2026-06-10T03:00:00Z\n", ""))
    # An empty optional key reads as absent, as in the validator.
    assert errors_of(validator, maintenance + "postmortem:\n") == []


def test_enums_and_descriptions_come_from_the_handbook(handbook: object) -> None:
    schema = incident_schema(handbook, SITE)
    properties = schema["properties"]
    assert [f.name for f in INCIDENT_SHAPE.fields] == list(properties)
    assert properties["severity"]["enum"] == [*(s.id for s in handbook.severities), None]
    assert properties["components"]["items"]["enum"] == [c.id for c in handbook.components]
    assert "SEV1: Critical" in properties["severity"]["description"]
    update = schema["$defs"]["update"]
    assert update["properties"]["components"]["propertyNames"]["enum"] == [c.id for c in handbook.components]
    internal = schema["$defs"]["internal_block"]["properties"]
    assert internal["roles"]["propertyNames"]["enum"] == [r.id for r in handbook.roles]
    assert internal["assessment"]["propertyNames"]["enum"] == [q.id for q in handbook.assessment_questions]
    assert schema["$defs"]["timeline_entry"]["properties"]["phase"]["enum"] == [p.id for p in handbook.phases]
    then = schema["allOf"][0]["then"]["properties"]["updates"]["items"]["properties"]["status"]["enum"]
    assert then == [s.id for s in handbook.maintenance_statuses]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{SITE}{urls.INCIDENT_SCHEMA}"
