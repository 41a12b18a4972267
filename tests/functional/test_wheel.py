"""statusbook as another team installs it: a wheel in a fresh virtualenv, used in a repository of its own.

The wheel is built from this checkout's files (``python -m build --no-isolation``,
so no network), installed without dependencies into a new virtualenv whose
only other path is the test environment's site-packages (for mkdocs, Jinja2
and the rest; their ``.pth`` files, the editable install's among them, are
not processed there). Then a new repository goes through a team's first day:
init, validate, new, update, build and publish to a bare remote, with the
current folder and every path far from this source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.repos import REPO, git

NOW = "2026-11-27T12:00:00Z"
GIT_USER = {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com", "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}


def _source_files() -> list[str]:
    """What a clean clone of this checkout holds (tracked files and new ones not ignored)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in _source_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(source)], capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    [built] = dist.glob("statusbook-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed and the test environment's libraries on its path."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip()
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stderr
    Path(purelib, "test-environment-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def team(venv: Path, tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A workplace far from the source tree, with only the fresh virtualenv's commands on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TMPDIR", "STATUSBOOK_CACHE_DIR")}
    env = {**keep, **GIT_USER, "HOME": str(home), "PATH": f"{venv / 'bin'}:/usr/bin:/bin", "STATUSBOOK_NOW": NOW, "GIT_CONFIG_NOSYSTEM": "1"}
    yield tmp_path, env


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_carries_the_template_and_no_source_tree_paths(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("statusbook/template/mkdocs.yml", "statusbook/template/handbook/schema.yml", "statusbook/template/handbook/components.yml", "statusbook/template/ci/github.yml"):
        assert required in names, required
    assert any(name.startswith("statusbook/render/templates/status/") for name in names)
    assert any(name.startswith("statusbook/handbook/overrides/") for name in names)
    assert not [name for name in names if name.startswith(("tests/", "benchmarks/", "incidents/")) or "__pycache__" in name]


def test_a_team_starts_and_publishes_with_the_installed_wheel(team: tuple[Path, dict[str, str]], venv: Path) -> None:
    base, env = team
    where = run(env, base, "python", "-c", "import statusbook; print(statusbook.__file__)").stdout.strip()
    assert where.startswith(str(venv)) and not where.startswith(str(REPO)), where

    repo = base / "our-status"
    run(env, base, "statusbook", "init", str(repo), "--name", "Acme status", "--url", "https://status.acme.test/", "--timezone", "Europe/Berlin", "--github")
    assert (repo / "handbook" / "schema.yml").is_file() and (repo / ".github" / "workflows" / "statusbook.yml").is_file()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Start our status site")

    assert run(env, repo, "statusbook", "validate").stdout.endswith("2 files checked: 0 errors, 0 warnings\n")
    created = run(env, repo / "handbook", "statusbook", "new", "Checkout fails", "--severity", "SEV3", "--component", "api", "--at", "2026-11-27T11:00:00+01:00")
    path = repo / created.stdout.strip().splitlines()[-1]
    assert path.is_file(), created.stdout
    run(env, repo, "statusbook", "update", path.stem, "--status", "resolved", "--message", "Fixed.", "--component", "api=operational", "--at", "2026-11-27T11:30:00+01:00")
    run(env, repo, "statusbook", "validate")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Checkout incident")

    run(env, repo, "statusbook", "build", "-q")
    page = (repo / "site" / "incidents" / path.stem / "index.html").read_text(encoding="utf-8")
    assert "Checkout fails" in page and "Fixed." in page
    assert (repo / "site" / "handbook" / "index.html").is_file() or (repo / "site" / "handbook" / "dev" / "index.html").is_file()

    remote = base / "remote.git"
    git(base, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    run(env, repo, "statusbook", "publish", "--push", "-q")
    published = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert f"incidents/{path.stem}/index.html" in published and "index.html" in published
