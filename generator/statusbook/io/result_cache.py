"""Per-file results kept as JSON between runs, so unchanged files are not checked again.

A result depends only on the file's bytes, its path, the handbook versions it
is checked against and this code, so it is stored under a digest of exactly
those: every run reads the file and recomputes the key, and a hit is the
result of checking those very bytes. The caller turns results into JSON values
and back; one that does not decode is a miss. The cache file lives in the
per-user cache folder (:mod:`statusbook.io.cache`), never in the working tree.

The file is JSON Lines: a header with the format and the code's digest, then
``<key> <result as JSON>`` per file. Opening the cache only notes where each
line is; a result is read from the file when asked for, so a hundred thousand
of them are never in memory at once. The next file is written as the run goes,
from the first change on (an unchanged result is copied as it was read), and
only when something changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")

FORMAT = 2
BLOCK = 1 << 20  # the file is indexed a block at a time, not copied line by line


def result_key(path: str, data: bytes, handbook_digest: str) -> str:
    """What a file's result depends on, as a digest; the code is keyed once for the whole cache."""
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(b"\0" + path.encode("utf-8", "surrogatepass") + b"\0" + handbook_digest.encode())
    return digest.hexdigest()


class ResultCache:
    """Results by key, each read once and written once per run; a miss just means checking the file again.

    Use it as a context manager (it holds the cache file open) and call
    :meth:`save` when every result has been asked for or put.
    """

    def __init__(self, path: Path | None, code: str) -> None:
        self.path = path
        self.code = code
        self.stored: dict[str, tuple[int, int]] = {}  # key -> where its result's JSON is in the file: (offset, length, newline included)
        self.kept: dict[str, None] = {}  # the keys this run keeps for the next, in the order they came
        self.source: BinaryIO | None = None
        self.out: BinaryIO | None = None  # the next file, from the first change on
        if path is None:
            return
        try:
            source = path.open("rb", buffering=1 << 16)  # results are asked for in the order they were written: mostly read from the buffer
        except OSError:
            return
        self.source = source
        try:
            header = source.readline()
            found = json.loads(header or b"null")
            if isinstance(found, dict) and found.get("format") == FORMAT and found.get("code") == self.code:
                self.stored = _index(source, len(header))
        except (OSError, ValueError):
            self.stored = {}

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def enabled(self) -> bool:
        """Whether results put here are kept for the next run: without a cache file, encoding them is wasted work and memory."""
        return self.path is not None

    def get(self, key: str, decode: Callable[[object], T]) -> T | None:
        """The result stored under ``key``, kept for the next run; None when there is none or it does not decode."""
        where = self.stored.get(key)
        if where is None or self.source is None:
            return None
        offset, length = where
        try:
            line = self._read(offset, length)
            if len(line) != length:
                raise ValueError("the cache file is shorter than when it was opened")
            value = decode(json.loads(line.decode("utf-8", "surrogatepass")))
        except (OSError, TypeError, ValueError, KeyError, IndexError, AttributeError):
            del self.stored[key]
            return None
        if key not in self.kept:
            self.kept[key] = None
            self._write(key, line)
        return value

    def put(self, key: str, value: object) -> None:
        """Keep a new result for the next run."""
        if self.path is None:
            return
        line = (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "surrogatepass")
        if self.out is None:
            self._start()
        self.stored.pop(key, None)
        self.kept[key] = None
        self._write(key, line)

    def save(self) -> None:
        """Swap the next file in, when something changed; close the cache."""
        try:
            if self.path is None:
                return
            if self.out is None:
                if len(self.kept) == len(self.stored):  # every stored result used, none added: the file is already right
                    return
                self._start()
            if self.out is not None:
                self.out.close()
                self.out = None
                os.replace(self._tmp(), self.path)
        except OSError:
            self._give_up()
        finally:
            self.close()

    def close(self) -> None:
        """Close the cache file; a next file not saved is thrown away."""
        if self.out is not None:
            self._give_up()
        if self.source is not None:
            self.source.close()
            self.source = None

    def _read(self, offset: int, length: int) -> bytes:
        assert self.source is not None
        self.source.seek(offset)
        return self.source.read(length)

    def _tmp(self) -> Path:
        assert self.path is not None
        return self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")

    def _start(self) -> None:
        """Open the next file and copy into it the results kept so far (all read from this one)."""
        try:
            self.out = self._tmp().open("wb")
            self.out.write((json.dumps({"format": FORMAT, "code": self.code}) + "\n").encode())
            for key in self.kept:
                self._write(key, self._read(*self.stored[key]))
        except OSError:
            self._give_up()

    def _write(self, key: str, line: bytes) -> None:
        if self.out is None:
            return
        try:
            self.out.write(key.encode() + b" " + line)
        except OSError:  # caching is a speed-up: a read-only or full cache folder still validates
            self._give_up()

    def _give_up(self) -> None:
        """Stop writing the next file and remove it; the run goes on without storing its results."""
        if self.out is not None:
            with contextlib.suppress(OSError):
                self.out.close()
            self.out = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                self._tmp().unlink(missing_ok=True)
            self.path = None


def _index(source: BinaryIO, offset: int) -> dict[str, tuple[int, int]]:
    """Where each result is, from ``offset`` on: key -> (offset, length of its JSON, newline included).

    A last line cut short (a full disk, a kill) has no newline and is left out;
    keys are hex digits, so one holding any other byte never matches.
    """
    index: dict[str, tuple[int, int]] = {}
    rest = b""
    while block := source.read(BLOCK):
        data = rest + block
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            space = data.find(b" ", start, end)
            if space > start:
                index[data[start:space].decode("latin-1")] = (offset + space + 1, end - space)
            start = end + 1
        rest = data[start:]
        offset += start
    return index
