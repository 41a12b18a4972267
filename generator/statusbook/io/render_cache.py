"""Skip rendering files whose declared inputs did not change since the build that wrote them.

A renderer declares what each file depends on (:class:`statusbook.render.output.Output`);
:meth:`RenderCache.key` digests that, together with what every file depends
on (this code, the site's settings, the handbook), into the file's key: the
one place keys are made. The cache remembers, per output folder, each file's
key and which file on disk it wrote (inode, size, modification time). When a
build computes the same key and the writer's staging folder (the previous site,
kept) or the live site still holds that very file, it is kept or linked
instead of rendered; anything else is rendered. The record is JSON in the
per-user cache folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

FORMAT = 1


class RenderCache:
    """What the live site holds, by key; counts what was rendered and what reused."""

    def __init__(self, record: Path | None, target: Path, *base: str) -> None:
        self.record = record
        self.target = target
        self.base = hashlib.blake2b("\0".join(base).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        self.previous: dict[str, list] = {}
        self.current: dict[str, str] = {}
        self.rendered = self.reused = 0
        if record is None:
            return
        try:
            stored = json.loads(record.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("base") == self.base.hex() and isinstance(stored.get("files"), dict):
            self.previous = stored["files"]

    def key(self, path: str, inputs: tuple[str, ...]) -> str:
        """The key of one file: its path and declared inputs on top of the build's base."""
        digest = hashlib.blake2b(self.base, digest_size=16)
        digest.update(path.encode("utf-8", "surrogatepass"))
        for part in inputs:
            digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def wrote(self, path: str, key: str) -> bool:
        """Whether the previous build wrote ``path`` from ``key`` (by its record: the file may have changed since)."""
        found = self.previous.get(path)
        return isinstance(found, list) and len(found) == 4 and found[0] == key

    def holds(self, path: str, key: str, stat: tuple[int, int, int] | None) -> bool:
        """Whether the file ``stat`` describes (inode, size, modification time) is the one the previous build wrote for ``path`` from ``key``."""
        return stat is not None and self.wrote(path, key) and tuple(self.previous[path][1:]) == stat

    def reusable(self, path: str, key: str) -> Path | None:
        """The live site's file for ``path`` when the previous build wrote it from the same key and it is untouched since."""
        live = self.target / path
        try:
            now = os.lstat(live)
        except OSError:
            return None
        return live if self.holds(path, key, (now.st_ino, now.st_size, now.st_mtime_ns)) else None  # else replaced or edited since

    def recorded(self, prefix: str) -> list[str]:
        """The paths under ``prefix`` the previous build wrote (for a part whose file names only its renderer knows, such as a search index)."""
        return sorted(path for path in self.previous if path.startswith(prefix))

    def remember(self, path: str, key: str, *, reused: bool) -> None:
        self.current[path] = key
        if reused:
            self.reused += 1
        else:
            self.rendered += 1

    def save(self, files: dict[str, tuple[int, int, int]]) -> None:
        """Record what the new site holds, each file with what it is on disk (call after it is live)."""
        if self.record is None:
            return
        record = {path: [key, *files[path]] for path, key in self.current.items() if path in files}
        try:
            tmp = self.record.with_name(f".{self.record.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"format": FORMAT, "base": self.base.hex(), "files": record}, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.record)
        except OSError:
            pass  # a speed-up only
