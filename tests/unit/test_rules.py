"""Table-driven tests for every rule in the catalogue: each fails with exact positions on a file that is otherwise valid.

Every case runs the real validation path (files written into a temporary
repository with the real handbook schema, then :func:`validate_repository`),
so per-file rules and the rules that look across files or at the clock are
exercised the same way ``statusbook validate`` exercises them.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from statusbook.check.catalogue import RULES
from statusbook.commands import validate
from statusbook.commands.validate import validate_repository
from statusbook.core.problems import Level
from statusbook.core.versions import GoverningHandbooks, Release
from statusbook.errors import ConfigError
from statusbook.handbook.export import VersionFiles, export_version
from statusbook.io.config_file import load_config

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PATH = "incidents/2026/2026-03-01-api-errors.yml"

# Line numbers in the comments are what the expected positions below refer to.
INCIDENT = """\
title: API errors
severity: SEV2
components: [api, webhooks]
postmortem: https://example.com/postmortems/1
updates:
  - at: 2026-03-01T10:00:00+01:00
    status: investigating
    message: We are looking into **API errors**.
    components:
      api: partial_outage
  - at: 2026-03-01T11:00:00+01:00
    status: resolved
    message: Fixed.
    components:
      api: operational
internal:
  roles:
    incident_manager: Priya Natarajan
  chat: "#inc-2026-03-01-api-errors"
  call: https://meet.example.com/inc
  assessment:
    customer_impact: Some API calls fail.
  impact: About 2% of requests.
  timeline:
    - at: 2026-03-01T09:55:00+01:00
      phase: detect
      note: Error-rate alert.
"""
# line:  1 title / 2 severity / 3 components / 4 postmortem / 5 updates / 6-10 first update /
# 11-15 final update / 16 internal / 17-18 roles / 19 chat / 20 call / 21-22 assessment /
# 23 impact / 24-27 timeline

MAINTENANCE = """\
title: Database upgrade
kind: maintenance
components: [api]
scheduled:
  start: 2026-03-02T01:00:00Z
  end: 2026-03-02T02:00:00Z
updates:
  - at: 2026-02-25T10:00:00Z
    status: scheduled
    message: We will upgrade the database.
  - at: 2026-03-02T01:00:00Z
    status: in_progress
    message: Started.
    components:
      api: under_maintenance
  - at: 2026-03-02T01:40:00Z
    status: completed
    message: Done.
    components:
      api: operational
"""
MAINT_PATH = "incidents/2026/2026-03-02-database-upgrade.yml"


def edit(text: str, old: str, new: str) -> str:
    """Replace one exact piece of a base file, failing loudly if it is not there exactly once."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def incident(old: str, new: str) -> str:
    return edit(INCIDENT, old, new)


def maintenance(old: str, new: str) -> str:
    return edit(MAINTENANCE, old, new)


@dataclass(frozen=True)
class Case:
    """One failing case: files to write, and the exact problems expected, sorted."""

    name: str
    files: dict[str, str | bytes]
    expected: list[tuple]  # (line, column, rule) for PATH, or (path, line, column, rule)
    now: datetime = NOW
    versions: tuple[str, ...] | None = None
    contains: tuple[str, ...] = field(default=())  # substrings the first problem's message must hold


def one(text: str | bytes, expected: list[tuple], *, name: str, path: str = PATH, **kwargs: object) -> Case:
    return Case(name, {path: text}, expected, **kwargs)


BROKEN_LINK = b"<broken symbolic link>"  # written as a link to a missing file
GOOD_LINK = b"<symbolic link to a valid incident>"  # written as a link to a valid file outside incidents/: links are never followed
FIFO = b"<named pipe>"  # written as a fifo, which is not a regular file
VANISHED = b"<vanishes between listing and reading>"  # listed as if it existed, never written
BIG_PADDING = "# " + "x" * 1024 * 1024 + "\n"
DEEP = "[" * 40 + "]" * 40
LOL = "a: &a [lol, lol]\nb: &b [*a, *a]\n"

CASES: list[Case] = [
    # --- reading the file -------------------------------------------------------------
    one("", [(1, 1, "file-empty")], name="empty file"),
    one("# only a comment\n\n", [(1, 1, "file-empty")], name="comment-only file"),
    one(INCIDENT.encode().replace(b"API errors\n", b"API\x00errors\n", 1), [(1, 11, "file-binary")], name="NUL byte"),
    one(INCIDENT + BIG_PADDING, [(1, 1, "file-too-large")], name="over 1 MiB", contains=("1 MiB",)),
    one(INCIDENT.encode().replace(b"API errors\n", b"API \xe9rrors\n", 1), [(1, 12, "file-encoding")], name="Latin-1 byte", contains=("0xe9",)),
    one(INCIDENT.encode("utf-16"), [(1, 1, "file-encoding")], name="UTF-16 with BOM"),
    one(b"\xef\xbb\xbf" + INCIDENT.encode(), [(1, 1, "file-bom")], name="UTF-8 byte order mark"),
    one("- title: API errors\n", [(1, 1, "file-not-mapping")], name="a list, not a mapping"),
    Case("broken link", {PATH: INCIDENT, "incidents/2026/gone.yml": BROKEN_LINK}, [("incidents/2026/gone.yml", 1, 1, "file-not-regular")], contains=("symbolic link",)),
    Case("link to a valid file", {PATH: INCIDENT, "incidents/2026/linked.yml": GOOD_LINK}, [("incidents/2026/linked.yml", 1, 1, "file-not-regular")], contains=("symbolic link",)),
    Case("named pipe", {PATH: INCIDENT, "incidents/2026/pipe.yml": FIFO}, [("incidents/2026/pipe.yml", 1, 1, "file-not-regular")], contains=("not a regular file",)),
    Case("file gone before it is read", {PATH: INCIDENT, "incidents/2026/gone.yml": VANISHED}, [("incidents/2026/gone.yml", 1, 1, "file-unreadable")], contains=("cannot read the file",)),
    Case("not a .yml file", {PATH: INCIDENT, "incidents/2026/notes.txt": "hello\n"}, [("incidents/2026/notes.txt", 1, 1, "file-name")]),
    # --- YAML -----------------------------------------------------------------------------
    one(incident("title: API errors\n", "title: [API errors\n"), [(2, 9, "yaml-syntax")], name="unclosed flow list"),
    one(INCIDENT + "---\ntitle: Second\n", [(28, 1, "yaml-documents")], name="two documents"),
    one(incident("severity: SEV2\n", "severity: SEV2\ntitle: Again\n"), [(3, 1, "yaml-duplicate-key")], name="duplicate key", contains=("line 1, column 1",)),
    one(incident("components: [api, webhooks]", "components: &c [api, webhooks]"), [(3, 13, "yaml-anchor")], name="anchor"),
    one(incident("title: API errors", "title: *x"), [(1, 8, "yaml-alias")], name="alias"),
    one(LOL + INCIDENT, [(1, 4, "yaml-anchor"), (2, 4, "yaml-anchor"), (2, 8, "yaml-alias"), (2, 12, "yaml-alias")], name="alias bomb"),
    one(incident("title: API errors", "title: !!python/object:os.system API errors"), [(1, 8, "yaml-tag")], name="python tag", contains=("python/object",)),
    one(incident("title: API errors", "title: !custom API errors"), [(1, 8, "yaml-tag")], name="custom tag"),
    one(incident("  chat:", "  <<: {chat: x}\n  chat:"), [(19, 3, "yaml-merge")], name="merge key"),
    one(incident("internal:\n", "? [a, b]\n: value\ninternal:\n"), [(16, 3, "yaml-key")], name="list as key"),
    one(incident("  impact: About 2% of requests.", f"  impact: {DEEP}"), [(23, 11, "type-mismatch"), (23, 42, "yaml-nesting")], name="deep nesting"),
    one(incident("    message: Fixed.", "    message: " + "x" * 70_000), [(13, 14, "yaml-scalar-size")], name="huge value", contains=("65,536",)),
    one(incident('  chat: "#inc-2026-03-01-api-errors"', "  chat: no"), [(19, 9, "yaml-truthy")], name="YAML 1.1 boolean", contains=("'no'",)),
    one(incident("    message: Fixed.", '    message: "Fixed.\\a"'), [(13, 14, "text-control-character")], name="bell character"),
    # --- shape ----------------------------------------------------------------------------
    one(incident("severity: SEV2\n", "severity: SEV2\ntitel: Other\n"), [(3, 1, "key-unknown")], name="unknown key", contains=("did you mean 'title'?", "expected one of title, kind")),
    one(incident("title: API errors\n", ""), [(1, 1, "key-missing")], name="missing title", contains=("'title'",)),
    one(incident("title: API errors", 'title: ""'), [(1, 8, "value-empty")], name="empty title"),
    # Found by test_valid_builds under xdist: a title of spaces validated, then the incident was in no output.
    one(incident("title: API errors", "title: ' '"), [(1, 8, "value-empty")], name="title of spaces", contains=("only spaces",)),
    one(incident("    message: Fixed.", "    message: '  '"), [(13, 14, "value-empty")], name="message of spaces"),
    one(incident("title: API errors", "title: [API, errors]"), [(1, 8, "type-mismatch")], name="list as title", contains=("found a list",)),
    one(incident("    message: Fixed.", "    message: 12"), [(13, 14, "type-mismatch")], name="number as message", contains=("the number 12",)),
    one(INCIDENT, [(1, 1, "id-invalid")], name="unsafe id", path="incidents/2026/API Errors.yml"),
    Case("same id in two folders", {"incidents/2025/x.yml": INCIDENT, "incidents/2026/x.yml": INCIDENT}, [("incidents/2026/x.yml", 1, 1, "id-duplicate")], contains=("incidents/2025/x.yml",)),
    # --- public fields --------------------------------------------------------------------
    one(incident("severity: SEV2\n", "severity: SEV2\nkind: outage\n"), [(3, 7, "kind-unknown")], name="unknown kind", contains=("incident, maintenance",)),
    one(incident("severity: SEV2", "severity: SEV5"), [(2, 11, "severity-unknown")], name="unknown severity", contains=("expected one of SEV1, SEV2, SEV3",)),
    one(incident("severity: SEV2", "severity: sev2"), [(2, 11, "severity-unknown")], name="lower-case severity", contains=("expected one of SEV1, SEV2, SEV3", "did you mean 'SEV2'?")),
    one(incident("severity: SEV2\n", ""), [(1, 1, "severity-missing")], name="no severity", contains=("SEV1, SEV2, SEV3",)),
    one(incident("severity: SEV2\n", "severity: SEV2\ntype: securty\n"), [(3, 7, "type-unknown")], name="unknown type", contains=("did you mean 'security'?",)),
    one(incident("components: [api, webhooks]", "components: [api, webhooks, paymnts]"), [(3, 29, "component-unknown")], name="unknown component", contains=("did you mean 'payments'?",)),
    one(incident("components: [api, webhooks]", "components: [api, webhooks, api]"), [(3, 29, "component-duplicate")], name="component twice"),
    one(incident("      api: partial_outage\n", "      api: partial_outage\n      payments: partial_outage\n"), [(11, 7, "component-not-affected")], name="status for unlisted component"),
    one(incident("      api: partial_outage", "      api: down"), [(10, 12, "component-status-unknown")], name="unknown component status", contains=("major_outage",)),
    one(incident("    status: investigating", "    status: fixed"), [(7, 13, "status-unknown")], name="unknown status", contains=("investigating, identified, monitoring, resolved",)),
    one(maintenance("    status: in_progress", "    status: identified"), [(12, 13, "status-unknown")], name="incident status on maintenance", path=MAINT_PATH, contains=("scheduled, in_progress, verifying, completed",)),
    one(incident("  - at: 2026-03-01T10:00:00+01:00", "  - at: 2026-02-30T10:00:00+01:00"), [(6, 9, "timestamp-invalid")], name="February 30th"),
    one(incident("  - at: 2026-03-01T10:00:00+01:00", "  - at: 2026-03-01T25:00:00+01:00"), [(6, 9, "timestamp-invalid")], name="hour 25"),
    one(
        incident("    message: Fixed.\n", "    message: |\n      Fixed.\n      internal:\n        notes: a secret\n"),
        [(13, 14, "internal-in-public-text")],
        name="internal block indented into a message",
    ),
    one(incident("    message: Fixed.\n", "    message: |\n      Fixed. The internal: part was fine.\n"), [], name="'internal:' inside a sentence is text"),
    one(incident("  - at: 2026-03-01T10:00:00+01:00", "  - at: 0206-03-01T10:00:00+01:00"), [(6, 9, "timestamp-invalid")], name="year typo 0206"),
    one(incident("  - at: 2026-03-01T10:00:00+01:00", "  - at: 0001-01-01T00:00:00+01:00"), [(6, 9, "timestamp-invalid")], name="year 1 east of UTC"),
    one(incident("  - at: 2026-03-01T10:00:00+01:00", "  - at: 9999-12-31T23:59:00-05:00"), [(6, 9, "timestamp-invalid")], name="year 9999 west of UTC"),
    one(incident("  - at: 2026-03-01T10:00:00+01:00", "  - at: 2026-03-01 10:00"), [(6, 9, "timestamp-naive")], name="no UTC offset", contains=("UTC offset",)),
    one(incident("  - at: 2026-03-01T10:00:00+01:00", "  - at: 2026-03-01"), [(6, 9, "timestamp-naive")], name="date only"),
    one(INCIDENT[: INCIDENT.index("updates:")] + "updates: []\n" + INCIDENT[INCIDENT.index("internal:") :], [(5, 10, "updates-empty")], name="no updates"),
    one(incident("  - at: 2026-03-01T11:00:00+01:00", "  - at: 2026-03-01T09:00:00+01:00"), [(11, 9, "update-order")], name="updates out of order"),
    one(
        incident("      api: operational\n", "      api: operational\n  - at: 2026-03-01T12:00:00+01:00\n    status: resolved\n    message: Resolved again.\n"),
        [(17, 13, "update-after-final")],
        name="final after final",
    ),
    one(incident("      api: operational", "      api: partial_outage"), [(15, 12, "final-components-down")], name="resolved but still down"),
    one(maintenance("  end: 2026-03-02T02:00:00Z", "  end: 2026-03-02T00:30:00Z"), [(6, 8, "maintenance-window")], name="window ends before it starts", path=MAINT_PATH),
    one(maintenance("scheduled:\n  start: 2026-03-02T01:00:00Z\n  end: 2026-03-02T02:00:00Z\n", ""), [(1, 1, "maintenance-window-missing")], name="maintenance without window", path=MAINT_PATH),
    one(
        incident("postmortem: https://example.com/postmortems/1\n", "postmortem: https://example.com/postmortems/1\nscheduled: {start: 2026-03-01T10:00:00Z, end: 2026-03-01T11:00:00Z}\n"),
        [(5, 1, "window-on-incident")],
        name="window on an incident",
    ),
    one(incident("postmortem: https://example.com/postmortems/1", "postmortem: javascript:alert(1)"), [(4, 13, "url-invalid")], name="javascript postmortem link"),
    one(incident("  call: https://meet.example.com/inc", "  call: meet.example.com/inc"), [(20, 9, "url-invalid")], name="call without scheme"),
    one(
        incident("    message: Fixed.\n", "    message: Fixed.\n    correction: {at: 2026-03-01T10:30:00+01:00, reason: Typo}\n"),
        [(14, 22, "correction-before-update")],
        name="correction before its update",
    ),
    # --- internal block -------------------------------------------------------------------
    one(incident("    incident_manager: Priya Natarajan\n", "    incident_manager: Priya Natarajan\n    incident_comander: Joost\n"), [(19, 5, "role-unknown")], name="unknown role", contains=("did you mean 'incident_manager'?",)),
    one(incident("      phase: detect", "      phase: contain"), [(26, 14, "phase-unknown")], name="security phase on a default incident", contains=("'default'",)),
    one(incident("      phase: detect", "      phase: detection"), [(26, 14, "phase-unknown")], name="unknown phase", contains=("did you mean 'detect'?",)),
    one(incident("    customer_impact: Some API calls fail.", "    customer_impacts: Some API calls fail."), [(22, 5, "question-unknown")], name="unknown question", contains=("did you mean 'customer_impact'?",)),
    one(incident("    incident_manager: Priya Natarajan", "    tech_lead: Joost de Vries"), [(18, 5, "incident-manager-missing")], name="SEV2 without incident manager", contains=("incident_manager",)),
    # --- across files and against the clock -------------------------------------------------
    one(incident("postmortem: https://example.com/postmortems/1\n", ""), [(10, 5, "postmortem-overdue")], name="postmortem overdue", contains=("was due 2026-03-15",)),
    one(incident("postmortem: https://example.com/postmortems/1\n", ""), [(10, 5, "postmortem-missing")], name="postmortem due soon", now=datetime(2026, 3, 5, tzinfo=UTC), contains=("by 2026-03-15",)),
    one(
        maintenance("  - at: 2026-03-02T01:00:00Z\n    status: in_progress\n    message: Started.\n    components:\n      api: under_maintenance\n  - at: 2026-03-02T01:40:00Z\n    status: completed\n    message: Done.\n    components:\n      api: operational\n", ""),
        [(8, 5, "maintenance-overdue")],
        name="maintenance still scheduled after its window",
        path=MAINT_PATH,
        contains=("2026-03-02T02:00:00Z",),
    ),
    one(incident("  - at: 2026-03-01T11:00:00+01:00\n", "  - at: 2026-12-01T11:00:00+01:00\n"), [(11, 5, "update-in-future")], name="update in the future", contains=("2026-12-01T10:00:00Z", "later than now")),
    one(
        incident("    status: resolved\n", "    status: resolved\n    correction: {at: 2026-11-27T12:06:00Z, reason: Reworded}\n"),
        [(11, 5, "update-in-future")],
        name="correction in the future",
        contains=("this correction",),
    ),
    one(incident("  - at: 2026-03-01T11:00:00+01:00\n    status: resolved\n    message: Fixed.\n    components:\n      api: operational\n", ""), [(6, 5, "stale-open")], name="open for months"),
    one(incident("postmortem: https://example.com/postmortems/1\n", "postmortem: https://example.com/postmortems/1\nhandbook: v9.9\n"), [(5, 11, "handbook-version-unknown")], name="unknown handbook version", versions=("v1.0",), contains=("v1.0",)),
    one(incident("    message: Fixed.\n", "    message: Fixed.\n    message_de: Behoben.\n"), [(14, 5, "language-unknown")], name="translation into a language not shipped", contains=("'de'", "message_nl (Dutch)")),
    one(
        incident("    message: We are looking into **API errors**.\n", "    message: We are looking into **API errors**.\n    message_nl: We onderzoeken **API-fouten**.\n"),
        # This repository has no mkdocs.yml, so its status page is in English only: nothing shows the Dutch text either.
        [(1, 8, "translation-missing"), (9, 5, "translation-unpublished"), (14, 14, "translation-missing")],
        name="translation missing in one update",
        contains=("title_nl",),
    ),
]

# Rules checked by other test modules, which must name each of them.
ELSEWHERE = {"schema-*": "tests/unit/test_schema.py"}


def _problems(tmp_path: Path, case: Case) -> list:
    root = tmp_path / "repo"
    (root / "handbook").mkdir(parents=True)
    for name in ("schema.yml", "components.yml"):
        (root / "handbook" / name).write_bytes((REPO / "handbook" / name).read_bytes())
    vanished = []
    for rel, content in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is BROKEN_LINK:
            path.symlink_to(root / "missing.yml")
        elif content is GOOD_LINK:
            (root / "elsewhere.yml").write_text(INCIDENT, encoding="utf-8")
            path.symlink_to(root / "elsewhere.yml")
        elif content is FIFO:
            os.mkfifo(path)
        elif content is VANISHED:
            vanished.append(rel)
        else:
            path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.MonkeyPatch.context() as patch:
        if case.versions is not None:
            patch.setattr(validate, "read_governing_handbooks", _tagged(case.versions))
        if vanished:
            patch.setattr(validate, "find_incident_files", _listing_also(vanished))
        result = validate_repository(load_config(root), now=case.now, use_cache=False)
    return list(result.problems)


def _tagged(names: tuple[str, ...]):
    """Stand in for reading release tags from git: each name is a release whose handbook is the working tree's."""

    def read_governing_handbooks(config, current):
        releases = tuple(Release(name, "0" * 40, datetime(2026, 1, 1, tzinfo=UTC)) for name in names)
        return GoverningHandbooks(current, releases, dict.fromkeys(names, current)), []

    return read_governing_handbooks


def _listing_also(extra: list[str]):
    """List these paths too, as if they had existed when the folder was listed and were deleted before being read."""
    real = validate.find_incident_files

    def find_incident_files(incidents_dir, root):
        found, problems = real(incidents_dir, root)
        return sorted([*found, *extra]), problems

    return find_incident_files


def _key(problem) -> tuple:
    return (problem.path, problem.line, problem.column, problem.rule)


def _expand(expected: list[tuple], case: Case) -> list[tuple]:
    default = next(iter(case.files))
    return sorted(e if len(e) == 4 else (default, *e) for e in expected)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fails_at_exact_position(case: Case, tmp_path: Path) -> None:
    problems = _problems(tmp_path, case)
    assert [_key(p) for p in problems] == _expand(case.expected, case)
    for problem in problems:
        assert problem.message and "\n" not in problem.message
    for text in case.contains:
        assert text in problems[0].message, problems[0].message


def test_valid_incident_has_no_problems(tmp_path: Path) -> None:
    assert _problems(tmp_path, one(INCIDENT, [], name="valid")) == []


def test_valid_maintenance_has_no_problems(tmp_path: Path) -> None:
    assert _problems(tmp_path, one(MAINTENANCE, [], name="valid", path=MAINT_PATH)) == []


def test_valid_security_incident_accepts_its_extra_phases(tmp_path: Path) -> None:
    text = incident("severity: SEV2\n", "severity: SEV1\ntype: security\n")
    text = text.replace("      note: Error-rate alert.\n", "      note: Error-rate alert.\n    - {at: 2026-03-01T10:05:00+01:00, phase: contain, note: Keys revoked}\n")
    assert _problems(tmp_path, one(text, [], name="security")) == []


def test_a_missing_postmortem_is_a_notice_before_and_after_the_grace_period(tmp_path: Path) -> None:
    """Team process: reported at every stage, never an error that would stop a customer update."""
    text = incident("postmortem: https://example.com/postmortems/1\n", "")
    soon = _problems(tmp_path / "a", one(text, [], name="soon", now=datetime(2026, 3, 5, tzinfo=UTC)))
    late = _problems(tmp_path / "b", one(text, [], name="late"))
    assert [(p.rule, p.level) for p in soon] == [("postmortem-missing", Level.NOTICE)]
    assert [(p.rule, p.level) for p in late] == [("postmortem-overdue", Level.NOTICE)]


def test_an_update_within_the_clock_skew_is_accepted(tmp_path: Path) -> None:
    text = incident("  - at: 2026-03-01T11:00:00+01:00\n", "  - at: 2026-11-27T12:04:00Z\n")
    assert [p for p in _problems(tmp_path, one(text, [], name="skew")) if p.rule == "update-in-future"] == []


def test_reopening_by_appending_a_non_final_update_is_valid(tmp_path: Path) -> None:
    text = incident(
        "      api: operational\n",
        "      api: operational\n  - at: 2026-03-01T12:00:00+01:00\n    status: investigating\n    message: The errors are back.\n"
        "    components:\n      api: partial_outage\n  - at: 2026-03-01T13:00:00+01:00\n    status: resolved\n    message: Fixed again.\n",
    )
    assert _problems(tmp_path, one(text, [], name="reopened")) == []


def test_open_incident_updated_within_a_day_is_not_stale(tmp_path: Path) -> None:
    text = incident("  - at: 2026-03-01T11:00:00+01:00\n    status: resolved\n    message: Fixed.\n    components:\n      api: operational\n", "")
    assert _problems(tmp_path, one(text, [], name="fresh", now=datetime(2026, 3, 2, 8, tzinfo=UTC))) == []


# --- rules reported outside validate_repository: mkdocs.yml settings and handbook pages ------------

CONFIG_CASES = [
    ("unclosed list", "site_name: [unclosed\n", [(2, 1, "config-syntax")]),
    ("unknown time zone", "site_name: x\nextra:\n  statusbook:\n    timezone: Mars/Base\n", [(4, 15, "config-timezone")]),
    (
        "values out of range",
        "site_name: x\nextra:\n  statusbook:\n    engine: hugo\n    feed_entries: 0\n    incidents_dir: ../elsewhere\n",
        [(4, 13, "config-value"), (5, 19, "config-value"), (6, 20, "config-value")],
    ),
    ("a language not shipped, one twice", "site_name: x\nextra:\n  statusbook:\n    languages: [en, de, en]\n", [(4, 21, "config-value"), (4, 25, "config-value")]),
    ("languages without the default", "site_name: x\ntheme:\n  language: en\nextra:\n  statusbook:\n    languages: [nl]\n", [(6, 16, "config-value")]),
]
CONFIG_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<column>\d+): error \[(?P<rule>[a-z0-9*-]+)\] \S")


@pytest.mark.parametrize(("text", "expected"), [(text, expected) for _, text, expected in CONFIG_CASES], ids=[name for name, *_ in CONFIG_CASES])
def test_config_rule_fails_at_exact_position(text: str, expected: list[tuple[int, int, str]], tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    lines = str(raised.value).splitlines()
    found = [CONFIG_LINE.match(line) for line in lines]
    assert all(found), lines
    assert [(m["path"], int(m["line"]), int(m["column"]), m["rule"]) for m in found] == [("mkdocs.yml", *e) for e in expected]


def test_valid_config_has_no_problems(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nextra:\n  statusbook:\n    timezone: Europe/Amsterdam\n    engine: properdocs\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.timezone, config.engine, config.site_url) == ("Europe/Amsterdam", "properdocs", "https://status.example.com/")


def test_unknown_handbook_placeholder_is_a_warning_on_its_page() -> None:
    files = {f"handbook/{name}": (REPO / "handbook" / name).read_bytes() for name in ("schema.yml", "components.yml")}
    files["handbook/page.md"] = b"# Page\n\n<!-- statusbook:severites -->\n\n<!-- statusbook:severities -->\n"
    exported, problems = export_version(VersionFiles("v1.0", files, "handbook", {}, "2026-06-01"))
    assert [(p.path, p.line, p.column, p.rule, p.level) for p in problems] == [("v1.0:handbook/page.md", 1, 1, "handbook-placeholder", Level.WARNING)]
    assert "statusbook:severites" in problems[0].message
    assert b"<!-- statusbook:severites -->" in exported["handbook/page.md"]
    assert b"<!-- statusbook:severities -->" not in exported["handbook/page.md"]


# Rules whose failing case is one of the tests just above.
OUTSIDE_VALIDATION = {rule for *_, expected in CONFIG_CASES for *_, rule in expected} | {"handbook-placeholder"}


def test_every_rule_in_the_catalogue_has_a_failing_case() -> None:
    covered = {rule for case in CASES for *_, rule in case.expected} | OUTSIDE_VALIDATION
    catalogue = {r.id for r in RULES}
    untested = {rule for rule in catalogue - covered if rule not in ELSEWHERE and not _tested_elsewhere(rule)}
    assert not untested, f"rules without a failing case in tests/unit/test_rules.py: {sorted(untested)}"
    assert covered <= catalogue, f"the table names rules that are not in RULES: {sorted(covered - catalogue)}"


def _tested_elsewhere(rule: str) -> bool:
    """A rule reported outside validate_repository (such as `validate --base`) counts as tested when another test module asserts it."""
    return any(f'"{rule}"' in path.read_text(encoding="utf-8") or f"'{rule}'" in path.read_text(encoding="utf-8") for path in _other_test_files())


def _other_test_files() -> list[Path]:
    here = Path(__file__).resolve()
    return [p for p in sorted(TESTS.rglob("test_*.py")) if p != here]


IN_MESSAGE = re.compile(r"(?:error|warning) \[([a-z0-9]+(?:-[a-z0-9*]+)+)\]")


def test_every_rule_any_check_reports_is_in_the_catalogue() -> None:
    """Scan the generator's source for reported rule ids, so a new rule cannot skip the catalogue (and this table)."""
    catalogue = {r.id for r in RULES}
    reported: dict[str, str] = {}
    for path in sorted((REPO / "generator" / "statusbook").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # A rule id written into an error message's text, as in "mkdocs.yml:2:1: error [config-syntax] ...".
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for rule in IN_MESSAGE.findall(node.value):
                    reported[rule] = f"{path.relative_to(REPO)}:{node.lineno}"
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            index = {"error": 1, "warning": 1, "Problem": 3}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                reported[arg.value] = f"{path.relative_to(REPO)}:{node.lineno}"
    assert reported, "found no reported rule ids; the scan is broken"
    assert "config-syntax" in reported, "the scan no longer finds rule ids written into messages"
    missing = {rule: where for rule, where in reported.items() if rule not in catalogue and not rule.startswith("schema-")}
    assert not missing, f"rules reported but not in RULES: {missing}"


def test_messages_state_what_is_allowed(tmp_path: Path) -> None:
    problems = _problems(tmp_path, one(incident("severity: SEV2", "severity: SEV4"), [], name="sev4"))
    [problem] = problems
    assert problem.format() == (
        f"{PATH}:2:11: error [severity-unknown] 'SEV4' is not a severity of the handbook; expected one of SEV1, SEV2, SEV3; did you mean 'SEV3'?"
    )
