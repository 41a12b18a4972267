"""The `statusbook` command on real temporary repositories: exit codes, report formats, cache, new and update.

Most runs call the real entry point (:func:`statusbook.cli.main`, what the
console script runs) inside click's CliRunner isolation, from the repository's
folder; the no-traceback checks also run the installed ``statusbook`` script in
a subprocess. Option handling alone is tested with the commands mocked, in
tests/unit/test_cli_options.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from statusbook.check.incident import incident_id
from statusbook.commands.validate import validate_repository
from statusbook.core.timestamps import parse_timestamp
from statusbook.io.cache import repository_cache
from statusbook.io.config_file import load_config
from support.cli import Run, run_cli
from support.repos import REPO, Project, git

NOW = "2026-11-27T12:00:00Z"
LINE_RE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<level>error|warning) \[(?P<rule>[a-z0-9-]+)\] (?P<message>.+)$")

VALID = """\
title: API errors
severity: SEV3
components: [api]
updates:
  - at: 2026-03-01T10:00:00+01:00
    status: investigating
    message: We are looking into API errors.
    components:
      api: partial_outage
  - at: 2026-03-01T11:00:00+01:00
    status: resolved
    message: Fixed.
    components:
      api: operational
"""


def statusbook(*args: str, env: dict[str, str | None] | None = None, cwd: Path | None = None) -> Run:
    return run_cli(*args, env=env, cwd=cwd)


def validate(project: Project, *args: str, env: dict[str, str | None] | None = None) -> Run:
    """Validate from the repository's folder, so problem paths are relative to it."""
    return statusbook("validate", "--root", str(project.root), "--now", NOW, *args, env=env, cwd=project.root)


def problem_lines(run: Run) -> list[str]:
    return [line for line in run.stdout.splitlines() if LINE_RE.match(line)]


def broken_project(project: Project) -> Project:
    project.write("incidents/2026/b-unknown-severity.yml", VALID.replace("severity: SEV3", "severity: SEV5"))
    project.write("incidents/2026/a-bad-status.yml", VALID.replace("status: investigating", "status: fixed"))
    project.write("incidents/2025/c-syntax.yml", "title: [unclosed\n")
    project.write("incidents/2025/d-valid.yml", VALID)
    return project


# --- exit codes --------------------------------------------------------------------------


def test_valid_repository_exits_0(project: Project) -> None:
    project.write("incidents/2026/2026-03-01-api-errors.yml", VALID)
    run = validate(project)
    assert run.code == 0, run
    assert run.stdout == "1 file checked: 0 errors, 0 warnings\n"


def test_invalid_repository_exits_1_and_reports_every_file_sorted(project: Project) -> None:
    run = validate(broken_project(project))
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert lines[-1] == "4 files checked: 3 errors, 0 warnings"
    parsed = [LINE_RE.match(line) for line in lines[:-1]]
    assert all(parsed), lines
    found = [(m["path"], int(m["line"]), int(m["column"]), m["level"], m["rule"]) for m in parsed]
    assert found == [
        ("incidents/2025/c-syntax.yml", 2, 1, "error", "yaml-syntax"),
        ("incidents/2026/a-bad-status.yml", 6, 13, "error", "status-unknown"),
        ("incidents/2026/b-unknown-severity.yml", 2, 11, "error", "severity-unknown"),
    ]
    assert lines[2] == (
        "incidents/2026/b-unknown-severity.yml:2:11: error [severity-unknown] 'SEV5' is not a severity of the handbook; expected one of SEV1, SEV2, SEV3; did you mean 'SEV3'?"
    )


# --- formats -----------------------------------------------------------------------------


def test_json_format_is_stable_and_matches_the_text(project: Project) -> None:
    broken_project(project)
    first = validate(project, "--format", "json", "--no-cache")
    second = validate(project, "--format", "json")
    assert first.code == second.code == 1
    assert first.stdout == second.stdout
    body = json.loads(first.stdout)
    assert body["status"] == "fail" and body["files"] == 4 and body["errors"] == 3 and body["warnings"] == 0
    assert list(body) == sorted(body)
    text = validate(project)
    expected = [LINE_RE.match(line).groupdict() for line in problem_lines(text)]
    assert [{k: str(v) for k, v in p.items()} for p in body["problems"]] == expected
    for problem in body["problems"]:
        assert list(problem) == sorted(problem)


def test_json_format_for_a_valid_repository(project: Project) -> None:
    project.write("incidents/2026/x.yml", VALID)
    run = validate(project, "--format", "json")
    assert run.code == 0
    assert json.loads(run.stdout) == {"status": "ok", "files": 1, "errors": 0, "warnings": 0, "notices": 0, "problems": []}


def test_github_format_annotates_each_problem(project: Project) -> None:
    run = validate(broken_project(project), "--format", "github")
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert lines[-1] == "4 files checked: 3 errors, 0 warnings"
    assert lines[0].startswith("::error file=incidents/2025/c-syntax.yml,line=2,col=1,title=yaml-syntax::")
    assert lines[1].startswith("::error file=incidents/2026/a-bad-status.yml,line=6,col=13,title=status-unknown::'fixed' is not a public status")
    assert len(lines) == 4


def test_github_format_escapes_commas_and_colons_in_properties(project: Project) -> None:
    project.write("incidents/q1,2026/x.yml", VALID.replace("severity: SEV3", "severity: SEV5"))
    run = validate(project, "--format", "github")
    assert run.stdout.splitlines()[0].startswith("::error file=incidents/q1%2C2026/x.yml,line=2,col=11,title=severity-unknown::")


def test_auto_format_follows_github_actions(project: Project) -> None:
    broken_project(project)
    assert validate(project, "--format", "auto", env={"GITHUB_ACTIONS": "true"}).stdout.startswith("::error file=")
    assert problem_lines(validate(project, "--format", "auto", env={"GITHUB_ACTIONS": None}))


def test_strict_turns_warnings_into_failure(project: Project) -> None:
    project.write("incidents/2026/x.yml", VALID.replace("message: Fixed.", "message: no"))
    relaxed, strict = validate(project), validate(project, "--strict")
    assert relaxed.code == 0 and strict.code == 1
    assert relaxed.stdout == strict.stdout
    assert "incidents/2026/x.yml:12:14: warning [yaml-truthy]" in relaxed.stdout
    assert relaxed.stdout.endswith("1 file checked: 0 errors, 1 warning\n")


def test_paths_limit_the_check_to_those_files(project: Project) -> None:
    broken_project(project)
    run = validate(project, str(project.root / "incidents/2026/a-bad-status.yml"))
    assert run.code == 1
    assert [LINE_RE.match(line)["path"] for line in problem_lines(run)] == ["incidents/2026/a-bad-status.yml"]
    outside = validate(project, "/etc/hostname")  # invalid input (issue 13): exit 1, one line, nothing checked
    assert outside.code == 1 and outside.stderr.count("\n") == 1 and "is not under incidents/" in outside.stderr


# --- cache -------------------------------------------------------------------------------


def test_second_run_is_identical_and_a_changed_file_is_rechecked(project: Project) -> None:
    broken_project(project)
    first = validate(project)
    cache = repository_cache(project.root) / "results.json"
    assert cache.is_file()
    stamp = cache.stat().st_mtime_ns
    second = validate(project)
    assert second == first
    assert cache.stat().st_mtime_ns == stamp  # nothing new to store: every result came from the cache
    target = project.root / "incidents/2025/d-valid.yml"
    target.write_text(VALID.replace("components: [api]", "components: [apii]"), encoding="utf-8")
    third = validate(project)
    assert "incidents/2025/d-valid.yml:3:14: error [component-unknown] 'apii' is not a component" in third.stdout
    assert third.stdout.endswith("4 files checked: 6 errors, 0 warnings\n")  # plus two component-not-affected
    assert [line for line in problem_lines(third) if "d-valid" not in line] == problem_lines(first)  # unchanged files: same problems
    target.write_text(VALID, encoding="utf-8")
    assert validate(project) == first


def test_a_corrupt_cache_is_rebuilt(project: Project) -> None:
    broken_project(project)
    first = validate(project, "--no-cache")
    (repository_cache(project.root) / "results.json").write_bytes(b"not JSON")
    assert validate(project) == first
    assert validate(project) == first


# --- new ---------------------------------------------------------------------------------


def test_new_incident_validates(project: Project) -> None:
    run = statusbook("new", "API errors: 50% of requests fail", "--root", str(project.root), "-s", "SEV3", "-c", "api", "-c", "webhooks", "--at", "2026-11-27T09:30:00+01:00")
    assert run.code == 0, run
    rel = run.stdout.strip()
    assert rel == "incidents/2026/2026-11-27-api-errors-50-of-requests-fail.yml"
    text = (project.root / rel).read_text(encoding="utf-8")
    assert 'title: "API errors: 50% of requests fail"' in text
    # Editors with a YAML language server pick up the published JSON Schema from the first line.
    assert text.splitlines()[0] == "# yaml-language-server: $schema=https://status.example.com/schema/incident.schema.json"
    check = validate(project, "--strict")
    assert check.code == 0, check.stdout
    assert check.stdout == "1 file checked: 0 errors, 0 warnings\n"


def test_new_maintenance_validates(project: Project) -> None:
    run = statusbook(
        "new", "Database upgrade", "--root", str(project.root), "--maintenance", "-c", "api",
        "--start", "2026-12-08T02:00:00Z", "--end", "2026-12-08T03:00:00Z", "--at", "2026-11-27T10:00:00Z",
    )  # fmt: skip
    assert run.code == 0, run
    rel = run.stdout.strip()
    assert rel == "incidents/2026/2026-12-08-database-upgrade.yml"
    assert "kind: maintenance" in (project.root / rel).read_text(encoding="utf-8")
    assert validate(project, "--strict").code == 0


def test_new_major_incident_names_the_git_user_as_incident_manager(project: Project) -> None:
    project.git_init()
    git(project.root, "config", "user.name", "Ada Lovelace")
    run = statusbook("new", "Checkout down", "--root", str(project.root), "-s", "SEV1", "-c", "checkout-web", "--at", "2026-11-27T11:00:00Z")
    assert run.code == 0, run
    assert 'incident_manager: "Ada Lovelace"' in (project.root / run.stdout.strip()).read_text(encoding="utf-8")
    assert validate(project).code == 0


def test_new_major_incident_without_incident_manager_is_refused(project: Project) -> None:
    run = statusbook("new", "Checkout down", "--root", str(project.root), "-s", "SEV2", "-c", "payments", "--at", "2026-11-27T11:00:00Z")
    assert run.code == 2
    assert "--incident-manager" in run.stderr and "SEV2 is a major incident" in run.stderr
    assert list((project.root / "incidents").rglob("*.yml")) == []


def test_new_with_an_unknown_component_is_refused(project: Project) -> None:
    run = statusbook("new", "Broken", "--root", str(project.root), "-s", "SEV3", "-c", "databse", "--at", "2026-11-27T11:00:00Z")
    assert run.code == 2
    assert "'databse' is not a component" in run.stderr and "api" in run.stderr
    assert list((project.root / "incidents").rglob("*.yml")) == []


def test_new_refuses_to_overwrite(project: Project) -> None:
    args = ("new", "Slow API", "--root", str(project.root), "-s", "SEV3", "-c", "api", "--at", "2026-11-27T11:00:00Z")
    assert statusbook(*args).code == 0
    again = statusbook(*args)
    assert again.code == 1 and "exists already; choose another --id" in again.stderr


# --- update ------------------------------------------------------------------------------

COMMENTED = """\
# Kept exactly as written, comments and blank lines included.
title: API errors   # trailing comment
severity: SEV3

components: [api, webhooks]
updates:
  # the first update
  - at: 2026-03-01T10:00:00+01:00
    status: investigating   # why this status
    message: |
      Looking into it.

      More soon.
    components:
      api: partial_outage

# the internal block follows
internal:
  roles: {}   # nobody yet
"""


def test_update_appends_and_keeps_every_byte_around_it(project: Project) -> None:
    path = project.write("incidents/2026/2026-03-01-api-errors.yml", COMMENTED)
    cut = COMMENTED.index("      api: partial_outage\n") + len("      api: partial_outage\n")  # after the last update's content
    before, after = COMMENTED[:cut], COMMENTED[cut:]
    run = statusbook(
        "update", "2026-03-01-api-errors", "--root", str(project.root), "--status", "identified",
        "-m", "Found it: a *bad* deploy.\n\n- rolling back", "-c", "api=degraded_performance", "--at", "2026-03-01T10:30:00+01:00",
    )  # fmt: skip
    assert run.code == 0, run
    text = path.read_text(encoding="utf-8")
    assert text.startswith(before) and text.endswith(after)
    inserted = text[len(before) : len(text) - len(after)]
    written = re.match(r"  - at: (\S+)\n    status: identified\n", inserted)
    assert written, inserted
    assert parse_timestamp(written[1]) == parse_timestamp("2026-03-01T10:30:00+01:00")  # written in the local zone: the same moment
    assert "      api: degraded_performance\n" in inserted
    check = validate(project, "--format", "json")
    assert check.code == 0, check.stdout
    [incident] = validate_repository(load_config(project.root), now=parse_timestamp(NOW), use_cache=False).incidents
    last = incident.updates[-1]
    assert (last.status, last.message, last.components) == ("identified", "Found it: a *bad* deploy.\n\n- rolling back", (("api", "degraded_performance"),))


def test_update_with_an_invalid_status_leaves_the_file_unchanged(project: Project) -> None:
    path = project.write("incidents/2026/2026-03-01-api-errors.yml", COMMENTED)
    original = path.read_bytes()
    run = statusbook("update", "2026-03-01-api-errors", "--root", str(project.root), "--status", "fixed", "-m", "Done", "--at", "2026-03-01T10:30:00+01:00")
    assert run.code == 1
    assert "[status-unknown] 'fixed' is not a public status of an incident" in run.stderr
    assert path.read_bytes() == original


def test_update_of_an_unknown_incident_is_a_usage_error(project: Project) -> None:
    run = statusbook("update", "no-such-incident", "--root", str(project.root), "--status", "resolved", "-m", "x")
    assert run.code == 2
    assert "no-such-incident" in run.stderr


# --- never a traceback -------------------------------------------------------------------

HOSTILE = REPO / "tests" / "hostile" / "files"


@pytest.fixture
def hostile_project(project: Project) -> Project:
    for source in sorted(HOSTILE.iterdir()):
        target = project.root / "incidents" / "2026" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    project.write("incidents/2026/notes.txt", "not an incident\n")
    return project


def test_many_broken_files_never_give_a_traceback(hostile_project: Project) -> None:
    script = Path(sys.executable).with_name("statusbook")
    for fmt in ("text", "json", "github"):
        done = subprocess.run([str(script), "validate", "--root", str(hostile_project.root), "--now", NOW, "--format", fmt], capture_output=True, text=True, check=False)
        assert done.returncode == 1
        assert "Traceback" not in done.stdout + done.stderr
        assert done.stderr == ""
    module = subprocess.run([sys.executable, "-m", "statusbook", "validate", "--root", str(hostile_project.root), "--now", NOW, "--format", "json"], capture_output=True, text=True, check=False)
    assert module.returncode == 1 and "Traceback" not in module.stderr
    body = json.loads(module.stdout)
    expected = yaml.safe_load((HOSTILE.parent / "expected.yml").read_text(encoding="utf-8"))
    reported = {p["path"].rsplit("/", 1)[-1] for p in body["problems"]}
    assert {name for name, found in expected.items() if found} <= reported  # every broken file, in one run
    assert "notes.txt" in reported
    assert body["files"] == len([f for f in HOSTILE.iterdir() if f.suffix in (".yml", ".yaml")])


# The one broken file a 'resolved' update can still be appended to without a new error: its other update is a bare
# scalar, so nothing closed the incident yet. Every other file is refused (exit 1): it cannot be read or parsed,
# has no list of updates, or is closed already (or is a maintenance, which is never 'resolved').
UPDATABLE = {"type-update-scalar.yml"}


def test_update_on_every_broken_file_exits_cleanly(hostile_project: Project) -> None:
    for source in sorted(HOSTILE.iterdir()):
        path = hostile_project.root / "incidents" / "2026" / source.name
        before = path.read_bytes()
        # "--" ends the options: an id may start with a hyphen (-leading-hyphen).
        run = statusbook("update", "--root", str(hostile_project.root), "--status", "resolved", "-m", "Fixed.", "-c", "api=operational", "--at", "2026-03-01T12:00:00Z", "--", incident_id(source.name))
        if source.name in UPDATABLE:
            assert run.code == 0, (source.name, run)
            assert path.read_bytes() != before, source.name
        else:
            assert run.code == 1, (source.name, run)
            assert run.stderr.startswith(f"statusbook: incidents/2026/{source.name}"), (source.name, run)
            assert path.read_bytes() == before, source.name
