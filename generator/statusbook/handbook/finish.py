"""Finish the engine's HTML: one strict policy per page, the theme's scripts only, no comments, the version list.

The theme's inline scripts are known from its templates: each ``<script>``
in a template becomes a pattern in which a ``{{ expression }}`` may only be
text that cannot leave a JavaScript string (no quotes, backslashes or angle
brackets). A script on a built page runs only if it matches one of those
patterns; a script that came with a page's content gets no hash, so the
browser never runs it. HTML comments are not published (authors use them for
notes), nor is any ``http-equiv`` meta tag from content (a refresh could send
readers elsewhere).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from statusbook.core.handbook import SOURCE_LANGUAGE
from statusbook.handbook.languages import language_folder, say
from statusbook.render.csp import HTTP_EQUIV, INLINE_SCRIPT, is_code, policy, script_hash, set_policy

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BODY_END = re.compile(r"</body\s*>", re.I)
_STRING_SAFE = r"[^\"'`\\\\<>\n]*"


def theme_script_patterns(theme_dirs: Iterable[str]) -> list[re.Pattern[str]]:
    """Patterns of every inline script the theme's templates can write."""
    patterns = set()
    for folder in theme_dirs:
        for template in sorted(Path(folder).rglob("*.html")):
            try:
                text = template.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for attributes, body in INLINE_SCRIPT.findall(text):
                if "{%" in attributes or not is_code(attributes) or "{%" in body:
                    continue
                pieces = _JINJA.split(body.strip())
                patterns.add(_STRING_SAFE.join(re.escape(piece) for piece in pieces))
    return [re.compile(p, re.S) for p in sorted(patterns)]


def _outside_scripts(page: str, change) -> str:
    """Apply ``change`` to the page's text between scripts (a script's body is left as it is)."""
    parts, last = [], 0
    for match in INLINE_SCRIPT.finditer(page):
        parts.append(change(page[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(change(page[last:]))
    return "".join(parts)


def version_list(current: str, versions: Sequence[tuple[str, bool]], depth: int, language: str = SOURCE_LANGUAGE) -> str:
    """A list of every version that works without JavaScript, leading to each version's pages in ``language``.

    ``versions`` is (folder, is the latest release), newest release first;
    ``depth`` is how many folders the page is below its version's root.
    """
    up = "../" * (depth + 1)
    items = []
    for name, is_latest in versions:
        text = html.escape(say(language, "{version} (latest)", version=name) if is_latest else name)
        items.append(f'<strong aria-current="page">{text}</strong>' if name == current else f'<a href="{up}{html.escape(name)}/{language_folder(language)}">{text}</a>')
    label = html.escape(say(language, "Handbook versions"))
    return f'<nav class="statusbook-versions" aria-label="{label}"><p>{label}: {" · ".join(items)}</p></nav>\n'


def finish_page(page: str, patterns: Sequence[re.Pattern[str]], nav: str = "") -> str:
    """Make one built page safe to publish (see the module's description)."""
    page = _outside_scripts(page, lambda text: HTTP_EQUIV.sub("", _COMMENT.sub("", text)))
    hashes = []
    for attributes, body in INLINE_SCRIPT.findall(page):
        if is_code(attributes) and any(p.fullmatch(body.strip()) for p in patterns):
            hashes.append(script_hash(body))
    if nav:
        ends = list(_BODY_END.finditer(page))
        page = page[: ends[-1].start()] + nav + page[ends[-1].start() :] if ends else page + nav
    return set_policy(page, policy(hashes))
