"""Shared fixtures: temporary repositories built from the real handbook schema, and a real browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("STATUSBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def git(cwd: Path, *args: str) -> str:
    """Run git in a test repository with a fixed identity and clock."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": os.environ.get("TEST_GIT_DATE", "2026-06-01T12:00:00Z"),
        "GIT_COMMITTER_DATE": os.environ.get("TEST_GIT_DATE", "2026-06-01T12:00:00Z"),
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


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


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A repository with the real handbook schema and mkdocs.yml but no incidents."""
    root = tmp_path / "repo"
    (root / "handbook").mkdir(parents=True)
    for name in ("schema.yml", "components.yml"):
        shutil.copy(REPO / "handbook" / name, root / "handbook" / name)
    if (REPO / "mkdocs.yml").exists():
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "incidents").mkdir()
    return Project(root)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; never a browser Playwright downloads."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does this)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def versioned_handbook(tmp_path_factory: pytest.TempPathFactory) -> object:
    """A git repository with handbook releases v1.0 and v1.1, built four times (see tests/handbook_repo.py)."""
    from handbook_repo import build_versioned_handbook

    return build_versioned_handbook(tmp_path_factory.mktemp("versioned-handbook"))


@pytest.fixture(scope="session")
def site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed repository that builds a whole site (real handbook pages, theme, mkdocs.yml), built once to warm its cache."""
    root = tmp_path_factory.mktemp("site-template") / "repo"
    root.mkdir()
    shutil.copytree(REPO / "handbook", root / "handbook")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "incidents").mkdir()
    (root / "incidents" / ".gitkeep").write_text("")
    (root / ".gitignore").write_text("/site/\n/.site-*/\n/.statusbook-cache/\n", encoding="utf-8")
    Project(root).git_init()
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-m", "statusbook", "build", "--quiet"], cwd=root, env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"the template repository does not build:\n{result.stderr}"
    shutil.rmtree(root / "site")
    return root


@pytest.fixture
def site_project(site_template: Path, tmp_path: Path) -> Project:
    """A fresh copy of ``site_template``: a committed repository on main, no incidents, handbook cache warm."""
    root = tmp_path / "repo"
    shutil.copytree(site_template, root, symlinks=True)
    return Project(root)
