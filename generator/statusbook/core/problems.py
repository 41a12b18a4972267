"""Problems found in user input, kept as data until the command line reports them."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """How bad a problem is: errors fail validation, warnings only under --strict, notices never.

    Notices are the team's own process (a postmortem due, an incident left
    without updates): loud in every report, but never a reason to stop
    publishing what customers need to read.
    """

    NOTICE = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one place in one file."""

    path: str
    line: int
    column: int
    rule: str
    level: Level
    message: str

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.level} [{self.rule}] {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "level": str(self.level),
            "rule": self.rule,
            "message": self.message,
        }


class Reporter:
    """Collects problems for one file, each at a mark in that file."""

    __slots__ = ("path", "problems")

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, mark: Mark, rule: str, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.column, rule, Level.ERROR, message))

    def warning(self, mark: Mark, rule: str, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.column, rule, Level.WARNING, message))

    def notice(self, mark: Mark, rule: str, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.column, rule, Level.NOTICE, message))


def quote_list(values: Iterable[str]) -> str:
    """Join allowed values for a message: ``a, b, c``."""
    values = list(values)
    return ", ".join(values) if values else "(none defined)"


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return a ``; did you mean 'x'?`` suffix when a close choice exists."""
    choices = list(choices)
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        folded = {c.casefold(): c for c in choices}
        if value.casefold() in folded:
            close = [folded[value.casefold()]]
    return f"; did you mean {close[0]!r}?" if close else ""


def lookalike_note(value: str) -> str:
    """Name the first character that is not plain ASCII, the usual cause of a look-alike mismatch."""
    for char in value:
        if ord(char) > 126 or not char.isprintable():
            name = unicodedata.name(char, "an unnamed character")
            return f" (it contains {name}, U+{ord(char):04X}, which is not a plain ASCII character)"
    return ""


def expected(kind: str, value: object, choices: Iterable[str]) -> str:
    """Build the standard "not a X; expected one of ..." message."""
    choices = list(choices)
    hint = did_you_mean(value, choices) if isinstance(value, str) else ""
    note = lookalike_note(value) if isinstance(value, str) else ""
    return f"{value!r} is not {kind}{note}; expected one of {quote_list(choices)}{hint}"


def is_failure(problem: Problem, *, strict: bool = False) -> bool:
    """Tell whether one problem fails validation: an error, or under ``strict`` a warning too; a notice never."""
    return problem.is_error or (strict and problem.level is Level.WARNING)


def has_errors(problems: Iterable[Problem], *, strict: bool = False) -> bool:
    """Tell whether these problems fail validation."""
    return any(is_failure(p, strict=strict) for p in problems)
