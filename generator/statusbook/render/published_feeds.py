"""Tell whether an announcement is on the published site: its feed entry, exactly as this view renders it.

``statusbook notify`` must never announce what the published site does not
show. The site it compares with is the one on the published branch, and the
part of it that lists every public change with a permanent id is the Atom
feeds: the site-wide feed and each component's. An announcement is live when
an entry with its id is in one of them *and* that entry is byte for byte the
entry this view renders for it (same title, status, message, components,
correction note), so a change that exists only in the working tree, an update
dated after the published site's clock, or a maintenance window that had not
opened when the site was built, is never announced, and neither is text that
differs from what readers see.

Entries are compared in canonical XML (C14N 2.0, whitespace between elements
dropped), so the indentation of the feed they sit in does not matter.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from statusbook.core import urls
from statusbook.render.announcements import Announcement, AnnouncementKind
from statusbook.render.feeds import feed_files, moments_newest_first
from statusbook.view.status_view import StatusView

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True, slots=True)
class PublishedEntry:
    """One entry of a published Atom feed: its dates, and its canonical XML for comparison."""

    id: str
    published: datetime
    updated: datetime
    xml: bytes


def feed_paths(view: StatusView) -> list[str]:
    """The Atom feeds of the site, by path: the site-wide one first, then each component's."""
    return [urls.FEED_ATOM, *(urls.component_feed(c.id, "atom") for c in view.handbook.components)]


def _canonical(entry: ET.Element) -> bytes:
    entry.tail = None
    return ET.canonicalize(ET.tostring(entry, encoding="unicode"), strip_text=True).encode("utf-8")


def _when(entry: ET.Element, name: str) -> datetime | None:
    text = entry.findtext(f"{ATOM}{name}")
    try:
        return datetime.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def parse_entries(data: bytes) -> list[PublishedEntry]:
    """The entries of one Atom feed, in feed order; a feed that cannot be read has none."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return []
    found = []
    for entry in root.iter(f"{ATOM}entry"):
        ident = (entry.findtext(f"{ATOM}id") or "").strip()
        published, updated = _when(entry, "published"), _when(entry, "updated")
        if ident and published is not None and updated is not None:
            found.append(PublishedEntry(ident, published, updated, _canonical(entry)))
    return found


@dataclass(frozen=True, slots=True)
class PublishedFeeds:
    """What the published Atom feeds show: every entry by id, and how far back the site-wide feed reaches."""

    entries: Mapping[str, PublishedEntry]
    # The oldest moment in the site-wide feed when it is full (it holds feed_entries entries): anything older
    # has scrolled out of it; None when it holds every moment there is.
    horizon: datetime | None

    @classmethod
    def read(cls, files: Mapping[str, bytes], feed_entries: int) -> PublishedFeeds:
        entries: dict[str, PublishedEntry] = {}
        horizon = None
        for path, data in files.items():
            found = parse_entries(data)
            if path == urls.FEED_ATOM and found and len(found) >= feed_entries:
                horizon = min(e.published for e in found)
            for entry in found:
                entries.setdefault(entry.id, entry)
        return cls(entries, horizon)

    def shows(self, announcement: Announcement) -> bool:
        """Whether the published site shows the change at all (a correction: once the entry carries it), whatever its text."""
        entry = self.entries.get(announcement.entry_id)
        if entry is None:
            return False
        return entry.updated == announcement.at if announcement.kind == AnnouncementKind.CORRECTION else True


def rendered_entries(view: StatusView, wanted: Iterable[Announcement]) -> dict[str, bytes]:
    """The canonical XML of the feed entry this view renders for each wanted announcement, by entry id.

    The site-wide feed is rendered with just enough entries to reach back to
    the oldest wanted moment, so the entries are the very ones a build makes.
    """
    wanted = list(wanted)
    if not wanted:
        return {}
    oldest = min(a.entry_order for a in wanted)
    count = 0
    for moment in moments_newest_first(view.incidents, view.handbook, view.now):
        if moment.order < oldest:
            break
        count += 1
    deep = dataclasses.replace(view, config=dataclasses.replace(view.config, feed_entries=max(count, 1)))
    atom = next(output for output in feed_files(deep) if output.path == urls.FEED_ATOM)
    ids = {a.entry_id for a in wanted}
    return {entry.id: entry.xml for entry in parse_entries(atom.render()) if entry.id in ids}
