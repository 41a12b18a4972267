"""Atom and RSS feeds with one entry per public update, site-wide and per component.

Feed readers show an item once per id: one fixed id per incident hides every
later update, and an id that changes on each build re-notifies everyone. So
every public update is its own entry with a permanent ``tag:`` id made of the
site's host, the incident id and the update's anchor, and every date comes
from the incident files, never from the clock, so identical inputs give
byte-identical feeds. Maintenance windows that open or close without a posted
update still reach subscribers as entries of their own.

A site in several languages has the feeds once per language, each other
language's under its code (``nl/history.atom``), in that language (``xml:lang``,
RSS ``<language>``) and with ids of their own (``tag:...:nl/incident/...``), so
a reader subscribed to both never takes one language's entry for the other's.
Which moments each feed holds is worked out once, for every language.
"""

from __future__ import annotations

import heapq
import html
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from statusbook import __version__
from statusbook.core import urls
from statusbook.core.config import SiteConfig, base_language
from statusbook.core.handbook import Handbook
from statusbook.core.ids import Impact, MaintenanceStatus
from statusbook.core.model import Incident
from statusbook.render.i18n import Formatter, entry_name, html_lang, language_name
from statusbook.render.markdown import render_markdown
from statusbook.render.output import Output
from statusbook.render.text import format_local, site_host
from statusbook.view.banner import N_, incident_impact
from statusbook.view.status_view import StatusView

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
TAG_DATE = "2026"  # part of every tag: id; changing it would re-notify every subscriber
WINDOW_START = "window-start"
WINDOW_END = "window-end"
IMPACT_LABELS = {
    Impact.NONE: N_("No impact"),
    Impact.MINOR: N_("Minor impact"),
    Impact.MAJOR: N_("Major impact"),
    Impact.CRITICAL: N_("Critical impact"),
    Impact.MAINTENANCE: N_("Maintenance"),
}


def tag_uri(site_url: str, specific: str) -> str:
    """Return a permanent ``tag:`` URI (RFC 4151) owned by the site's host."""
    return f"tag:{site_host(site_url)},{TAG_DATE}:{specific}"


def entry_id(site_url: str, incident_id: str, anchor: str, language_root: str = "") -> str:
    """An entry's permanent id; ``language_root`` (``nl/``) sets apart the same entry in another language's feeds."""
    return tag_uri(site_url, f"{language_root}incident/{incident_id}/{anchor}")


@dataclass(frozen=True, slots=True)
class Moment:
    """A place in the feeds: one public update, or a maintenance window opening or closing unannounced."""

    at: datetime
    incident: Incident
    index: int  # the update's index, or -1 for a window boundary
    boundary: str = ""

    @property
    def order(self) -> tuple[datetime, str, int, str]:
        return (self.at, self.incident.id, self.index, self.boundary)


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed entry, ready for feedgen."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    html: str
    categories: tuple[tuple[str, str, str], ...]  # (scheme, term, label)


def incident_moments(incident: Incident, handbook: Handbook, now: datetime) -> list[Moment]:
    """List the incident's feed moments: each update, plus the window's edges when nobody announced them.

    A maintenance whose updates never went past 'scheduled' still opens and
    closes on time (the status page shows it so); subscribers get an entry at
    each edge once it has passed.
    """
    moments = [Moment(update.at, incident, index) for index, update in enumerate(incident.updates)]
    window = incident.scheduled
    if incident.is_maintenance and window is not None and all(u.status == MaintenanceStatus.SCHEDULED for u in incident.updates):
        if window.start <= now:
            moments.append(Moment(window.start, incident, -1, WINDOW_START))
        if window.end <= now:
            moments.append(Moment(window.end, incident, -1, WINDOW_END))
    return moments


class _EntryMaker:
    """Turn moments into entries in one language, rendering each message once however many feeds show it."""

    def __init__(self, config: SiteConfig, handbook: Handbook, anchors: Callable[[Incident], tuple[str, ...]], language: str | None = None) -> None:
        self.config = config
        self.handbook = handbook
        self.anchors = anchors
        self.language = language or config.language
        self.root = urls.language_root(self.language, config.language)
        self.code = base_language(self.language)
        self.source = base_language(config.language)  # the language of a text that was not translated
        self.is_default = self.language == config.language
        self._ = Formatter(config.zone, self.language)._
        self.zone = ZoneInfo(config.timezone)
        self.cache: dict[tuple[datetime, str, int, str], Entry] = {}
        self.status_names = {s.id: entry_name(s, self.language) for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}
        self.component_status_names = {s.id: entry_name(s, self.language) for s in handbook.component_statuses}
        self.untranslated = self._("This text has not been translated yet; it is shown in %(language)s.", language=language_name(self.source, self.language))

    def scheme(self, name: str) -> str:
        return tag_uri(self.config.site_url, name)

    def entry(self, moment: Moment) -> Entry:
        cached = self.cache.get(moment.order)
        if cached is None:
            cached = self.cache[moment.order] = self._make(moment)
        return cached

    def text(self, default: str, translated: str | None) -> tuple[str, str]:
        """A text in the feed's language and "", or (not translated) the default language's text and that language's code."""
        if self.is_default:
            return default, ""
        return (translated, "") if translated is not None else (default, self.source)

    def _make(self, moment: Moment) -> Entry:
        incident = moment.incident
        _ = self._
        page = urls.absolute(self.config.site_url, self.root + urls.incident_page(incident.id))
        if moment.boundary:
            opens = moment.boundary == WINDOW_START
            current = self._edge_status(incident, opens)
            body = "<p>" + html.escape(_("The scheduled maintenance window opens.") if opens else _("The scheduled maintenance window closes.")) + "</p>"
            ident, link, updated, states = entry_id(self.config.site_url, incident.id, moment.boundary, self.root), page, moment.at, incident.updates[-1].components
        else:
            update = incident.updates[moment.index]
            anchor = self.anchors(incident)[moment.index]
            current = update.status
            message, lang = self.text(update.message, update.message_in(self.code))
            body = render_markdown(message, allow_images=self.config.allow_remote_images)
            if lang:
                body = f'<p><em>{html.escape(self.untranslated)}</em></p><div lang="{html_lang(lang)}">{body}</div>'
            ident, link, updated, states = entry_id(self.config.site_url, incident.id, anchor, self.root), f"{page}#{anchor}", update.at, update.components
            if update.correction is not None:
                # A correction re-dates the entry, so readers that track updates show it again.
                updated = update.correction.at
                reason = self.text(update.correction.reason, update.correction.reason_in(self.code))[0]
                body += f"<p><em>{html.escape(_('Corrected %(time)s: %(reason)s', time=format_local(update.correction.at, self.zone), reason=reason))}</em></p>"
        if incident.is_maintenance and incident.scheduled is not None:
            window = _("%(start)s to %(end)s", start=format_local(incident.scheduled.start, self.zone), end=format_local(incident.scheduled.end, self.zone))
            body += f"<p>{html.escape(_('Scheduled window: %(window)s', window=window))}</p>"
        body += f"<p>{html.escape(_('Affected:'))} {self._affected(incident, dict(states))}</p>"
        names = self.handbook.component_by_id
        impact = incident_impact(incident, self.handbook)
        categories = (
            (self.scheme("status"), current, self.status_names.get(current, current)),
            (self.scheme("impact"), impact, _(IMPACT_LABELS[impact]) if impact in IMPACT_LABELS else impact),
            *((self.scheme("component"), cid, names[cid].name_in(self.code) if cid in names else cid) for cid in incident.components),
        )
        title = self.text(incident.title, incident.title_in(self.code))[0]
        return Entry(ident, f"[{self.status_names.get(current, current)}] {title}", link, moment.at, updated, body, categories)

    def _edge_status(self, incident: Incident, opens: bool) -> str:
        """What the status page shows from a window edge on: in progress once it opens, over once it closes."""
        if not opens:
            return self.handbook.final_status(incident.kind)
        known = {s.id for s in self.handbook.maintenance_statuses}
        return MaintenanceStatus.IN_PROGRESS if MaintenanceStatus.IN_PROGRESS in known else incident.status

    def _affected(self, incident: Incident, states: dict[str, str]) -> str:
        names = self.handbook.component_by_id
        listed = []
        for cid in incident.components:
            text = html.escape(names[cid].name_in(self.code) if cid in names else cid)
            if cid in states:
                text += f" ({html.escape(self.component_status_names.get(states[cid], states[cid]).lower())})"
            listed.append(text)
        return ", ".join(listed)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """What distinguishes one feed from another: where it lives and what it is about."""

    name: str  # feed id suffix: "history" or "components/<id>/history"
    title: str
    subtitle: str
    page: str  # the HTML page the feed belongs to
    atom: str
    rss: str


class _HubInRss(BaseExtension):
    """feedgen writes only the self link into RSS; WebSub asks for the hub's ``<atom:link rel="hub">`` there too."""

    hub = ""

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM_NAMESPACE}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        etree.SubElement(feed[0], f"{{{ATOM_NAMESPACE}}}link", href=self.hub, rel="hub")
        return feed


def render_feed(spec: FeedSpec, entries: Sequence[Entry], fmt: str, config: SiteConfig, fallback: datetime, language: str | None = None) -> bytes:
    """Serialise one feed in ``language`` (the site's default when None); ``entries`` newest first. Its date is its newest entry's, else ``fallback``."""
    fg = FeedGenerator()
    fg.id(tag_uri(config.site_url, spec.name))
    fg.title(spec.title)
    fg.subtitle(spec.subtitle)
    fg.author({"name": config.site_name})
    fg.generator("statusbook", version=__version__)
    fg.language(language or config.language)
    if config.websub_hub:  # WebSub: readers subscribed at the hub hear of a change as soon as statusbook notify pings it
        fg.link(href=config.websub_hub, rel="hub")  # before the page link, which feedgen makes the RSS channel's <link>
        fg.register_extension("websub", _HubInRss, atom=False, rss=True)
        fg.websub.hub = config.websub_hub
    # feedgen uses the last link added as RSS <channel><link>, so the page comes after the self link.
    fg.link(href=urls.absolute(config.site_url, spec.atom if fmt == "atom" else spec.rss), rel="self", type="application/atom+xml" if fmt == "atom" else "application/rss+xml")
    fg.link(href=urls.absolute(config.site_url, spec.page), rel="alternate", type="text/html")
    fg.updated(max((e.updated for e in entries), default=fallback))
    for entry in entries:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.title(entry.title)
        fe.link(href=entry.link, rel="alternate", type="text/html")
        fe.published(entry.published)
        fe.updated(entry.updated)
        fe.content(entry.html, type="html")
        for scheme, term, label in entry.categories:
            fe.category(term=term, scheme=scheme, label=label)
    return fg.atom_str(pretty=True) if fmt == "atom" else hex_references(fg.rss_str(pretty=True))


_RSS_PLAIN_TEXT = re.compile(rb"(<(title|category|author|generator)\b[^>]*>)([^<]*)(</\2>)")
_HEX_REFERENCES = {b"&lt;": b"&#x3C;", b"&gt;": b"&#x3E;", b"&amp;": b"&#x26;"}
_NAMED = re.compile(rb"&(lt|gt|amp);")


def hex_references(rss: bytes) -> bytes:
    """Write ``<``, ``>`` and ``&`` in RSS plain-text elements (titles, categories) as hexadecimal references.

    The RSS Best Practices Profile recommends ``&#x3C;`` and ``&#x26;`` there:
    some readers decode ``&lt;`` in a title twice and show markup, or drop it.
    The document means the same to an XML parser either way.
    """
    return _RSS_PLAIN_TEXT.sub(lambda m: m[1] + _NAMED.sub(lambda n: _HEX_REFERENCES[n[0]], m[3]) + m[4], rss)


class _Newer:
    """Orders moments newest first in a heap (heapq only pops the smallest)."""

    __slots__ = ("moment", "order")

    def __init__(self, moment: Moment) -> None:
        self.order = moment.order
        self.moment = moment

    def __lt__(self, other: _Newer) -> bool:
        return self.order > other.order


def moments_newest_first(incidents: Sequence[Incident], handbook: Handbook, now: datetime) -> Iterator[Moment]:
    """Every feed moment of the incidents, newest first, expanding incidents only as they are reached.

    Incidents are sorted by their newest moment; an incident's moments enter
    the heap only once its newest one could be next. Feeds want the newest
    fifty, so a decade of incidents is sorted once and barely expanded.
    """

    def newest(incident: Incident) -> tuple[datetime, str, int, str]:
        if incident.is_maintenance:
            return max(m.order for m in incident_moments(incident, handbook, now))
        return max((u.at, incident.id, n, "") for n, u in enumerate(incident.updates))

    heads = sorted(((newest(i), n) for n, i in enumerate(incidents)), reverse=True)
    heap: list[_Newer] = []
    position = 0
    while position < len(heads) or heap:
        while position < len(heads) and (not heap or heads[position][0] >= heap[0].order):
            for moment in incident_moments(incidents[heads[position][1]], handbook, now):
                heapq.heappush(heap, _Newer(moment))
            position += 1
        yield heapq.heappop(heap).moment


def select_newest(moments: Iterable[Moment], limit: int, keys: Callable[[Moment], Iterable[str]], wanted: Iterable[str] = ()) -> tuple[list[Moment], dict[str, list[Moment]]]:
    """Pick the newest ``limit`` moments overall and per key, from moments given newest first.

    Stops as soon as the overall list and the lists of every ``wanted`` key are full.
    """
    everything: list[Moment] = []
    by_key: dict[str, list[Moment]] = {}
    open_keys = set(wanted)
    stop_early = bool(open_keys)
    for moment in moments:
        if len(everything) < limit:
            everything.append(moment)
        for key in keys(moment):
            bucket = by_key.setdefault(key, [])
            if len(bucket) < limit:
                bucket.append(moment)
                if len(bucket) == limit:
                    open_keys.discard(key)
        if stop_early and not open_keys and len(everything) >= limit:
            break
    return everything, by_key


def feed_files(view: StatusView) -> Iterator[Output]:
    """``history.atom``/``history.rss`` and the same pair for every component.

    A feed is rendered again only when an entry in it changed: each entry is a
    function of its incident as published and the moment (see
    :meth:`StatusView.fingerprint`); an empty feed's date is the clock's.
    """
    config, handbook = view.config, view.handbook
    moments = moments_newest_first(view.incidents, handbook, view.now)
    components = [c.id for c in handbook.components]
    newest, per_component = select_newest(moments, config.feed_entries, lambda m: m.incident.components, components)
    chosen_for = {"history": newest} | {f"components/{c}/history": per_component.get(c, []) for c in components}
    inputs = {name: tuple(f"{view.fingerprint(m.incident)}/{m.index}/{m.boundary}" for m in chosen) or (view.now.isoformat(),) for name, chosen in chosen_for.items()}
    for language in config.languages:
        maker = _EntryMaker(config, handbook, view.anchors, language)
        for spec, name in feed_specs(config, handbook, language):
            chosen, entries = chosen_for[name], inputs[name]
            for fmt, path in (("atom", spec.atom), ("rss", spec.rss)):

                def render(fmt: str = fmt, spec: FeedSpec = spec, chosen: list[Moment] = chosen, maker: _EntryMaker = maker, language: str = language) -> bytes:
                    return render_feed(spec, [maker.entry(m) for m in chosen], fmt, config, view.now, language)

                yield Output(path, render, ("feed", repr(spec), fmt, *entries))


def feed_specs(config: SiteConfig, handbook: Handbook, language: str) -> Iterator[tuple[FeedSpec, str]]:
    """The site's feeds in one language, each with the name of the moments it holds: the history, then each component's."""
    _ = Formatter(config.zone, language)._
    root = urls.language_root(language, config.language)
    site = config.site_name
    history = FeedSpec(
        root + "history", _("%(site)s: incidents and maintenance", site=site), _("Every public update from %(site)s", site=site), root + urls.HOME, root + urls.FEED_ATOM, root + urls.FEED_RSS
    )
    yield history, "history"
    for component in handbook.components:
        name = component.name_in(base_language(language))
        spec = FeedSpec(
            f"{root}components/{component.id}/history",
            _("%(site)s: %(component)s", site=site, component=name),
            _("Every public update about %(component)s", component=name),
            root + urls.component_page(component.id),
            root + urls.component_feed(component.id, "atom"),
            root + urls.component_feed(component.id, "rss"),
        )
        yield spec, f"components/{component.id}/history"
