"""The public record is append-only: `statusbook validate --base REF` catches every kind of rewrite.

The table runs the pure comparison (:func:`statusbook.check.append_only.check_history`)
with exact positions; the functional tests run the real command on temporary
git repositories and read the base from git objects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, Project, git
from statusbook.check.append_only import check_history
from statusbook.commands.validate import read_handbook

PATH = "incidents/2026/2026-03-01-api-errors.yml"
REF = "main (0123456789ab)"

# Line numbers in the comments are what the expected positions below refer to.
BASE = """\
title: API errors
severity: SEV3
components: [api]
updates:
  - at: 2026-03-01T10:00:00Z
    status: investigating
    message: We are looking into API errors.
    components:
      api: partial_outage
  - at: 2026-03-01T10:30:00Z
    status: identified
    message: We found the cause.
  - at: 2026-03-01T11:00:00Z
    status: resolved
    message: Fixed.
    components:
      api: operational
"""
# line: 5-9 first update / 10-12 second (identified) / 13-17 final (resolved)

OPEN = BASE[: BASE.index("  - at: 2026-03-01T11:00:00Z")]

REOPEN = """\
  - at: 2026-03-01T12:00:00Z
    status: investigating
    message: The errors are back.
    components:
      api: partial_outage
"""

MAINTENANCE = """\
title: Database upgrade
kind: maintenance
components: [api]
scheduled: {start: 2026-03-02T01:00:00Z, end: 2026-03-02T02:00:00Z}
updates:
  - at: 2026-02-25T10:00:00Z
    status: scheduled
    message: We will upgrade the database.
  - at: 2026-03-02T01:40:00Z
    status: completed
    message: Done.
"""


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


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
    handbook, problems = read_handbook(REPO / "handbook", REPO)
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
    from statusbook.check.incident import RULES

    history_rules = {r.id for r in RULES if r.id.startswith("history-")}
    covered = {rule for c in CASES for *_, rule in c.expected}
    assert history_rules == covered


# --- the real command on real repositories ---------------------------------------------------------


def statusbook(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statusbook", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        check=False,
    )


@pytest.fixture
def published(project: Project) -> Project:
    """A repository whose main branch has published one resolved incident."""
    project.write(PATH, BASE)
    project.git_init()
    return project


def test_clean_pull_request_passes(published: Project) -> None:
    (published.root / PATH).write_text(BASE + REOPEN, encoding="utf-8")
    result = statusbook(published.root, "validate", "--now", "2026-03-01T12:30:00Z", "--base", "main")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout


def test_rewrite_is_reported_with_file_line_and_ref(published: Project) -> None:
    (published.root / PATH).write_text(edit(BASE, "status: resolved", "status: monitoring"), encoding="utf-8")
    sha = git(published.root, "rev-parse", "HEAD").strip()
    result = statusbook(published.root, "validate", "--base", "main")
    assert result.returncode == 1
    assert f"{PATH}:14:13: error [history-reopened-by-edit]" in result.stdout
    assert f"main ({sha[:12]})" in result.stdout


def test_rewrite_as_github_annotation_and_json(published: Project) -> None:
    (published.root / PATH).write_text(edit(BASE, "We found the cause.", "It was DNS."), encoding="utf-8")
    result = statusbook(published.root, "validate", "--base", "main", "--format", "auto", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert f"::error file={PATH},line=12,col=14,title=history-update-edited::" in result.stdout
    result = statusbook(published.root, "validate", "--base", "main", "--format", "json")
    body = json.loads(result.stdout)
    assert body["status"] == "fail"
    assert [(p["path"], p["line"], p["column"], p["rule"]) for p in body["problems"]] == [(PATH, 12, 14, "history-update-edited")]


def test_deleted_and_renamed_files_against_the_base(published: Project) -> None:
    git(published.root, "mv", PATH, "incidents/2026/2026-03-01-api-outage.yml")
    result = statusbook(published.root, "validate", "--base", "HEAD")
    assert "incidents/2026/2026-03-01-api-outage.yml:1:1: error [history-incident-renamed]" in result.stdout
    (published.root / "incidents/2026/2026-03-01-api-outage.yml").unlink()
    result = statusbook(published.root, "validate", "--base", "HEAD")
    assert result.returncode == 1
    assert f"{PATH}:1:1: error [history-incident-deleted]" in result.stdout


def test_correction_is_accepted_end_to_end(published: Project) -> None:
    corrected = edit(BASE, "    message: We found the cause.\n", "    message: We found the cause, a bad deploy.\n    correction: {at: 2026-03-01T12:00:00Z, reason: Named the cause}\n")
    (published.root / PATH).write_text(corrected, encoding="utf-8")
    result = statusbook(published.root, "validate", "--now", "2026-03-01T12:30:00Z", "--base", "main")
    assert result.returncode == 0, result.stdout + result.stderr


def test_merge_base_form_ignores_updates_published_after_branching(published: Project) -> None:
    root = published.root
    git(root, "checkout", "-q", "-b", "fix-typo")
    git(root, "checkout", "-q", "main")
    (root / PATH).write_text(BASE + REOPEN, encoding="utf-8")
    git(root, "commit", "-q", "-am", "reopen")
    git(root, "checkout", "-q", "fix-typo")
    # The branch lacks the update main published since; against main itself that looks like a removal.
    assert "history-update-removed" not in statusbook(root, "validate", "--base", "main...").stdout
    assert statusbook(root, "validate", "--base", "main...").returncode == 0
    assert statusbook(root, "validate", "--base", "main").returncode == 1


def test_project_in_a_subfolder_reads_the_right_tree(tmp_path: Path, published: Project) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    subprocess.run(["cp", "-r", str(published.root), str(outer / "status")], check=True)
    subprocess.run(["rm", "-rf", str(outer / "status" / ".git")], check=True)
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "initial")
    (outer / "status" / PATH).write_text(edit(BASE, "Fixed.", "Done."), encoding="utf-8")
    result = statusbook(outer, "validate", "--root", "status", "--base", "HEAD")
    assert f"{PATH}:15:14: error [history-update-edited]" in result.stdout, result.stdout + result.stderr


def test_unknown_ref_fails_with_gits_message_and_a_remedy(published: Project) -> None:
    result = statusbook(published.root, "validate", "--base", "origin/nope")
    assert result.returncode == 1
    assert "finding origin/nope failed: git said:" in result.stderr
    assert "fetch" in result.stderr
    assert statusbook(published.root, "validate", "--base", "--upload-pack=x").returncode != 0
