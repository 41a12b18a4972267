"""Throwaway statusbook repositories in temporary folders, with git at a fixed identity and clock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GIT_DATE = "2026-06-01T12:00:00Z"


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    """Run git with a fixed identity and clock (``TEST_GIT_DATE`` or ``date`` overrides the clock)."""
    when = date or os.environ.get("TEST_GIT_DATE", GIT_DATE)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def statusbook(root: Path, *args: str, env: Mapping[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process, in ``root``, without the caller's SOURCE_DATE_EPOCH."""
    clean = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "statusbook", *args], cwd=root, capture_output=True, text=True, env={**clean, **(env or {})}, check=False, **kwargs)


class Project:
    """A throwaway statusbook repository: the real handbook schema plus whatever incidents a test writes."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def write_bytes(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def git_init(self) -> None:
        git(self.root, "init", "-q", "-b", "main")
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", "initial")

    def commit(self, message: str = "change", *, date: str | None = None) -> None:
        git(self.root, "add", "-A", date=date)
        git(self.root, "commit", "-q", "-m", message, date=date)


def schema_project(root: Path) -> Project:
    """A repository with the real handbook schema and mkdocs.yml, no handbook pages and no incidents."""
    (root / "handbook").mkdir(parents=True)
    for name in ("schema.yml", "components.yml"):
        shutil.copy(REPO / "handbook" / name, root / "handbook" / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "incidents").mkdir()
    return Project(root)


def site_project(root: Path) -> Project:
    """A repository that builds a whole site: the real handbook pages, theme and mkdocs.yml, no incidents."""
    root.mkdir(parents=True)
    shutil.copytree(REPO / "handbook", root / "handbook")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "incidents").mkdir()
    (root / "incidents" / ".gitkeep").write_text("")
    (root / ".gitignore").write_text("/site/\n/.site-*/\n", encoding="utf-8")
    return Project(root)
