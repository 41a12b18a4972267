"""Per-file results kept as JSON between runs, so unchanged files are not checked again.

A result depends only on the file's bytes, its path, the handbook versions it
is checked against and this code, so it is stored under a digest of exactly
those: every run reads the file and recomputes the key, and a hit is the
result of checking those very bytes. The caller turns results into JSON values
and back; one that does not decode is a miss. The cache file lives in the
per-user cache folder (:mod:`statusbook.io.cache`), never in the working tree.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = 1


def result_key(path: str, data: bytes, handbook_digest: str) -> str:
    """What a file's result depends on, as a digest; the code is keyed once for the whole cache."""
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(b"\0" + path.encode("utf-8", "surrogatepass") + b"\0" + handbook_digest.encode())
    return digest.hexdigest()


class ResultCache:
    """Results by key, read once and written once per run; a miss just means checking the file again."""

    def __init__(self, path: Path | None, code: str) -> None:
        self.path = path
        self.code = code
        self.raw: dict[str, object] = {}
        self.added = False
        if path is None:
            return
        try:
            stored = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("code") == code and isinstance(stored.get("results"), dict):
            self.raw = stored["results"]

    def get(self, key: str, decode: Callable[[object], T]) -> T | None:
        raw = self.raw.get(key)
        if raw is None:
            return None
        try:
            return decode(raw)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            del self.raw[key]
            return None

    def put(self, key: str, value: object) -> None:
        self.raw[key] = value
        self.added = True

    def save(self, used: set[str]) -> None:
        """Keep the results this run used; write only when something changed."""
        if self.path is None or (not self.added and used == self.raw.keys()):
            return
        results = {key: self.raw[key] for key in sorted(used) if key in self.raw}
        try:
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"format": FORMAT, "code": self.code, "results": results}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # caching is a speed-up: a read-only cache folder still validates
