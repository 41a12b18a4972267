"""Redirect pages for the handbook: ``handbook/index.html`` and the ``latest`` alias, one page per page.

GitHub Pages rejects symlinks, so an alias is a folder of small pages that
send the reader on (keeping the query and fragment), each with the site's
strict policy: the one inline script is allowed by its hash.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from statusbook.core.handbook import SOURCE_LANGUAGE
from statusbook.core.versions import LATEST
from statusbook.handbook.languages import language_of, say
from statusbook.render.csp import with_own_scripts


def redirect_page(target: str, language: str = SOURCE_LANGUAGE) -> str:
    """A page that sends the reader on to ``target`` (relative), keeping the query and fragment."""
    href = html.escape(target, quote=True)
    script = json.dumps(target).replace("<", "\\u003c")
    return with_own_scripts(
        "<!doctype html>\n"
        f'<html lang="{html.escape(language)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{html.escape(say(language, 'Redirecting'))}</title>\n"
        f'<noscript><meta http-equiv="refresh" content="0; url={href}"></noscript>\n'
        f"<script>window.location.replace({script} + window.location.search + window.location.hash);</script>\n"
        "</head>\n"
        f'<body><p>{html.escape(say(language, "This page has moved to"))} <a href="{href}">{href}</a>.</p></body>\n'
        "</html>\n"
    )


def alias_redirects(version: str, html_paths: Iterable[str], alias: str = LATEST) -> dict[str, str]:
    """Redirect pages for an alias folder: one per page of ``version``, each pointing at the same page there.

    Paths are relative to the handbook folder, like ``v1.1/severity/index.html``
    in and ``latest/severity/index.html`` out (``nl/severity/index.html`` to
    ``latest/nl/severity/index.html``, a Dutch page).
    """
    pages = {}
    for path in html_paths:
        depth = path.count("/")
        page = path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else path
        pages[f"{alias}/{path}"] = redirect_page("../" * (depth + 1) + f"{version}/{page}", language_of(path))
    return pages
