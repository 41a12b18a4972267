"""Subscribable iCalendar feeds of scheduled maintenance, site-wide and per component.

(Named ``ical`` because a module called ``calendar`` would shadow the standard
library's.) Calendar apps match events by UID and take the one with the higher
SEQUENCE, so the UID is the incident id at the site's host and SEQUENCE counts
the public revisions of the maintenance: every update and correction raises it,
and it never depends on the build. Times are UTC; DTSTAMP is the latest public
change, so an unchanged maintenance gives byte-identical output.

A site in several languages has the calendars once per language, each other
language's under its code (``nl/maintenance.ics``), their text in it and
marked so (``LANGUAGE=nl``), and the events UIDs of their own
(``<id>.nl@host``: ids never hold a dot), so a calendar app subscribed to both
keeps them apart.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, vDuration, vText

from statusbook.core import urls
from statusbook.core.config import SiteConfig, base_language
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident
from statusbook.render.i18n import Formatter, entry_name, html_lang, language_name
from statusbook.render.output import Output
from statusbook.render.text import format_local, plain_text, site_host
from statusbook.view.lifecycle import last_changed
from statusbook.view.status_view import StatusView

# Every maintenance status describes a confirmed window (Statuspage's enum has no cancelled one).
EVENT_STATUS = "CONFIRMED"


def event_uid(incident: Incident, site_url: str, language_root: str = "") -> str:
    """The event's permanent UID; ``language_root`` (``nl/``) sets apart the same event in another language's calendars."""
    suffix = "." + language_root.rstrip("/") if language_root else ""
    return f"{incident.id}{suffix}@{site_host(site_url)}"


def sequence(incident: Incident, now: datetime) -> int:
    """Count the event's revisions: each later update, each correction, each window edge passed.

    Updates are only ever appended and time only moves on, so this never
    decreases; a status change, a rescheduled window (announced with an
    update) and the window opening or closing (which changes the status the
    status page shows) each raise it.
    """
    edges = 0 if incident.scheduled is None else sum(1 for edge in (incident.scheduled.start, incident.scheduled.end) if edge <= now)
    return len(incident.updates) - 1 + sum(1 for u in incident.updates if u.correction is not None) + len(incident.corrections) + edges


def make_event(incident: Incident, current: str, handbook: Handbook, config: SiteConfig, now: datetime, language: str | None = None) -> Event:
    """Return the VEVENT of one maintenance, in ``language`` (the site's default when None)."""
    window = incident.scheduled
    assert window is not None
    language = language or config.language
    root = urls.language_root(language, config.language)
    code, source = base_language(language), base_language(config.language)
    _ = Formatter(config.zone, language)._
    names = {s.id: entry_name(s, language) for s in handbook.maintenance_statuses}
    latest = incident.updates[-1]
    title, message = incident.title, latest.message
    if root:  # another language than the default: its text, or the default's with a note
        title, message = incident.title_in(code) or title, latest.message_in(code) or message
        if latest.message_in(code) is None:
            message = _("This text has not been translated yet; it is shown in %(language)s.", language=language_name(source, language)) + "\n\n" + message
    # A site in several languages says which one each calendar's text is in; a site in one language as before.
    text = {"LANGUAGE": html_lang(language)} if config.other_languages else None
    changed = last_changed(incident).astimezone(UTC)
    event = Event()
    event.add("uid", event_uid(incident, config.site_url, root))
    event.add("sequence", sequence(incident, now))
    event.add("dtstamp", changed)
    event.add("created", incident.created_at.astimezone(UTC))
    event.add("last-modified", changed)
    event.add("dtstart", window.start.astimezone(UTC))
    event.add("dtend", window.end.astimezone(UTC))
    event.add("summary", f"[{names.get(current, current)}] {title}", parameters=text)
    components = ", ".join(handbook.component_by_id[c].name_in(code) for c in incident.components if c in handbook.component_by_id)
    span = _("%(start)s to %(end)s", start=format_local(window.start, config.zone), end=format_local(window.end, config.zone))
    event.add("description", f"{plain_text(message)}\n\n{_('Scheduled window: %(window)s', window=span)}\n{_('Affected:')} {components}", parameters=text)
    event.add("url", urls.absolute(config.site_url, root + urls.incident_page(incident.id)))
    event.add("status", EVENT_STATUS)
    # Subscribers' own time stays free: the maintenance is ours, not theirs.
    event.add("transp", "TRANSPARENT")
    event.add("categories", [vText(c) for c in incident.components])
    return event


def render_calendar(maintenances: Iterable[Incident], view: StatusView, name: str, events: dict[str, bytes], language: str | None = None) -> bytes:
    """Serialise one calendar of the given maintenances in ``language`` (the site's default when None), ordered by window start.

    Each event is serialised on its own and spliced in before the calendar's
    end, which is byte for byte what icalendar writes for the whole; an event
    already serialised for another calendar (``events``, this language's) is reused.
    """
    config = view.config
    language = language or config.language
    text = {"LANGUAGE": html_lang(language)} if config.other_languages else None
    calendar = Calendar()
    calendar.add("prodid", f"-//statusbook//{site_host(config.site_url)}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name, parameters=text)
    calendar.add("x-wr-caldesc", Formatter(config.zone, language)._("Scheduled maintenance announced on %(site)s", site=config.site_name), parameters=text)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))
    parts = []
    for incident in sorted(maintenances, key=lambda i: (i.scheduled.start, i.id)):
        data = events.get(incident.id)
        if data is None:
            data = events[incident.id] = make_event(incident, view.status(incident), view.handbook, config, view.now, language).to_ical()
        parts.append(data)
    if not parts:
        # RFC 5545 wants at least one component in a calendar. One that has no maintenance yet still
        # exists (readers subscribe before the first one is announced), so it carries the site's time zone.
        parts.append(Timezone.from_tzid(config.timezone).to_ical())
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
    mine = {c.id: [m for m in maintenances if c.id in m.components] for c in view.handbook.components}

    def event_inputs(incident: Incident) -> str:
        return view.fingerprint(incident) if incident.scheduled.end <= now else f"{view.fingerprint(incident)}@{now.isoformat()}"

    inputs = {None: tuple(event_inputs(m) for m in maintenances)} | {cid: tuple(event_inputs(m) for m in chosen) for cid, chosen in mine.items()}
    for language in config.languages:
        events: dict[str, bytes] = {}  # each maintenance is in several calendars: serialise its event once per language
        _ = Formatter(config.zone, language)._
        root = urls.language_root(language, config.language)
        name = _("%(site)s maintenance", site=config.site_name)
        yield Output(root + urls.CALENDAR, functools.partial(render_calendar, maintenances, view, name, events, language), ("calendar", name, *inputs[None]))
        for component in view.handbook.components:
            name = _("%(site)s maintenance: %(component)s", site=config.site_name, component=component.name_in(base_language(language)))
            render = functools.partial(render_calendar, mine[component.id], view, name, events, language)
            yield Output(root + urls.component_calendar(component.id), render, ("calendar", name, *inputs[component.id]))
