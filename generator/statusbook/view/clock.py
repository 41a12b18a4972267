"""The build's clock: the wall clock, snapped back to the last moment the public page could change.

What the status page shows changes only at known moments: an update or a
correction goes out, a maintenance window opens or closes, the day rolls
over in the site's zone (the uptime bars and "today"), or a commit lands. A
build at any moment between two such boundaries shows exactly what a build at
the earlier boundary shows, so it takes that boundary as its clock: builds of
the same commit anywhere between two boundaries are byte-identical, and a
scheduled build that finds nothing new publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from statusbook.core.model import Incident
from statusbook.view.uptime import day_start


def boundaries(incidents: Iterable[Incident]) -> Iterator[datetime]:
    """Every moment at which an incident changes what the page shows."""
    for incident in incidents:
        for update in incident.updates:
            yield update.at
            if update.correction is not None:
                yield update.correction.at
        for correction in incident.corrections:
            yield correction.at
        if incident.scheduled is not None:
            yield incident.scheduled.start
            yield incident.scheduled.end


def snapped(wall: datetime, incidents: Iterable[Incident], zone: ZoneInfo, *, commit: datetime | None = None) -> datetime:
    """The latest boundary at or before ``wall``: an incident's moment, midnight in ``zone``, or the commit's time."""
    today = wall.astimezone(zone).date()
    latest = day_start(today, zone)
    if latest > wall:  # a zone whose midnight was skipped: the day began at the jump, which day_start gives
        latest = day_start(today - timedelta(days=1), zone)
    if commit is not None and latest < commit <= wall:
        latest = commit
    for moment in boundaries(incidents):
        if latest < moment <= wall:
            latest = moment
    return latest
