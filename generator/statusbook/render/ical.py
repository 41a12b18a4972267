"""Subscribable iCalendar feeds of scheduled maintenance, site-wide and per component.

(Named ``ical`` because a module called ``calendar`` would shadow the standard
library's.) Calendar apps match events by UID and take the one with the higher
SEQUENCE, so the UID is the incident id at the site's host and SEQUENCE counts
the public revisions of the maintenance: every update and correction raises it,
and it never depends on the build. Times are UTC; DTSTAMP is the latest public
change, so an unchanged maintenance gives byte-identical output.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration, vText

from statusbook.core import urls
from statusbook.core.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident
from statusbook.render.output import Output
from statusbook.render.text import format_window, plain_text, site_host
from statusbook.view.lifecycle import last_changed
from statusbook.view.status_view import StatusView

# Every maintenance status describes a confirmed window (Statuspage's enum has no cancelled one).
EVENT_STATUS = "CONFIRMED"


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


def make_event(incident: Incident, current: str, handbook: Handbook, config: SiteConfig, now: datetime) -> Event:
    """Return the VEVENT of one maintenance."""
    window = incident.scheduled
    assert window is not None
    names = {s.id: s.name for s in handbook.maintenance_statuses}
    latest = incident.updates[-1]
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
    event.add("status", EVENT_STATUS)
    # Subscribers' own time stays free: the maintenance is ours, not theirs.
    event.add("transp", "TRANSPARENT")
    event.add("categories", [vText(c) for c in incident.components])
    return event


def render_calendar(maintenances: Iterable[Incident], view: StatusView, name: str, events: dict[str, bytes]) -> bytes:
    """Serialise one calendar of the given maintenances, ordered by window start.

    Each event is serialised on its own and spliced in before the calendar's
    end, which is byte for byte what icalendar writes for the whole; an event
    already serialised for another calendar (``events``) is reused.
    """
    config = view.config
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
        data = events.get(incident.id)
        if data is None:
            data = events[incident.id] = make_event(incident, view.status(incident), view.handbook, config, view.now).to_ical()
        parts.append(data)
    empty = calendar.to_ical()
    assert empty.endswith(_END)
    return empty[: -len(_END)] + b"".join(parts) + _END


_END = b"END:VCALENDAR\r\n"


def calendar_files(view: StatusView) -> Iterator[Output]:
    """``maintenance.ics`` and one per component, each holding every maintenance ever announced.

    An event depends on its maintenance as published and, until the window
    has closed and every update is out, on the clock.
    """
    config, now = view.config, view.now
    maintenances = [i for i in view.incidents if i.is_maintenance and i.scheduled is not None]
    events: dict[str, bytes] = {}  # each maintenance is in several calendars: serialise its event once

    def event_inputs(incident: Incident) -> str:
        return view.fingerprint(incident) if incident.scheduled.end <= now else f"{view.fingerprint(incident)}@{now.isoformat()}"

    def calendar(path: str, chosen: list[Incident], name: str) -> Output:
        return Output(path, lambda: render_calendar(chosen, view, name, events), ("calendar", name, *(event_inputs(m) for m in chosen)))

    yield calendar(urls.CALENDAR, maintenances, f"{config.site_name} maintenance")
    for component in view.handbook.components:
        mine = [m for m in maintenances if component.id in m.components]
        yield calendar(urls.component_calendar(component.id), mine, f"{config.site_name} maintenance: {component.name}")
