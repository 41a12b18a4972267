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

from statusbook.core.problems import Level, Problem

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Show control characters as escapes (``\\n``, ``\\x1b``) instead of acting on them."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def relocate(problems: Sequence[Problem], where: Callable[[str], str]) -> list[Problem]:
    """The same problems with their paths rewritten (relative to where the user stands, or to the repository's top)."""
    return [dataclasses.replace(p, path=where(p.path)) for p in problems]


FORMATS = ("text", "json", "github", "auto")
# A file broken everywhere (a bad search-and-replace over 15,000 updates) would bury every other
# file's problems; people and annotations get the first ones per file, JSON keeps them all.
SHOWN_PER_FILE = 100
CAPPED_RULE = "problems-capped"


def shown(problems: Sequence[Problem], limit: int = SHOWN_PER_FILE) -> list[Problem]:
    """The first ``limit`` problems of each file, each file's followed by one notice saying how many more it has."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.path, []).append(p)
    result: list[Problem] = []
    for path, found in by_file.items():
        result += found[:limit]
        if len(found) > limit:
            first = found[limit]
            message = f"{len(found) - limit:,} more problems in this file are not shown (the first {limit} are); use --format json to see them all"
            result.append(Problem(path, first.line, first.column, CAPPED_RULE, Level.NOTICE, message))
    return result


def resolve_format(name: str) -> str:
    """Pick the concrete format; ``auto`` means GitHub annotations when GitHub Actions runs us."""
    if name == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return name


def _count(problems: Sequence[Problem], level: Level) -> int:
    return sum(1 for p in problems if p.level is level)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary(problems: Sequence[Problem], files: int) -> str:
    text = f"{_plural(files, 'file')} checked: {_plural(_count(problems, Level.ERROR), 'error')}, {_plural(_count(problems, Level.WARNING), 'warning')}"
    notices = _count(problems, Level.NOTICE)
    return text + (f", {_plural(notices, 'notice')} about the team's own process (never blocking)" if notices else "")


def format_text(problems: Sequence[Problem], files: int) -> str:
    lines = [escape_controls(p.format()) for p in shown(problems)]
    lines.append(summary(problems, files))
    return "\n".join(lines) + "\n"


def format_json(problems: Sequence[Problem], files: int, *, ok: bool) -> str:
    body = {
        "status": "ok" if ok else "fail",
        "files": files,
        "errors": _count(problems, Level.ERROR),
        "warnings": _count(problems, Level.WARNING),
        "notices": _count(problems, Level.NOTICE),
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
    for p in shown(problems):
        command = str(p.level)  # error, warning, notice: GitHub's own three
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
