"""The handbook's languages: English (the schema's own) and those it is translated into, and where each is published.

A version's English pages are at ``handbook/<version>/...``, each other
language's at ``handbook/<version>/<language>/...`` (mkdocs-static-i18n's
layout). The few words statusbook writes into pages itself (the version
list, redirect pages) are here, in each language.
"""

from __future__ import annotations

from statusbook.core.handbook import SOURCE_LANGUAGE, TRANSLATION_LANGUAGES

LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATION_LANGUAGES)
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "Handbook versions": "Handboekversies",
        "{version} (latest)": "{version} (nieuwste)",
        "Redirecting": "Doorsturen",
        "This page has moved to": "Deze pagina staat nu op",
    },
}


def say(language: str, text: str, **values: object) -> str:
    """statusbook's own ``text`` in ``language`` (English when there is no translation), with ``values`` filled in."""
    template = WORDS.get(language, {}).get(text, text)
    return template.format(**values) if values else template


def language_folder(language: str) -> str:
    """The language's folder inside a version: ``""`` for English, ``"nl/"`` for Dutch."""
    return "" if language == SOURCE_LANGUAGE else f"{language}/"


def language_of(path: str) -> str:
    """The language of a built file, from its path inside a version (``nl/severity/index.html`` is Dutch)."""
    first = path.split("/", 1)[0]
    return first if first in TRANSLATION_LANGUAGES and "/" in path else SOURCE_LANGUAGE
