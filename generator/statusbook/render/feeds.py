"""Atom and RSS feeds with one entry per public update, site-wide and per component.

Feed readers show an item once per id: one fixed id per incident hides every
later update, and an id that changes on each build re-notifies everyone. So
every public update is its own entry with a permanent ``tag:`` id made of the
site's host, the incident id and the update's anchor, and every date comes
from the incident files, never from the clock, so identical inputs give
byte-identical feeds. Maintenance windows that open or close without a posted
update still reach subscribers as entries of their own.
"""

from __future__ import annotations

import heapq
import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from statusbook import __version__
from statusbook.core import urls
from statusbook.core.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.ids import Impact, MaintenanceStatus
from statusbook.core.model import Incident
from statusbook.render.markdown import render_markdown
from statusbook.render.output import Output
from statusbook.render.text import format_local, format_window, site_host
from statusbook.view.banner import incident_impact
from statusbook.view.status_view import StatusView

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
TAG_DATE = "2026"  # part of every tag: id; changing it would re-notify every subscriber
WINDOW_START = "window-start"
WINDOW_END = "window-end"
IMPACT_LABELS = {Impact.NONE: "No impact", Impact.MINOR: "Minor impact", Impact.MAJOR: "Major impact", Impact.CRITICAL: "Critical impact", Impact.MAINTENANCE: "Maintenance"}


def tag_uri(site_url: str, specific: str) -> str:
    """Return a permanent ``tag:`` URI (RFC 4151) owned by the site's host."""
    return f"tag:{site_host(site_url)},{TAG_DATE}:{specific}"


def entry_id(site_url: str, incident_id: str, anchor: str) -> str:
    return tag_uri(site_url, f"incident/{incident_id}/{anchor}")


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
    """Turn moments into entries, rendering each message once however many feeds show it."""

    def __init__(self, config: SiteConfig, handbook: Handbook, anchors: Callable[[Incident], tuple[str, ...]]) -> None:
        self.config = config
        self.handbook = handbook
        self.anchors = anchors
        self.zone = ZoneInfo(config.timezone)
        self.cache: dict[tuple[datetime, str, int, str], Entry] = {}
        self.status_names = {s.id: s.name for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}
        self.component_status_names = {s.id: s.name for s in handbook.component_statuses}

    def scheme(self, name: str) -> str:
        return tag_uri(self.config.site_url, name)

    def entry(self, moment: Moment) -> Entry:
        cached = self.cache.get(moment.order)
        if cached is None:
            cached = self.cache[moment.order] = self._make(moment)
        return cached

    def _make(self, moment: Moment) -> Entry:
        incident = moment.incident
        page = urls.absolute(self.config.site_url, urls.incident_page(incident.id))
        if moment.boundary:
            opens = moment.boundary == WINDOW_START
            current = self._edge_status(incident, opens)
            body = f"<p>The scheduled maintenance window {'opens' if opens else 'closes'}.</p>"
            ident, link, updated, states = entry_id(self.config.site_url, incident.id, moment.boundary), page, moment.at, incident.updates[-1].components
        else:
            update = incident.updates[moment.index]
            anchor = self.anchors(incident)[moment.index]
            current = update.status
            body = render_markdown(update.message, allow_images=self.config.allow_remote_images)
            ident, link, updated, states = entry_id(self.config.site_url, incident.id, anchor), f"{page}#{anchor}", update.at, update.components
            if update.correction is not None:
                # A correction re-dates the entry, so readers that track updates show it again.
                updated = update.correction.at
                body += f"<p><em>Corrected {html.escape(format_local(update.correction.at, self.zone))}: {html.escape(update.correction.reason)}</em></p>"
        if incident.is_maintenance and incident.scheduled is not None:
            body += f"<p>Scheduled window: {html.escape(format_window(incident.scheduled, self.zone))}</p>"
        body += f"<p>Affected: {self._affected(incident, dict(states))}</p>"
        names = self.handbook.component_by_id
        impact = incident_impact(incident, self.handbook)
        categories = (
            (self.scheme("status"), current, self.status_names.get(current, current)),
            (self.scheme("impact"), impact, IMPACT_LABELS.get(impact, impact)),
            *((self.scheme("component"), cid, names[cid].name if cid in names else cid) for cid in incident.components),
        )
        return Entry(ident, f"[{self.status_names.get(current, current)}] {incident.title}", link, moment.at, updated, body, categories)

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
            text = html.escape(names[cid].name if cid in names else cid)
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


def render_feed(spec: FeedSpec, entries: Sequence[Entry], fmt: str, config: SiteConfig, fallback: datetime) -> bytes:
    """Serialise one feed; ``entries`` newest first. Its date is its newest entry's, else ``fallback``."""
    fg = FeedGenerator()
    fg.id(tag_uri(config.site_url, spec.name))
    fg.title(spec.title)
    fg.subtitle(spec.subtitle)
    fg.author({"name": config.site_name})
    fg.generator("statusbook", version=__version__)
    fg.language(config.language)
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
    return fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)


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
    maker = _EntryMaker(config, handbook, view.anchors)
    specs: list[tuple[FeedSpec, list[Moment]]] = [
        (FeedSpec("history", f"{config.site_name}: incidents and maintenance", f"Every public update from {config.site_name}", urls.HOME, urls.FEED_ATOM, urls.FEED_RSS), newest)
    ]
    for component in handbook.components:
        spec = FeedSpec(
            f"components/{component.id}/history",
            f"{config.site_name}: {component.name}",
            f"Every public update about {component.name}",
            urls.component_page(component.id),
            urls.component_feed(component.id, "atom"),
            urls.component_feed(component.id, "rss"),
        )
        specs.append((spec, per_component.get(component.id, [])))
    for spec, chosen in specs:
        entries = tuple(f"{view.fingerprint(m.incident)}/{m.index}/{m.boundary}" for m in chosen) or (view.now.isoformat(),)
        for fmt, path in (("atom", spec.atom), ("rss", spec.rss)):

            def render(fmt: str = fmt, spec: FeedSpec = spec, chosen: list[Moment] = chosen) -> bytes:
                return render_feed(spec, [maker.entry(m) for m in chosen], fmt, config, view.now)

            yield Output(path, render, ("feed", repr(spec), fmt, *entries))
