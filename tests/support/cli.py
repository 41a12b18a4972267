"""Run the real command line in this process, as the console script does, inside click's CliRunner isolation."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from statusbook.cli import main

# No git identity or CI of the user's may leak into a run, nor their clock.
NO_GIT_USER = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GITHUB_ACTIONS": None, "SOURCE_DATE_EPOCH": None}


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str | None] | None = None, cwd: Path | None = None) -> Run:
    """Run :func:`statusbook.cli.main` with ``args`` (from ``cwd``); any exception other than SystemExit fails the test."""
    runner = CliRunner()
    with runner.isolation(env={**NO_GIT_USER, **(env or {})}) as (out, err, _), contextlib.chdir(cwd or Path.cwd()):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Run(code, out.getvalue().decode(), err.getvalue().decode())
