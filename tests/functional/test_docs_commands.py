"""Docs that run: every `statusbook` command the README and the handbook show works as written.

- Each ``console`` block (the ``$ ...`` lines), and each of the README's ``sh`` blocks that uses statusbook, runs as one shell script, in order, against a real
  repository (the real handbook, one open incident, a bare ``origin``), with the installed
  command first on PATH; output lines in the block are illustrations and are not compared.
  ``statusbook serve`` is started, fetched once and stopped.
- Every other `statusbook ...` in inline code either names a command (``statusbook update``,
  ``statusbook brief ID``) or is a full command line that the real option parser accepts.
- The Tools page lists every command there is.

The setup pages' CI files and hooks are run by test_setup_docs.py.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from statusbook.cli import cli
from support.repos import REPO, Project, git, site_project

DOCS = [REPO / "README.md", *sorted((REPO / "handbook").rglob("*.md"))]
CONSOLE_RE = re.compile(r"^(?P<indent>[ \t]*)```console[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
SH_RE = re.compile(r"^```sh\n(?P<body>.*?)^```", re.M | re.S)  # the README shows plain command lines
INLINE_RE = re.compile(r"(?<!`)`(statusbook(?: [^`]*)?)`(?!`)")
NOT_RUN = ('pip install "statusbook[site]"', "pip install statusbook", "pip install properdocs")  # the tests run this checkout's statusbook
NOW = "2026-03-04T10:00:00Z"
INCIDENT_ID = "2026-03-04-payments"
INCIDENT = """\
title: Card payments failing for some card types
severity: SEV2
components: [payments]
updates:
  - at: 2026-03-04T09:12:00+01:00
    status: investigating
    message: We are looking into failed card payments at checkout.
    components:
      payments: partial_outage
internal:
  roles:
    incident_manager: Priya Natarajan
  timeline:
    - at: 2026-03-04T09:05:00+01:00
      phase: detect
      note: Payment error alert fired.
"""
# Placeholders inline code uses, and what stands for them when the line is parsed.
PLACEHOLDERS = {"ID": INCIDENT_ID, "FILE": "schema.json", "REMOTE": "origin", "DIR": "out"}


def console_blocks() -> list[object]:
    """A pytest param (page, script) for every console block that runs statusbook, named page#n.

    Dutch pages (``*.nl.md``) are left out: their console blocks are their English twins' blocks, kept
    as they are (only comments are translated), so running them again would test nothing new.
    """
    found = []
    for page in (page for page in DOCS if not page.name.endswith(".nl.md")):
        text = page.read_text(encoding="utf-8")
        blocks = [[line.strip()[2:] for line in m["body"].splitlines() if line.strip().startswith("$ ")] for m in CONSOLE_RE.finditer(text)]
        if page.name == "README.md":
            blocks += [m["body"].strip().splitlines() for m in SH_RE.finditer(text) if "statusbook " in m["body"]]
        for number, lines in enumerate((lines for lines in blocks if any("statusbook " in line for line in lines)), start=1):
            name = page.relative_to(REPO).as_posix()
            found.append(pytest.param(name, "\n".join(lines), id=f"{name}#{number}"))
    return found


def inline_commands() -> list[tuple[str, str]]:
    return sorted({(page.relative_to(REPO).as_posix(), m[1]) for page in DOCS for m in INLINE_RE.finditer(page.read_text(encoding="utf-8"))})


# --- inline code: names or lines the parser accepts ----------------------------------------------


@pytest.mark.parametrize(("page", "line"), inline_commands(), ids=lambda value: value)
def test_inline_command_names_a_command_or_parses(page: str, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    words = shlex.split(line)[1:]
    if not words:
        return  # the tool's own name
    monkeypatch.chdir(tmp_path)
    for word in words:  # folders a line names exist where the reader runs it (site-internal, after a build)
        if re.fullmatch(r"[a-z][a-z-]*", word):
            (tmp_path / word).mkdir(exist_ok=True)
    if words[0].startswith("-"):
        with pytest.raises(click.exceptions.Exit):
            cli.make_context("statusbook", words)  # the tool's own options: --help, --version
        return
    command = cli.get_command(click.Context(cli), words[0])
    assert command is not None, f"{page}: `{line}` names no statusbook command"
    rest = [PLACEHOLDERS.get(word, word) for word in words[1:]]
    if rest in ([], [INCIDENT_ID]) and words[1:] in ([], ["ID"]):
        return  # a command's name (and its id argument), as prose uses it
    try:
        command.make_context(words[0], rest, parent=click.Context(cli, info_name="statusbook"))
    except click.exceptions.Exit:
        pass  # --help
    except click.ClickException as exc:
        pytest.fail(f"{page}: `{line}` would fail as written: {exc.format_message()}")


def test_the_tools_page_lists_every_command() -> None:
    tools = (REPO / "handbook" / "tools.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `statusbook ([a-z-]+)", tools, re.M))
    assert listed == set(cli.commands), f"missing: {sorted(set(cli.commands) - listed)}, unknown: {sorted(listed - set(cli.commands))}"


# --- console blocks: run for real ----------------------------------------------------------------

SERVE_CHECK = r"""
serve_once() {
  statusbook serve --port 0 >"$TMP_SERVE" 2>&1 &
  local pid=$! url=""
  for _ in $(seq 600); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$TMP_SERVE" | head -n 1) && [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$TMP_SERVE"; kill "$pid"; return 1; }
  "$PYTHON" -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=60).status == 200 else 1)" "$url"
  local status=$?
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  return $status
}
"""


def _repository(base: Path) -> Path:
    """The real handbook and one open SEV2 incident, committed, with a bare origin holding main."""
    project: Project = site_project(base / "repo")
    project.write(f"incidents/2026/{INCIDENT_ID}.yml", INCIDENT)
    project.git_init()
    remote = base / "origin.git"
    git(base, "init", "-q", "--bare", "-b", "main", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    git(project.root, "push", "-q", "origin", "main")
    return project.root


@pytest.mark.parametrize(("page", "script"), console_blocks())
def test_console_block_runs_as_written(page: str, script: str, tmp_path: Path) -> None:
    root = _repository(tmp_path)
    starts_a_repository = script.lstrip().startswith(("pip install", "statusbook init"))
    cwd = tmp_path / "elsewhere" if starts_a_repository else root
    cwd.mkdir(exist_ok=True)
    lines = [line for line in script.splitlines() if line not in NOT_RUN]
    lines = ["serve_once" if line == "statusbook serve" else line for line in lines]
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH", "STATUSBOOK_NOTIFY")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHON=sys.executable,
        TMP_SERVE=str(tmp_path / "serve.log"),
        STATUSBOOK_NOW=NOW,
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.com",
    )
    done = subprocess.run(["bash", "-e", "-c", SERVE_CHECK + "\n".join(lines)], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, f"{page}:\n{script}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
