"""Read the handbook schema and every incident file from disk, with a content-hash cache.

This is the only module of the validation path that touches the file system.
Per-file results depend only on the file's bytes, the handbook and this code,
so they are cached under that key; rules that need other files or the clock
run afresh every time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import generator
from generator.collection import check_collection
from generator.config import SiteConfig
from generator.model import Incident, Internal
from generator.problems import Level, Problem
from generator.rules import INCIDENT_SUFFIXES, CheckedFile, check_incident_file
from generator.schema import COMPONENTS_FILE, SCHEMA_FILE, Handbook, parse_handbook

CACHE_DIR = ".statusbook-cache"
_IGNORED_NAMES = {".gitkeep", ".keep", "README.md", "readme.md", ".DS_Store"}


def _code_digest() -> str:
    """Hash this package's source so a changed rule invalidates cached results."""
    digest = hashlib.blake2b(generator.__version__.encode(), digest_size=16)
    package = Path(generator.__file__).parent
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            digest.update(name.encode())
            digest.update((package / name).read_bytes())
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
    return parse_handbook(
        contents[0], contents[1], schema_path=_relative(handbook_dir / SCHEMA_FILE, root), components_path=_relative(handbook_dir / COMPONENTS_FILE, root)
    )


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
        for name in names:
            rel = _relative(Path(folder) / name, root)
            if name.endswith(INCIDENT_SUFFIXES):
                found.append(rel)
            elif name not in _IGNORED_NAMES and not name.startswith("."):
                problems.append(Problem(rel, 1, 1, "file-name", Level.ERROR, "files under the incidents folder must end in .yml or .yaml; rename it or move it out"))
    found.sort()
    return found, problems


class FileCache:
    """Per-file check results keyed by content, handbook and code; a miss just means re-checking."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, CheckedFile] = {}
        self.dirty = False
        if path is not None and path.is_file():
            try:
                with path.open("rb") as handle:
                    stored = pickle.load(handle)
                if isinstance(stored, dict) and stored.get("code") == CODE_DIGEST:
                    self.entries = stored["entries"]
            except Exception:  # a corrupt or foreign cache is simply rebuilt
                self.entries = {}

    @staticmethod
    def key(path: str, data: bytes, handbook: Handbook) -> str:
        digest = hashlib.blake2b(data, digest_size=20)
        digest.update(path.encode())
        digest.update(handbook.digest.encode())
        return digest.hexdigest()

    def get(self, key: str) -> CheckedFile | None:
        return self.entries.get(key)

    def put(self, key: str, checked: CheckedFile) -> None:
        self.entries[key] = checked
        self.dirty = True

    def save(self, used: Iterable[str]) -> None:
        """Store the entries seen in this run (dropping the rest) atomically."""
        if self.path is None:
            return
        used = set(used)
        if not self.dirty and used == set(self.entries):
            return
        kept = {k: v for k, v in self.entries.items() if k in used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                pickle.dump({"code": CODE_DIGEST, "entries": kept}, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # caching is an optimisation; a read-only checkout still validates


def check_files(paths: Sequence[str], root: Path, handbook: Handbook, cache: FileCache) -> list[CheckedFile]:
    """Check each file, serving unchanged ones from the cache."""
    results = []
    used = []
    for rel in paths:
        try:
            data = (root / rel).read_bytes()
        except OSError as exc:
            results.append(CheckedFile(rel, rel, None, None, (Problem(rel, 1, 1, "file-unreadable", Level.ERROR, f"cannot read the file: {exc.strerror}"),)))
            continue
        key = cache.key(rel, data, handbook)
        used.append(key)
        checked = cache.get(key)
        if checked is None:
            checked = check_incident_file(data, rel, handbook)
            cache.put(key, checked)
        results.append(checked)
    cache.save(used)
    return results


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
    cache = FileCache(root / CACHE_DIR / "validate.pickle" if use_cache else None)
    files = check_files(paths, root, handbook, cache)
    for checked in files:
        problems.extend(checked.problems)
    problems.extend(check_collection(files, handbook, now=now, versions=versions))
    incidents = tuple(f.incident for f in files if f.incident is not None)
    internals = tuple(f.internal for f in files if f.internal is not None)
    return Validation(handbook, tuple(files), tuple(sorted(problems)), incidents, internals)
