"""The append-only check end to end: `statusbook validate --base REF` on temporary git repositories, reading the base from git objects.

tests/unit/test_history.py covers every rule of the comparison itself with exact positions.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.append_only import BASE, PATH, REOPEN, edit
from support.repos import Project, git, statusbook


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


def test_only_changed_files_are_compared_and_unchanged_ones_stay_published(project: Project) -> None:
    """The command reads only what changed since the base; the unchanged incidents beside it are neither deleted nor renamed."""
    other = "incidents/2026/2026-02-01-login-slow.yml"
    project.write(PATH, BASE)
    project.write(other, BASE.replace("API errors", "Slow sign-in"))
    project.git_init()
    (project.root / PATH).write_text(edit(BASE, "Fixed.", "Done."), encoding="utf-8")
    result = statusbook(project.root, "validate", "--base", "HEAD")
    assert [line.split(": error ")[0] for line in result.stdout.splitlines() if ": error [" in line] == [f"{PATH}:15:14"], result.stdout
    assert "[history-update-edited]" in result.stdout
    (project.root / PATH).write_text(BASE, encoding="utf-8")
    git(project.root, "mv", PATH, "incidents/2026/2026-03-01-api-outage.yml")
    result = statusbook(project.root, "validate", "--base", "HEAD")
    assert [line.split(" ", 1)[0] for line in result.stdout.splitlines() if ": error [" in line] == ["incidents/2026/2026-03-01-api-outage.yml:1:1:"], result.stdout
    assert "[history-incident-renamed]" in result.stdout


def test_moving_the_incidents_folder_still_compares_with_everything_published(published: Project) -> None:
    """The base is read at its own configuration: a change that moves incidents/ and says so in mkdocs.yml cannot hide a rewrite."""
    root = published.root
    second = "incidents/2026/2026-03-05-second.yml"
    published.write(second, BASE.replace("API errors", "Second"))
    published.commit("second incident")
    (root / "records").mkdir()
    git(root, "mv", "incidents/2026", "records/2026")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("    timezone: Europe/Amsterdam\n", "    timezone: Europe/Amsterdam\n    incidents_dir: records\n"), encoding="utf-8")
    (root / "records/2026/2026-03-05-second.yml").unlink()  # a published incident deleted
    moved = "records/2026/2026-03-01-api-errors.yml"
    (root / moved).write_text(edit(BASE, "We found the cause.", "It was DNS."), encoding="utf-8")  # and one rewritten
    result = statusbook(root, "validate", "--base", "main")
    assert result.returncode == 1, result.stdout
    assert f"{second}:1:1: error [history-incident-deleted]" in result.stdout
    assert f"{moved}:12:14: error [history-update-edited]" in result.stdout


def test_the_pull_request_check_reports_process_notices_only_on_files_it_touches(published: Project) -> None:
    """An overdue postmortem elsewhere never clutters (or fails) an unrelated pull request; on a touched file it shows."""
    root = published.root
    sev2 = "incidents/2026/2026-02-01-old-outage.yml"
    published.write(sev2, BASE.replace("severity: SEV3", "severity: SEV2").replace("2026-03-01", "2026-02-01") + "internal:\n  roles:\n    incident_manager: Dana\n")
    published.commit("an old SEV2 without a postmortem")
    published.write("incidents/2026/2026-03-05-new.yml", BASE.replace("API errors", "New").replace("2026-03-01", "2026-03-05"))
    result = statusbook(root, "validate", "--base", "main", "--now", "2026-04-01T00:00:00Z")
    assert result.returncode == 0, result.stdout
    assert "postmortem-overdue" not in result.stdout
    plain = statusbook(root, "validate", "--now", "2026-04-01T00:00:00Z")
    assert f"{sev2}:" in plain.stdout and "notice [postmortem-overdue]" in plain.stdout and plain.returncode == 0
    (root / sev2).write_text((root / sev2).read_text() + "# touched\n", encoding="utf-8")
    touched = statusbook(root, "validate", "--base", "main", "--now", "2026-04-01T00:00:00Z")
    assert f"{sev2}:" in touched.stdout and "notice [postmortem-overdue]" in touched.stdout and touched.returncode == 0
