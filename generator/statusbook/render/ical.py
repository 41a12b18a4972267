"""Subscribable iCalendar feeds of scheduled maintenance, site-wide and per component.

(Named ``ical`` because a module called ``calendar`` would shadow the standard
library's.) Calendar apps match events by UID and take the one with the higher
SEQUENCE, so the UID is the incident id at the site's host and SEQUENCE counts
the public revisions of the maintenance: every update and correction raises it,
and it never depends on the build. Times are UTC; DTSTAMP is the latest public
change, so an unchanged maintenance gives byte-identical output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event, vDuration, vText

from statusbook.config import SiteConfig
from statusbook.core import urls
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident
from statusbook.io.render_cache import inputs_key, package_digest
from statusbook.render.api import effective_status, last_changed, published_incidents
from statusbook.render.feeds import format_window, site_host
from statusbook.view.status import is_settled

if TYPE_CHECKING:
    from statusbook.commands.build import BuildContext
    from statusbook.io.writer import Reused

_LINK_RE = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MARK_RE = re.compile(r"(\*\*|__|`)")
_EMPHASIS_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
# Every maintenance status describes a confirmed window; a handbook cannot add a cancelled one (Statuspage's enum).
EVENT_STATUS = {"scheduled": "CONFIRMED", "in_progress": "CONFIRMED", "verifying": "CONFIRMED", "completed": "CONFIRMED", "cancelled": "CANCELLED"}


def plain_text(markdown: str) -> str:
    """Reduce a Markdown message to the text calendar apps show: links keep their address, marks go."""
    text = _LINK_RE.sub(lambda m: f"{m[1]} ({m[2]})" if m[1] and m[1] != m[2] else m[2], markdown.strip())
    text = _HEADING_RE.sub("", text)
    text = _MARK_RE.sub("", text)
    return _EMPHASIS_RE.sub(lambda m: m[1] or m[2], text)


def event_uid(incident: Incident, site_url: str) -> str:
    return f"{incident.id}@{site_host(site_url)}"


def sequence(incident: Incident, now: datetime) -> int:
    """Count the event's revisions: each later update, each correction, each window edge passed.

    Updates are only ever appended and time only moves on, so this never
    decreases; a status change, a rescheduled window (announced with an
    update) and the window opening or closing (which changes the status the
    status page shows) each raise it.
    """
    edges = 0 if incident.scheduled is None else sum(1 for edge in (incident.scheduled.start, incident.scheduled.end) if edge <= now)
    return len(incident.updates) - 1 + sum(1 for u in incident.updates if u.correction is not None) + edges


def make_event(incident: Incident, handbook: Handbook, config: SiteConfig, now: datetime) -> Event:
    """Return the VEVENT of one maintenance."""
    window = incident.scheduled
    assert window is not None
    names = {s.id: s.name for s in handbook.maintenance_statuses}
    latest = incident.updates[-1]
    current = effective_status(incident, handbook, now)
    changed = last_changed(incident).astimezone(UTC)
    event = Event()
    event.add("uid", event_uid(incident, config.site_url))
    event.add("sequence", sequence(incident, now))
    event.add("dtstamp", changed)
    event.add("created", incident.created_at.astimezone(UTC))
    event.add("last-modified", changed)
    event.add("dtstart", window.start.astimezone(UTC))
    event.add("dtend", window.end.astimezone(UTC))
    event.add("summary", f"[{names.get(current, current)}] {incident.title}")
    components = ", ".join(handbook.component_by_id[c].name for c in incident.components if c in handbook.component_by_id)
    event.add("description", f"{plain_text(latest.message)}\n\nScheduled window: {format_window(window, config.zone)}\nAffected: {components}")
    event.add("url", urls.absolute(config.site_url, urls.incident_page(incident.id)))
    event.add("status", EVENT_STATUS.get(current, "CONFIRMED"))
    # Subscribers' own time stays free: the maintenance is ours, not theirs.
    event.add("transp", "TRANSPARENT")
    event.add("categories", [vText(c) for c in incident.components])
    return event


def render_calendar(maintenances: Iterable[Incident], handbook: Handbook, config: SiteConfig, name: str, now: datetime, events: dict[str, bytes] | None = None) -> bytes:
    """Serialise one calendar of the given maintenances, ordered by window start.

    Each event is serialised on its own and spliced in before the calendar's
    end, which is byte for byte what icalendar writes for the whole; given
    ``events``, an event already serialised for another calendar is reused.
    """
    calendar = Calendar()
    calendar.add("prodid", f"-//statusbook//{site_host(config.site_url)}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", f"Scheduled maintenance announced on {config.site_name}")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))
    parts = []
    for incident in sorted(maintenances, key=lambda i: (i.scheduled.start, i.id)):
        data = events.get(incident.id) if events is not None else None
        if data is None:
            data = make_event(incident, handbook, config, now).to_ical()
            if events is not None:
                events[incident.id] = data
        parts.append(data)
    empty = calendar.to_ical()
    assert empty.endswith(_END)
    return empty[: -len(_END)] + b"".join(parts) + _END


_END = b"END:VCALENDAR\r\n"


def render_calendars(context: BuildContext) -> dict[str, bytes | Reused]:
    """Render ``maintenance.ics`` and one per component.

    Calendars hold every maintenance ever announced, so each is rendered
    again only when one of its maintenances changed: an event is a function
    of its maintenance as published, the handbook, the site's settings and,
    until the maintenance is over and every update out, the clock.
    """
    config, handbook, now = context.config, context.handbook, context.now
    maintenances = [i for i in published_incidents(context) if i.is_maintenance and i.scheduled is not None]
    base = inputs_key("calendar", package_digest(), repr(config), handbook.digest)
    digests = context.incident_digests

    def event_key(incident: Incident) -> str:
        clock = "settled" if is_settled(incident, handbook, now) and incident.scheduled.end <= now else now.isoformat()
        return f"{incident.id}={digests[incident.id]}/{len(incident.updates)}/{clock}"

    events: dict[str, bytes] = {}  # each maintenance is in several calendars: serialise its event once

    def calendar(path: str, chosen: list[Incident], name: str) -> bytes | Reused:
        if not all(digests.get(m.id) for m in chosen):  # without what they were read from, nothing can be reused
            return render_calendar(chosen, handbook, config, name, now, events)
        key = inputs_key(base, path, name, *(event_key(m) for m in chosen))
        return context.page(path, key, lambda: render_calendar(chosen, handbook, config, name, now, events))

    files = {urls.CALENDAR: calendar(urls.CALENDAR, maintenances, f"{config.site_name} maintenance")}
    for component in handbook.components:
        mine = [m for m in maintenances if component.id in m.components]
        files[urls.component_calendar(component.id)] = calendar(urls.component_calendar(component.id), mine, f"{config.site_name} maintenance: {component.name}")
    return files
