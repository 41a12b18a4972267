"""The one place that writes the built site: every file into a staging folder, then one atomic swap.

A failed or interrupted build leaves the previous site untouched. Files go to
disk on one worker thread, in order, while the build renders the next ones:
the system calls release the interpreter, so the two overlap.

With a cache folder on the same file system, the site a swap replaces is kept
there (the spare, see :mod:`statusbook.io.site_folders`) and becomes the next
build's staging folder: that build writes only the files that differ and
deletes those that went, instead of making ten thousand folders and links again.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import sys
import threading
from pathlib import Path, PurePosixPath

from statusbook.errors import BuildError
from statusbook.io.site_folders import SITE_MARKER, SITE_MARKER_TEXT, Folders, Stat, exclusive, listing

__all__ = ["SITE_MARKER", "SITE_MARKER_TEXT", "SiteWriter", "Stat", "clean_path"]


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


class SiteWriter:
    """Fill a staging folder, then swap it in for ``target``.

    Use as a context manager: entering locks the folder that holds the target,
    repairs what a killed build left and starts the worker; :meth:`write`,
    :meth:`link` or :meth:`keep` every file, then :meth:`commit`. Leaving the
    block without committing (an exception) removes the staging folder; the
    previous site stays. :attr:`held` is what the staging folder holds before
    the build adds anything (the spare's files); after a commit, :attr:`files`
    holds what each file is on disk, so the next build can recognise it.
    """

    QUEUE = 256  # files waiting for the worker: enough to keep it busy, few enough to hold in memory
    SWITCH = 0.0005  # seconds: while the worker runs, it gets the interpreter back this soon after each system call

    def __init__(self, target: Path, journal: Path | None = None) -> None:
        self.target = target.resolve()
        self.journal = journal
        self.staging: Path | None = None
        self._held: dict[str, Stat] = {}
        self._held_dirs: set[str] = set()
        self._listed = threading.Event()
        self.paths: set[str] = set()
        self.files: dict[str, Stat] = {}
        self._dirs: set[str] = set()
        self._lock = exclusive(self.target.parent)
        self._tasks: queue.Queue[tuple[str, str, bytes | Path] | None] = queue.Queue(self.QUEUE)
        self._worker: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.written = self.linked = self.kept = 0
        self.same = 0  # files a link would have replaced by the same bytes: kept (counted on the worker)

    def __enter__(self) -> SiteWriter:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise BuildError(f"cannot create the output folder {self.target}: {self.target.parent} is a file, not a folder") from None
        except OSError as exc:
            raise BuildError(f"cannot create {self.target.parent}: {exc.strerror}") from None
        self._lock.__enter__()
        try:
            self.folders = Folders(self.target, self.journal)
            self.folders.recover()
            self._check_replaceable()
            self.staging = self.folders.take_spare() or self._empty_staging()
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
                self.folders.drop(self.staging.parent)
                self.staging = None
        finally:
            self._lock.__exit__(kind, value, traceback)

    def _empty_staging(self) -> Path:
        site = self.folders.make("new") / "site"
        os.mkdir(site)  # mkdtemp's folder is private; the site itself follows the umask, as a web server reads it
        return site

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

    def take(self, path: str, source: Path) -> None:
        """Link a file made elsewhere (by Pagefind, a handbook version), unless the staging folder holds the same bytes already."""
        self._put(("take", self._claim(path), source))

    def keep(self, path: str) -> None:
        """Keep the file the staging folder already holds at ``path`` (one of :attr:`held`): nothing to do on disk."""
        rel = self._claim(path)
        self.files[rel] = self.held[rel]
        self.kept += 1

    @property
    def held(self) -> dict[str, Stat]:
        """The staging folder's files before this build added any: the spare's (listed on the worker first), or none."""
        self._listed.wait()
        return self._held

    def _list_staging(self, staging: Path) -> None:
        try:
            found = listing(staging)
            if found is None:  # a link or a device in the spare: start from nothing
                shutil.rmtree(staging)
                os.mkdir(staging)
            else:
                self._held, self._held_dirs = found
        except OSError as exc:
            self._failure = BuildError(f"cannot read the previous site kept in {staging}: {exc.strerror}")
        finally:
            self._listed.set()

    def _work(self) -> None:
        """The worker: list the staging folder, then make folders, write and link files; stop at the first failure."""
        assert self.staging is not None
        self._list_staging(self.staging)
        base, held = str(self.staging), self._held
        made: set[str] = set()
        while (task := self._tasks.get()) is not None:
            if self._failure is not None:
                continue  # drain: the build will raise it
            op, rel, payload = task
            try:
                folder = rel.rpartition("/")[0]
                if folder and folder not in made:
                    for parent in _parents(folder):  # a file of the previous site where a folder goes now
                        if parent in held:
                            os.unlink(os.path.join(base, parent))
                    os.makedirs(os.path.join(base, folder), exist_ok=True)
                    made.update(_parents(folder))
                full = os.path.join(base, rel)
                if op == "take" and rel in held and _same_bytes(payload, full, held[rel]):
                    self.files[rel] = held[rel]
                    self.same += 1
                    continue
                if rel in held:
                    os.unlink(full)  # never write into it: it may be hard-linked to the live site
                elif rel in self._held_dirs:
                    shutil.rmtree(full)
                if op == "write":
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
        """Wait for the worker, drop what the spare held and this site does not, write the marker and swap.

        The site swapped out becomes the spare when the writer's folders are
        outside the working tree; otherwise it is deleted.
        """
        self._finish_worker()
        if self._failure is not None:
            raise self._failure
        staging = self.staging
        assert staging is not None, "use SiteWriter as a context manager"
        for rel in sorted(self._held_dirs - self._dirs - self.paths):
            shutil.rmtree(staging / rel, ignore_errors=True)
        for rel in [*(self._held.keys() - self.paths - self._dirs), SITE_MARKER]:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # gone already, with the folder it was in
                os.unlink(staging / rel)
        (staging / SITE_MARKER).write_bytes(SITE_MARKER_TEXT)
        old = None
        try:
            if self.target.exists():
                old = self.folders.make("old")
                os.replace(self.target, old / "site")
                _pause("swap")
            os.replace(staging, self.target)
            self.staging = None
        except BaseException:
            if old is not None and not self.target.exists() and (old / "site").exists():
                os.replace(old / "site", self.target)  # put the previous site back before cleaning up
            raise
        finally:
            if old is not None and self.target.exists() and not self.folders.keeps_spare:
                self.folders.drop(old)  # after a failed restore it stays, and the journal knows it
        self.folders.drop(staging.parent)
        if old is not None and self.folders.keeps_spare:
            self.folders.set(old, "spare")


def _same_bytes(source: Path, kept: str, stat: Stat) -> bool:
    """Whether a file the staging folder holds already has the bytes of ``source`` (a search index file made again, the same)."""
    found = os.stat(source)
    if found.st_ino == stat[0]:
        return True
    if found.st_size != stat[1] or found.st_size > 1 << 20:
        return False
    with open(source, "rb") as new, open(kept, "rb") as old:
        return new.read() == old.read()


def _parents(folder: str) -> list[str]:
    parts = folder.split("/")
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def _pause(point: str) -> None:
    """A seam for tests that kill a build at a known moment (they replace it); does nothing here."""
