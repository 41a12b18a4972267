"""`statusbook build` is atomic and reproducible: a killed build leaves the previous site, and a commit always builds the same bytes.

Builds are killed with SIGKILL at a known point: the writer pauses there when
STATUSBOOK_TEST_PAUSE_AT names it and says so on stderr, so no test sleeps or races.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from conftest import REPO, Project, git
from incident_texts import INCIDENT, PATH
from statusbook.errors import BuildError
from statusbook.io.writer import SITE_MARKER, TEST_PAUSE_ENV, write_site


def statusbook(root: Path, *args: str, env: Mapping[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "statusbook", *args], cwd=root, capture_output=True, text=True, env=_env(env), check=False, **kwargs)


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (TEST_PAUSE_ENV, "SOURCE_DATE_EPOCH")}
    return {**env, "PYTHONPATH": str(REPO), **(extra or {})}


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".site-new-", ".site-old-")))


def kill_build_at(root: Path, point: str) -> None:
    """Start a build, wait until the writer reports it paused at ``point``, and SIGKILL it there."""
    process = subprocess.Popen(
        [sys.executable, "-m", "statusbook", "build"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env({TEST_PAUSE_ENV: point})
    )
    try:
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.strip() == f"statusbook-test: paused at {point}":
                break
        else:
            pytest.fail(f"the build ended without reaching {point}:\n{''.join(seen)}")
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.fixture
def built(site_project: Project) -> Iterator[Project]:
    """A committed repository with a good site already built."""
    project = site_project
    project.write(PATH, INCIDENT)
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "first incident")
    result = statusbook(project.root, "build")
    assert result.returncode == 0, result.stderr
    assert len(tree(project.root / "site")) > 5, "the build should write a real site"
    yield project


def test_build_killed_while_writing_leaves_the_old_site(built: Project) -> None:
    root = built.root
    before = tree(root / "site")
    built.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    kill_build_at(root, "file:3")
    assert tree(root / "site") == before, "the previous site changed"
    assert any(name.startswith(".site-new-") for name in leftovers(root)), "the killed build should have left its staging folder"

    result = statusbook(root, "build")
    assert result.returncode == 0, result.stderr
    assert leftovers(root) == []
    assert "API timeouts" in (root / "site" / "api" / "v2" / "incidents.json").read_text()


def test_build_killed_between_the_renames_is_repaired_even_by_a_failing_build(built: Project) -> None:
    root = built.root
    before = tree(root / "site")
    built.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    kill_build_at(root, "swap")
    assert not (root / "site").exists(), "killed between the renames, the old site is moved aside"
    assert any(name.startswith(".site-old-") for name in leftovers(root))

    built.write(PATH, INCIDENT.replace("components: [api]", "components: [apii]"))
    result = statusbook(root, "build")
    assert result.returncode == 1
    assert "component-unknown" in result.stderr
    assert tree(root / "site") == before, "the next build, though failing, must bring the previous site back"
    assert leftovers(root) == []


def test_refuses_to_replace_a_folder_that_is_not_a_statusbook_site(built: Project, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "thesis.txt").write_text("years of work\n")
    result = statusbook(built.root, "build", "--out", str(home))
    assert result.returncode == 1
    assert "was not built by statusbook" in result.stderr
    assert (home / "Documents" / "thesis.txt").read_text() == "years of work\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "repo"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert statusbook(built.root, "build", "--out", str(empty)).returncode == 0
    assert (empty / SITE_MARKER).is_file()
    assert statusbook(built.root, "build", "--out", str(empty)).returncode == 0, "a statusbook site may be replaced"


def test_a_second_build_at_the_same_time_is_refused(built: Project) -> None:
    fd = os.open(built.root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = statusbook(built.root, "build")
    finally:
        os.close(fd)
    assert result.returncode == 1
    assert "another statusbook build is writing" in result.stderr


def test_the_site_is_readable_by_a_web_server(built: Project) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    assert (built.root / "site").stat().st_mode & 0o777 == 0o777 & ~umask, "the site folder must follow the umask, not mkdtemp's private 0700"


def test_a_renderer_failing_midway_leaves_the_old_site(tmp_path: Path) -> None:
    target = tmp_path / "site"
    write_site({"index.html": b"old\n"}, target)

    class Exploding(Mapping[str, bytes]):
        def __getitem__(self, key: str) -> bytes:
            if key == "c.html":
                raise RuntimeError("renderer exploded")
            return b"new\n"

        def __iter__(self) -> Iterator[str]:
            return iter(["a.html", "b.html", "c.html"])

        def __len__(self) -> int:
            return 3

    with pytest.raises(RuntimeError):
        write_site(Exploding(), target)
    assert tree(target) == {"index.html": hashlib.sha256(b"old\n").hexdigest(), SITE_MARKER: tree(target)[SITE_MARKER]}
    assert leftovers(tmp_path) == []
    with pytest.raises(BuildError):
        write_site({"x": b""}, tmp_path / "site" / "index.html")


def test_same_commit_builds_byte_identical_sites(built: Project, tmp_path: Path) -> None:
    root = built.root
    first = tree(root / "site")
    assert statusbook(root, "build", "--out", str(tmp_path / "again")).returncode == 0
    assert tree(tmp_path / "again") == first
    # A clone elsewhere (other path, other file times, later wall clock) builds the same bytes.
    clone = tmp_path / "elsewhere" / "clone"
    git(tmp_path, "clone", "-q", str(root), str(clone))
    assert statusbook(clone, "build").returncode == 0
    assert tree(clone / "site") == first
    # The clock is the commit's, or SOURCE_DATE_EPOCH when set.
    head_time = git(root, "log", "-1", "--format=%ct").strip()
    assert statusbook(root, "build", "--out", str(tmp_path / "epoch"), env={"SOURCE_DATE_EPOCH": head_time}).returncode == 0
    assert tree(tmp_path / "epoch") == first
