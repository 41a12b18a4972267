"""Response metrics: how fast the team detected, told customers, mitigated and resolved, and whether it learned.

Pure functions of incidents, their internal records, postmortem progress and
the handbook. The definitions below are the ones the internal metrics page
prints and the handbook's "Response metrics" page explains; change them
together.

- An incident's **detection** is its earliest internal timeline entry in the
  handbook's first phase (Detect). It **opened** at the earlier of its
  detection and its first public update; that moment's month (in the site's
  zone) is the month it counts in.
- **Time to first public update**: from detection to the first public update.
- **Time to mitigation**: from detection to the first public update whose
  status is ``monitoring`` (a fix is in place) or the final ``resolved``.
- **Time to resolution**: from detection to the final ``resolved`` update.
- A **reopened** incident (a non-final update after a final one) is measured
  to its last resolution, and its mitigation is the first mitigating update
  after it was last reopened: the time customers waited until it was over.
- An incident **without a detection entry** is left out of all three times
  and counted as "not measured"; one **not yet mitigated or resolved** is
  counted as "still open" for the times it has not reached. A detection
  logged after the first public update counts as zero, never negative.
- **Median**: the middle value (the mean of the two middle values for an even
  count). **90th percentile**: nearest rank, the value at position ⌈0.9 n⌉
  of the sorted times, so 90 % of the incidents took at most that long.
- Maintenance is planned work: it is left out of every metric.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from statusbook.check.postmortem import FINISHED, Progress
from statusbook.core.handbook import Handbook
from statusbook.core.ids import WATCHING, PostmortemStatus
from statusbook.core.model import Incident, Internal

MONTHS_SHOWN = 36  # the monthly chart and table show at most this many months, the latest ones


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """The moments of one incident's response that the metrics measure."""

    incident_id: str
    severity: str
    opened: datetime
    detected: datetime | None
    first_update: datetime
    mitigated: datetime | None
    resolved: datetime | None
    reopened: int = 0

    def since_detection(self, moment: datetime | None) -> timedelta | None:
        """How long after detection a moment came (never negative), or None when either is unknown."""
        if self.detected is None or moment is None:
            return None
        return max(timedelta(0), moment - self.detected)


def response_times(incident: Incident, internal: Internal | None, handbook: Handbook) -> ResponseTimes:
    """Find detection, first update, mitigation and resolution of one incident (see the module's definitions)."""
    detect_phase = handbook.phases[0].id if handbook.phases else ""
    detections = [e.at for e in (internal.timeline if internal is not None else ()) if e.phase == detect_phase]
    detected = min(detections) if detections else None
    final = handbook.final_status(incident.kind)
    mitigating = (WATCHING[incident.kind], final)
    updates = incident.updates
    reopenings = [index for index in range(1, len(updates)) if updates[index - 1].status == final and updates[index].status != final]
    reopened = len(reopenings)
    start = reopenings[-1] if reopenings else 0  # where the last episode starts: the update that last reopened it
    mitigated = next((u.at for u in updates[start:] if u.status in mitigating), None)
    resolved = updates[-1].at if updates[-1].status == final else None
    first = updates[0].at
    return ResponseTimes(incident.id, incident.severity or "", min(first, detected) if detected else first, detected, first, mitigated, resolved, reopened)


# --- statistics --------------------------------------------------------------------------------------------


def median(values: Iterable[timedelta]) -> timedelta | None:
    """The middle value; for an even count, the mean of the two middle ones."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Iterable[timedelta], share: float) -> timedelta | None:
    """The nearest-rank percentile: the value at position ceil(share * n) of the sorted values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(share * len(ordered) - 1e-9))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Spread:
    """One duration over a group of incidents: its median and 90th percentile, and who was not counted."""

    count: int
    median: timedelta | None
    p90: timedelta | None
    not_measured: int = 0  # no detection entry
    still_open: int = 0  # detected, but not there yet

    @classmethod
    def of(cls, times: Iterable[ResponseTimes], moment: str) -> Spread:
        measured, not_measured, still_open = [], 0, 0
        for entry in times:
            if entry.detected is None:
                not_measured += 1
                continue
            value = entry.since_detection(getattr(entry, moment))
            if value is None:
                still_open += 1
            else:
                measured.append(value)
        return cls(len(measured), median(measured), percentile(measured, 0.9), not_measured, still_open)


# --- the metrics page's numbers --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthRow:
    """How many incidents opened in one month, per severity."""

    key: tuple[int, int]
    counts: tuple[int, ...]  # in the order of Metrics.severities

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class DurationRow:
    """The three response times of one severity."""

    severity: str
    incidents: int
    first_update: Spread
    mitigation: Spread
    resolution: Spread


@dataclass(frozen=True, slots=True)
class PostmortemRow:
    """A postmortem in the overdue list."""

    incident_id: str
    title: str
    severity: str
    stage: str
    due: datetime


@dataclass(frozen=True, slots=True)
class PostmortemTally:
    """Postmortem completion over the resolved incidents whose severity requires one."""

    required: int
    finished: int
    in_progress: int  # a file that is a draft or in review
    missing: int
    overdue: tuple[PostmortemRow, ...]

    @property
    def completion(self) -> float | None:
        return self.finished / self.required if self.required else None


@dataclass(frozen=True, slots=True)
class Metrics:
    """Everything the metrics page shows."""

    incidents: int
    severities: tuple[str, ...]
    months: tuple[MonthRow, ...]
    months_left_out: int
    durations: tuple[DurationRow, ...]
    components: tuple[tuple[str, int], ...]
    teams: tuple[tuple[str, int], ...]
    postmortems: PostmortemTally
    reopened: tuple[str, ...]
    not_measured: tuple[str, ...]


def month_of(moment: datetime, zone: ZoneInfo) -> tuple[int, int]:
    local = moment.astimezone(zone)
    return local.year, local.month


def _month_range(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    keys = []
    year, month = first
    while (year, month) <= last:
        keys.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _ordered_severities(handbook: Handbook, used: Iterable[str]) -> tuple[str, ...]:
    """The handbook's severities, most severe first, then any an older handbook version used."""
    known = [s.id for s in handbook.severities]
    return (*known, *sorted(set(used) - set(known)))


def compute_metrics(
    incidents: Iterable[Incident],
    internals: Mapping[str, Internal],
    handbook: Handbook,
    postmortems: Mapping[str, Progress],
    *,
    now: datetime,
    zone: ZoneInfo,
    months_shown: int = MONTHS_SHOWN,
) -> Metrics:
    """Compute every response metric over the incidents (maintenance left out), as of ``now``."""
    chosen = sorted((i for i in incidents if not i.is_maintenance), key=lambda i: (i.started_at, i.id))
    times = [response_times(i, internals.get(i.id), handbook) for i in chosen]
    severities = _ordered_severities(handbook, (t.severity for t in times))

    by_month: dict[tuple[int, int], list[int]] = {}
    for entry in times:
        counts = by_month.setdefault(month_of(entry.opened, zone), [0] * len(severities))
        counts[severities.index(entry.severity)] += 1
    keys = _month_range(min(by_month), max(max(by_month), month_of(now, zone))) if by_month else []
    left_out = max(0, len(keys) - months_shown)
    months = tuple(MonthRow(key, tuple(by_month.get(key, [0] * len(severities)))) for key in keys[left_out:])

    durations = []
    for severity in severities:
        group = [t for t in times if t.severity == severity]
        durations.append(DurationRow(severity, len(group), Spread.of(group, "first_update"), Spread.of(group, "mitigated"), Spread.of(group, "resolved")))

    component_counts = dict.fromkeys((c.id for c in handbook.components), 0)
    team_counts = dict.fromkeys((t.id for t in handbook.teams), 0)
    for incident in chosen:
        teams = set()
        for cid in incident.components:
            component_counts[cid] = component_counts.get(cid, 0) + 1
            component = handbook.component_by_id.get(cid)
            if component is not None and component.team:
                teams.add(component.team)
        for team in teams:
            team_counts[team] = team_counts.get(team, 0) + 1

    return Metrics(
        incidents=len(chosen),
        severities=severities,
        months=months,
        months_left_out=left_out,
        durations=tuple(durations),
        components=_by_count(component_counts),
        teams=_by_count(team_counts),
        postmortems=tally_postmortems(chosen, postmortems),
        reopened=tuple(t.incident_id for t in times if t.reopened),
        not_measured=tuple(t.incident_id for t in times if t.detected is None),
    )


def _by_count(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Most incidents first; equal counts keep the handbook's order."""
    order = {key: index for index, key in enumerate(counts)}
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], order[item[0]])))


def tally_postmortems(incidents: Iterable[Incident], postmortems: Mapping[str, Progress]) -> PostmortemTally:
    """Count finished, in-progress and missing postmortems among those due (required, incident resolved)."""
    required = finished = in_progress = missing = 0
    overdue = []
    for incident in incidents:
        progress = postmortems.get(incident.id)
        if progress is None or not progress.required or progress.due is None:
            continue  # not required, or the incident is still open
        required += 1
        if progress.stage in FINISHED:
            finished += 1
        elif progress.stage in (PostmortemStatus.DRAFT, PostmortemStatus.REVIEW):
            in_progress += 1
        else:
            missing += 1
        if progress.overdue:
            overdue.append(PostmortemRow(incident.id, incident.title, incident.severity or "", progress.stage, progress.due))
    overdue.sort(key=lambda row: (row.due, row.incident_id))
    return PostmortemTally(required, finished, in_progress, missing, tuple(overdue))

