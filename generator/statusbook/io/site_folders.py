"""The folders the writer keeps beside a site, and what it knows of them: a lock, a journal, recovery, the spare.

Every folder the writer makes (a staging folder, the previous site while a swap
moves it aside, the *spare*: the previous site kept to be patched into the
next) is recorded in a journal outside the working tree, with its inode,
before anything goes into it. Recovery after a kill touches only folders in
that journal, so a folder a pull request commits under a look-alike name is
never moved into the site or deleted; a spare is listed on disk, file by
file, before any of it is trusted.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from statusbook.errors import BuildError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: builds are not locked against each other
    fcntl = None  # type: ignore[assignment]

# Written last into every built site: proves a folder is ours to replace, and that it is complete.
SITE_MARKER = ".statusbook-site"
SITE_MARKER_TEXT = b"Built by statusbook. This folder is replaced as a whole on every build; do not keep other files here.\n"

Stat = tuple[int, int, int]  # what a file is on disk: inode, size, modification time (ns)


@contextmanager
def exclusive(folder: Path) -> Iterator[None]:
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


def inode(path: Path) -> int | None:
    """The inode of a real folder (not a link), or None."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return found.st_ino if os.path.isdir(path) and not os.path.islink(path) else None


class Folders:
    """The writer's folders for one site, in ``home``, recorded in a JSON journal: ``{path: [inode, role]}``.

    Roles: ``new`` (a staging folder), ``old`` (the previous site, moved aside
    during a swap) and ``spare``. Without a journal nothing is recorded and no
    spare is kept.
    """

    def __init__(self, target: Path, journal: Path | None) -> None:
        self.target = target
        self.path = journal
        self.home = target.parent
        if journal is not None and os.stat(journal.parent).st_dev == os.stat(target.parent).st_dev:
            self.home = journal.parent  # out of the working tree; a folder is only renamed within its file system

    @property
    def keeps_spare(self) -> bool:
        return self.home != self.target.parent

    def read(self) -> dict[str, list]:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def set(self, folder: Path, role: str | None) -> None:
        """Record ``folder`` (with its inode) in ``role``, or forget it."""
        folders = self.read()
        if role is None and folders.pop(str(folder), None) is None:
            return
        if role is not None:
            folders[str(folder)] = [inode(folder), role]
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(folders), encoding="utf-8")
            os.replace(tmp, self.path)

    def ours(self) -> Iterator[tuple[Path, str]]:
        """The journal's folders that are still the very folders the writer made; forget the others, never touching them."""
        for name, (number, role) in sorted(self.read().items()):
            folder = Path(name)
            if number is not None and inode(folder) == number:
                yield folder, role
            else:
                self.set(folder, None)

    def make(self, role: str) -> Path:
        """A new folder in ``home``, recorded before anything goes into it."""
        folder = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-{role}-", dir=self.home))
        self.set(folder, role)
        return folder

    def drop(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        self.set(folder, None)

    def recover(self) -> None:
        """Undo what a killed build left: put the previous site back if it was moved aside, drop staging folders; keep the spare."""
        for folder, role in self.ours():
            kept = folder / "site"
            if role == "old" and not self.target.exists() and (kept / SITE_MARKER).is_file():
                os.replace(kept, self.target)
            if role != "spare":
                self.drop(folder)

    def take_spare(self) -> Path | None:
        """The spare's site, now recorded as a staging folder (a kill from here on leaves half a site, thrown away), or None."""
        chosen = None
        for folder, role in self.ours():
            site = folder / "site"
            if role == "spare" and chosen is None and inode(site) is not None:
                self.set(folder, "new")
                chosen = site
            elif role == "spare":
                self.drop(folder)
        return chosen


def listing(site: Path) -> tuple[dict[str, Stat], set[str]] | None:
    """Every file and folder of a kept site, or None when it holds anything else (a link, a device): then it is not used."""
    files: dict[str, Stat] = {}
    folders: set[str] = set()
    stack = [""]
    while stack:
        rel = stack.pop()
        prefix = f"{rel}/" if rel else ""
        with os.scandir(f"{site}/{rel}") as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(name)
                    stack.append(name)
                elif entry.is_file(follow_symlinks=False):
                    found = entry.stat(follow_symlinks=False)
                    files[name] = (found.st_ino, found.st_size, found.st_mtime_ns)
                else:
                    return None
    files.pop(SITE_MARKER, None)
    return files, folders


def recover_site(target: Path, journal: Path | None) -> None:
    """Put back a site a killed build moved aside, before anything can fail (so even a failing build repairs it)."""
    target = target.resolve()
    if target.parent.is_dir():
        with exclusive(target.parent):
            Folders(target, journal).recover()
