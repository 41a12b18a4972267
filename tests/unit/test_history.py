"""The public record is append-only: the pure comparison behind `statusbook validate --base REF` catches every kind of rewrite.

The table runs :func:`statusbook.check.append_only.check_history` with exact
positions; tests/functional/test_history_git.py runs the real command on
temporary git repositories and reads the base from git objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from statusbook.check.append_only import check_history
from statusbook.check.catalogue import RULES
from statusbook.check.incident import incident_id
from statusbook.commands.validate import read_handbook
from statusbook.io.config_file import load_config
from support.append_only import BASE, MAINTENANCE, OPEN, PATH, REOPEN, edit

REPO = Path(__file__).resolve().parents[2]

REF = "main (0123456789ab)"


@dataclass(frozen=True)
class Case:
    name: str
    base: dict[str, str]
    current: dict[str, str]
    expected: list[tuple[str, int, int, str]]


def case(name: str, current: str | None, expected: list[tuple[int, int, str]], *, base: str = BASE, path: str = PATH) -> Case:
    return Case(name, {path: base}, {} if current is None else {path: current}, [(path, line, col, rule) for line, col, rule in expected])


CASES = [
    case("unchanged", BASE, []),
    case("a new update appended to an open incident", OPEN + "  - at: 2026-03-01T10:45:00Z\n    status: monitoring\n    message: A fix is out.\n", [], base=OPEN),
    case("reopened by appending a non-final update", BASE + REOPEN, []),
    case("reopened and resolved again", BASE + REOPEN + "  - at: 2026-03-01T13:00:00Z\n    status: resolved\n    message: Fixed again.\n    components: {api: operational}\n", []),
    case("message edited without correction", edit(BASE, "We found the cause.", "We found the cause, a bad deploy."), [(12, 14, "history-update-edited")]),
    case(
        "message edited with a correction",
        edit(BASE, "    message: We found the cause.\n", "    message: We found the cause, a bad deploy.\n    correction: {at: 2026-03-01T12:00:00Z, reason: Named the cause}\n"),
        [],
    ),
    case("time edited", edit(BASE, "  - at: 2026-03-01T10:30:00Z", "  - at: 2026-03-01T10:35:00Z"), [(10, 9, "history-update-edited")]),
    case(
        "time edited even with a correction",
        edit(BASE, "  - at: 2026-03-01T10:30:00Z\n    status: identified\n    message: We found the cause.\n", "  - at: 2026-03-01T10:35:00Z\n    status: identified\n    message: We found the cause.\n    correction: {at: 2026-03-01T12:00:00Z, reason: Wrong time}\n"),
        [(10, 9, "history-update-edited")],
    ),
    case("same moment in another offset is not an edit", edit(BASE, "  - at: 2026-03-01T10:30:00Z", "  - at: 2026-03-01T11:30:00+01:00"), []),
    case("non-final status edited without correction", edit(BASE, "status: identified", "status: monitoring"), [(11, 13, "history-update-edited")]),
    case(
        "non-final status edited with a correction",
        edit(BASE, "    status: identified\n    message: We found the cause.\n", "    status: monitoring\n    message: We found the cause.\n    correction: {at: 2026-03-01T12:00:00Z, reason: It was already fixed}\n"),
        [],
    ),
    case("closed by editing a status to resolved", edit(BASE, "status: identified", "status: resolved"), [(11, 13, "history-update-edited")]),
    case("reopened by editing the final status", edit(BASE, "status: resolved", "status: monitoring"), [(14, 13, "history-reopened-by-edit")]),
    case(
        "reopened by removing the final update",
        edit(BASE, "  - at: 2026-03-01T11:00:00Z\n    status: resolved\n    message: Fixed.\n    components:\n      api: operational\n", ""),
        [(10, 5, "history-reopened-by-edit")],
    ),
    case("a middle update removed", edit(BASE, "  - at: 2026-03-01T10:30:00Z\n    status: identified\n    message: We found the cause.\n", ""), [(10, 5, "history-update-removed")]),
    case(
        "an update inserted before published ones",
        edit(BASE, "  - at: 2026-03-01T10:30:00Z\n", "  - at: 2026-03-01T10:15:00Z\n    status: investigating\n    message: Still looking.\n  - at: 2026-03-01T10:30:00Z\n"),
        [(10, 5, "history-update-inserted")],
    ),
    case(
        "a correction removed",
        BASE.replace("    message: We found the cause.\n", "    message: We found the cause, a bad deploy.\n", 1),
        [(10, 5, "history-correction-removed")],
        base=edit(BASE, "    message: We found the cause.\n", "    message: We found the cause, a bad deploy.\n    correction: {at: 2026-03-01T12:00:00Z, reason: Named the cause}\n"),
    ),
    case(
        "edited again under the old correction",
        edit(BASE, "    message: We found the cause.\n", "    message: A bad deploy.\n    correction: {at: 2026-03-01T12:00:00Z, reason: Named the cause}\n"),
        [(12, 14, "history-update-edited")],
        base=edit(BASE, "    message: We found the cause.\n", "    message: We found the cause, a bad deploy.\n    correction: {at: 2026-03-01T12:00:00Z, reason: Named the cause}\n"),
    ),
    case(
        "edited again under a new correction",
        edit(BASE, "    message: We found the cause.\n", "    message: A bad deploy.\n    correction: {at: 2026-03-01T13:00:00Z, reason: Named the deploy}\n"),
        [],
        base=edit(BASE, "    message: We found the cause.\n", "    message: We found the cause, a bad deploy.\n    correction: {at: 2026-03-01T12:00:00Z, reason: Named the cause}\n"),
    ),
    case("maintenance reopened by editing completed", edit(MAINTENANCE, "status: completed", "status: in_progress"), [(10, 13, "history-reopened-by-edit")], base=MAINTENANCE, path="incidents/2026/2026-03-02-db.yml"),
    case("maintenance extended by appending", MAINTENANCE + "  - at: 2026-03-02T01:50:00Z\n    status: in_progress\n    message: Not done after all.\n", [], base=MAINTENANCE, path="incidents/2026/2026-03-02-db.yml"),
    # Incident-level fields: published, so changed only with a visible note in the incident's corrections.
    case("title edited without a correction", edit(BASE, "title: API errors", "title: API outage"), [(1, 8, "history-field-edited")]),
    case("title edited with a correction", edit(BASE, "title: API errors\n", "title: API outage\ncorrections: [{at: 2026-03-01T12:00:00Z, reason: It was an outage}]\n"), []),
    case("severity edited without a correction", edit(BASE, "severity: SEV3", "severity: SEV2"), [(2, 11, "history-field-edited")]),
    case("a component removed", edit(BASE, "components: [api]\n", "components: [webhooks]\n"), [(3, 13, "history-field-edited")]),
    case("a component added", edit(BASE, "components: [api]\n", "components: [api, webhooks]\n"), []),
    case("a postmortem link added", edit(BASE, "severity: SEV3\n", "severity: SEV3\npostmortem: https://example.com/pm/1\n"), []),
    case(
        "a published postmortem link changed",
        edit(BASE, "severity: SEV3\n", "severity: SEV3\npostmortem: https://example.com/pm/2\n"),
        [(3, 13, "history-field-edited")],
        base=edit(BASE, "severity: SEV3\n", "severity: SEV3\npostmortem: https://example.com/pm/1\n"),
    ),
    case(
        "an incident correction removed",
        edit(BASE, "title: API errors\n", "title: API outage\n"),
        [(1, 8, "history-correction-removed")],
        base=edit(BASE, "title: API errors\n", "title: API outage\ncorrections: [{at: 2026-03-01T12:00:00Z, reason: It was an outage}]\n"),
    ),
    case("the statuses an update set edited", edit(BASE, "      api: partial_outage\n", "      api: degraded_performance\n"), [(9, 7, "history-update-edited")]),
    case("an incident turned into a maintenance", edit(BASE, "severity: SEV3\n", "severity: SEV3\nkind: maintenance\n"), [(1, 1, "history-kind-changed")]),
    case(
        "a window moved without a word",
        edit(MAINTENANCE, "start: 2026-03-02T01:00:00Z", "start: 2026-03-02T00:30:00Z"),
        [(4, 12, "history-field-edited")],
        base=MAINTENANCE,
        path="incidents/2026/2026-03-02-db.yml",
    ),
    case(
        "a window moved with an update that says so",
        edit(MAINTENANCE, "start: 2026-03-02T01:00:00Z", "start: 2026-03-02T00:30:00Z") + "  - at: 2026-03-02T01:50:00Z\n    status: in_progress\n    message: We started earlier.\n",
        [],
        base=MAINTENANCE,
        path="incidents/2026/2026-03-02-db.yml",
    ),
    Case("incident deleted", {PATH: BASE}, {}, [(PATH, 1, 1, "history-incident-deleted")]),
    Case("incident renamed", {PATH: BASE}, {"incidents/2026/2026-03-01-api-outage.yml": BASE}, [("incidents/2026/2026-03-01-api-outage.yml", 1, 1, "history-incident-renamed")]),
    Case(
        "incident renamed and edited",
        {PATH: BASE},
        {"incidents/2026/2026-03-01-api-outage.yml": edit(BASE, "Fixed.", "All fixed.")},
        [("incidents/2026/2026-03-01-api-outage.yml", 1, 1, "history-incident-renamed"), ("incidents/2026/2026-03-01-api-outage.yml", 15, 14, "history-update-edited")],
    ),
    Case("moved to another folder under the same name", {PATH: BASE}, {"incidents/2026-03-01-api-errors.yaml": BASE}, []),
    Case("a new incident added", {PATH: BASE}, {PATH: BASE, "incidents/2026/2026-04-01-new.yml": BASE.replace("API errors", "New")}, []),
    Case(
        "deleted while an unrelated incident is added",
        {PATH: BASE},
        {"incidents/2026/2026-04-01-new.yml": MAINTENANCE},
        [(PATH, 1, 1, "history-incident-deleted")],
    ),
    Case("a file that never parsed may go", {"incidents/2026/broken.yml": "title: [unclosed\n"}, {}, []),
]


@pytest.fixture(scope="module")
def handbook():
    handbook, problems = read_handbook(load_config(REPO))
    assert handbook is not None, problems
    return handbook


@pytest.mark.parametrize("item", CASES, ids=[c.name for c in CASES])
def test_history_rules(item: Case, handbook) -> None:
    problems = check_history({p: t.encode() for p, t in item.base.items()}, {p: t.encode() for p, t in item.current.items()}, handbook, REF)
    assert [(p.path, p.line, p.column, p.rule) for p in problems] == item.expected, "\n".join(p.format() for p in problems)
    for problem in problems:
        assert REF in problem.message, problem.format()
        assert problem.level.name == "ERROR"


def test_every_history_rule_has_a_case() -> None:
    history_rules = {r.id for r in RULES if r.id.startswith("history-")}
    covered = {rule for c in CASES for *_, rule in c.expected}
    assert history_rules == covered


# --- only the files that changed: base_ids and current_ids name every incident on each side ---------------

OTHER = "incidents/2026/2026-02-01-login-slow.yml"
NEW = "incidents/2026/2026-03-01-api-outage.yml"


def ids(*paths: str) -> set[str]:
    return {incident_id(p) for p in paths}


def history(base: dict[str, str], current: dict[str, str], handbook, **kwargs: set[str]) -> list[tuple[str, int, int, str]]:
    problems = check_history({p: t.encode() for p, t in base.items()}, {p: t.encode() for p, t in current.items()}, handbook, REF, **kwargs)
    return [(p.path, p.line, p.column, p.rule) for p in problems]


def test_a_published_id_still_present_whose_file_is_not_passed_is_not_deleted(handbook) -> None:
    # The base file was read (say it moved, or git listed it as changed) but the current side passes no file for its id.
    assert history({PATH: BASE}, {}, handbook, base_ids=ids(PATH, OTHER), current_ids=ids(PATH, OTHER)) == []
    # Without the ids, the same inputs mean the file is gone.
    assert history({PATH: BASE}, {}, handbook) == [(PATH, 1, 1, "history-incident-deleted")]


def test_a_missing_id_is_still_deleted_when_the_ids_are_given(handbook) -> None:
    assert history({PATH: BASE}, {}, handbook, base_ids=ids(PATH, OTHER), current_ids=ids(OTHER)) == [(PATH, 1, 1, "history-incident-deleted")]


def test_a_missing_id_with_a_similar_new_file_is_a_rename(handbook) -> None:
    found = history({PATH: BASE}, {NEW: BASE}, handbook, base_ids=ids(PATH, OTHER), current_ids=ids(NEW, OTHER))
    assert found == [(NEW, 1, 1, "history-incident-renamed")]


def test_a_renamed_and_edited_file_is_still_compared_with_what_was_published(handbook) -> None:
    found = history({PATH: BASE}, {NEW: edit(BASE, "Fixed.", "All fixed.")}, handbook, base_ids=ids(PATH, OTHER), current_ids=ids(NEW, OTHER))
    assert found == [(NEW, 1, 1, "history-incident-renamed"), (NEW, 15, 14, "history-update-edited")]


def test_a_missing_id_is_never_matched_to_an_incident_published_under_its_own_id(handbook) -> None:
    # OTHER changed and is passed, and it looks like the missing file, but it was published as itself: no rename.
    found = history({PATH: BASE, OTHER: BASE}, {OTHER: BASE}, handbook, base_ids=ids(PATH, OTHER), current_ids=ids(OTHER))
    assert found == [(PATH, 1, 1, "history-incident-deleted")]


def test_a_missing_id_with_only_an_unlike_new_file_is_deleted(handbook) -> None:
    found = history({PATH: BASE}, {NEW: MAINTENANCE}, handbook, base_ids=ids(PATH), current_ids=ids(NEW))
    assert found == [(PATH, 1, 1, "history-incident-deleted")]


def test_changed_files_passed_with_ids_are_compared_as_usual(handbook) -> None:
    current = edit(BASE, "We found the cause.", "It was DNS.")
    assert history({PATH: BASE}, {PATH: current}, handbook, base_ids=ids(PATH, OTHER), current_ids=ids(PATH, OTHER)) == [(PATH, 12, 14, "history-update-edited")]
