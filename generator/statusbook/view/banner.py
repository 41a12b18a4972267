"""The banner: Statuspage's top-level wording and indicator for what the components and open incidents show.

The wording follows Atlassian Statuspage so readers and existing clients see
familiar words; the JSON API reports exactly what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from statusbook.core.handbook import Handbook
from statusbook.core.ids import ComponentStatusId, Impact, Indicator
from statusbook.core.model import Incident


def N_(message: str) -> str:
    """Mark a message for translation without translating it (``pybabel extract`` finds it)."""
    return message


# Statuspage's top-level status wording; the API must send these exact English strings.
ALL_SYSTEMS_OPERATIONAL = N_("All Systems Operational")
MAJOR_SYSTEM_OUTAGE = N_("Major System Outage")
PARTIAL_SYSTEM_OUTAGE = N_("Partial System Outage")
MINOR_SERVICE_OUTAGE = N_("Minor Service Outage")
DEGRADED_SYSTEM_SERVICE = N_("Degraded System Service")
PARTIALLY_DEGRADED_SERVICE = N_("Partially Degraded Service")
SERVICE_UNDER_MAINTENANCE = N_("Service Under Maintenance")

# The indicator each wording carries. "maintenance" is not in Statuspage's documented enum but
# is what its summary.json sends while a maintenance is under way; clients already expect it.
INDICATOR_OF: Mapping[str, Indicator] = {
    ALL_SYSTEMS_OPERATIONAL: Indicator.NONE,
    SERVICE_UNDER_MAINTENANCE: Indicator.MAINTENANCE,
    PARTIALLY_DEGRADED_SERVICE: Indicator.MINOR,
    DEGRADED_SYSTEM_SERVICE: Indicator.MINOR,
    MINOR_SERVICE_OUTAGE: Indicator.MINOR,
    PARTIAL_SYSTEM_OUTAGE: Indicator.MAJOR,
    MAJOR_SYSTEM_OUTAGE: Indicator.CRITICAL,
}
_INDICATOR_RANK = {Indicator.NONE: 0, Indicator.MAINTENANCE: 0, Indicator.MINOR: 1, Indicator.MAJOR: 2, Indicator.CRITICAL: 3}
# An unresolved incident's impact when no component shows a problem (Statuspage's zero-component rule).
_IMPACT_DESCRIPTION = {Impact.MINOR: MINOR_SERVICE_OUTAGE, Impact.MAJOR: PARTIAL_SYSTEM_OUTAGE, Impact.CRITICAL: MAJOR_SYSTEM_OUTAGE}
DEGRADED, PARTIAL_OUTAGE, MAJOR_OUTAGE, UNDER_MAINTENANCE = (
    ComponentStatusId.DEGRADED_PERFORMANCE,
    ComponentStatusId.PARTIAL_OUTAGE,
    ComponentStatusId.MAJOR_OUTAGE,
    ComponentStatusId.UNDER_MAINTENANCE,
)


def _blend(statuses: Sequence[str]) -> str:
    """Statuspage's blend of component statuses: the worst decides, 'all' or 'some' picks the words."""
    def every(status: str) -> bool:
        return all(s == status for s in statuses)

    if MAJOR_OUTAGE in statuses:
        return MAJOR_SYSTEM_OUTAGE if every(MAJOR_OUTAGE) else PARTIAL_SYSTEM_OUTAGE
    if PARTIAL_OUTAGE in statuses:
        return PARTIAL_SYSTEM_OUTAGE if every(PARTIAL_OUTAGE) else MINOR_SERVICE_OUTAGE
    if DEGRADED in statuses:
        return DEGRADED_SYSTEM_SERVICE if len(statuses) > 1 and every(DEGRADED) else PARTIALLY_DEGRADED_SERVICE
    if UNDER_MAINTENANCE in statuses:
        return SERVICE_UNDER_MAINTENANCE
    return ALL_SYSTEMS_OPERATIONAL


def description(statuses: Sequence[str], impacts: Iterable[str] = ()) -> str:
    """Return the page's top-level status in Statuspage's words.

    ``statuses`` holds the current status of every component on the page (one
    entry per component); ``impacts`` the impacts (none/minor/major/critical)
    of unresolved incidents. The components decide, as on Statuspage:

    - all operational (or no components): "All Systems Operational";
    - any major outage: "Major System Outage" when every component is down, else "Partial System Outage";
    - any partial outage: "Partial System Outage" when all are, else "Minor Service Outage";
    - any degraded performance: "Degraded System Service" when all of several are, else "Partially Degraded Service";
    - otherwise, any component under maintenance: "Service Under Maintenance".

    When no component shows a problem (the blend is operational or
    maintenance) but an incident is unresolved, its impact speaks instead:
    Statuspage's rule for pages without components, applied to open
    incidents whose components nobody marked yet, so the page never reads
    "All Systems Operational" during a critical incident. Marked components
    always decide; with no ``impacts`` the result is the pure component blend.
    """
    blended = _blend(list(statuses))
    if _INDICATOR_RANK[INDICATOR_OF[blended]] > 0:
        return blended
    worst = max(impacts, key=lambda i: _INDICATOR_RANK.get(i, 0), default=Impact.NONE)
    return _IMPACT_DESCRIPTION.get(worst, blended)


def indicator(statuses: Sequence[str], impacts: Iterable[str] = ()) -> str:
    """Return Statuspage's status indicator (none, minor, major, critical, maintenance) for :func:`description`."""
    return INDICATOR_OF[description(statuses, impacts)]


@dataclass(frozen=True, slots=True)
class Overall:
    """The banner: Statuspage's indicator and wording."""

    indicator: str
    description: str


def overall(statuses: Sequence[str], impacts: Iterable[str] = ()) -> Overall:
    text = description(statuses, impacts)
    return Overall(INDICATOR_OF[text], text)


def incident_impact(incident: Incident, handbook: Handbook) -> str:
    """Statuspage's impact of an incident: its severity's impact, else its worst component status."""
    if incident.is_maintenance:
        return Impact.MAINTENANCE
    severity = handbook.severity_by_id.get(incident.severity or "")
    if severity is not None:
        return severity.impact
    seen = {status for update in incident.updates for _, status in update.components}
    for status, impact in ((MAJOR_OUTAGE, Impact.CRITICAL), (PARTIAL_OUTAGE, Impact.MAJOR), (DEGRADED, Impact.MINOR)):
        if status in seen:
            return impact
    return Impact.NONE
