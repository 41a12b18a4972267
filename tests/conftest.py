"""Fixtures: throwaway repositories, a real browser, a versioned handbook; markers by folder; Hypothesis profiles.

Tests under ``unit/`` are fast and pure (the fast lane: ``pytest tests/unit``);
``functional/`` builds real repositories and runs the command line;
``browser/`` drives Debian's Chromium. Each is marked by its folder, so
``-m "not browser"`` and the like work without a decorator on every test.

Hypothesis runs derandomized by default (the same examples on every run, so
CI is reproducible); ``HYPOTHESIS_PROFILE=explore`` searches longer and at
random (``make explore``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.repos import Project, schema_project, site_project

# Nothing a test does may touch the user's own cache; each test also gets a folder of its own (below).
os.environ["STATUSBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="statusbook-test-cache-")
atexit.register(shutil.rmtree, os.environ["STATUSBOOK_CACHE_DIR"], ignore_errors=True)

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
settings.register_profile("explore", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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
_FOLDER_MARKS = {"unit": "unit", "functional": "functional", "browser": "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in _FOLDER_MARKS:
            item.add_marker(_FOLDER_MARKS[folder])


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own statusbook cache folder, so no test sees another's cache (or the user's)."""
    monkeypatch.setenv("STATUSBOOK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A repository with the real handbook schema and mkdocs.yml but no incidents (not committed)."""
    return schema_project(tmp_path / "repo")


@pytest.fixture
def site_repo(tmp_path: Path) -> Project:
    """A committed repository that builds a whole site (handbook pages, theme, mkdocs.yml), no incidents."""
    project = site_project(tmp_path / "repo")
    project.git_init()
    return project


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
    """A git repository with handbook releases v1.0 and v1.1, built four times (see support/handbook_repo.py)."""
    from support.handbook_repo import build_versioned_handbook

    return build_versioned_handbook(tmp_path_factory.mktemp("versioned-handbook"))
