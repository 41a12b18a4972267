"""The few exceptions that reach the command line, each with its exit status and, where there are any, its problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from statusbook.core.problems import Problem


class StatusbookError(Exception):
    """Base error: a message for the user and the exit status it maps to (1: the input or an operation failed)."""

    exit_code = 1


class UsageError(StatusbookError):
    """The command was called in a way that cannot work; nothing was read or written."""

    exit_code = 2


class PathArgumentError(StatusbookError):
    """A path given to check names nothing that can be checked (missing, outside incidents/, not YAML): invalid input, exit 1."""


class ConfigError(StatusbookError):
    """mkdocs.yml cannot be used; ``problems`` holds each located problem when there are any."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    @classmethod
    def from_problems(cls, problems: Sequence[Problem]) -> ConfigError:
        return cls("\n".join(p.format() for p in sorted(problems)), problems)


class ValidationFailed(StatusbookError):
    """Input files have problems; ``validation`` holds them, so nothing needs validating twice."""

    def __init__(self, validation: object, message: str = "the repository has problems") -> None:
        super().__init__(message)
        self.validation = validation


class BuildError(StatusbookError):
    """The site could not be built; the previous site is left as it was."""


class GitOpsError(StatusbookError):
    """A git operation failed; the message carries git's own words and a remedy."""


class EditError(StatusbookError):
    """A requested edit of an incident file cannot be made safely; nothing was written."""
