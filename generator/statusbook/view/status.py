"""The status page's view model: what every page shows, computed from incidents, the handbook and a clock.

Everything here is a pure function over frozen values: no formatting, no
templates, no clock of its own (``now`` is always a parameter). Incidents are
indexed once (:func:`index_incidents`) and every page takes only its slice,
so a long history costs O(N) to build, never O(N^2).

The banner follows Atlassian Statuspage's wording so readers and existing
clients see familiar words; :func:`indicator` and :func:`description` are
public so the JSON API reports exactly what the page shows.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from statusbook.core.handbook import Component, Group, Handbook
from statusbook.core.model import OPERATIONAL, Incident, Update

DEGRADED = "degraded_performance"
PARTIAL_OUTAGE = "partial_outage"
MAJOR_OUTAGE = "major_outage"
UNDER_MAINTENANCE = "under_maintenance"
SCHEDULED = "scheduled"
IN_PROGRESS = "in_progress"
VERIFYING = "verifying"

UPCOMING = "upcoming"
ACTIVE = "active"
ENDED = "ended"

UPTIME_DAYS = 90
RECENT_DAYS = 7


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
INDICATOR_OF: Mapping[str, str] = {
    ALL_SYSTEMS_OPERATIONAL: "none",
    SERVICE_UNDER_MAINTENANCE: "maintenance",
    PARTIALLY_DEGRADED_SERVICE: "minor",
    DEGRADED_SYSTEM_SERVICE: "minor",
    MINOR_SERVICE_OUTAGE: "minor",
    PARTIAL_SYSTEM_OUTAGE: "major",
    MAJOR_SYSTEM_OUTAGE: "critical",
}
INDICATORS = ("none", "maintenance", "minor", "major", "critical")
_INDICATOR_RANK = {"none": 0, "maintenance": 0, "minor": 1, "major": 2, "critical": 3}
# An unresolved incident's impact when no component shows a problem (Statuspage's zero-component rule).
_IMPACT_DESCRIPTION = {"minor": MINOR_SERVICE_OUTAGE, "major": PARTIAL_SYSTEM_OUTAGE, "critical": MAJOR_SYSTEM_OUTAGE}


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
    worst = max(impacts, key=lambda i: _INDICATOR_RANK.get(i, 0), default="none")
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
        return "maintenance"
    severity = handbook.severity_by_id.get(incident.severity or "")
    if severity is not None:
        return severity.impact
    seen = {status for update in incident.updates for _, status in update.components}
    for status, impact in ((MAJOR_OUTAGE, "critical"), (PARTIAL_OUTAGE, "major"), (DEGRADED, "minor")):
        if status in seen:
            return impact
    return "none"


# --- one incident through time ---------------------------------------------------------------


def latest_update(incident: Incident, at: datetime) -> Update | None:
    """The last update published at or before a moment (of updates at the same moment, the last listed)."""
    if incident.updates[-1].at <= at:
        return incident.updates[-1]  # the common case, asked about every incident on every build
    index = bisect.bisect_right([u.at for u in incident.updates], at)
    return incident.updates[index - 1] if index else None


def phase(incident: Incident, handbook: Handbook, now: datetime) -> str:
    """Whether an incident or maintenance is upcoming, active or ended at ``now``.

    A final update (resolved, completed) always ends it. A maintenance still
    'scheduled' is upcoming before its window, active (in progress) during it
    and ended after it; 'in_progress' and 'verifying' are active even when the
    work overruns its window.
    """
    latest = latest_update(incident, now)
    if latest is None:
        return UPCOMING
    if latest.status == handbook.final_status(incident.kind):
        return ENDED
    if incident.is_maintenance and latest.status == SCHEDULED and incident.scheduled is not None:
        if now < incident.scheduled.start:
            return UPCOMING
        return ACTIVE if now < incident.scheduled.end else ENDED
    return ACTIVE


def component_status_at(incident: Incident, component_id: str, handbook: Handbook, at: datetime) -> str | None:
    """The status one incident gives one component at a moment, or None when it does not affect it.

    Operational counts as not affecting. A maintenance in progress puts its
    components under maintenance unless its latest update names another status.
    """
    if component_id not in incident.components or phase(incident, handbook, at) != ACTIVE:
        return None
    latest = latest_update(incident, at)
    assert latest is not None
    named = latest.component_status(component_id)
    if incident.is_maintenance:
        if latest.status == SCHEDULED:
            # The window opened but nobody posted 'in progress' yet: the window is the promise.
            return named if named not in (None, OPERATIONAL) else UNDER_MAINTENANCE
        if named is None:
            return UNDER_MAINTENANCE
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


# --- the whole page at one moment --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentState:
    """A component's status now and the active incidents or maintenances that set it."""

    component: Component
    status: str
    incident_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupState:
    group: Group
    components: tuple[ComponentState, ...]


def worst(statuses: Iterable[str], handbook: Handbook) -> str:
    """The worst of some component statuses by the handbook's rank; operational when there are none."""
    ranks = handbook.component_status_by_id
    return max(statuses, key=lambda s: ranks[s].rank if s in ranks else -1, default=OPERATIONAL)


def component_states(active: Iterable[Incident], handbook: Handbook, now: datetime) -> dict[str, ComponentState]:
    """Every component's current status: the worst over the active incidents and maintenances."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for incident in active:
        for cid in incident.components:
            status = component_status_at(incident, cid, handbook, now)
            if status is not None:
                found[cid].append((status, incident.id))
    states = {}
    for component in handbook.components:
        entries = found.get(component.id, [])
        status = worst((s for s, _ in entries), handbook)
        ids = tuple(sorted({i for _, i in entries}))
        states[component.id] = ComponentState(component, status, ids)
    return states


@dataclass(frozen=True)
class IncidentIndex:
    """All incidents sorted and sliced once, so each page takes its part without scanning the rest."""

    newest_first: tuple[Incident, ...]
    by_id: Mapping[str, Incident]
    by_component: Mapping[str, tuple[Incident, ...]]
    by_month: Mapping[tuple[int, int], tuple[Incident, ...]]
    month_of: Mapping[str, tuple[int, int]]
    phase_of: Mapping[str, str]


def index_incidents(incidents: Iterable[Incident], handbook: Handbook, now: datetime, zone: ZoneInfo) -> IncidentIndex:
    """Sort incidents newest first (by when customers were affected) and index them by component and month."""
    ordered = tuple(sorted(incidents, key=lambda i: (i.started_at, i.id), reverse=True))
    by_component: dict[str, list[Incident]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[Incident]] = defaultdict(list)
    month_of: dict[str, tuple[int, int]] = {}
    for incident in ordered:
        local = incident.started_at.astimezone(zone)
        month_of[incident.id] = (local.year, local.month)
        by_month[(local.year, local.month)].append(incident)
        for cid in incident.components:
            by_component[cid].append(incident)
    return IncidentIndex(
        newest_first=ordered,
        by_id={i.id: i for i in ordered},
        by_component={k: tuple(v) for k, v in by_component.items()},
        by_month={k: tuple(v) for k, v in by_month.items()},
        month_of=month_of,
        phase_of={i.id: phase(i, handbook, now) for i in ordered},
    )


def published_index(index: IncidentIndex, published: Iterable[Incident]) -> IncidentIndex:
    """The index of the incidents as published (see :func:`statusbook.render.api.published`), from the index of all of them.

    The same as indexing the published incidents afresh, without sorting
    again: publishing drops incidents with no update out yet and later updates
    of the others, which changes neither their order nor their phase.
    """
    public = {i.id: i for i in published}
    if len(public) == len(index.newest_first) and all(public.get(i.id) is i for i in index.newest_first):
        return index  # every incident published as it is (the usual case)
    ordered = tuple(public[i.id] for i in index.newest_first if i.id in public)
    return IncidentIndex(
        newest_first=ordered,
        by_id={i.id: i for i in ordered},
        by_component={cid: kept for cid, found in index.by_component.items() if (kept := tuple(public[i.id] for i in found if i.id in public))},
        by_month={key: kept for key, found in index.by_month.items() if (kept := tuple(public[i.id] for i in found if i.id in public))},
        month_of={i.id: index.month_of[i.id] for i in ordered},
        phase_of={i.id: index.phase_of[i.id] for i in ordered},
    )


@dataclass(frozen=True, slots=True)
class PageState:
    """What the home page shows at ``now``."""

    now: datetime
    overall: Overall
    groups: tuple[GroupState, ...]
    components: Mapping[str, ComponentState]
    active_incidents: tuple[Incident, ...]
    maintenance_in_progress: tuple[Incident, ...]
    maintenance_upcoming: tuple[Incident, ...]
    recent_days: tuple[tuple[date, tuple[Incident, ...]], ...]


def page_state(index: IncidentIndex, handbook: Handbook, now: datetime, zone: ZoneInfo, *, recent_days: int = RECENT_DAYS) -> PageState:
    """Compute the home page: banner, components by group, active incidents, maintenance, the last days."""
    active = [i for i in index.newest_first if index.phase_of[i.id] == ACTIVE]
    states = component_states(active, handbook, now)
    groups = tuple(GroupState(g, tuple(states[c] for c in g.components)) for g in handbook.groups)
    impacts = [incident_impact(i, handbook) for i in active if not i.is_maintenance]
    upcoming = sorted((i for i in index.newest_first if i.is_maintenance and index.phase_of[i.id] == UPCOMING), key=lambda i: (i.started_at, i.id))
    return PageState(
        now=now,
        overall=overall([states[c.id].status for c in handbook.components], impacts),
        groups=groups,
        components=states,
        active_incidents=tuple(i for i in active if not i.is_maintenance),
        maintenance_in_progress=tuple(i for i in active if i.is_maintenance),
        maintenance_upcoming=tuple(upcoming),
        recent_days=recent(index, now, zone, recent_days),
    )


def recent(index: IncidentIndex, now: datetime, zone: ZoneInfo, days: int = RECENT_DAYS) -> tuple[tuple[date, tuple[Incident, ...]], ...]:
    """The last ``days`` days in the site's zone, newest first, each with the incidents that started on it."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    per_day: dict[date, list[Incident]] = defaultdict(list)
    for incident in index.newest_first:
        if incident.started_at > now:
            continue
        day = incident.started_at.astimezone(zone).date()
        if day < first:
            break  # newest first: everything after this is older
        per_day[day].append(incident)
    return tuple((today - timedelta(days=n), tuple(per_day.get(today - timedelta(days=n), ()))) for n in range(days))


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of the history: its months, newest first, each with its incidents."""

    number: int
    count: int
    months: tuple[tuple[tuple[int, int], tuple[Incident, ...]], ...]


def history_pages(index: IncidentIndex, page_size: int) -> tuple[HistoryPage, ...]:
    """Split the past (everything but upcoming maintenance) into pages, newest first, grouped by month."""
    past = [i for i in index.newest_first if index.phase_of[i.id] != UPCOMING]
    count = max(1, math.ceil(len(past) / page_size))
    pages = []
    for number in range(1, count + 1):
        months: list[tuple[tuple[int, int], list[Incident]]] = []
        for incident in past[(number - 1) * page_size : number * page_size]:
            key = index.month_of[incident.id]
            if not months or months[-1][0] != key:
                months.append((key, []))
            months[-1][1].append(incident)
        pages.append(HistoryPage(number, count, tuple((k, tuple(v)) for k, v in months)))
    return tuple(pages)


# --- uptime ---------------------------------------------------------------------------------


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a calendar day in a zone, in UTC.

    zoneinfo resolves a local midnight skipped by a DST jump with the offset
    before the jump, which lands exactly on the jump: the day's first instant.
    """
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Day:
    """One bar of the uptime chart: how long the component spent in each status that day."""

    date: date
    start: datetime
    end: datetime
    durations: tuple[tuple[str, timedelta], ...]
    downtime_seconds: float
    incident_ids: tuple[str, ...]

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def worst(self) -> str:
        """The first (worst) status held that day, operational when nothing happened."""
        return self.durations[0][0] if self.durations else OPERATIONAL

    @property
    def uptime(self) -> float:
        seconds = self.length.total_seconds()
        return 1.0 if seconds <= 0 else 1.0 - self.downtime_seconds / seconds


@dataclass(frozen=True, slots=True)
class Uptime:
    """A component's uptime over the window: one :class:`Day` per day, oldest first."""

    component_id: str
    days: tuple[Day, ...]
    downtime_seconds: float
    total_seconds: float

    @property
    def ratio(self) -> float:
        return 1.0 if self.total_seconds <= 0 else 1.0 - self.downtime_seconds / self.total_seconds

    @property
    def percent(self) -> float:
        """The uptime in percent, cut (not rounded) to two decimals so any downtime shows below 100."""
        return math.floor(self.ratio * 10000 + 1e-9) / 100


def merge_worst(segments: Iterable[Segment], handbook: Handbook) -> list[tuple[datetime, datetime, str]]:
    """Overlay segments from several incidents: at each moment the worst status by the handbook's rank holds."""
    ranks = handbook.component_status_by_id
    by_rank = {s.rank: s.id for s in handbook.component_statuses}
    events: list[tuple[datetime, int, int]] = []
    for segment in segments:
        rank = ranks[segment.status].rank
        events.append((segment.start, 1, rank))
        events.append((segment.end, -1, rank))
    events.sort()
    counts: dict[int, int] = defaultdict(int)
    merged: list[tuple[datetime, datetime, str]] = []
    for number, (moment, change, rank) in enumerate(events):
        counts[rank] += change
        following = events[number + 1][0] if number + 1 < len(events) else None
        if following is None or following == moment:
            continue
        live = [r for r, c in counts.items() if c > 0]
        if not live:
            continue
        status = by_rank[max(live)]
        if merged and merged[-1][2] == status and merged[-1][1] == moment:
            merged[-1] = (merged[-1][0], following, status)
        else:
            merged.append((moment, following, status))
    return merged


def window_days(now: datetime, zone: ZoneInfo, days: int = UPTIME_DAYS) -> list[tuple[date, datetime, datetime]]:
    """The last ``days`` calendar days in the zone (oldest first) as (date, first instant, end), today ending at ``now``."""
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    starts = [day_start(d, zone) for d in dates] + [day_start(today + timedelta(days=1), zone)]
    return [(d, starts[n], min(starts[n + 1], now)) for n, d in enumerate(dates)]


def uptime(component_id: str, incidents: Iterable[Incident], handbook: Handbook, now: datetime, zone: ZoneInfo, *, days: int = UPTIME_DAYS) -> Uptime:
    """Compute a component's daily bars and uptime over the last ``days`` days in the site's zone.

    Each update holds the component in its status until the next update (an
    open incident until ``now``); overlapping incidents count the worst status
    at each moment; time in a status counts as downtime times that status's
    ``downtime_weight`` from the handbook schema. Days are calendar days in
    ``zone``, so a DST day lasts 23 or 25 hours.
    """
    spans = window_days(now, zone, days)
    window_start = spans[0][1]
    segments: list[Segment] = []
    for incident in incidents:
        if first_moment(incident) >= now:
            continue
        last = last_moment(incident, handbook)
        if last is not None and last <= window_start:
            continue
        for segment in status_segments(incident, component_id, handbook, now):
            if segment.end > window_start:
                segments.append(segment)
    merged = merge_worst(segments, handbook)
    weight = {s.id: s.downtime_weight for s in handbook.component_statuses}
    rank = {s.id: s.rank for s in handbook.component_statuses}
    per_day: list[dict[str, timedelta]] = [defaultdict(timedelta) for _ in spans]
    touched: list[set[str]] = [set() for _ in spans]
    starts = [s[1] for s in spans]

    def overlapping(start: datetime, end: datetime) -> Iterable[int]:
        first = max(0, bisect.bisect_right(starts, start) - 1)
        for number in range(first, len(spans)):
            if spans[number][1] >= end:
                break
            if spans[number][2] > start:
                yield number

    for start, end, status in merged:
        for number in overlapping(start, end):
            _, day_begin, day_end = spans[number]
            piece = min(end, day_end) - max(start, day_begin)
            if piece > timedelta(0):
                per_day[number][status] += piece
    for segment in segments:
        for number in overlapping(segment.start, segment.end):
            touched[number].add(segment.incident_id)
    result = []
    total_down = 0.0
    for number, (day, begin, end) in enumerate(spans):
        durations = tuple(sorted(per_day[number].items(), key=lambda item: -rank[item[0]]))
        down = sum(weight[status] * length.total_seconds() for status, length in durations)
        total_down += down
        result.append(Day(day, begin, end, durations, down, tuple(sorted(touched[number]))))
    total = (now - window_start).total_seconds()
    return Uptime(component_id, tuple(result), total_down, total)


def window_start(now: datetime, zone: ZoneInfo, days: int = UPTIME_DAYS) -> datetime:
    """The first instant of the uptime window: the start of the oldest of its ``days`` calendar days."""
    return day_start(now.astimezone(zone).date() - timedelta(days=days - 1), zone)


def overlapping(index: IncidentIndex, handbook: Handbook, now: datetime, start: datetime) -> list[Incident]:
    """The incidents that affect anything between ``start`` and ``now``, newest first: one cheap pass over all."""
    found = []
    for incident in index.newest_first:
        if first_moment(incident) >= now:
            continue
        last = last_moment(incident, handbook)
        if last is None or last > start:
            found.append(incident)
    return found


def all_uptime(index: IncidentIndex, handbook: Handbook, now: datetime, zone: ZoneInfo, *, days: int = UPTIME_DAYS,
               window: Sequence[Incident] | None = None) -> dict[str, Uptime]:
    """Uptime for every component, from the incidents that overlap the window only.

    A decade of history holds a few hundred that touch the last 90 days
    (``window``, from :func:`overlapping`, when the caller has it); each
    component's bars come from its share of those.
    """
    if window is None:
        window = overlapping(index, handbook, now, window_start(now, zone, days))
    by_component: dict[str, list[Incident]] = defaultdict(list)
    for incident in window:
        for cid in incident.components:
            by_component[cid].append(incident)
    return {c.id: uptime(c.id, by_component.get(c.id, ()), handbook, now, zone, days=days) for c in handbook.components}


def incident_duration(incident: Incident, handbook: Handbook, now: datetime) -> tuple[datetime, datetime | None, timedelta]:
    """When customers were first affected, when it ended (None while open) and how long it lasted so far."""
    start = incident.started_at
    end = ended_at(incident, handbook, now)
    return start, end, max(timedelta(0), (end or now) - start)
