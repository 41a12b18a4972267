"""Attacks of issue 11's classes 3, 5, 6 and 8 that need the real command line: amplified output,
forged annotations, writes outside `incidents/`, huge incidents, what is not yet public, and
failures that must be one line instead of a traceback.

Caches (class 1), the append-only record (class 2), the handbook's policy (class 4) and publish
(class 7) have their own modules: test_build_atomic, test_history_git, test_site_safety and
test_publish_safety.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from statusbook.check.report import CAPPED_RULE as CAPPED
from support.cli import Run, run_cli
from support.render import render
from support.repos import Project
from support.samples import NOW, render_samples
from support.texts import INCIDENT, PATH

LATER = "2026-11-27T12:00:00Z"


def statusbook(project: Project, *args: str, env: dict[str, str | None] | None = None) -> Run:
    return run_cli(*args, env=env, cwd=project.root)


def updates(count: int, status: str = "investigating", start: datetime = datetime(2026, 3, 1, tzinfo=UTC)) -> str:
    """An incident with ``count`` updates in flow style, one line each."""
    lines = ["title: Long", "severity: SEV3", "components: [api]", "updates:"]
    for index in range(count):
        at = (start + timedelta(minutes=index)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"  - {{at: {at}, status: {status}, message: U{index}}}")
    return "\n".join(lines) + "\n"


# --- class 6: output that amplifies or injects --------------------------------------------------


def test_a_file_broken_everywhere_is_capped_per_file_but_counted_in_full(project: Project) -> None:
    project.write(PATH, updates(300, status="fixed"))
    project.write("incidents/2026/2026-03-02-other.yml", INCIDENT.replace("severity: SEV3", "severity: SEV9"))
    text = statusbook(project, "validate", "--now", LATER)
    lines = text.stdout.splitlines()
    assert text.code == 1
    mine = [line for line in lines if line.startswith(PATH)]
    assert len(mine) == 101 and all("[status-unknown]" in line for line in mine[:100])
    assert CAPPED == "problems-capped"
    assert mine[100] == f"{PATH}:105:40: notice [{CAPPED}] 200 more problems in this file are not shown (the first 100 are); use --format json to see them all"
    assert any(line.startswith("incidents/2026/2026-03-02-other.yml:2:11: error [severity-unknown]") for line in lines), "other files still reported"
    assert lines[-1] == "2 files checked: 301 errors, 0 warnings"
    github = statusbook(project, "validate", "--now", LATER, "--format", "github").stdout.splitlines()
    assert len(github) == 100 + 1 + 1 + 1 and github[100].startswith(f"::notice file={PATH},line=105,col=40,title=problems-capped::")
    body = json.loads(statusbook(project, "validate", "--now", LATER, "--format", "json").stdout)
    assert body["errors"] == 301 and len(body["problems"]) == 301, "JSON keeps every problem"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_file_name_cannot_start_a_line_of_its_own(project: Project, fmt: str) -> None:
    """A newline in a file name would let a pull request forge an annotation (or a fake 'all clear')."""
    forged = "x\n::error file=README.md,line=1::forged\n1 file checked: 0 errors, 0 warnings\n"
    project.write(f"incidents/2026/{forged}.yml", INCIDENT)
    run = statusbook(project, "validate", "--now", LATER, "--format", fmt)
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert not any(line.startswith("::error file=README.md") or line == "1 file checked: 0 errors, 0 warnings" for line in lines), run.stdout
    assert "\\n::error file=README.md" in run.stdout


def test_an_incident_with_15000_updates_validates_and_renders_in_linear_time(project: Project) -> None:
    text = updates(15_000, status="monitoring")
    project.write(PATH, text)
    assert len(text.encode()) < 1024 * 1024, "the file must stay under the size limit to test this path"
    started = time.perf_counter()
    run = statusbook(project, "validate", "--now", LATER, "--no-cache")
    assert run.code == 0, run
    files = render(project.root, datetime(2026, 11, 27, 12, tzinfo=UTC), parts=["status page", "feeds", "api"])
    elapsed = time.perf_counter() - started
    page = files["incidents/2026-03-01-api-errors/index.html"].decode()
    assert page.count('id="update-') == 15_000 and "U14999" in page
    # Each update's anchor used to be found by scanning the updates before it: half a minute here.
    assert elapsed < 20, f"{elapsed:.1f} s for one incident of 15,000 updates"


# --- class 3: what is not yet public is nowhere ---------------------------------------------------


def test_an_update_dated_after_the_clock_is_in_no_output(tmp_path: Path) -> None:
    files = render_samples(tmp_path / "repo", parts=None)
    assert any(path.startswith("incidents/2026-05-28-reports-delayed/") for path in files), "the incident itself is public"
    leaking = sorted(path for path, data in files.items() if b"Reports are on time again" in data or b"2026-06-01T12:04" in data)
    assert not leaking, f"the resolution dated after {NOW:%H:%M} shows in {leaking}"


def test_an_incident_with_every_update_in_the_future_is_in_no_output(project: Project) -> None:
    project.write("incidents/2026/2026-06-01-soon.yml", INCIDENT.replace("2026-03-01T10:00:00Z", "2026-06-01T12:03:00Z").replace("API errors", "Soon errors"))
    project.write(PATH, INCIDENT)
    files = render(project.root, datetime(2026, 6, 1, 12, tzinfo=UTC), parts=None)
    assert not [path for path in files if "soon" in path]
    assert not [path for path, data in files.items() if b"Soon errors" in data or b"2026-06-01-soon" in data]
    assert [path for path in files if "api-errors" in path], "the public incident is still there"


# --- class 5: every write confined ---------------------------------------------------------------


@pytest.mark.parametrize("given", ["../../x", "/tmp/x", "a/b", "..", "x.yml", "X"])
def test_new_refuses_an_id_that_is_not_a_plain_name(project: Project, given: str) -> None:
    before = sorted(p for p in project.root.parent.rglob("*"))
    run = statusbook(project, "new", "Outside", "--id", given, "--severity", "SEV3", "--component", "api")
    assert run.code == 2 and run.stderr.count("\n") == 1 and "--id" in run.stderr, run
    assert sorted(p for p in project.root.parent.rglob("*")) == before


# --- class 8: one clear line, never a traceback ---------------------------------------------------


def test_an_output_folder_that_cannot_be_made_is_one_line(site_repo: Project) -> None:
    site_repo.write("blocker", "a file where a folder should be\n")
    for out in ("blocker/site", "blocker/deeper/site", "/proc/statusbook-site"):
        run = statusbook(site_repo, "build", "-q", "--out", out, "--now", LATER)
        assert run.code == 1 and "Traceback" not in run.stderr, run
        assert run.stderr.startswith("statusbook: cannot ") and run.stderr.count("\n") == 1, run.stderr


def test_a_cache_folder_that_is_a_file_is_said_once_and_the_command_still_works(project: Project, tmp_path: Path) -> None:
    project.write(PATH, INCIDENT)
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("x", encoding="utf-8")
    run = statusbook(project, "validate", "--now", LATER, env={"STATUSBOOK_CACHE_DIR": str(blocker)})
    assert run.code == 0, run
    assert run.stderr.count("\n") == 1 and "cannot use the cache folder" in run.stderr and "Traceback" not in run.stderr


# --- class 1: nothing that is not source is trusted ------------------------------------------------

PAYLOAD_MARKER = "pickle-ran.txt"


def _poisoned_pickle(target: Path) -> bytes:
    """A pickle that writes a file when loaded: what a committed cache file could run in the PR check."""
    import pickle

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str, ...]]:
            return (exec, (f"open({str(target)!r}, 'w').write('ran')",))

    return pickle.dumps(Payload())


def test_committed_cache_files_and_leftovers_are_never_read(site_repo: Project, tmp_path: Path) -> None:
    """The old in-tree cache, a forged results file and a forged site record are committed: none is read, none runs."""
    marker = tmp_path / PAYLOAD_MARKER
    site_repo.write(PATH, INCIDENT)
    poison = _poisoned_pickle(marker)
    for rel in (".statusbook-cache/validate.pickle", ".statusbook-cache/site.pickle", ".statusbook/cache/validate.pickle"):
        site_repo.write_bytes(rel, poison)
    forged = json.dumps({"format": 1, "results": {"*": {"incident": {"title": "FORGED-TITLE"}}}})
    site_repo.write(".statusbook-cache/results.json", forged)
    site_repo.write(".statusbook-cache/handbook/dev/index.html", "<p>FORGED-HANDBOOK</p>")
    site_repo.commit("a pull request that commits caches")
    for args in (("validate", "--now", LATER), ("build", "-q", "--now", LATER)):
        run = statusbook(site_repo, *args)
        assert run.code == 0, run
    assert not marker.exists(), "a committed pickle ran"
    built = b"".join(p.read_bytes() for p in (site_repo.root / "site").rglob("*") if p.is_file())
    assert b"FORGED" not in built and b"API errors" in built


def test_a_cache_folder_inside_the_work_tree_is_not_used(project: Project) -> None:
    """A cache the pull request could commit is no cache: with STATUSBOOK_CACHE_DIR inside the repository, statusbook does without."""
    project.write(PATH, INCIDENT)
    inside = project.root / "cache"
    for _ in range(2):
        run = statusbook(project, "validate", "--now", LATER, env={"STATUSBOOK_CACHE_DIR": str(inside)})
        assert run.code == 0, run
    assert not inside.exists() or not any(inside.rglob("*.json")), "nothing cached inside the work tree"
