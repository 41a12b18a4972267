"""Export one handbook version as plain Markdown a site engine needs nothing else to build.

The schema tables, the incident-file reference and each page's last-change
date are written into the pages themselves (placeholders expanded, dates as
front matter), so any MkDocs-compatible engine builds the same handbook
without statusbook's code running inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from statusbook.core.handbook import COMPONENTS_FILE, SCHEMA_FILE, parse_handbook
from statusbook.core.problems import Level, Problem
from statusbook.handbook.tables import expand_placeholders

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*\n", re.S)


@dataclass(frozen=True, slots=True)
class VersionFiles:
    """One version's inputs: the handbook folder, mkdocs.yml and the theme folder, by project-relative path."""

    name: str
    files: Mapping[str, bytes]
    handbook_dir: str
    updated: Mapping[str, str]  # page (relative to the handbook folder) -> ISO date of its last commit
    fallback: str  # the date of pages git knows nothing about


def _dated(text: str, updated: str) -> str:
    """Put the page's last-change date into its front matter, keeping what the author wrote there."""
    day = date.fromisoformat(updated)
    lines = f"statusbook_updated: '{updated}'\nstatusbook_updated_text: '{day.day} {day:%B %Y}'\n"
    match = _FRONT_MATTER.match(text)
    if match is None:
        return f"---\n{lines}---\n\n{text}"
    return f"---\n{match.group(1) or ''}{lines}---\n{text[match.end():]}"


def pages(version: VersionFiles) -> Iterator[str]:
    prefix = version.handbook_dir.rstrip("/") + "/"
    return (path for path in version.files if path.startswith(prefix) and path.endswith(".md"))


def export_version(version: VersionFiles) -> tuple[dict[str, bytes], list[Problem]]:
    """Expand every page of a version; problems say what could not be expanded (the files name the version)."""
    prefix = version.handbook_dir.rstrip("/") + "/"
    schema, components = version.files.get(prefix + SCHEMA_FILE), version.files.get(prefix + COMPONENTS_FILE)
    label = "" if version.name == "dev" else f"{version.name}:"
    if schema is None or components is None:
        missing = prefix + (SCHEMA_FILE if schema is None else COMPONENTS_FILE)
        return {}, [Problem(f"{label}{missing}", 1, 1, "schema-missing", Level.ERROR, f"the handbook version {version.name} has no {missing}")]
    handbook, problems = parse_handbook(schema, components, schema_path=f"{label}{prefix}{SCHEMA_FILE}", components_path=f"{label}{prefix}{COMPONENTS_FILE}")
    errors = [p for p in problems if p.is_error]
    if handbook is None or errors:
        return {}, errors or problems
    exported = dict(version.files)
    found: list[Problem] = []
    for path in pages(version):
        try:
            text = version.files[path].decode("utf-8")
        except UnicodeDecodeError:
            found.append(Problem(f"{label}{path}", 1, 1, "file-encoding", Level.ERROR, "the page is not UTF-8 text"))
            continue
        text, unknown = expand_placeholders(text, handbook)
        for name in unknown:
            found.append(Problem(f"{label}{path}", 1, 1, "handbook-placeholder", Level.WARNING, f"unknown placeholder <!-- statusbook:{name} -->; check the spelling"))
        exported[path] = _dated(text, version.updated.get(path[len(prefix) :], version.fallback)).encode("utf-8")
    return exported, found
