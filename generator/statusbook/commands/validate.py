"""Read the handbook schema and every incident file from disk, with a content-hash cache.

This is the only module of the validation path that touches the file system.
Per-file results depend only on the file's bytes, the handbook and this code,
so they are cached under that key; rules that need other files or the clock
run afresh every time.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import gc
import hashlib
import io
import operator
import os
import pickle
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import statusbook
from statusbook.check.collection import check_collection
from statusbook.check.incident import INCIDENT_SUFFIXES, CheckedFile, check_incident_file, incident_id
from statusbook.config import SiteConfig
from statusbook.core.handbook import COMPONENTS_FILE, SCHEMA_FILE, Handbook, parse_handbook
from statusbook.core.model import Correction, Incident, Internal, TimelineEntry, Update, Window
from statusbook.core.problems import Level, Mark, Problem
from statusbook.core.versions import GoverningHandbooks, governing_version
from statusbook.core.yaml_source import read_yaml

CACHE_DIR = ".statusbook-cache"
_IGNORED_NAMES = {".gitkeep", ".keep", "README.md", "readme.md", ".DS_Store"}


def _code_digest() -> str:
    """Hash this package's source so a changed rule invalidates cached results."""
    digest = hashlib.blake2b(statusbook.__version__.encode(), digest_size=16)
    package = Path(statusbook.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()


@dataclass(frozen=True, slots=True)
class Validation:
    """The outcome of validating a repository: the handbook, every file's result, all problems."""

    handbook: Handbook | None
    files: tuple[CheckedFile, ...]
    problems: tuple[Problem, ...]
    incidents: tuple[Incident, ...] = field(default=())
    internals: tuple[Internal, ...] = field(default=())
    # Incident id -> the handbook version that governs it (a release tag, or "dev").
    handbook_versions: dict[str, str] = field(default_factory=dict)
    # File path -> digest of what its result depends on (its bytes, its path, the handbook versions):
    # the same digest means the same incident, so the build can tell which pages to render again.
    digests: dict[str, str] = field(default_factory=dict)

    def has_errors(self, *, strict: bool = False) -> bool:
        floor = Level.WARNING if strict else Level.ERROR
        return any(p.level >= floor for p in self.problems)


def read_handbook(handbook_dir: Path, root: Path) -> tuple[Handbook | None, list[Problem]]:
    """Read the schema files under the handbook folder."""
    contents = []
    problems = []
    for name in (SCHEMA_FILE, COMPONENTS_FILE):
        path = handbook_dir / name
        rel = _relative(path, root)
        try:
            contents.append(path.read_bytes())
        except OSError as exc:
            problems.append(Problem(rel, 1, 1, "schema-missing", Level.ERROR, f"cannot read the handbook schema: {exc.strerror}"))
            contents.append(b"")
    if problems:
        return None, problems
    paths = (_relative(handbook_dir / SCHEMA_FILE, root), _relative(handbook_dir / COMPONENTS_FILE, root))
    handbook, problems = parse_handbook(contents[0], contents[1], schema_path=paths[0], components_path=paths[1])
    if handbook is None and not any(p.level is Level.ERROR for p in problems):
        # An empty document ('---' or '~') parses to nothing without a problem; never let it pass.
        for rel, data in zip(paths, contents):
            if read_yaml(data, rel).value is None:
                problems.append(Problem(rel, 1, 1, "schema-empty", Level.ERROR, "the handbook schema file holds an empty document; it must be a mapping of keys"))
    return handbook, problems


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def find_incident_files(incidents_dir: Path, root: Path) -> tuple[list[str], list[Problem]]:
    """List incident files (sorted, relative to root) and report files that cannot be incidents."""
    found: list[str] = []
    problems: list[Problem] = []
    if not incidents_dir.is_dir():
        return found, problems
    for folder, dirs, names in os.walk(incidents_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = _relative(Path(folder), root)  # once per folder: pathlib per file costs more than reading it
        prefix = "" if base == "." else base + "/"
        for name in names:
            rel = prefix + name
            if name.endswith(INCIDENT_SUFFIXES):
                found.append(rel)
            elif name not in _IGNORED_NAMES and not name.startswith("."):
                problems.append(Problem(rel, 1, 1, "file-name", Level.ERROR, "files under the incidents folder must end in .yml or .yaml; rename it or move it out"))
    found.sort()
    return found, problems


def _reduce_by_fields(cls: type) -> object:
    """Pickle a frozen dataclass as its constructor call: much faster to load than the slots state protocol."""
    get = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))
    return lambda obj: (cls, get(obj))


# Every type a cached CheckedFile holds (with two or more fields, all set by __init__).
_CACHE_REDUCERS = {
    cls: _reduce_by_fields(cls)
    for cls in (CheckedFile, Incident, Update, Window, Correction, Internal, TimelineEntry, Problem, Mark)
    if len(dataclasses.fields(cls)) > 1 and all(f.init for f in dataclasses.fields(cls))
}


class FileCache:
    """Per-file check results keyed by content, handbook and code; a miss just means re-checking.

    The results live in one file of pickled records (a few thousand results
    each, so writing never holds a memo of every object at once), plus a
    journal of results added since it was written: a run that re-checks a few
    files appends just those, instead of rewriting ten thousand results. When
    the journal or the results no longer used (files changed or deleted
    since) grow past a quarter of the whole, the next run that stores
    anything writes the file afresh.
    """

    RECORD = 2000  # results per pickled record

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, CheckedFile] = {}
        self.added: dict[str, CheckedFile] = {}
        self.journal_bytes = 0
        self.base_bytes = 0
        if path is None:
            return
        self.base_bytes = self._read(path)
        if self.base_bytes:
            self.journal_bytes = self._read(self.journal)

    def _read(self, path: Path) -> int:
        """Load every record of a file written by this code; return how many bytes of it were good."""
        good = 0
        try:
            with path.open("rb") as handle:
                while True:
                    record = pickle.load(handle)
                    if not isinstance(record, dict) or record.get("code") != CODE_DIGEST:
                        break  # another version's results: rebuilt
                    self.entries.update(record["entries"])
                    good = handle.tell()
        except Exception:  # the end of the file; a missing or corrupt one, or a record cut short by a killed run
            pass
        return good

    @property
    def journal(self) -> Path:
        assert self.path is not None
        return self.path.with_suffix(".journal")

    @staticmethod
    def key(path: str, data: bytes, handbook: Handbook | GoverningHandbooks) -> str:
        digest = hashlib.blake2b(data, digest_size=20)
        digest.update(path.encode())
        digest.update(handbook.digest.encode())
        return digest.hexdigest()

    def get(self, key: str) -> CheckedFile | None:
        return self.entries.get(key)

    def put(self, key: str, checked: CheckedFile) -> None:
        self.entries[key] = checked
        self.added[key] = checked

    @staticmethod
    def _dump(document: dict[str, object]) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, **_CACHE_REDUCERS}
        pickler.dump(document)
        return buffer.getvalue()

    def save(self, used: Iterable[str]) -> None:
        """Store what this run added: appended to the journal, or everything still used written afresh."""
        if self.path is None:
            return
        used = set(used)
        if not self.added and used == set(self.entries):
            return
        stale = len(self.entries) - len(used & self.entries.keys())
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            record = self._dump({"code": CODE_DIGEST, "entries": self.added}) if self.added and self.base_bytes else b""
            if self.base_bytes and 4 * (self.journal_bytes + len(record)) < self.base_bytes and 4 * stale < len(self.entries):
                if record:
                    fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
                    try:
                        os.write(fd, record)  # one write: records of runs at the same time never interleave
                    finally:
                        os.close(fd)
                return
            kept = [(k, v) for k, v in self.entries.items() if k in used]
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                for start in range(0, max(len(kept), 1), self.RECORD):
                    handle.write(self._dump({"code": CODE_DIGEST, "entries": dict(kept[start : start + self.RECORD])}))
            os.replace(tmp, self.path)
            self.journal.unlink(missing_ok=True)
        except OSError:
            pass  # caching is an optimisation; a read-only checkout still validates


def check_files(paths: Sequence[str], root: Path, handbook: Handbook | GoverningHandbooks, cache: FileCache, digests: dict[str, str] | None = None) -> list[CheckedFile]:
    """Check each file against the handbook version that governs it, serving unchanged ones from the cache.

    A file whose size, times and inode are what they were when it was last
    read (and had been quiet for a while then) is not read again: its cache
    key is remembered with them (see :class:`FileStats`). ``digests``, when
    given, receives each readable file's cache key.
    """
    results = []
    used = []
    base = str(root)
    stats = FileStats(cache.path, handbook.digest)
    for rel in paths:
        full = os.path.join(base, rel)
        key = stats.known(rel, full)
        checked = cache.get(key) if key is not None else None
        if checked is None:
            try:
                with open(full, "rb") as handle:
                    data = handle.read()
                    stats.note(rel, os.fstat(handle.fileno()))
            except OSError as exc:
                results.append(CheckedFile(rel, incident_id(rel), None, None, (Problem(rel, 1, 1, "file-unreadable", Level.ERROR, f"cannot read the file: {exc.strerror}"),)))
                continue
            key = cache.key(rel, data, handbook)
            stats.keys[rel] = key
            checked = cache.get(key)
            if checked is None:
                checked = check_incident_file(data, rel, handbook.for_file(data, rel) if isinstance(handbook, GoverningHandbooks) else handbook)
                cache.put(key, checked)
        used.append(key)
        if digests is not None:
            digests[rel] = key
        results.append(checked)
    cache.save(used)
    stats.save()
    return results


class FileStats:
    """What each file's size, times and inode were when its cache key was last computed.

    ``stat`` costs a fraction of reading a file and hashing it. A file is
    only remembered when it had not changed for two seconds before it was
    read, so a change later always moves its modification or change time
    past what is remembered (file system clocks tick coarsely, and a change
    within the same tick as the read could otherwise go unseen). Any
    difference means reading the file again; the cache key decides the rest.
    """

    QUIET_NS = 2_000_000_000

    def __init__(self, cache_path: Path | None, handbook_digest: str) -> None:
        self.path = cache_path.with_suffix(".stat") if cache_path is not None else None
        self.digest = handbook_digest
        self.found: dict[str, tuple[int, int, int, int, str]] = {}
        self.keys: dict[str, str] = {}
        self.noted: dict[str, tuple[int, int, int, int]] = {}
        self.started = time.time_ns()
        if self.path is not None:
            try:
                with self.path.open("rb") as handle:
                    stored = pickle.load(handle)
                if stored.get("code") == CODE_DIGEST and stored.get("handbook") == handbook_digest:
                    self.found = stored["files"]
            except Exception:  # missing or corrupt: every file is read
                self.found = {}

    def known(self, rel: str, full: str) -> str | None:
        """The file's cache key when it is unchanged since it was remembered, else None."""
        remembered = self.found.get(rel)
        if remembered is None:
            return None
        try:
            found = os.stat(full)
        except OSError:
            return None
        if (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino) != remembered[:4]:
            return None
        self.keys[rel] = remembered[4]
        self.noted[rel] = remembered[:4]
        return remembered[4]

    def note(self, rel: str, found: os.stat_result) -> None:
        if max(found.st_mtime_ns, found.st_ctime_ns) < self.started - self.QUIET_NS:
            self.noted[rel] = (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)

    def save(self) -> None:
        if self.path is None:
            return
        files = {rel: (*self.noted[rel], key) for rel, key in self.keys.items() if rel in self.noted}
        if files == self.found:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".stat-tmp")
            with tmp.open("wb") as handle:
                pickle.dump({"code": CODE_DIGEST, "handbook": self.digest, "files": files}, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # an optimisation: without it, every file is read


def validate_repository(config: SiteConfig, *, now: datetime, use_cache: bool = True, versions: Iterable[str] | None = None, only: Sequence[str] | None = None) -> Validation:
    """Validate the handbook schema and every incident file; report everything at once."""
    root = config.root
    handbook, problems = read_handbook(config.handbook_path, root)
    if handbook is None or any(p.level is Level.ERROR for p in problems):
        return Validation(handbook, (), tuple(sorted(problems)))
    paths, file_problems = find_incident_files(config.incidents_path, root)
    problems += file_problems
    if only is not None:
        wanted = set(only)
        paths = [p for p in paths if p in wanted]
    governing = GoverningHandbooks(handbook)
    if _has_tags(root):  # reading releases needs GitPython; skip its import where there are no tags
        from statusbook.io.releases import read_governing_handbooks

        governing, release_problems = read_governing_handbooks(config, handbook)
        problems += release_problems
    digests: dict[str, str] = {}
    with _cyclic_gc_paused():
        cache = FileCache(root / CACHE_DIR / "validate.pickle" if use_cache else None)
        files = check_files(paths, root, governing, cache, digests)
    for checked in files:
        problems.extend(checked.problems)
    problems.extend(
        check_collection(
            files,
            handbook,
            now=now,
            versions=governing.version_names if versions is None else versions,
            handbook_for=lambda incident: governing.handbook_for(governing_version(incident, governing.releases)),
        )
    )
    incidents = tuple(f.incident for f in files if f.incident is not None)
    internals = tuple(f.internal for f in files if f.internal is not None)
    handbook_versions = {i.id: governing_version(i, governing.releases) for i in incidents}
    return Validation(handbook, tuple(files), tuple(sorted(problems)), incidents, internals, handbook_versions, digests)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while results pile up.

    Results and parsed trees hold no reference cycles, so reference counting
    frees them; the collector would only re-scan every result kept so far,
    which at 10,000 files costs more than loading the cache itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _has_tags(root: Path) -> bool:
    """Tell cheaply (one git call) whether the repository has any tag at all."""
    try:
        out = subprocess.run(["git", "tag", "--list"], cwd=root, capture_output=True, text=True, check=False).stdout
    except OSError:
        return False
    return bool(out.strip())
