"""The one place that writes the built site: all files at once, swapped in atomically.

Renderers return ``{relative path: bytes}``; the writer refuses two renderers
claiming the same path, fills a folder beside the target and swaps it in only
when all of it is on disk, so a failed or interrupted build leaves the previous
site untouched.

Rebuilds are incremental. The writer keeps a record of the site it wrote (a
content digest, the inputs key of each rendered page, and the file's inode,
size and modification time, so edits made by hand are noticed), and, instead
of deleting the previous site after the swap, keeps it as a spare folder in
the cache. The next build patches the spare into the new site: files that are
already right stay, unchanged pages are hard-linked from the live site, and
only what changed is written. Creating and deleting tens of thousands of
folders per build is what a full rewrite costs; a patch costs what changed.

When a whole new site must be written (the first build, or no usable spare),
a forked helper process does the writing on another core while the build
renders, and makes the next build's spare as a hard-linked second copy.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import os
import pickle
import select
import shutil
import signal
import struct
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from statusbook.errors import BuildError

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

STATE_FORMAT = 2
SPARE = "spare"
STATE_FILE = "state.pickle"
TARGET_FILE = "target.txt"  # which output folder a state folder is about

# What the writer remembers of one file it left in a folder: (content digest, inputs key, inode, size, mtime_ns).
Record = tuple[bytes, bytes, int, int, int]


@dataclass(frozen=True, slots=True)
class Reused:
    """Stands for a page the previous build wrote from the same inputs: the writer takes that file."""

    key: bytes


def content_digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:16]


def clean_path(path: str) -> str:
    """The site-relative POSIX form of a renderer's path; refuse anything outside the site or the marker."""
    if path and path != SITE_MARKER and all(part and part != "." and part != ".." for part in path.split("/")):
        return path  # already clean (as nearly every path is): PurePosixPath costs more than writing some files
    clean = PurePosixPath(path)
    if clean.is_absolute() or ".." in clean.parts or not clean.parts:
        raise BuildError(f"refusing to write outside the site folder: {path!r}")
    key = clean.as_posix()
    if key == SITE_MARKER:
        raise BuildError(f"{SITE_MARKER} is reserved for the writer's own marker")
    return key


class SiteFiles(Mapping[str, bytes]):
    """The built site in memory: relative POSIX paths to file contents."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes | str) -> None:
        key = clean_path(path)
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


class BuiltSite(Mapping[str, bytes]):
    """The files of a written site, read back from disk when asked for (the build holds no page in memory)."""

    def __init__(self, folder: Path, paths: Iterable[str], stats: Mapping[str, int | None] | None = None) -> None:
        self.folder = folder
        self._paths = sorted(paths)
        self._known = frozenset(self._paths)
        self.stats = dict(stats or {})  # what the writer did: files written, linked, kept, removed, helper memory

    def __getitem__(self, key: str) -> bytes:
        if key not in self._known:
            raise KeyError(key)
        return (self.folder / key).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


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


def state_folder(cache: Path, target: Path) -> Path:
    """Where the writer keeps its record and spare copy of one output folder (one per target)."""
    name = hashlib.blake2b(str(target.resolve()).encode(), digest_size=8).hexdigest()
    return cache / "site" / name


def _marker_id(folder: Path) -> tuple[int, int] | None:
    """The identity of a folder's marker file: rewritten on every build, so it names one build's output."""
    try:
        found = os.stat(folder / SITE_MARKER)
    except OSError:
        return None
    return (found.st_ino, found.st_mtime_ns)


def _same_file(record: Record, found: os.stat_result) -> bool:
    return found.st_ino == record[2] and found.st_size == record[3] and found.st_mtime_ns == record[4]


# A file that is there but whose content is not vouched for (edited by hand since it was written).
UNKNOWN: Record = (b"", b"", -1, -1, -1)


class SiteState:
    """The writer's record of the site it last wrote, and of the spare copy of the site before it.

    For each folder: its marker's identity, every file (see :data:`Record`)
    and every subfolder's modification time, which changes whenever an entry
    is added or removed (say, a file left there by hand). Only what still
    checks out is believed: a folder whose marker is not the one recorded
    (replaced, rebuilt without the cache, restored from elsewhere) is
    forgotten, and a file whose inode, size or modification time changed is
    unknown.
    """

    def __init__(self, folder: Path | None, target: Path) -> None:
        self.folder = folder
        self.target = target.resolve()
        self.site: dict[str, Record] = {}
        self.site_dirs: dict[str, int] = {}
        self.site_marker: tuple[int, int] | None = None
        self.spare: dict[str, Record] = {}
        self.spare_dirs: dict[str, int] = {}
        self.spare_marker: tuple[int, int] | None = None
        self.bad_inodes: set[int] = set()
        if folder is None:
            return
        try:
            with open(folder / STATE_FILE, "rb") as handle:
                stored = pickle.load(handle)
            if not isinstance(stored, dict) or stored.get("format") != STATE_FORMAT or stored.get("target") != str(self.target):
                return
            site_marker, site, site_dirs = stored["site"]
            spare_marker, spare, spare_dirs = stored["spare"]
        except Exception:  # no record, or a corrupt one: the next build simply starts afresh
            return
        if site_marker is not None and _marker_id(self.target) == site_marker:
            self.site_marker, self.site, self.site_dirs = site_marker, site, site_dirs
        if spare_marker is not None and _marker_id(self.spare_folder) == spare_marker:
            self.spare_marker, self.spare, self.spare_dirs = spare_marker, spare, spare_dirs
        self._check_site()

    @property
    def spare_folder(self) -> Path:
        assert self.folder is not None
        return self.folder / SPARE

    def _check_site(self) -> None:
        """Mark the live site's files that are no longer as written unknown (one stat each)."""
        base = str(self.target) + os.sep
        for rel, record in self.site.items():
            try:
                same = _same_file(record, os.stat(base + rel))
            except OSError:
                same = False
            if not same:
                self.bad_inodes.add(record[2])
                self.site[rel] = UNKNOWN

    def keys(self) -> dict[str, bytes]:
        """The inputs key of every page the live site holds intact."""
        return {rel: record[1] for rel, record in self.site.items() if record[1]}

    def save(self, site: FolderRecord, spare: FolderRecord) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / (STATE_FILE + ".tmp")
            with open(tmp, "wb") as handle:
                pickle.dump({"format": STATE_FORMAT, "target": str(self.target), "site": site, "spare": spare}, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / STATE_FILE)
            (self.folder / TARGET_FILE).write_text(str(self.target) + "\n", encoding="utf-8")
            self._forget_gone_targets()
        except OSError:
            pass  # the record is an optimisation: without it the next build rewrites everything

    def _forget_gone_targets(self) -> None:
        """Drop the records and spare copies of output folders that are gone (a temporary ``--out``, say)."""
        assert self.folder is not None
        for other in self.folder.parent.iterdir():
            if other == self.folder or not other.is_dir():
                continue
            try:
                target = (other / TARGET_FILE).read_text(encoding="utf-8").strip()
            except OSError:
                continue  # not saved yet: perhaps another output folder's first build, under way
            if target and not Path(target).exists():
                shutil.rmtree(other, ignore_errors=True)


# A folder as recorded: its marker's identity, its files, and its subfolders' modification times ("" is the folder itself).
FolderRecord = tuple[tuple[int, int] | None, dict[str, Record], dict[str, int]]
NO_FOLDER: FolderRecord = (None, {}, {})


class _Helper:
    """A forked process that does the file-system work of filling a new staging folder.

    Creating tens of thousands of folders and files is work for the kernel,
    which a second core can do while the build renders the next pages. The
    build sends each step (folders to make, then a file's bytes or a file to
    hard-link) down a pipe, which also keeps the pages it holds at once few;
    at the end the helper reports each written file's inode, size and time.
    When the build goes away (finished, failed or killed), so does the helper.

    Given a ``spare`` folder, the helper also makes it a second copy of the new
    site, hard-linked file by file, as the next build's spare: that build then
    patches it instead of making every folder again.

    The writer forks the helper when it opens, before validation fills the
    build's memory, so the helper shares (and copies) next to nothing; it
    learns its folders from :meth:`start`, or ends unused.
    """

    def __init__(self) -> None:
        commands, self._out = os.pipe()
        self._results, answers = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: never returns into the build's code
            code = 1
            try:
                os.closerange(3, min(commands, answers))
                os.closerange(min(commands, answers) + 1, max(commands, answers))
                os.closerange(max(commands, answers) + 1, 65536)  # the build's lock among them: it is the build's alone
                code = _helper_main(commands, answers, os.getppid())
            finally:
                os._exit(code)
        os.close(commands)
        os.close(answers)
        self.pid = pid
        self.memory: int | None = None  # the helper's own memory at the end, in bytes
        if hasattr(fcntl, "F_SETPIPE_SZ"):
            with contextlib.suppress(OSError):
                fcntl.fcntl(self._out, fcntl.F_SETPIPE_SZ, 1 << 20)

    def start(self, staging: Path, source: Path, spare: Path | None) -> None:
        """Fill ``staging`` (linking from ``source``), and make ``spare`` a copy of it when given."""
        self.send(b"S", [str(staging), str(source), str(spare) if spare is not None else ""])

    def send(self, op: bytes, names: list[str], data: bytes = b"") -> None:
        text = "\0".join(names).encode("utf-8", "surrogateescape")
        try:
            _write_all(self._out, b"".join((struct.pack("<cII", op, len(text), len(data)), text, data)))  # one system call
        except BrokenPipeError:  # the helper stopped: say why
            found = self._collect()
            raise BuildError(f"could not write the site: {found[1]}") from None

    def finish(self, folders: Iterable[str]) -> tuple[dict[str, tuple[int, int, int]], dict[str, int], tuple[tuple[int, int], dict[str, int], set[str]] | None]:
        """Wait for the helper to finish.

        Return the written files' (inode, size, mtime), the folders' mtimes,
        and the spare copy's marker identity, folders' mtimes and the files it
        holds (None without one).
        """
        self.send(b"E", list(folders))
        found = self._collect()
        if found[0] != "done":
            raise BuildError(f"could not write the site: {found[1]}")
        self.memory = found[4]
        return found[1], found[2], found[3]

    def _collect(self) -> tuple:
        """Close the commands, read the helper's report to the end and reap it."""
        self._close_commands()
        with os.fdopen(self._results, "rb") as answers:
            report = answers.read()
        self._results = -1
        _, status = os.waitpid(self.pid, 0)
        try:
            found = pickle.loads(report)
        except Exception:
            found = None
        return found if isinstance(found, tuple) else ("error", f"the writing process stopped (status {status})")

    def _close_commands(self) -> None:
        if self._out >= 0:
            os.close(self._out)
            self._out = -1

    def abandon(self) -> None:
        """The build failed: the helper sees the end of its commands and stops; wait for it."""
        if self._results >= 0:
            self._close_commands()
            os.close(self._results)
            self._results = -1
            os.waitpid(self.pid, 0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _private_memory() -> int | None:
    """This process's own memory, in bytes: the pages it does not share with the build (Linux only)."""
    try:
        with open("/proc/self/smaps_rollup") as handle:
            return 1024 * sum(int(line.split()[1]) for line in handle if line.startswith(("Private_Clean:", "Private_Dirty:")))
    except (OSError, ValueError, IndexError):
        return None


class _Commands:
    """The helper's end of the pipe: whole commands, read as they come; can tell whether one is waiting."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.position = 0

    def next(self) -> tuple[bytes, list[str], bytes] | None:
        """The next whole command already read, or None."""
        buffer, at = self.buffer, self.position
        if len(buffer) - at < 9:
            return None
        op, size, length = struct.unpack_from("<cII", buffer, at)
        end = at + 9 + size + length
        if len(buffer) < end:
            return None
        names = bytes(buffer[at + 9 : at + 9 + size]).decode("utf-8", "surrogateescape").split("\0") if size else []
        data = bytes(buffer[at + 9 + size : end])
        self.position = end
        if end > (1 << 20) and end * 2 > len(buffer):
            del buffer[:end]  # keep the buffer from growing: drop what was read, now and then
            self.position = 0
        return op, names, data

    def waiting(self) -> bool:
        return bool(select.select([self.fd], [], [], 0)[0])

    def read(self) -> bool:
        """Read what the pipe holds (waiting for it if need be); False at its end."""
        chunk = os.read(self.fd, 1 << 20)
        self.buffer += chunk
        return bool(chunk)


def _helper_main(commands: int, answers: int, parent: int) -> int:
    """The helper's loop: make folders, write or link files, until told to finish or the build is gone.

    Between commands, while none is waiting, it copies the files it made into
    the spare folder (one hard link at a time), so the copy never holds the
    build up; what it has not copied when the build finishes, the next build
    makes itself.
    """
    import gc

    gc.disable()
    staging = source = Path()
    spare: Path | None = None
    base = origin = copy = ""
    written: dict[str, tuple[int, int, int]] = {}
    to_copy: collections.deque[str] = collections.deque()
    copied: set[str] = set()
    copied_folders: set[str] = set()
    pipe = _Commands(commands)

    def copy_one() -> None:
        nonlocal spare
        rel = to_copy.popleft()
        try:
            folder = rel.rpartition("/")[0]
            missing = []
            while folder and folder not in copied_folders:
                missing.append(folder)
                folder = folder.rpartition("/")[0]
            for folder in reversed(missing):
                os.mkdir(copy + folder)
                copied_folders.add(folder)
            os.link(base + rel, copy + rel)
            copied.add(rel)
        except OSError:  # the cache is on another file system (or the like): no spare copy this time
            if spare is not None:
                shutil.rmtree(spare, ignore_errors=True)
            spare = None
            to_copy.clear()

    try:
        while True:
            command = pipe.next()
            if command is None:
                if os.getppid() != parent:
                    return 1  # the build is gone: the next build's recovery removes the staging folder
                if to_copy and spare is not None and not pipe.waiting():
                    copy_one()
                elif not pipe.read():
                    return 1  # the build is gone (or needed no helper)
                continue
            op, names, data = command
            if op == b"S":
                staging, source = Path(names[0]), Path(names[1])
                spare = Path(names[2]) if names[2] else None
                base, origin, copy = f"{staging}{os.sep}", f"{source}{os.sep}", f"{spare}{os.sep}"
                continue
            if op == b"E":
                folders = {name: os.stat(base + name if name else staging).st_mtime_ns for name in names}
                done = None
                if spare is not None:
                    marker = spare / SITE_MARKER
                    marker.write_bytes(SITE_MARKER_TEXT)
                    found = os.stat(marker)
                    mtimes = {name: os.stat(copy + name if name else spare).st_mtime_ns for name in [*copied_folders, ""]}
                    done = ((found.st_ino, found.st_mtime_ns), mtimes, copied)
                _write_all(answers, pickle.dumps(("done", written, folders, done, _private_memory())))
                return 0
            *folders, rel = names
            for folder in folders:
                os.mkdir(base + folder)
            linked = False
            if op == b"L":
                try:
                    os.link(origin + rel, base + rel)
                    linked = True
                except OSError:  # another file system: copy the bytes instead
                    with open(origin + rel, "rb") as handle:
                        data = handle.read()
            if not linked:
                fd = os.open(base + rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                try:
                    _write_all(fd, data)
                    found = os.fstat(fd)
                finally:
                    os.close(fd)
                written[rel] = (found.st_ino, found.st_size, found.st_mtime_ns)
            if spare is not None:
                to_copy.append(rel)
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            _write_all(answers, pickle.dumps(("error", f"{type(exc).__name__}: {exc}")))
        return 1


class SiteWriter:
    """Fill a staging folder beside the target with the new site, then swap it in.

    Use as a context manager: entering locks the folder that holds the
    target and repairs what a killed build left; :meth:`add` every file, then
    :meth:`commit`. Leaving the block without committing (an exception)
    removes the staging folder and leaves the previous site as it was. With a
    ``state_dir`` (the writer's record and spare copy, see :class:`SiteState`)
    the staging folder is the spare copy of the site before the current one,
    patched; without, a new folder written in full.
    """

    def __init__(self, target: Path, state_dir: Path | None = None) -> None:
        self.target = target.resolve()
        self.state_dir = state_dir
        self.state: SiteState | None = None
        self.staging: Path | None = None
        self.records: dict[str, Record] = {}
        self.count = 0
        self._lock: AbstractContextManager[None] | None = None
        self._present: dict[str, int] = {}  # files already in the staging folder (the spare), by inode (-1: unknown)
        self._dirs: set[str] = set()  # folders in the staging folder
        self._mtimes: dict[str, int] = {}  # folders' modification times as recorded
        self._touched: set[str] = {""}  # folders whose entries this build changed
        self._patching = False
        self._helper: _Helper | None = None
        self._spare_copy: Path | None = None  # the helper's second copy of the new site, to become the spare
        self.helper_memory: int | None = None  # what the helper process used of its own (not shared with the build)
        self.kept = self.linked = self.written = self.removed = 0
        self._pause = bool(os.environ.get(TEST_PAUSE_ENV))  # read once: add() runs for every file

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> SiteWriter:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _exclusive(self.target.parent)
        self._lock.__enter__()
        try:
            recover_interrupted(self.target)
            if self.state_dir is not None:
                self.state = SiteState(self.state_dir, self.target)
            if hasattr(os, "fork") and fcntl is not None:
                self._helper = _Helper()
        except BaseException:
            self._lock.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        try:
            if self._helper is not None:
                self._helper.abandon()
                self._helper = None
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                self.staging = None
        finally:
            assert self._lock is not None
            self._lock.__exit__(kind, value, traceback)

    def _open_staging(self) -> Path:
        """Take the spare copy as the staging folder when it is usable, else start an empty one."""
        _check_replaceable(self.target)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-new-", dir=self.target.parent))
        self.staging = staging
        state = self.state
        if state is not None and state.folder is not None and state.spare_folder.is_dir() and not state.spare_folder.is_symlink():
            if state.spare_marker is not None:
                try:
                    os.rmdir(staging)
                    os.replace(state.spare_folder, staging)
                except OSError:
                    staging.mkdir(exist_ok=True)
                else:
                    self._patching = True
                    self._present = {rel: record[2] for rel, record in state.spare.items()}
                    self._dirs = set(state.spare_dirs) - {""}
                    self._mtimes = dict(state.spare_dirs)
                    self._check_folders()
            if state.spare_folder.exists():
                shutil.rmtree(state.spare_folder, ignore_errors=True)  # stale or unusable: never patch what we cannot vouch for
        os.chmod(staging, 0o777 & ~_UMASK)  # mkdtemp makes it private; a site must be readable by the web server
        if not self._patching and self._helper is not None:
            # A whole new site to write: on another core. Unless the site there now becomes the next
            # build's spare, the helper makes a second, hard-linked copy to serve as one.
            copy = None
            if state is not None and state.folder is not None and state.site_marker is None:
                copy = state.folder / (SPARE + ".new")
                with contextlib.suppress(OSError):
                    shutil.rmtree(copy, ignore_errors=True)
                    copy.mkdir(parents=True)
                    os.chmod(copy, 0o777 & ~_UMASK)
                if not copy.is_dir():
                    copy = None
            self._spare_copy = copy
            self._helper.start(staging, self.target, copy)
        elif self._helper is not None:  # patching: a handful of files, written here
            self._helper.abandon()
            self._helper = None
        return staging

    def _check_folders(self) -> None:
        """Patching: find what was added to or removed from the spare's folders since they were recorded.

        One stat per folder; a folder whose modification time changed is
        listed, and everything in it that was not recorded (or is gone) is
        dealt with: unknown files are replaced or removed, unknown folders removed.
        """
        assert self.staging is not None
        base = f"{self.staging}{os.sep}"
        changed = []
        for folder, mtime in self._mtimes.items():
            try:
                if os.stat(base + folder if folder else self.staging).st_mtime_ns == mtime:
                    continue
            except OSError:
                pass
            changed.append(folder)
        if not changed:
            return
        by_folder: dict[str, list[str]] = {}
        for rel in self._present:
            by_folder.setdefault(rel.rpartition("/")[0], []).append(rel)
        subfolders: dict[str, list[str]] = {}
        for folder in self._dirs:
            subfolders.setdefault(folder.rpartition("/")[0], []).append(folder)
        for folder in sorted(changed):
            self._touched.add(folder)
            try:
                listed = set(os.listdir(base + folder if folder else self.staging))
            except OSError:
                listed = set()
            prefix = f"{folder}/" if folder else ""
            for rel in by_folder.get(folder, ()):
                if rel in self._present:
                    if rel[len(prefix) :] in listed:
                        self._present[rel] = -1  # there, but not vouched for
                    else:
                        del self._present[rel]
            for sub in subfolders.get(folder, ()):
                if sub[len(prefix) :] not in listed:
                    self._forget_under(sub)
            for name in listed:
                rel = prefix + name
                if rel in self._present or rel in self._dirs:
                    continue
                if os.path.isdir(base + rel) and not os.path.islink(base + rel):
                    shutil.rmtree(base + rel, ignore_errors=True)
                else:
                    self._present[rel] = -1

    # --- adding files ------------------------------------------------------------------------

    def add(self, path: str, data: bytes | str | Reused, key: bytes = b"") -> None:
        """Put one file into the new site (written, linked from the live site, or kept as it is)."""
        rel = clean_path(path)
        if rel in self.records:
            raise BuildError(f"two parts of the build both write {rel}")
        if self.staging is None:
            self._open_staging()
        if isinstance(data, str):
            data = data.encode("utf-8")
        state = self.state
        live = state.site.get(rel) if state is not None else None
        if isinstance(data, Reused):
            if live is None or live[1] != data.key:
                raise BuildError(f"internal error: {rel} was reused but the live site does not hold it")
            want = live[0]
            key = data.key
        else:
            want = content_digest(data)
        record = self._keep(rel, want, key) if self._patching else None
        if record is None and live is not None and live[0] == want:
            record = self._link(rel, live, key)
        if record is None:
            if isinstance(data, Reused):
                raise BuildError(f"internal error: {rel} was reused but could not be linked")
            record = self._write(rel, data, want, key)
        self.records[rel] = record
        self.count += 1
        if self._pause:
            _pause_for_tests(f"file:{self.count}")

    def _keep(self, rel: str, want: bytes, key: bytes) -> Record | None:
        """Keep the spare's file when it already holds the wanted bytes and is as recorded."""
        assert self.state is not None and self.staging is not None
        record = self.state.spare.get(rel)
        if record is None or record[0] != want or record[2] < 0 or self._present.get(rel) != record[2] or record[2] in self.state.bad_inodes:
            return None
        live = self.state.site.get(rel)
        if live is None or live[2] != record[2]:  # not the live site's own (checked) file: check this one
            try:
                if not _same_file(record, os.stat(self.staging / rel)):
                    return None
            except OSError:
                return None
        self.kept += 1
        return (want, key, record[2], record[3], record[4])

    def _new_folders(self, rel: str) -> list[str]:
        """With the helper: the folders the file needs that do not exist yet, parents first (the helper makes them)."""
        folder = rel.rpartition("/")[0]
        made: list[str] = []
        while folder and folder not in self._dirs:
            made.append(folder)
            self._dirs.add(folder)
            self._touched.add(folder)
            folder = folder.rpartition("/")[0]
        self._touched.add(folder)
        if made:
            self._touched.add(made[-1].rpartition("/")[0])
        return made[::-1]

    def _parent(self, rel: str) -> str:
        """Make room for a file in the staging folder: its folder exists, nothing is in its place; return its path."""
        assert self.staging is not None
        folder = rel.rpartition("/")[0]
        if folder and folder not in self._dirs:
            path = self.staging / folder
            try:
                path.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                self._clear_way(folder)
                path.mkdir(parents=True, exist_ok=True)
            parts = folder.split("/")
            for n in range(len(parts)):
                made = "/".join(parts[: n + 1])
                if made not in self._dirs:
                    self._dirs.add(made)
                    self._touched.add(made)
                    self._touched.add(made.rpartition("/")[0])
        self._touched.add(folder)
        full = f"{self.staging}{os.sep}{rel}"
        if rel in self._present:
            self._remove(rel, full)
        elif rel in self._dirs:
            shutil.rmtree(full)
            self._forget_under(rel)
        return full

    def _clear_way(self, folder: str) -> None:
        """Patching: remove files of the old site that sit where the new one needs a folder."""
        parts = folder.split("/")
        for n in range(1, len(parts) + 1):
            rel = "/".join(parts[:n])
            if rel in self._present:
                self._remove(rel, f"{self.staging}{os.sep}{rel}")

    def _remove(self, rel: str, full: str) -> None:
        os.unlink(full)  # never write into a file in place: it may be hard-linked to the live site
        del self._present[rel]
        self._touched.add(rel.rpartition("/")[0])

    def _forget_under(self, folder: str) -> None:
        prefix = folder + "/"
        for rel in [r for r in self._present if r.startswith(prefix)]:
            del self._present[rel]
        self._dirs = {d for d in self._dirs if d != folder and not d.startswith(prefix)}
        self._touched.add(folder.rpartition("/")[0])

    def _link(self, rel: str, live: Record, key: bytes) -> Record | None:
        """Hard-link the live site's file: the same bytes, no copy, no write."""
        if self._helper is not None:
            self._helper.send(b"L", [*self._new_folders(rel), rel])
            self.linked += 1
            return (live[0], key, live[2], live[3], live[4])  # unless the helper had to copy it (see commit)
        full = self._parent(rel)
        try:
            os.link(f"{self.target}{os.sep}{rel}", full)
        except OSError:
            return None  # another file system, or links not supported: the caller writes the bytes
        self.linked += 1
        return (live[0], key, live[2], live[3], live[4])

    def _write(self, rel: str, data: bytes, want: bytes, key: bytes) -> Record:
        if self._helper is not None:
            self._helper.send(b"W", [*self._new_folders(rel), rel], data)
            self.written += 1
            return (want, key, -1, len(data), -1)  # the helper reports inode and time (see commit)
        full = self._parent(rel)
        # O_EXCL: a file in the way is never written into (it may be a hard link to the live site's).
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            found = os.fstat(fd)
        finally:
            os.close(fd)
        self.written += 1
        return (want, key, found.st_ino, found.st_size, found.st_mtime_ns)

    # --- finishing ---------------------------------------------------------------------------

    def _remove_stale(self) -> None:
        """Patching: delete what the old site had and the new one does not, folders included."""
        assert self.staging is not None
        needed: set[str] = set()
        for folder in {rel.rpartition("/")[0] for rel in self.records}:
            while folder and folder not in needed:
                needed.add(folder)
                folder = folder.rpartition("/")[0]
        stale = self._dirs - needed
        if stale:
            for folder in stale:
                if folder.rpartition("/")[0] not in stale:  # the topmost stale folders hold all the others
                    shutil.rmtree(self.staging / folder, ignore_errors=True)
                    self._touched.add(folder.rpartition("/")[0])
            self._present = {rel: ino for rel, ino in self._present.items() if rel.rpartition("/")[0] not in stale}
            self._dirs = needed
        for rel in [r for r in self._present if r not in self.records and r != SITE_MARKER]:
            self._remove(rel, f"{self.staging}{os.sep}{rel}")
            self.removed += 1

    def _folder_record(self) -> dict[str, int]:
        """Every folder's modification time now: the recorded one unless this build changed the folder."""
        assert self.staging is not None
        base = f"{self.staging}{os.sep}"
        mtimes = {folder: self._mtimes[folder] for folder in self._dirs if folder in self._mtimes and folder not in self._touched}
        for folder in (self._touched & self._dirs) | {""}:
            mtimes[folder] = os.stat(base + folder if folder else self.staging).st_mtime_ns
        return mtimes

    def commit(self) -> None:
        """Write the marker and swap the new site in; keep the previous one as the next build's spare."""
        staging = self.staging or self._open_staging()
        if self._patching:
            self._remove_stale()
        copied = None
        if self._helper is not None:
            helper, self._helper = self._helper, None
            files, self._mtimes, copied = helper.finish(self._dirs if self.state is not None else ())
            self.helper_memory = helper.memory
            for rel, (ino, size, mtime) in files.items():
                want, key = self.records[rel][:2]
                self.records[rel] = (want, key, ino, size, mtime)
            self._touched = {""}  # the helper just read the other folders' times
        marker_tmp = staging / (SITE_MARKER + ".tmp")
        marker_tmp.write_bytes(SITE_MARKER_TEXT)
        os.replace(marker_tmp, staging / SITE_MARKER)  # a new inode: the marker names this build's output
        self._present.pop(SITE_MARKER, None)
        marker = _marker_id(staging)
        folders = self._folder_record() if self.state is not None else {}
        target = self.target
        old = None
        try:
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
                os.replace(target, old / "site")
                _pause_for_tests("swap")
            os.replace(staging, target)
            self.staging = None
        except BaseException:
            if old is not None and not target.exists() and (old / "site").exists():
                os.replace(old / "site", target)  # put the previous site back before cleaning up
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            raise
        spare = NO_FOLDER
        state = self.state
        if copied is not None and self._spare_copy is not None and state is not None and state.folder is not None:
            try:
                shutil.rmtree(state.spare_folder, ignore_errors=True)
                os.replace(self._spare_copy, state.spare_folder)
                # What the helper had time to copy; the next build adds the rest itself.
                spare = (copied[0], {rel: self.records[rel] for rel in copied[2]}, copied[1])
            except OSError:
                pass
        if old is not None:
            if spare is NO_FOLDER and state is not None and state.folder is not None and state.site_marker is not None:
                try:
                    state.folder.mkdir(parents=True, exist_ok=True)
                    os.replace(old / "site", state.spare_folder)
                    spare = (_marker_id(state.spare_folder), state.site, state.site_dirs)
                except OSError:
                    pass  # the cache is on another file system: no spare, the next build writes afresh
            shutil.rmtree(old, ignore_errors=True)
        if state is not None:
            state.save((marker, self.records, folders), spare)


def write_site(files: Mapping[str, bytes | str] | Iterable[tuple[str, bytes | str | Reused]], target: Path, *, state_dir: Path | None = None) -> SiteWriter:
    """Write every file into a new folder beside ``target``, then swap it in.

    A build killed at any moment leaves either the previous site or the new one
    in place; the next build cleans up what it left (see :func:`recover_interrupted`).
    """
    items = ((path, files[path]) for path in sorted(files)) if isinstance(files, Mapping) else files
    with SiteWriter(target, state_dir) as writer:
        for path, data in items:
            writer.add(path, data)
        writer.commit()
    return writer
