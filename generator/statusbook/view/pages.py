"""What the status pages list at one moment: every component's status, the home page, the history.

Incidents are indexed once (:func:`index_incidents`) and every page takes
only its slice, so a long history costs O(N) to build, never O(N^2).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from statusbook.core.handbook import Component, Group, Handbook
from statusbook.core.ids import ComponentStatusId, Stage
from statusbook.core.model import Incident
from statusbook.view.banner import Overall, incident_impact, overall
from statusbook.view.lifecycle import component_status_at, stage

RECENT_DAYS = 7


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
    return max(statuses, key=lambda s: ranks[s].rank if s in ranks else -1, default=ComponentStatusId.OPERATIONAL)


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
    stage_of: Mapping[str, Stage]


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
        stage_of={i.id: stage(i, handbook, now) for i in ordered},
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
    active = [i for i in index.newest_first if index.stage_of[i.id] == Stage.ACTIVE]
    states = component_states(active, handbook, now)
    groups = tuple(GroupState(g, tuple(states[c] for c in g.components)) for g in handbook.groups)
    impacts = [incident_impact(i, handbook) for i in active if not i.is_maintenance]
    upcoming = sorted((i for i in index.newest_first if i.is_maintenance and index.stage_of[i.id] == Stage.UPCOMING), key=lambda i: (i.started_at, i.id))
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
    return paged([i for i in index.newest_first if index.stage_of[i.id] != Stage.UPCOMING], page_size, index.month_of)


def paged(incidents: Sequence[Incident], page_size: int, month_of: Mapping[str, tuple[int, int]]) -> tuple[HistoryPage, ...]:
    """Split incidents (newest first) into pages of ``page_size``, each grouped by month; one empty page when there are none."""
    count = max(1, math.ceil(len(incidents) / page_size))
    pages = []
    for number in range(1, count + 1):
        months: list[tuple[tuple[int, int], list[Incident]]] = []
        for incident in incidents[(number - 1) * page_size : number * page_size]:
            key = month_of[incident.id]
            if not months or months[-1][0] != key:
                months.append((key, []))
            months[-1][1].append(incident)
        pages.append(HistoryPage(number, count, tuple((k, tuple(v)) for k, v in months)))
    return tuple(pages)


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """The history narrowed to one component, severity or year: its pages, like the history's."""

    kind: str  # FILTER_KINDS
    key: str  # a component id, a severity id or a year
    pages: tuple[HistoryPage, ...]

    @property
    def total(self) -> int:
        return sum(len(incidents) for page in self.pages for _, incidents in page.months)


FILTER_KINDS = ("component", "severity", "year")


def history_filters(index: IncidentIndex, handbook: Handbook, page_size: int) -> tuple[HistoryFilter, ...]:
    """The history by component (every one the handbook lists), by severity (every level) and by year (those with incidents).

    One pass over the past sorts every incident into its lists, already newest
    first, so each filtered page is a slice: no page scans the whole history.
    """
    by_kind: dict[str, dict[str, list[Incident]]] = {kind: {} for kind in FILTER_KINDS}
    by_kind["component"] = {c.id: [] for c in handbook.components}
    by_kind["severity"] = {s.id: [] for s in handbook.severities}
    for incident in index.newest_first:
        if index.stage_of[incident.id] == Stage.UPCOMING:
            continue
        for cid in incident.components:
            by_kind["component"].setdefault(cid, []).append(incident)
        if incident.severity:
            by_kind["severity"].setdefault(incident.severity, []).append(incident)
        by_kind["year"].setdefault(str(index.month_of[incident.id][0]), []).append(incident)
    known = {"component": set(handbook.component_by_id), "severity": set(handbook.severity_by_id)}
    found = []
    for kind in FILTER_KINDS:
        for key, incidents in by_kind[kind].items():
            if kind in known and key not in known[kind]:
                continue  # validation reports unknown ids; a page needs a name
            found.append(HistoryFilter(kind, key, paged(incidents, page_size, index.month_of)))
    return tuple(found)


def by_year(index: IncidentIndex) -> tuple[tuple[str, tuple[Incident, ...]], ...]:
    """Every incident by the year it started in the site's zone, newest year first (the search index's shards).

    An edit changes one year's shard; the years before it stay as they are.
    """
    years: dict[str, list[Incident]] = {}
    for incident in index.newest_first:
        years.setdefault(str(index.month_of[incident.id][0]), []).append(incident)
    return tuple((year, tuple(incidents)) for year, incidents in years.items())
