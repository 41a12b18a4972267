"""The repository's own sample content validates clean and covers what the sample promises.

Everything is computed from the loaded incidents, so adding or renaming a
sample file keeps the test honest instead of breaking a hard-coded list.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from statusbook.check.validation import Validation
from statusbook.cli import main
from statusbook.commands.validate import validate_repository
from statusbook.core.model import Incident
from statusbook.core.yaml_source import read_yaml
from statusbook.io.config_file import load_config
from support.repos import REPO

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def validation() -> Validation:
    return validate_repository(load_config(REPO), now=NOW, use_cache=False)


@pytest.fixture(scope="module")
def incidents(validation: Validation) -> list[Incident]:
    return [i for i in validation.incidents if not i.is_maintenance]


@pytest.fixture(scope="module")
def maintenances(validation: Validation) -> list[Incident]:
    return [i for i in validation.incidents if i.is_maintenance]


@pytest.fixture(scope="module")
def raw() -> dict[str, object]:
    """Each sample file as parsed YAML, for what the domain values do not keep (offsets as written)."""
    files = sorted((REPO / "incidents").rglob("*.yml"))
    return {p.relative_to(REPO).as_posix(): read_yaml(p.read_bytes(), p.name).value for p in files}


def test_sample_validates_with_no_errors_and_no_warnings(validation: Validation) -> None:
    assert [p.format() for p in validation.problems] == []
    assert len(validation.files) == len(validation.incidents)  # every file became an incident


def test_cli_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--root", str(REPO), "--now", "2026-11-27T12:00:00Z", "--no-cache", "--strict"])
    assert exit_info.value.code == 0
    assert re.fullmatch(r"\d+ files checked: 0 errors, 0 warnings\n", capsys.readouterr().out)


def test_about_fifteen_incidents_and_three_maintenances(incidents: list[Incident], maintenances: list[Incident]) -> None:
    assert 13 <= len(incidents) <= 17
    assert len(maintenances) >= 3


def test_spread_over_eighteen_months(incidents: list[Incident], maintenances: list[Incident]) -> None:
    starts = sorted(i.started_at for i in incidents + maintenances if i.started_at <= datetime(2026, 11, 20, tzinfo=UTC))
    assert starts[0] >= datetime(2026, 11, 20, tzinfo=UTC) - timedelta(days=550)
    assert starts[-1] - starts[0] >= timedelta(days=450)
    assert len({(s.year, s.month) for s in starts}) >= 12


def test_every_severity_and_status_is_used(validation: Validation, incidents: list[Incident], maintenances: list[Incident]) -> None:
    handbook = validation.handbook
    assert {i.severity for i in incidents} == {s.id for s in handbook.severities}
    assert {u.status for i in incidents for u in i.updates} == {s.id for s in handbook.incident_statuses}
    assert {u.status for m in maintenances for u in m.updates} == {s.id for s in handbook.maintenance_statuses}
    used = {status for i in validation.incidents for u in i.updates for _, status in u.components}
    assert used == {s.id for s in handbook.component_statuses}


def test_exactly_one_open_incident_updated_on_the_26th(validation: Validation, incidents: list[Incident]) -> None:
    final = validation.handbook.final_status("incident")
    [open_incident] = [i for i in incidents if not i.is_final(final)]
    assert open_incident.updated_at.date() == datetime(2026, 11, 26).date()
    assert NOW - open_incident.updated_at < timedelta(days=1)


def test_one_upcoming_maintenance_in_december(maintenances: list[Incident]) -> None:
    upcoming = [m for m in maintenances if m.scheduled.start > NOW]
    assert len(upcoming) == 1
    [maintenance] = upcoming
    assert (maintenance.scheduled.start.year, maintenance.scheduled.start.month) == (2026, 12)
    assert maintenance.status == "scheduled"
    assert all(m.status == "completed" for m in maintenances if m is not maintenance)


def test_a_security_incident_with_its_extra_phases(validation: Validation, incidents: list[Incident]) -> None:
    security = [i for i in incidents if i.type == "security"]
    assert len(security) == 1
    internal = next(x for x in validation.internals if x.incident_id == security[0].id)
    phases = [entry.phase for entry in internal.timeline]
    assert {"contain", "eradicate", "recover"} <= set(phases)
    assert set(phases) <= {p.id for p in validation.handbook.phases_for("security")}
    assert [e.at for e in internal.timeline] == sorted(e.at for e in internal.timeline)


def test_postmortems_where_the_severity_requires_them(validation: Validation, incidents: list[Incident]) -> None:
    handbook = validation.handbook
    with_postmortem = [i for i in incidents if i.postmortem]
    assert len(with_postmortem) >= 2
    for incident in incidents:
        if handbook.severity_by_id[incident.severity].requires_postmortem and incident.is_final(handbook.final_status("incident")):
            assert incident.postmortem, incident.id


def test_a_correction_and_markdown_in_messages(validation: Validation) -> None:
    updates = [u for i in validation.incidents for u in i.updates]
    corrections = [u.correction for u in updates if u.correction]
    assert len(corrections) >= 1 and all(c.reason.strip() for c in corrections)
    messages = "\n".join(u.message for u in updates)
    assert re.search(r"^\s*- ", messages, re.M), "a bulleted list"
    assert re.search(r"^\s*1\. ", messages, re.M), "a numbered list"
    assert re.search(r"\[[^\]]+\]\(https?://", messages), "a link"
    assert re.search(r"\*\*[^*]+\*\*", messages) and re.search(r"(?<![*\w])\*[^*\s][^*]*\*(?!\*)", messages), "strong and emphasis"
    assert re.search(r"`[^`]+`", messages), "inline code"


def test_internal_block_filled_on_most_files(validation: Validation, incidents: list[Incident]) -> None:
    handbook = validation.handbook
    internals = {x.incident_id: x for x in validation.internals}
    full = [i for i in incidents if (x := internals.get(i.id)) and x.roles and x.chat and x.assessment and x.impact and x.timeline]
    assert len(full) >= len(incidents) * 0.8
    for incident in incidents:
        internal = internals[incident.id]
        assert {q for q, _ in internal.assessment} <= set(handbook.question_by_id)
        if handbook.severity_by_id[incident.severity].major:
            assert internal.person("incident_manager"), incident.id
            assert internal.call.startswith("https://"), incident.id
    assert sum(1 for x in internals.values() if x.call) >= 8


def test_times_are_written_with_varied_utc_offsets(raw: dict[str, object]) -> None:
    offsets = set()
    for value in raw.values():
        for update in value["updates"]:
            match = re.search(r"(Z|[+-]\d\d:\d\d)$", update["at"])
            assert match, update["at"]
            offsets.add(match[1])
    assert {"Z", "+01:00", "+02:00"} <= offsets


def test_components_come_from_three_groups(validation: Validation) -> None:
    handbook = validation.handbook
    used = {c for i in validation.incidents for c in i.components}
    assert len(handbook.components) >= 8 and len(handbook.groups) >= 3
    assert {handbook.component_by_id[c].group for c in used} == {g.id for g in handbook.groups}


def test_files_live_in_their_year_folder(validation: Validation) -> None:
    for incident in validation.incidents:
        assert incident.path == f"incidents/{incident.id[:4]}/{incident.id}.yml"
        assert incident.id[:10] == f"{incident.started_at:%Y-%m-%d}" or incident.is_maintenance


def test_readme_explains_the_commands() -> None:
    text = (REPO / "incidents" / "README.md").read_text(encoding="utf-8")
    for command in ("statusbook new", "statusbook update", "statusbook validate"):
        assert command in text
