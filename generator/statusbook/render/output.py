"""What a renderer hands the build: one file at a time, rendered only when asked, with what it depends on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the site.

    ``inputs`` names everything the bytes depend on beyond the build's own
    settings, handbook and code (an incident's fingerprint, the clock for a
    page that shows the site now); the build may then reuse the file of a
    previous build with the same inputs instead of calling ``render``. With no
    inputs the file is rendered every time. ``source`` is a finished file to
    take as it is (the handbook's pages), linked rather than copied.
    """

    path: str
    render: Callable[[], bytes]
    inputs: tuple[str, ...] | None = None
    source: Path | None = None


def fixed(path: str, data: bytes) -> Output:
    """A file whose bytes are known already."""
    return Output(path, lambda: data)
