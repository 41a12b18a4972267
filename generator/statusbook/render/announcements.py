"""What ``statusbook notify`` can announce: every public change the feeds show, each with a permanent id.

The feeds already turn the status view into moments: each public update, and
the opening and closing of a maintenance window nobody announced by hand
(:func:`~statusbook.render.feeds.incident_moments`). An announcement is one
such moment, classified for people (a new incident, an update, the end of it,
a maintenance scheduled, started or ended), plus one more kind the feeds show
only as a re-dated entry: a correction of a published update.

Its id is the id of the feed entry that shows it
(:func:`~statusbook.render.feeds.entry_id`), so it never changes between
builds and is the same in every clone; a correction adds its own time to the
entry's id, so correcting again is announced again. This module is in
``render/`` rather than ``view/`` because those ids and moments are the
feeds': deriving them a second time below the feeds would let the two drift
apart. It is pure: a view in, announcements out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from statusbook.core import urls
from statusbook.core.ids import MAINTENANCE_WORKING, MaintenanceStatus
from statusbook.core.model import Incident, Update
from statusbook.core.timestamps import stamp
from statusbook.render.feeds import WINDOW_START, entry_id, incident_moments
from statusbook.view.lifecycle import effective_status
from statusbook.view.status_view import StatusView


class AnnouncementKind(StrEnum):
    """What happened, as a subscriber would put it."""

    INCIDENT_NEW = "incident-new"
    UPDATE = "update"
    INCIDENT_RESOLVED = "incident-resolved"
    CORRECTION = "correction"
    MAINTENANCE_SCHEDULED = "maintenance-scheduled"
    MAINTENANCE_STARTED = "maintenance-started"
    MAINTENANCE_ENDED = "maintenance-ended"


@dataclass(frozen=True, slots=True)
class Announcement:
    """One public change: which incident, which update (``index``, -1 for a window edge), when, and the status it set."""

    id: str  # permanent: the feed entry's id, plus the correction's time for a correction
    entry_id: str  # the feed entry that shows it on the published site
    kind: AnnouncementKind
    incident: Incident  # as published when the announcement is made
    index: int
    at: datetime
    status: str
    anchor: str = ""  # the update's fragment on the incident page ("" for a window edge)
    boundary: str = ""  # WINDOW_START or WINDOW_END for a window edge

    @property
    def update(self) -> Update | None:
        return self.incident.updates[self.index] if self.index >= 0 else None

    @property
    def components(self) -> tuple[str, ...]:
        return self.incident.components

    @property
    def order(self) -> tuple[datetime, str, int, str]:
        return (self.at, self.incident.id, self.index, self.kind)

    @property
    def entry_order(self) -> tuple[datetime, str, int, str]:
        """Where its feed entry sorts among the feeds' moments (a correction sits at the update it corrects)."""
        update = self.update
        return (update.at if update is not None else self.at, self.incident.id, self.index, self.boundary)

    def link(self, site_url: str) -> str:
        """The page that shows it: the update's anchor on the incident page, or the page itself."""
        page = urls.absolute(site_url, urls.incident_page(self.incident.id))
        return f"{page}#{self.anchor}" if self.anchor else page

    def incident_then(self) -> Incident:
        """The incident as it stood when this happened: the updates up to this one (up to the moment, for a window edge or a correction)."""
        if self.kind != AnnouncementKind.CORRECTION and self.index >= 0:
            return replace(self.incident, updates=self.incident.updates[: self.index + 1])
        kept = tuple(u for n, u in enumerate(self.incident.updates) if u.at <= self.at or n <= self.index)
        return replace(self.incident, updates=kept)


CORRECTION_MARK = "/correction-"


def entry_of(announcement_id: str) -> str:
    """The id of the feed entry that shows an announcement, from the announcement's own id."""
    return announcement_id.split(CORRECTION_MARK, 1)[0]


def _update_kind(incident: Incident, index: int, final: str) -> AnnouncementKind:
    status = incident.updates[index].status
    if not incident.is_maintenance:
        if index == 0:
            return AnnouncementKind.INCIDENT_NEW
        return AnnouncementKind.INCIDENT_RESOLVED if status == final else AnnouncementKind.UPDATE
    if status == final:
        return AnnouncementKind.MAINTENANCE_ENDED
    if status in MAINTENANCE_WORKING and not any(u.status in MAINTENANCE_WORKING for u in incident.updates[:index]):
        return AnnouncementKind.MAINTENANCE_STARTED
    if index == 0 and status == MaintenanceStatus.SCHEDULED:
        return AnnouncementKind.MAINTENANCE_SCHEDULED
    return AnnouncementKind.UPDATE


def incident_announcements(incident: Incident, view: StatusView) -> list[Announcement]:
    """Everything one published incident announced by ``view.now``, oldest first."""
    handbook, site_url = view.handbook, view.config.site_url
    final = handbook.final_status(incident.kind)
    anchors = view.anchors(incident)
    found = []
    for moment in incident_moments(incident, handbook, view.now):
        if moment.boundary:
            kind = AnnouncementKind.MAINTENANCE_STARTED if moment.boundary == WINDOW_START else AnnouncementKind.MAINTENANCE_ENDED
            ident = entry_id(site_url, incident.id, moment.boundary)
            status = effective_status(incident, handbook, moment.at)
            found.append(Announcement(ident, ident, kind, incident, -1, moment.at, status, boundary=moment.boundary))
            continue
        index, anchor = moment.index, anchors[moment.index]
        update = incident.updates[index]
        ident = entry_id(site_url, incident.id, anchor)
        found.append(Announcement(ident, ident, _update_kind(incident, index, final), incident, index, update.at, update.status, anchor))
        if update.correction is not None:
            corrected = f"{ident}{CORRECTION_MARK}{stamp(update.correction.at).replace('-', '').replace(':', '')}"
            found.append(Announcement(corrected, ident, AnnouncementKind.CORRECTION, incident, index, update.correction.at, update.status, anchor))
    return sorted(found, key=lambda a: a.order)


def announcements(view: StatusView) -> list[Announcement]:
    """Every announcement of every published incident and maintenance, oldest first."""
    found = [a for incident in view.incidents for a in incident_announcements(incident, view)]
    return sorted(found, key=lambda a: a.order)
