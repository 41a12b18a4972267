"""The outcome of validating a repository, as data: the handbook, every file's result and every problem."""

from __future__ import annotations

from dataclasses import dataclass, field

from statusbook.check.incident import CheckedFile
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident, Internal, Postmortem
from statusbook.core.problems import Problem, has_errors


@dataclass(frozen=True, slots=True)
class Validation:
    """What validation found; commands decide from it whether to go on, and report it once."""

    handbook: Handbook | None
    files: tuple[CheckedFile, ...]  # without their marks (see CheckedFile.without_marks)
    problems: tuple[Problem, ...]
    incidents: tuple[Incident, ...] = ()
    internals: tuple[Internal, ...] = ()
    # Incident id -> the handbook version that governs it (a release tag, or "dev").
    handbook_versions: dict[str, str] = field(default_factory=dict)
    # Incident id -> digest of what its result was read from (the file's bytes and path, the handbook
    # versions): equal digests, equal incidents, so the build can tell which pages are unchanged.
    fingerprints: dict[str, str] = field(default_factory=dict)
    # The postmortem documents (postmortems/<id>.md), internal like ``internals``: only the internal site reads them.
    postmortems: tuple[Postmortem, ...] = ()

    @property
    def file_count(self) -> int:
        return len(self.files)

    def has_errors(self, *, strict: bool = False) -> bool:
        return self.handbook is None or has_errors(self.problems, strict=strict)
