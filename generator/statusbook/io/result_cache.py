"""Per-file results kept as JSON between runs, so unchanged files are not checked again.

A result depends only on the file's bytes, its path, the handbook versions it
is checked against and this code, so it is stored under a digest of exactly
those: every run reads the file and recomputes the key, and a hit is the
result of checking those very bytes. The caller turns results into JSON values
and back; one that does not decode is a miss. The cache file lives in the
per-user cache folder (:mod:`statusbook.io.cache`), never in the working tree.

The file is JSON Lines: a header with the format and the code's digest, then
``<key> <result as JSON>`` per file. Results stay the bytes of their line until
asked for, so a hundred thousand of them cost their size in memory, not ten
times it as parsed values, and an unchanged result is written back as it was
read; the file is written line by line, never as one string.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = 2


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
        self.lines: dict[str, str] = {}  # key -> its result as one line of JSON, newline included
        self.added = False
        if path is None:
            return
        try:
            with path.open(encoding="utf-8", errors="surrogatepass", newline="\n") as stored:
                header = json.loads(stored.readline() or "null")
                if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("code") != code:
                    return
                for line in stored:
                    key, space, value = line.partition(" ")
                    if space and value.endswith("\n"):  # a line cut short (a full disk, a kill) is left out
                        self.lines[key] = value
        except (OSError, ValueError):
            return

    @property
    def enabled(self) -> bool:
        """Whether results put here are kept for the next run: without a cache file, encoding them is wasted work and memory."""
        return self.path is not None

    def get(self, key: str, decode: Callable[[object], T]) -> T | None:
        line = self.lines.get(key)
        if line is None:
            return None
        try:
            return decode(json.loads(line))
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            del self.lines[key]
            return None

    def put(self, key: str, value: object) -> None:
        self.lines[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.added = True

    def save(self, used: set[str]) -> None:
        """Keep the results this run used; write only when something changed."""
        if self.path is None or (not self.added and used == self.lines.keys()):
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("w", encoding="utf-8", errors="surrogatepass", newline="\n") as out:
                out.write(json.dumps({"format": FORMAT, "code": self.code}) + "\n")
                for key in sorted(used):
                    if key in self.lines:
                        out.write(f"{key} {self.lines[key]}")
            os.replace(tmp, self.path)
        except OSError:  # caching is a speed-up: a read-only or full cache folder still validates
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
