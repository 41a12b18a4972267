"""Export one handbook version as plain Markdown a site engine needs nothing else to build.

The schema tables, the incident-file reference and each page's last-change
date are written into the pages themselves (placeholders expanded, dates as
front matter), so any MkDocs-compatible engine builds the same handbook
without statusbook's code running inside it.

Every version is exported in every language: a page ``page.md`` is English,
its twin ``page.nl.md`` Dutch (mkdocs-static-i18n's suffix layout), and each
page's tables are expanded in the page's own language. A page without a twin
gets one here: the English text, its tables in English, under a note in the
other language that it has not been translated yet (front matter
``statusbook_untranslated`` tells the theme to mark the English text as such).
So releases tagged before a language existed come out complete, in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from statusbook.core.handbook import COMPONENTS_FILE, SCHEMA_FILE, SOURCE_LANGUAGE, TRANSLATION_LANGUAGES, Handbook, parse_handbook
from statusbook.core.problems import Level, Problem
from statusbook.handbook.tables import expand_placeholders

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*\n", re.S)
_TITLE = re.compile(r"\A(\s*#[ \t][^\n]*\n)")
# The note on a page shown in English because it has no translation yet: an admonition, its text marked as the page's language.
UNTRANSLATED_NOTE = {
    "nl": '!!! note ""\n    **Nog niet vertaald.** Deze pagina is nog niet in het Nederlands vertaald; hieronder staat de Engelse tekst.\n    { lang="nl" }\n',
}


@dataclass(frozen=True, slots=True)
class VersionFiles:
    """One version's inputs: the handbook folder, mkdocs.yml and the theme folder, by project-relative path."""

    name: str
    files: Mapping[str, bytes]
    handbook_dir: str
    updated: Mapping[str, str]  # page (relative to the handbook folder) -> ISO date of its last commit
    fallback: str  # the date of pages git knows nothing about


def page_language(path: str) -> str:
    """The language a page is written in, from its name: ``roles.nl.md`` is Dutch, ``roles.md`` English."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    suffix = stem.rsplit(".", 1)[-1] if "." in stem else ""
    return suffix if suffix in TRANSLATION_LANGUAGES else SOURCE_LANGUAGE


def twin_path(path: str, language: str) -> str:
    """Where the ``language`` twin of the English page ``path`` lives (``roles.md`` -> ``roles.nl.md``)."""
    return path if language == SOURCE_LANGUAGE else f"{path.removesuffix('.md')}.{language}.md"


def _front_matter(text: str, updated: str, language: str, untranslated: bool) -> str:
    """Put the page's last-change date (and whether it is a stand-in) into its front matter, keeping what the author wrote there."""
    day = date.fromisoformat(updated)
    lines = f"statusbook_updated: '{updated}'\nstatusbook_updated_text: '{format_date(day, 'd MMMM y', locale=language)}'\n"
    if untranslated:
        lines += f"statusbook_untranslated: {SOURCE_LANGUAGE}\n"
    match = _FRONT_MATTER.match(text)
    if match is None:
        return f"---\n{lines}---\n\n{text}"
    return f"---\n{match.group(1) or ''}{lines}---\n{text[match.end():]}"


def _with_note(text: str, note: str) -> str:
    """Put the note under the page's title (or first, on a page without one)."""
    match = _FRONT_MATTER.match(text)
    head, body = (text[: match.end()], text[match.end() :]) if match else ("", text)
    title = _TITLE.match(body)
    if title is None:
        return f"{head}{note}\n{body}"
    return f"{head}{title.group(1)}\n{note}\n{body[title.end():]}"


def pages(version: VersionFiles) -> Iterator[str]:
    prefix = version.handbook_dir.rstrip("/") + "/"
    return (path for path in version.files if path.startswith(prefix) and path.endswith(".md"))


def export_version(version: VersionFiles) -> tuple[dict[str, bytes], list[Problem]]:
    """Expand every page of a version in its language and add the missing twins; problems say what could not be expanded (the files name the version)."""
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
    for path in sorted(pages(version)):
        try:
            text = version.files[path].decode("utf-8")
        except UnicodeDecodeError:
            found.append(Problem(f"{label}{path}", 1, 1, "file-encoding", Level.ERROR, "the page is not UTF-8 text"))
            continue
        language = page_language(path)
        exported[path], unknown = _export_page(text, handbook, language, _updated(version, path))
        for name in unknown:
            found.append(Problem(f"{label}{path}", 1, 1, "handbook-placeholder", Level.WARNING, f"unknown placeholder <!-- statusbook:{name} -->; check the spelling"))
        if language != SOURCE_LANGUAGE:
            continue
        for other in TRANSLATION_LANGUAGES:
            if twin_path(path, other) not in version.files:
                stand_in = _with_note(text, UNTRANSLATED_NOTE[other])
                exported[twin_path(path, other)], _ = _export_page(stand_in, handbook, SOURCE_LANGUAGE, _updated(version, path), stands_in_for=other)
    return exported, found


def _updated(version: VersionFiles, path: str) -> str:
    return version.updated.get(path[len(version.handbook_dir.rstrip("/")) + 1 :], version.fallback)


def _export_page(text: str, handbook: Handbook, language: str, updated: str, *, stands_in_for: str = "") -> tuple[bytes, list[str]]:
    """One page with its tables in ``language`` and its date in front matter (in the language it stands in for, if any); and its unknown placeholders."""
    text, unknown = expand_placeholders(text, handbook, language)
    return _front_matter(text, updated, stands_in_for or language, untranslated=bool(stands_in_for)).encode("utf-8"), unknown
