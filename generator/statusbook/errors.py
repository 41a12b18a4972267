"""The few exceptions that reach the command line, each with its exit status."""

from __future__ import annotations


class StatusbookError(Exception):
    """Base error: a message for the user and the exit status it maps to."""

    exit_code = 1


class ConfigError(StatusbookError):
    """The repository's configuration cannot be used."""

    exit_code = 2


class ValidationFailed(StatusbookError):
    """Input files have problems; the problems themselves were already reported."""


class BuildError(StatusbookError):
    """The site could not be built; the previous site is left as it was."""


class GitOpsError(StatusbookError):
    """A git operation failed; the message carries git's own words and a remedy."""
