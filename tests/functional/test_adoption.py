"""Adopted by another team (issue 13): configuration read the MkDocs way, commands from any folder,
arguments that cannot be right refused, and a light install that validates without the site extra.

The wheel itself is installed and used in test_wheel.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from statusbook.cli import SITE_EXTRA_MODULES
from support.cli import Run, run_cli
from support.render import render
from support.repos import Project
from support.samples import write_samples
from support.texts import INCIDENT, PATH

NOW = "2026-11-27T12:00:00Z"
ENV_CONFIG = """\
site_name: Env status
site_url: !ENV [STATUS_SITE_URL, "https://fallback.example/"]
extra:
  statusbook:
    timezone: Europe/Amsterdam
"""


def statusbook(cwd: Path, *args: str, env: dict[str, str | None] | None = None) -> Run:
    return run_cli(*args, "--now", NOW, env=env, cwd=cwd) if args[0] in ("validate", "overdue") else run_cli(*args, env=env, cwd=cwd)


# --- configuration the MkDocs way ----------------------------------------------------------------


@pytest.mark.parametrize(("env", "url"), [({"STATUS_SITE_URL": "https://status.from-env.example/"}, "https://status.from-env.example/"), ({"STATUS_SITE_URL": None}, "https://fallback.example/")])
def test_env_tag_in_site_url_reaches_feeds_api_and_schema(project: Project, env: dict[str, str | None], url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    write_samples(project, config=ENV_CONFIG, commit=False)
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    files = render(project.root, parts=["feeds", "api", "incident schema"])
    assert json.loads(files["schema/incident.schema.json"])["$id"] == f"{url}schema/incident.schema.json"
    host = url.split("/")[2]
    assert f"<id>tag:{host},2026:history</id>".encode() in files["history.atom"]
    assert f'<link href="{url}" rel="alternate" type="text/html"/>'.encode() in files["history.atom"]
    assert json.loads(files["api/v2/summary.json"])["page"]["url"] == url.rstrip("/")
    assert not [path for path, data in files.items() if b"STATUS_SITE_URL" in data], "the tag's own text never reaches a file"


def test_inherit_reads_the_statusbook_settings_of_the_parent(project: Project) -> None:
    project.write("base.yml", "site_name: Base\nextra:\n  statusbook:\n    timezone: Asia/Tokyo\n    feed_entries: 7\n")
    project.write("mkdocs.yml", "INHERIT: base.yml\nsite_name: Child status\n")
    from statusbook.io.config_file import load_config

    config = load_config(project.root)
    assert (config.site_name, config.timezone, config.feed_entries) == ("Child status", "Asia/Tokyo", 7)


def test_every_problem_in_extra_statusbook_at_once_with_a_position(project: Project) -> None:
    project.write(PATH, INCIDENT)
    project.write("mkdocs.yml", "site_name: x\nextra:\n  statusbook:\n    timezon: Europe/Amsterdam\n    feed_entries: many\n")
    run = statusbook(project.root, "validate")
    assert run.code == 1
    lines = run.stderr.splitlines()
    assert lines[0].startswith("mkdocs.yml:4:5: error [key-unknown] ") and "did you mean 'timezone'?" in lines[0], lines
    assert lines[1].startswith("mkdocs.yml:5:19: error [type-mismatch] "), lines


# --- any folder ----------------------------------------------------------------------------------


def test_commands_find_the_repository_upwards_and_paths_are_relative_to_where_you_stand(project: Project) -> None:
    project.write(PATH, INCIDENT.replace("severity: SEV3", "severity: SEV9"))
    inside = project.root / "incidents" / "2026"
    run = statusbook(inside, "validate")
    assert run.code == 1 and run.stdout.startswith("2026-03-01-api-errors.yml:2:11: error [severity-unknown]"), run.stdout
    run = statusbook(project.root / "handbook", "validate")
    assert run.stdout.startswith("../incidents/2026/2026-03-01-api-errors.yml:2:11: error"), run.stdout


def test_github_annotations_name_paths_from_the_repository_top(project: Project) -> None:
    """Annotations attach only when the path is the repository's own, whatever folder the check ran in."""
    project.write(PATH, INCIDENT.replace("severity: SEV3", "severity: SEV9"))
    for cwd, args in ((project.root.parent, ("--root", "repo")), (project.root / "incidents", ())):
        run = statusbook(cwd, "validate", *args, "--format", "github")
        assert run.stdout.startswith(f"::error file={PATH},line=2,col=11,title=severity-unknown::"), run.stdout
    run = statusbook(project.root.parent, "validate", "--root", "repo")
    assert run.stdout.startswith(f"repo/{PATH}:2:11: error"), run.stdout


@pytest.mark.parametrize(
    ("argument", "complaint"),
    [
        ("incidents/2026/typo.yml", "no such file or folder"),
        ("mkdocs.yml", "is not under incidents/"),
        ("incidents/2026/notes.txt", "is not an incident file"),
    ],
)
def test_a_path_that_cannot_be_an_incident_file_is_refused(project: Project, argument: str, complaint: str) -> None:
    """Never '0 files checked' and success for a path that checks nothing (exit 1: invalid input, one line)."""
    project.write(PATH, INCIDENT)
    project.write("incidents/2026/notes.txt", "notes\n")
    run = statusbook(project.root, "validate", argument)
    assert run.code == 1 and complaint in run.stderr and run.stderr.count("\n") == 1, run
    assert "files checked" not in run.stdout


# --- a light install -----------------------------------------------------------------------------


def _without_site_extra(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line with every module of the site extra unimportable, as after `pip install statusbook`."""
    blocked = ", ".join(repr(name) for name in sorted(SITE_EXTRA_MODULES))
    code = f"import sys\nfor name in ({blocked},):\n    sys.modules[name] = None\nfrom statusbook.cli import main\nmain({list(args)!r})"
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)


def test_validate_needs_only_the_base_install(project: Project) -> None:
    project.write(PATH, INCIDENT)
    done = _without_site_extra(project.root, "validate", "--now", NOW)
    assert done.returncode == 0, done.stderr
    assert "1 file checked: 0 errors" in done.stdout


@pytest.mark.parametrize("command", [["build", "-q"], ["serve", "--port", "0"]])
def test_building_without_the_site_extra_says_how_to_install_it(project: Project, command: list[str]) -> None:
    project.write(PATH, INCIDENT)
    done = _without_site_extra(project.root, *command)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "pip install 'statusbook[site]'" in done.stderr and done.stderr.count("\n") == 1
