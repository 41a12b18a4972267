"""The one place that writes the built site: all files at once, swapped in atomically.

Renderers return ``{relative path: bytes}``; :class:`SiteFiles` refuses two
renderers claiming the same path, and :func:`write_site` writes everything into
a fresh folder beside the target and swaps it in only when all of it is on
disk, so a failed or interrupted build leaves the previous site untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

from generator.errors import BuildError


class SiteFiles(Mapping[str, bytes]):
    """The built site in memory: relative POSIX paths to file contents."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes | str) -> None:
        clean = PurePosixPath(path)
        if clean.is_absolute() or ".." in clean.parts or not clean.parts:
            raise BuildError(f"refusing to write outside the site folder: {path!r}")
        key = clean.as_posix()
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


def write_site(files: Mapping[str, bytes], target: Path) -> None:
    """Write every file into a new folder beside ``target``, then swap it in."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        for rel in sorted(files):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(files[rel])
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
            os.replace(target, old / "site")
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
