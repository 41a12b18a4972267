"""Uptime: each component's 90 daily bars and its uptime figure, from what incidents did to it.

Days are calendar days in the site's zone (a DST day lasts 23 or 25 hours);
time in a status counts as downtime times that status's ``downtime_weight``.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from statusbook.core.handbook import Handbook
from statusbook.core.ids import ComponentStatusId
from statusbook.core.model import Incident
from statusbook.view.lifecycle import Segment, first_moment, last_moment, status_segments

UPTIME_DAYS = 90


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
        return self.durations[0][0] if self.durations else ComponentStatusId.OPERATIONAL

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
    first_instant = spans[0][1]
    segments: list[Segment] = []
    for incident in incidents:
        if first_moment(incident) >= now:
            continue
        last = last_moment(incident, handbook)
        if last is not None and last <= first_instant:
            continue
        for segment in status_segments(incident, component_id, handbook, now):
            if segment.end > first_instant:
                segments.append(segment)
    merged = merge_worst(segments, handbook)
    weight = {s.id: s.downtime_weight for s in handbook.component_statuses}
    rank = {s.id: s.rank for s in handbook.component_statuses}
    per_day: list[dict[str, timedelta]] = [defaultdict(timedelta) for _ in spans]
    touched: list[set[str]] = [set() for _ in spans]
    starts = [s[1] for s in spans]

    def days_touching(start: datetime, end: datetime) -> Iterable[int]:
        first = max(0, bisect.bisect_right(starts, start) - 1)
        for number in range(first, len(spans)):
            if spans[number][1] >= end:
                break
            if spans[number][2] > start:
                yield number

    for start, end, status in merged:
        for number in days_touching(start, end):
            _, day_begin, day_end = spans[number]
            piece = min(end, day_end) - max(start, day_begin)
            if piece > timedelta(0):
                per_day[number][status] += piece
    for segment in segments:
        for number in days_touching(segment.start, segment.end):
            touched[number].add(segment.incident_id)
    result = []
    total_down = 0.0
    for number, (day, begin, end) in enumerate(spans):
        durations = tuple(sorted(per_day[number].items(), key=lambda item: -rank[item[0]]))
        down = sum(weight[status] * length.total_seconds() for status, length in durations)
        total_down += down
        result.append(Day(day, begin, end, durations, down, tuple(sorted(touched[number]))))
    total = (now - first_instant).total_seconds()
    return Uptime(component_id, tuple(result), total_down, total)


def window_start(now: datetime, zone: ZoneInfo, days: int = UPTIME_DAYS) -> datetime:
    """The first instant of the uptime window: the start of the oldest of its ``days`` calendar days."""
    return day_start(now.astimezone(zone).date() - timedelta(days=days - 1), zone)


def overlapping(incidents: Iterable[Incident], handbook: Handbook, now: datetime, start: datetime) -> list[Incident]:
    """The incidents that affect anything between ``start`` and ``now``, in the given order: one cheap pass over all."""
    found = []
    for incident in incidents:
        if first_moment(incident) >= now:
            continue
        last = last_moment(incident, handbook)
        if last is None or last > start:
            found.append(incident)
    return found


def all_uptime(incidents: Sequence[Incident], handbook: Handbook, now: datetime, zone: ZoneInfo, *, days: int = UPTIME_DAYS,
               window: Sequence[Incident] | None = None) -> dict[str, Uptime]:
    """Uptime for every component, from the incidents that overlap the window only.

    A decade of history holds a few hundred that touch the last 90 days
    (``window``, from :func:`overlapping`, when the caller has it); each
    component's bars come from its share of those.
    """
    if window is None:
        window = overlapping(incidents, handbook, now, window_start(now, zone, days))
    by_component: dict[str, list[Incident]] = defaultdict(list)
    for incident in window:
        for cid in incident.components:
            by_component[cid].append(incident)
    return {c.id: uptime(c.id, by_component.get(c.id, ()), handbook, now, zone, days=days) for c in handbook.components}
