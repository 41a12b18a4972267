"""One incident or maintenance through time: what was public at a moment, its stage, what it did to each component.

Pure functions of an incident, the handbook and a moment. A maintenance left
'scheduled' moves with its window, as on Statuspage: in progress while the
window is open, completed once it has closed, unless an update says otherwise.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from statusbook.core.handbook import Handbook
from statusbook.core.ids import ComponentStatusId, MaintenanceStatus, Stage
from statusbook.core.model import Incident, Update

OPERATIONAL = ComponentStatusId.OPERATIONAL
SCHEDULED = MaintenanceStatus.SCHEDULED


def latest_update(incident: Incident, at: datetime) -> Update | None:
    """The last update published at or before a moment (of updates at the same moment, the last listed)."""
    if incident.updates[-1].at <= at:
        return incident.updates[-1]  # the common case, asked about every incident on every build
    index = bisect.bisect_right([u.at for u in incident.updates], at)
    return incident.updates[index - 1] if index else None


def stage(incident: Incident, handbook: Handbook, now: datetime) -> Stage:
    """Whether an incident or maintenance is upcoming, active or ended at ``now``.

    A final update (resolved, completed) always ends it. A maintenance still
    'scheduled' is upcoming before its window, active (in progress) during it
    and ended after it; 'in_progress' and 'verifying' are active even when the
    work overruns its window.
    """
    latest = latest_update(incident, now)
    if latest is None:
        return Stage.UPCOMING
    if latest.status == handbook.final_status(incident.kind):
        return Stage.ENDED
    if incident.is_maintenance and latest.status == SCHEDULED and incident.scheduled is not None:
        if now < incident.scheduled.start:
            return Stage.UPCOMING
        return Stage.ACTIVE if now < incident.scheduled.end else Stage.ENDED
    return Stage.ACTIVE


def component_status_at(incident: Incident, component_id: str, handbook: Handbook, at: datetime) -> str | None:
    """The status one incident gives one component at a moment, or None when it does not affect it.

    Operational counts as not affecting. A maintenance in progress puts its
    components under maintenance unless its latest update names another status.
    """
    if component_id not in incident.components or stage(incident, handbook, at) != Stage.ACTIVE:
        return None
    latest = latest_update(incident, at)
    assert latest is not None
    named = latest.component_status(component_id)
    if incident.is_maintenance:
        if latest.status == SCHEDULED:
            # The window opened but nobody posted 'in progress' yet: the window is the promise.
            return named if named not in (None, OPERATIONAL) else ComponentStatusId.UNDER_MAINTENANCE
        if named is None:
            return ComponentStatusId.UNDER_MAINTENANCE
    return named if named != OPERATIONAL else None


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of time during which an incident held a component in one status."""

    start: datetime
    end: datetime
    status: str
    incident_id: str


def status_segments(incident: Incident, component_id: str, handbook: Handbook, until: datetime) -> list[Segment]:
    """The status intervals an incident defines for a component, from each update until the next, cut at ``until``."""
    points = {u.at for u in incident.updates}
    if incident.scheduled is not None:
        points |= {incident.scheduled.start, incident.scheduled.end}
    ordered = sorted(p for p in points if p < until)
    segments: list[Segment] = []
    for number, start in enumerate(ordered):
        end = ordered[number + 1] if number + 1 < len(ordered) else until
        status = component_status_at(incident, component_id, handbook, start)
        if status is None or end <= start:
            continue
        if segments and segments[-1].status == status and segments[-1].end == start:
            segments[-1] = Segment(segments[-1].start, end, status, incident.id)
        else:
            segments.append(Segment(start, end, status, incident.id))
    return segments


def first_moment(incident: Incident) -> datetime:
    start = incident.updates[0].at
    return min(start, incident.scheduled.start) if incident.scheduled is not None else start


def last_moment(incident: Incident, handbook: Handbook) -> datetime | None:
    """When an incident stopped affecting anything: its final update, else None (still open)."""
    last = incident.updates[-1]
    if last.status == handbook.final_status(incident.kind):
        return last.at
    if incident.is_maintenance and last.status == SCHEDULED and incident.scheduled is not None:
        return max(incident.scheduled.end, last.at)
    return None


def is_settled(incident: Incident, handbook: Handbook, now: datetime) -> bool:
    """Whether the incident looks the same at every later moment: all its updates published, and over.

    Then its page, its row in the history and its feed entries no longer
    depend on the clock, so a later build may reuse them as they are.
    """
    last = last_moment(incident, handbook)
    return last is not None and last <= now and incident.updates[-1].at <= now


def ended_at(incident: Incident, handbook: Handbook, now: datetime) -> datetime | None:
    """When the incident was resolved or the maintenance completed, as seen at ``now``; None while open."""
    last = last_moment(incident, handbook)
    return last if last is not None and last <= now else None


def incident_duration(incident: Incident, handbook: Handbook, now: datetime) -> tuple[datetime, datetime | None, timedelta]:
    """When customers were first affected, when it ended (None while open) and how long it lasted so far."""
    start = incident.started_at
    end = ended_at(incident, handbook, now)
    return start, end, max(timedelta(0), (end or now) - start)


def posted(incident: Incident, now: datetime) -> Incident | None:
    """The incident as published by ``now``: updates dated later are not public yet, and none at all means no incident."""
    if incident.updates[-1].at <= now:
        return incident
    updates = tuple(u for u in incident.updates if u.at <= now)
    return replace(incident, updates=updates) if updates else None


def last_changed(incident: Incident) -> datetime:
    """When anything public about the incident last changed: its newest update or correction."""
    moments = [u.at for u in incident.updates] + [u.correction.at for u in incident.updates if u.correction is not None]
    return max([*moments, *(c.at for c in incident.corrections)])


def effective_status(incident: Incident, handbook: Handbook, now: datetime) -> str:
    """The status the incident shows at ``now``; a maintenance left 'scheduled' moves with its window."""
    latest = latest_update(incident, now) or incident.updates[-1]
    if not incident.is_maintenance or latest.status != SCHEDULED:
        return latest.status
    current = stage(incident, handbook, now)
    known = {s.id for s in handbook.maintenance_statuses}
    if current == Stage.ACTIVE and MaintenanceStatus.IN_PROGRESS in known:
        return MaintenanceStatus.IN_PROGRESS
    if current == Stage.ENDED:
        return handbook.final_status(incident.kind)
    return latest.status
