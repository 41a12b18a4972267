"""Read source files from the working tree, trusting nothing about them.

A pull request can add any file: a symbolic link to ``/etc/passwd`` or to
``/dev/zero``, a fifo, a file of gigabytes. Incident and schema files are
read only when they are regular files inside the repository (opened without
following links), and never past a size cap; anything else is a located
problem, not a crash.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from statusbook.core.config import SiteConfig
from statusbook.core.problems import Level, Problem
from statusbook.core.yaml_source import MAX_FILE_BYTES
from statusbook.errors import PathArgumentError

INCIDENT_SUFFIXES = (".yml", ".yaml")
IGNORED_NAMES = {".gitkeep", ".keep", "README.md", "readme.md", ".DS_Store"}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _not_regular(rel: str, found: os.stat_result) -> Problem:
    what = "a symbolic link" if stat.S_ISLNK(found.st_mode) else "a folder" if stat.S_ISDIR(found.st_mode) else "not a regular file (a device, fifo or socket)"
    return Problem(rel, 1, 1, "file-not-regular", Level.ERROR, f"this path is {what}; statusbook reads only regular files inside the repository, so replace it with the file itself")


def too_large(rel: str, size: int, limit: int) -> Problem:
    return Problem(rel, 1, 1, "file-too-large", Level.ERROR, f"file is {size:,} bytes; the limit is {limit:,} bytes ({limit / 2**20:g} MiB)")


def read_source(root: Path, rel: str, *, limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, Problem | None]:
    """Read one regular file, never following a link, never more than ``limit`` bytes: its bytes, or the problem that stopped it."""
    full = os.path.join(root, rel)
    try:
        fd = os.open(full, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        try:
            found = os.lstat(full)
        except OSError:
            found = None
        if found is not None and not stat.S_ISREG(found.st_mode):
            return None, _not_regular(rel, found)
        return None, Problem(rel, 1, 1, "file-unreadable", Level.ERROR, f"cannot read the file: {exc.strerror}")
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            return None, _not_regular(rel, found)
        if found.st_size > limit:
            return None, too_large(rel, found.st_size, limit)
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        return (None, too_large(rel, len(data), limit)) if len(data) > limit else (data, None)  # it grew while being read
    except OSError as exc:
        return None, Problem(rel, 1, 1, "file-unreadable", Level.ERROR, f"cannot read the file: {exc.strerror}")
    finally:
        os.close(fd)


def find_incident_files(incidents_dir: Path, root: Path) -> tuple[list[str], list[Problem]]:
    """List incident files (sorted, relative to root) and report what cannot be an incident file.

    Links are reported and never followed, not even to a folder; hidden
    entries are skipped, as git export would.
    """
    found: list[str] = []
    problems: list[Problem] = []
    if incidents_dir.is_symlink():
        return found, [_not_regular(relative(incidents_dir, root), os.lstat(incidents_dir))]
    if not incidents_dir.is_dir():
        return found, problems
    for folder, dirs, names in os.walk(incidents_dir):
        base = relative(Path(folder), root)  # once per folder: pathlib per file costs more than reading it
        prefix = "" if base == "." else base + "/"
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            if os.path.islink(os.path.join(folder, name)):
                problems.append(_not_regular(prefix + name, os.lstat(os.path.join(folder, name))))
                continue
            kept.append(name)
        dirs[:] = kept
        for name in names:
            rel = prefix + name
            if name.startswith(".") or name in IGNORED_NAMES:
                continue
            if not name.endswith(INCIDENT_SUFFIXES):
                problems.append(Problem(rel, 1, 1, "file-name", Level.ERROR, "files under the incidents folder must end in .yml or .yaml; rename it or move it out"))
                continue
            found.append(rel)
    found.sort()
    return found, problems


def read_tree(folder: Path) -> dict[str, bytes]:
    """Read a folder's regular files (not following links) into ``{relative path: bytes}``."""
    files = {}
    for base, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(base, d)))
        for name in sorted(names):
            path = Path(base) / name
            if path.is_file() and not path.is_symlink():
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def selected_paths(config: SiteConfig, paths: list[Path]) -> list[str]:
    """The incident files a user named (files, or folders of them), relative to the root; refuse what cannot be one."""
    root = config.root.resolve()
    incidents = config.incidents_path.resolve()
    selected: list[str] = []
    for given in paths:
        full = (Path.cwd() / given).absolute()
        if not full.exists() and not full.is_symlink():
            raise PathArgumentError(f"{given}: no such file or folder")
        resolved = full.resolve() if not full.is_symlink() else full.parent.resolve() / full.name
        if not resolved.is_relative_to(incidents):
            raise PathArgumentError(f"{given}: is not under {relative(incidents, root)}/; validate checks incident files (run it without paths to check everything)")
        if full.is_dir() and not full.is_symlink():
            found, _ = find_incident_files(resolved, root)
            selected += found
        elif not full.name.endswith(INCIDENT_SUFFIXES):
            raise PathArgumentError(f"{given}: is not an incident file; incident files end in .yml or .yaml")
        else:
            selected.append(relative(resolved, root))
    return sorted(set(selected))


def find_postmortem_files(folder: Path, root: Path) -> list[str]:
    """List postmortem documents (``*.md``, sorted, relative to root); other files (images, a README) are left alone.

    Like incident files, hidden entries are skipped and links never followed;
    a link named ``*.md`` is listed, so reading it reports it.
    """
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for base, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(base, d)))
        prefix = relative(Path(base), root) + "/"
        found += [prefix + name for name in names if name.endswith(".md") and not name.startswith(".") and name not in IGNORED_NAMES]
    return sorted(found)
