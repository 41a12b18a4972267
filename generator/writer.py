"""The one place that writes the built site: all files at once, swapped in atomically.

Renderers return ``{relative path: bytes}``; :class:`SiteFiles` refuses two
renderers claiming the same path, and :func:`write_site` writes everything into
a fresh folder beside the target and swaps it in only when all of it is on
disk, so a failed or interrupted build leaves the previous site untouched.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from generator.errors import BuildError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: builds are not locked against each other
    fcntl = None  # type: ignore[assignment]

# Written last into every built site: proves a folder is ours to replace, and that it is complete.
SITE_MARKER = ".statusbook-site"
SITE_MARKER_TEXT = b"Built by statusbook. This folder is replaced as a whole on every build; do not keep other files here.\n"
# Tests only: pause the writer at a named point ("file:N" after N files, "swap" between the two renames).
TEST_PAUSE_ENV = "STATUSBOOK_TEST_PAUSE_AT"
# Read once at import (setting it is process-wide, so never while other threads create files).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class SiteFiles(Mapping[str, bytes]):
    """The built site in memory: relative POSIX paths to file contents."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes | str) -> None:
        clean = PurePosixPath(path)
        if clean.is_absolute() or ".." in clean.parts or not clean.parts:
            raise BuildError(f"refusing to write outside the site folder: {path!r}")
        key = clean.as_posix()
        if key == SITE_MARKER:
            raise BuildError(f"{SITE_MARKER} is reserved for the writer's own marker")
        if key in self._files:
            raise BuildError(f"two parts of the build both write {key}")
        self._files[key] = data.encode("utf-8") if isinstance(data, str) else data

    def update_from(self, files: Mapping[str, bytes | str]) -> None:
        for path in sorted(files):
            self.add(path, files[path])

    def __getitem__(self, key: str) -> bytes:
        return self._files[key]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._files))

    def __len__(self) -> int:
        return len(self._files)


def read_tree(folder: Path, prefix: str = "") -> dict[str, bytes]:
    """Read a folder (for example mkdocs' output) into site files under a prefix."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            files[f"{prefix}{rel}" if prefix else rel] = path.read_bytes()
    return files


def _pause_for_tests(point: str) -> None:
    """Stop here, for a test that kills the build at a known moment; does nothing unless asked."""
    if os.environ.get(TEST_PAUSE_ENV) == point:
        print(f"statusbook-test: paused at {point}", file=sys.stderr, flush=True)
        while True:
            signal.pause()


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """Hold a lock on the folder that holds the site, so two builds never swap at once."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another statusbook build is writing into {folder}; wait for it to finish") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _leftovers(target: Path, kind: str) -> list[Path]:
    return sorted(p for p in target.parent.glob(f".{target.name}-{kind}-*") if p.is_dir() and not p.is_symlink())


def recover_interrupted(target: Path) -> None:
    """Undo what a killed build left behind: put the previous site back if it was moved aside, drop staging folders."""
    for old in _leftovers(target, "old"):
        kept = old / "site"
        if not target.exists() and (kept / SITE_MARKER).is_file():
            os.replace(kept, target)
        shutil.rmtree(old, ignore_errors=True)
    for staging in _leftovers(target, "new"):
        shutil.rmtree(staging, ignore_errors=True)


def recover_site(target: Path) -> None:
    """Before a build: bring back the previous site if a killed build left it moved aside."""
    target = target.resolve()
    if target.parent.is_dir():
        with _exclusive(target.parent):
            recover_interrupted(target)


def _check_replaceable(target: Path) -> None:
    """Refuse to replace a folder that is not a previous statusbook site (think ``--out ~``)."""
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir():
        raise BuildError(f"{target} exists and is not a folder; remove it or choose another output folder")
    if (target / SITE_MARKER).is_file() or not any(target.iterdir()):
        return
    raise BuildError(
        f"{target} is not empty and was not built by statusbook (it has no {SITE_MARKER} file); "
        "a build replaces its output folder as a whole, so choose an empty or new folder, or remove this one yourself"
    )


def write_site(files: Mapping[str, bytes], target: Path) -> None:
    """Write every file into a new folder beside ``target``, then swap it in.

    A build killed at any moment leaves either the previous site or the new one
    in place; the next build cleans up what it left (see :func:`recover_interrupted`).
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.parent):
        recover_interrupted(target)
        _check_replaceable(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
        old = None
        try:
            os.chmod(staging, 0o777 & ~_UMASK)  # mkdtemp makes it private; a site must be readable by the web server
            for count, rel in enumerate(sorted(files), 1):
                path = staging / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "wb") as handle:
                    handle.write(files[rel])
                _pause_for_tests(f"file:{count}")
            (staging / SITE_MARKER).write_bytes(SITE_MARKER_TEXT)
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
                os.replace(target, old / "site")
                _pause_for_tests("swap")
            os.replace(staging, target)
        except BaseException:
            if old is not None and not target.exists() and (old / "site").exists():
                os.replace(old / "site", target)  # put the previous site back before cleaning up
            shutil.rmtree(staging, ignore_errors=True)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
