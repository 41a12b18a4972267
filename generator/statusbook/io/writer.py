"""The one place that writes the built site: every file into a staging folder, then one atomic swap.

A failed or interrupted build leaves the previous site untouched. Files go to
disk on one worker thread, in order, while the build renders the next ones:
creating ten thousand folders and files is slow on some disks, and the
system calls release the interpreter, so the two overlap. The folders
the writer makes beside the target (staging, and the previous site while it is
swapped out) are recorded in a journal outside the working tree, with their
inode, before anything goes into them; recovery after a kill touches only
folders in that journal, so a folder a pull request commits under a look-alike
name is never moved into the site or deleted.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from statusbook.errors import BuildError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: builds are not locked against each other
    fcntl = None  # type: ignore[assignment]

# Written last into every built site: proves a folder is ours to replace, and that it is complete.
SITE_MARKER = ".statusbook-site"
SITE_MARKER_TEXT = b"Built by statusbook. This folder is replaced as a whole on every build; do not keep other files here.\n"
_UMASK = os.umask(0o022)  # read once at import (setting it is process-wide)
os.umask(_UMASK)


def clean_path(path: str) -> str:
    """The site-relative POSIX form of a path; refuse anything outside the site, and the marker."""
    parts = path.split("/")
    if not path or path == SITE_MARKER or any(part in ("", ".", "..") for part in parts) or "\\" in path or "\0" in path:
        clean = PurePosixPath(path)
        if not clean.parts or clean.is_absolute() or ".." in clean.parts or "\0" in path:
            raise BuildError(f"refusing to write outside the site folder: {path!r}")
        path = clean.as_posix()
        if path == SITE_MARKER:
            raise BuildError(f"{SITE_MARKER} is reserved for the writer's own marker")
    return path


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


class Journal:
    """The folders this machine's writer made beside one target: ``{name: [inode, role]}`` in a JSON file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def read(self) -> dict[str, list]:
        if self.path is None:
            return {}
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def write(self, folders: dict[str, list]) -> None:
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(folders), encoding="utf-8")
        os.replace(tmp, self.path)


def _inode(path: Path) -> int | None:
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return found.st_ino if os.path.isdir(path) and not os.path.islink(path) else None


class SiteWriter:
    """Fill a staging folder beside ``target``, then swap it in.

    Use as a context manager: entering locks the folder that holds the target,
    repairs what a killed build left and starts the worker; :meth:`write` or
    :meth:`link` every file, then :meth:`commit`. Leaving the block without
    committing (an exception) removes the staging folder; the previous site
    stays. After a commit, :attr:`files` holds what each file is on disk
    (inode, size, modification time), so the next build can recognise it.
    """

    QUEUE = 256  # files waiting for the worker: enough to keep it busy, few enough to hold in memory
    SWITCH = 0.0005  # seconds: while the worker runs, it gets the interpreter back this soon after each system call

    def __init__(self, target: Path, journal: Path | None = None) -> None:
        self.target = target.resolve()
        self.journal = Journal(journal)
        self.staging: Path | None = None
        self.paths: set[str] = set()
        self.files: dict[str, tuple[int, int, int]] = {}
        self._dirs: set[str] = set()
        self._lock = _exclusive(self.target.parent)
        self._tasks: queue.Queue[tuple[str, str, bytes | Path] | None] = queue.Queue(self.QUEUE)
        self._worker: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.written = self.linked = 0

    def __enter__(self) -> SiteWriter:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise BuildError(f"cannot create the output folder {self.target}: {self.target.parent} is a file, not a folder") from None
        except OSError as exc:
            raise BuildError(f"cannot create {self.target.parent}: {exc.strerror}") from None
        self._lock.__enter__()
        try:
            self.recover()
            self._check_replaceable()
            staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-new-", dir=self.target.parent))
            self._record(staging, "new")
            os.chmod(staging, 0o777 & ~_UMASK)  # mkdtemp makes it private; a site must be readable by the web server
            self.staging = staging
        except OSError as exc:
            self._lock.__exit__(None, None, None)
            raise BuildError(f"cannot write into {self.target.parent}: {exc.strerror}") from None
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, self.SWITCH))
        self._worker = threading.Thread(target=self._work, name="statusbook-writer", daemon=True)
        self._worker.start()
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        try:
            self._finish_worker()
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                self._forget(self.staging)
                self.staging = None
        finally:
            self._lock.__exit__(kind, value, traceback)
    # --- recovery ----------------------------------------------------------------------------

    def _record(self, folder: Path, role: str) -> None:
        folders = self.journal.read()
        folders[folder.name] = [_inode(folder), role]
        self.journal.write(folders)

    def _forget(self, folder: Path) -> None:
        folders = self.journal.read()
        if folders.pop(folder.name, None) is not None:
            self.journal.write(folders)

    def recover(self) -> None:
        """Undo what a killed build left: put the previous site back if it was moved aside, drop staging folders."""
        folders = self.journal.read()
        for name, (inode, role) in sorted(folders.items()):
            folder = self.target.parent / name
            if inode is None or _inode(folder) != inode:
                continue  # gone, or not the folder we made: never touched
            kept = folder / "site"
            if role == "old" and not self.target.exists() and (kept / SITE_MARKER).is_file():
                os.replace(kept, self.target)
            shutil.rmtree(folder, ignore_errors=True)
        if folders:
            self.journal.write({})

    def _check_replaceable(self) -> None:
        """Refuse to replace what is not a previous statusbook site (think ``--out ~``)."""
        target = self.target
        if not target.exists() and not target.is_symlink():
            return
        if target.is_symlink() or not target.is_dir():
            raise BuildError(f"{target} exists and is not a folder; remove it or choose another output folder")
        if (target / SITE_MARKER).is_file() or not any(target.iterdir()):
            return
        raise BuildError(
            f"{target} is not empty and was not built by statusbook (it has no {SITE_MARKER} file); "
            "a build replaces its output folder as a whole, so choose an empty or new folder, or remove this one yourself"
        )

    # --- adding files ------------------------------------------------------------------------

    def _claim(self, path: str) -> str:
        """Claim a path once, and the folders it needs; refuse a path twice, or a file where a folder must be."""
        rel = clean_path(path)
        if rel in self.paths or rel in self._dirs:
            raise BuildError(f"two parts of the build both write {rel}")
        assert self.staging is not None, "use SiteWriter as a context manager"
        folder = rel.rpartition("/")[0]
        if folder and folder not in self._dirs:
            if any(f in self.paths for f in _parents(folder)):
                raise BuildError(f"{rel} would need a folder where the build writes a file")
            self._dirs.update(_parents(folder))
        self.paths.add(rel)
        return rel

    def _put(self, task: tuple[str, str, bytes | Path]) -> None:
        if self._failure is not None:
            raise self._failure
        self._tasks.put(task)

    def write(self, path: str, data: bytes) -> None:
        """Write one file of the new site (on the worker, in order)."""
        self._put(("write", self._claim(path), data))

    def link(self, path: str, source: Path) -> None:
        """Take an existing file as it is: hard-linked (same bytes, no copy), or copied across file systems."""
        self._put(("link", self._claim(path), source))

    def _work(self) -> None:
        """The worker: make folders, write and link files, note what each is on disk; stop at the first failure."""
        base = str(self.staging)
        made: set[str] = set()
        while (task := self._tasks.get()) is not None:
            if self._failure is not None:
                continue  # drain: the build will raise it
            op, rel, payload = task
            try:
                folder = rel.rpartition("/")[0]
                if folder and folder not in made:
                    os.makedirs(os.path.join(base, folder), exist_ok=True)
                    made.update(_parents(folder))
                full = os.path.join(base, rel)
                if op == "write":
                    # O_EXCL: never write into a file that is there (it may be hard-linked to the live site).
                    fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                    try:
                        view = memoryview(payload)
                        while view:
                            view = view[os.write(fd, view) :]
                        found = os.fstat(fd)
                    finally:
                        os.close(fd)
                    self.written += 1
                else:
                    try:
                        os.link(payload, full, follow_symlinks=False)
                        self.linked += 1
                    except OSError:
                        shutil.copyfile(payload, full, follow_symlinks=False)
                        self.written += 1
                    found = os.stat(full)
                self.files[rel] = (found.st_ino, found.st_size, found.st_mtime_ns)
            except BaseException as exc:  # handed to the build, which raises it
                self._failure = BuildError(f"cannot write {rel}: {getattr(exc, 'strerror', None) or exc}")

    def _finish_worker(self) -> None:
        if self._worker is not None:
            self._tasks.put(None)
            self._worker.join()
            self._worker = None
            sys.setswitchinterval(self._switch)

    # --- finishing ---------------------------------------------------------------------------

    def commit(self) -> None:
        """Wait for the worker, write the marker and swap the new site in; the previous one is deleted."""
        self._finish_worker()
        if self._failure is not None:
            raise self._failure
        staging = self.staging
        assert staging is not None, "use SiteWriter as a context manager"
        (staging / SITE_MARKER).write_bytes(SITE_MARKER_TEXT)
        old = None
        try:
            if self.target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-old-", dir=self.target.parent))
                self._record(old, "old")
                os.replace(self.target, old / "site")
                _pause("swap")
            os.replace(staging, self.target)
            self.staging = None
        except BaseException:
            if old is not None and not self.target.exists() and (old / "site").exists():
                os.replace(old / "site", self.target)  # put the previous site back before cleaning up
            raise
        finally:
            if old is not None and self.target.exists():
                shutil.rmtree(old, ignore_errors=True)  # after a failed restore it stays, and the journal knows it
        self.journal.write({})


def recover_site(target: Path, journal: Path | None) -> None:
    """Put back a site a killed build moved aside, before anything can fail (so even a failing build repairs it)."""
    writer = SiteWriter(target, journal)
    if writer.target.parent.is_dir():
        with _exclusive(writer.target.parent):
            writer.recover()


def _parents(folder: str) -> list[str]:
    parts = folder.split("/")
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def _pause(point: str) -> None:
    """A seam for tests that kill a build at a known moment (they replace it); does nothing here."""
