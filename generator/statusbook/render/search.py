"""What the search page searches: one small document per incident for Pagefind to index, a bundle per year.

Pagefind builds a static index from HTML files. Rather than have it parse
the full incident pages (header, footer, navigation: words that match every
page), each incident gets a document of its own with only what a reader
searches for: the title and every public update, in order. Documents lie
side by side in one folder (a folder per incident costs more to make than the
indexing); the incident page's path, its title and its start time come along
as Pagefind metadata, and the search page links to that path. (No Pagefind filters: their
files come out different on every run, and the history's own pages already
narrow by component, severity and year.) Only the public view is used.

Pagefind cannot update an index in place, so each year of incidents gets a
bundle of its own and the search page merges them in the browser: an edit
re-indexes its year, not ten years of history.

A site in several languages has an index per language (each other language's
under its code: ``nl/pagefind/<year>/``), made from documents in that
language (text not translated into it in the default language), whose
results lead to that language's pages; an edit re-indexes its year once per
language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape

from statusbook.core import urls
from statusbook.core.config import base_language
from statusbook.core.model import Incident
from statusbook.render.i18n import Formatter, entry_name
from statusbook.render.text import plain_text
from statusbook.view.status_view import StatusView

# Pagefind reads the language (for stemming) from <html lang>, an ISO 639-1 code.
DOCUMENT = '<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>\n<body><main data-pagefind-body>\n{body}</main></body></html>\n'

EMPTY = '<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8"><title>-</title></head>\n<body><main data-pagefind-body data-pagefind-ignore="all"><p>empty</p></main></body></html>\n'


@dataclass(frozen=True, slots=True)
class SearchBundle:
    """One Pagefind bundle: a year of incidents in one language, and where it is published."""

    language: str
    year: str
    incidents: tuple[Incident, ...]
    prefix: str  # pagefind/<year>/, or nl/pagefind/<year>/


def search_bundles(view: StatusView) -> list[SearchBundle]:
    """Every bundle of the site's search: each year's (see StatusView.search_shards), in each of the site's languages."""
    config = view.config
    return [
        SearchBundle(language, year, incidents, urls.language_root(language, config.language) + urls.search_shard(year))
        for language in config.languages
        for year, incidents in view.search_shards
    ]


def search_documents(view: StatusView, incidents: Iterable[Incident], language: str | None = None) -> Iterator[tuple[str, bytes]]:
    """The search document of each incident as (file name, HTML), in ``language`` (the site's default when None)."""
    config, handbook = view.config, view.handbook
    language = language or config.language
    root = urls.language_root(language, config.language)
    code = base_language(language)
    fmt = Formatter(config.zone, language)
    statuses = {s.id: entry_name(s, language) for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}
    found = False
    for incident in incidents:
        found = True
        title = escape((incident.title_in(code) if root else None) or incident.title)
        start = fmt.datetime(incident.started_at)
        page = root + urls.incident_page(incident.id)
        lines = [
            f'<h1 data-pagefind-meta="title">{title}</h1>',
            f'<p data-pagefind-meta="date" data-pagefind-ignore>{escape(start)}</p>',
            f'<p data-pagefind-meta="page:{escape(page)}" data-pagefind-ignore></p>',
        ]
        for update in incident.updates:
            message = (update.message_in(code) if root else None) or update.message
            lines.append(f"<section><h2>{escape(statuses.get(update.status, update.status))}</h2><p>{escape(plain_text(message))}</p></section>")
        body = "\n".join(lines) + "\n"
        yield f"{incident.id}.html", DOCUMENT.format(language=escape(code), title=title, body=body).encode("utf-8")
    if not found:  # Pagefind refuses a site with nothing to index: an index that finds nothing keeps the page working
        yield "none.html", EMPTY.format(language=escape(code)).encode("utf-8")


def search_key(view: StatusView, incidents: Iterable[Incident], language: str | None = None) -> str:
    """What a year's bundle depends on besides the code: its incidents as published, the status names, the language and the zone of its dates.

    Not the clock: a document shows no stage, so an open incident does not re-index its year at every build.
    """
    config = view.config
    digest = hashlib.blake2b(digest_size=16)
    # The default language as before; another also by whether it is the default (its pages' paths).
    language = config.language if language is None or language == config.language else f"{language}\0{config.language}"
    digest.update(f"{language}\0{config.timezone}\0{view.handbook.digest}\0".encode())
    for incident in incidents:
        source = view.fingerprints.get(incident.id) or repr(incident)  # a view made without file digests: the incident itself
        digest.update(f"{incident.id}={source}/{len(incident.updates)}\0".encode())
    return digest.hexdigest()

