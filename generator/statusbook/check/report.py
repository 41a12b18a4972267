"""Turn problems into text for people, JSON for tools, or GitHub annotations for pull requests.

File names and messages can hold anything a pull request puts there, a
newline included; every format escapes control characters, so a name can
never start a line of its own (a forged annotation, say).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Sequence

from statusbook.core.problems import Problem

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Show control characters as escapes (``\\n``, ``\\x1b``) instead of acting on them."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def relocate(problems: Sequence[Problem], where: Callable[[str], str]) -> list[Problem]:
    """The same problems with their paths rewritten (relative to where the user stands, or to the repository's top)."""
    return [dataclasses.replace(p, path=where(p.path)) for p in problems]

FORMATS = ("text", "json", "github", "auto")


def resolve_format(name: str) -> str:
    """Pick the concrete format; ``auto`` means GitHub annotations when GitHub Actions runs us."""
    if name == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return name


def summary(problems: Sequence[Problem], files: int) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    return f"{files} file{'s' if files != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


def format_text(problems: Sequence[Problem], files: int) -> str:
    lines = [escape_controls(p.format()) for p in problems]
    lines.append(summary(problems, files))
    return "\n".join(lines) + "\n"


def format_json(problems: Sequence[Problem], files: int, *, ok: bool) -> str:
    errors = sum(1 for p in problems if p.is_error)
    body = {
        "status": "ok" if ok else "fail",
        "files": files,
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [p.to_json() for p in problems],
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return escape_controls(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Sequence[Problem], files: int) -> str:
    """GitHub workflow commands, which show each problem on its line of the pull request."""
    lines = []
    for p in problems:
        command = "error" if p.is_error else "warning"
        props = f"file={_escape_property(p.path)},line={p.line},col={p.column},title={_escape_property(p.rule)}"
        lines.append(f"::{command} {props}::{_escape_data(p.message)}")
    lines.append(summary(problems, files))
    return "\n".join(lines) + "\n"


def format_problems(problems: Sequence[Problem], files: int, fmt: str, *, ok: bool) -> str:
    fmt = resolve_format(fmt)
    if fmt == "json":
        return format_json(problems, files, ok=ok)
    if fmt == "github":
        return format_github(problems, files)
    return format_text(problems, files)
