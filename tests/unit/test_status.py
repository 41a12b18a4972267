"""The status page's view model: pure functions from incidents, the handbook and a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from statusbook.core.handbook import parse_handbook
from statusbook.core.ids import Stage
from statusbook.core.model import Incident, Update, Window
from statusbook.view import banner
from statusbook.view.banner import Overall
from statusbook.view.lifecycle import incident_duration
from statusbook.view.pages import HistoryPage, history_pages, index_incidents, page_state, recent, worst
from statusbook.view.uptime import day_start, uptime

REPO = Path(__file__).resolve().parents[2]

UTC_ZONE = ZoneInfo("UTC")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
OP, DEG, PART, MAJOR, MAINT = "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"


@pytest.fixture(scope="module")
def handbook():
    book, problems = parse_handbook(
        (REPO / "handbook" / "schema.yml").read_bytes(),
        (REPO / "handbook" / "components.yml").read_bytes(),
        schema_path="handbook/schema.yml",
        components_path="handbook/components.yml",
    )
    assert book is not None, problems
    return book


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def incident(incident_id: str, *updates: tuple[str, str, dict[str, str]], severity: str | None = "SEV2", window: tuple[str, str] | None = None) -> Incident:
    """An incident from (time, status, {component: status}) updates, carrying statuses forward like the loader does."""
    kind = "maintenance" if window else "incident"
    final = "completed" if window else "resolved"
    components = tuple(dict.fromkeys(c for _, _, named in updates for c in named))
    state: dict[str, str] = {}
    built = []
    for moment, update_status, named in updates:
        state.update(named)
        if update_status == final:
            state = dict.fromkeys(components, OP)
        built.append(Update(at(moment), update_status, f"{update_status} message", tuple((c, state[c]) for c in components if c in state)))
    scheduled = Window(at(window[0]), at(window[1])) if window else None
    return Incident(incident_id, f"incidents/{incident_id}.yml", incident_id.replace("-", " "), kind, None if window else severity, "default", components, tuple(built), scheduled)


def state(handbook, incidents, now=NOW, zone=UTC_ZONE):
    index = index_incidents(incidents, handbook, now, zone)
    return page_state(index, handbook, now, zone)


# --- the state of every component ---------------------------------------------------------


def test_no_incidents_every_component_operational(handbook):
    page = state(handbook, [])
    assert {c.status for c in page.components.values()} == {OP}
    assert set(page.components) == {c.id for c in handbook.components}
    assert page.overall == Overall("none", "All Systems Operational")
    assert page.active_incidents == page.maintenance_in_progress == page.maintenance_upcoming == ()
    assert [day for day, _ in page.recent_days] == [date(2026, 6, 15) - timedelta(days=n) for n in range(7)]


def test_active_incident_sets_its_components_and_no_other(handbook):
    api = incident("api-errors", ("2026-06-15T09:00:00+00:00", "investigating", {"api": PART}), ("2026-06-15T10:00:00+00:00", "identified", {"webhooks": DEG}))
    page = state(handbook, [api])
    statuses = {cid: c.status for cid, c in page.components.items()}
    assert statuses == {**dict.fromkeys(statuses, OP), "api": PART, "webhooks": DEG}
    assert page.components["api"].incident_ids == ("api-errors",)
    assert page.active_incidents == (api,)
    assert page.overall == Overall("minor", "Minor Service Outage")


def test_worst_status_over_overlapping_incidents(handbook):
    slow = incident("slow", ("2026-06-15T08:00:00+00:00", "investigating", {"api": DEG}))
    down = incident("down", ("2026-06-15T09:00:00+00:00", "investigating", {"api": MAJOR, "login": PART}))
    page = state(handbook, [slow, down])
    assert page.components["api"].status == MAJOR
    assert page.components["api"].incident_ids == ("down", "slow")
    assert page.components["login"].status == PART
    assert page.overall == Overall("major", "Partial System Outage")


def test_resolved_incident_is_never_active(handbook):
    past = incident("past", ("2026-06-15T08:00:00+00:00", "investigating", {"api": MAJOR}), ("2026-06-15T09:00:00+00:00", "resolved", {}))
    page = state(handbook, [past])
    assert page.active_incidents == ()
    assert page.components["api"].status == OP
    assert page.overall.description == "All Systems Operational"
    assert page.recent_days[0][1] == (past,)


def test_resolution_published_after_now_does_not_count_yet(handbook):
    later = incident("later", ("2026-06-15T08:00:00+00:00", "investigating", {"api": MAJOR}), ("2026-06-15T13:00:00+00:00", "resolved", {}))
    assert state(handbook, [later]).components["api"].status == MAJOR
    assert state(handbook, [later], now=datetime(2026, 6, 15, 13, 0, tzinfo=UTC)).components["api"].status == OP


def test_component_status_by_the_handbooks_rank(handbook):
    """The handbook ranks under_maintenance after major_outage, so a component in both shows maintenance."""
    ranks = [s.id for s in sorted(handbook.component_statuses, key=lambda s: s.rank)]
    assert ranks == [OP, DEG, PART, MAJOR, MAINT]
    down = incident("down", ("2026-06-15T09:00:00+00:00", "investigating", {"api": MAJOR}))
    work = incident("work", ("2026-06-01T09:00:00+00:00", "scheduled", {"api": OP}), window=("2026-06-15T11:00:00+00:00", "2026-06-15T13:00:00+00:00"))
    page = state(handbook, [down, work])
    assert page.components["api"].status == MAINT
    assert worst([DEG, MAJOR, PART], handbook) == MAJOR
    assert worst([], handbook) == OP


# --- maintenance before, during and after its window ----------------------------------------


@pytest.fixture
def maintenance():
    return incident(
        "db-upgrade",
        ("2026-06-10T09:00:00+00:00", "scheduled", {"reports": OP}),
        ("2026-06-15T12:05:00+00:00", "in_progress", {"reports": MAINT}),
        ("2026-06-15T12:40:00+00:00", "verifying", {"reports": OP}),
        ("2026-06-15T12:50:00+00:00", "completed", {}),
        window=("2026-06-15T12:00:00+00:00", "2026-06-15T13:00:00+00:00"),
    )


def test_maintenance_before_its_window_is_upcoming(handbook, maintenance):
    page = state(handbook, [maintenance], now=datetime(2026, 6, 15, 11, 59, tzinfo=UTC))
    assert page.maintenance_upcoming == (maintenance,)
    assert page.maintenance_in_progress == ()
    assert page.components["reports"].status == OP
    assert page.overall.description == "All Systems Operational"
    assert history_pages(index_incidents([maintenance], handbook, page.now, UTC_ZONE), 25)[0].months == ()


def test_maintenance_window_open_before_anyone_posts_is_in_progress(handbook, maintenance):
    page = state(handbook, [maintenance], now=datetime(2026, 6, 15, 12, 1, tzinfo=UTC))
    assert page.maintenance_in_progress == (maintenance,)
    assert page.maintenance_upcoming == ()
    assert page.components["reports"].status == MAINT
    assert page.overall == Overall("maintenance", "Service Under Maintenance")


def test_maintenance_in_progress_and_verifying(handbook, maintenance):
    assert state(handbook, [maintenance], now=datetime(2026, 6, 15, 12, 30, tzinfo=UTC)).components["reports"].status == MAINT
    verifying = state(handbook, [maintenance], now=datetime(2026, 6, 15, 12, 45, tzinfo=UTC))
    assert verifying.maintenance_in_progress == (maintenance,)
    assert verifying.components["reports"].status == OP  # the update named it operational again


def test_maintenance_after_it_completed_is_history(handbook, maintenance):
    now = datetime(2026, 6, 15, 14, 0, tzinfo=UTC)
    page = state(handbook, [maintenance], now=now)
    assert page.maintenance_in_progress == page.maintenance_upcoming == ()
    assert page.components["reports"].status == OP
    assert page.recent_days[0][1] == (maintenance,)
    pages = history_pages(index_incidents([maintenance], handbook, now, UTC_ZONE), 25)
    assert pages[0].months == (((2026, 6), (maintenance,)),)


def test_maintenance_still_scheduled_after_its_window_has_ended(handbook):
    stale = incident("stale", ("2026-06-10T09:00:00+00:00", "scheduled", {"reports": OP}), window=("2026-06-14T12:00:00+00:00", "2026-06-14T13:00:00+00:00"))
    page = state(handbook, [stale])
    assert page.maintenance_in_progress == page.maintenance_upcoming == ()
    assert page.components["reports"].status == OP


def test_overrunning_maintenance_stays_in_progress(handbook):
    overrun = incident(
        "overrun",
        ("2026-06-10T09:00:00+00:00", "scheduled", {}),
        ("2026-06-15T09:00:00+00:00", "in_progress", {"reports": MAINT}),
        window=("2026-06-15T09:00:00+00:00", "2026-06-15T10:00:00+00:00"),
    )
    page = state(handbook, [overrun])
    assert page.maintenance_in_progress == (overrun,)
    assert page.components["reports"].status == MAINT


# --- banner wording --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "impacts", "indicator", "description"),
    [
        ([], [], "none", "All Systems Operational"),
        ([OP, OP, OP], [], "none", "All Systems Operational"),
        ([MAJOR], [], "critical", "Major System Outage"),
        ([PART], [], "major", "Partial System Outage"),
        ([DEG], [], "minor", "Partially Degraded Service"),
        ([MAINT], [], "maintenance", "Service Under Maintenance"),
        ([MAJOR, MAJOR, MAJOR], [], "critical", "Major System Outage"),
        ([MAJOR, OP, OP], [], "major", "Partial System Outage"),
        ([MAJOR, PART, DEG], [], "major", "Partial System Outage"),
        ([PART, PART], [], "major", "Partial System Outage"),
        ([PART, OP], [], "minor", "Minor Service Outage"),
        ([PART, DEG], [], "minor", "Minor Service Outage"),
        ([DEG, DEG], [], "minor", "Degraded System Service"),
        ([DEG, OP], [], "minor", "Partially Degraded Service"),
        ([MAINT, OP], [], "maintenance", "Service Under Maintenance"),
        ([MAINT, DEG], [], "minor", "Partially Degraded Service"),
        ([MAINT, MAJOR], [], "major", "Partial System Outage"),
        ([], ["minor"], "minor", "Minor Service Outage"),
        ([OP, OP], ["critical"], "critical", "Major System Outage"),
        ([OP, OP], ["major", "none"], "major", "Partial System Outage"),
        ([OP, OP], ["none"], "none", "All Systems Operational"),
        ([MAJOR, OP], ["minor"], "major", "Partial System Outage"),
        ([DEG, OP], ["critical"], "minor", "Partially Degraded Service"),
        ([MAINT], ["minor"], "minor", "Minor Service Outage"),
    ],
)
def test_banner_follows_statuspage_wording(statuses, impacts, indicator, description):
    assert banner.description(statuses, impacts) == description
    assert banner.indicator(statuses, impacts) == indicator
    assert banner.overall(statuses, impacts) == Overall(indicator, description)


def test_open_incident_without_components_still_raises_the_banner(handbook):
    quiet = incident("quiet", ("2026-06-15T09:00:00+00:00", "investigating", {}), severity="SEV1")
    page = state(handbook, [quiet])
    assert page.overall == Overall("critical", "Major System Outage")
    assert banner.incident_impact(quiet, handbook) == "critical"


def test_incident_impact_without_a_severity_comes_from_its_components(handbook):
    none_given = incident("x", ("2026-06-15T09:00:00+00:00", "investigating", {"api": PART}), severity=None)
    assert banner.incident_impact(none_given, handbook) == "major"


# --- uptime ---------------------------------------------------------------------------------


def uptime_of(handbook, incidents, component="api", now=NOW, zone=UTC_ZONE):
    return uptime(component, incidents, handbook, now, zone)


def test_uptime_window_is_ninety_calendar_days_ending_now(handbook):
    result = uptime_of(handbook, [])
    assert len(result.days) == 90
    assert result.days[0].date == date(2026, 3, 18)
    assert result.days[-1].date == date(2026, 6, 15)
    assert result.days[0].start == datetime(2026, 3, 18, tzinfo=UTC)
    assert result.days[-1].end == NOW
    assert result.days[-1].length == timedelta(hours=12)
    assert result.total_seconds == 89 * 86400 + 12 * 3600
    assert result.percent == 100.0
    assert all(d.worst == OP and d.uptime == 1.0 for d in result.days)


def test_partial_outage_counts_thirty_percent(handbook):
    """2 h of partial outage: 0.3 x 7,200 s = 2,160 s down; over 89.5 days that is 99.97 %."""
    partial = incident("p", ("2026-06-14T10:00:00+00:00", "investigating", {"api": PART}), ("2026-06-14T12:00:00+00:00", "resolved", {}))
    result = uptime_of(handbook, [partial])
    day = result.days[-2]
    assert day.date == date(2026, 6, 14)
    assert day.durations == ((PART, timedelta(hours=2)),)
    assert day.downtime_seconds == pytest.approx(2160)
    assert day.uptime == pytest.approx(1 - 2160 / 86400)
    assert day.incident_ids == ("p",)
    assert result.downtime_seconds == pytest.approx(2160)
    assert result.percent == 99.97  # 1 - 2160 / 7,732,800 = 99.9720...%, cut to two decimals
    assert result.days[-1].durations == () and result.days[-3].durations == ()


def test_each_update_holds_its_status_until_the_next(handbook):
    """major 1 h, then partial 30 min, then degraded 30 min (weight 0), then resolved: 3,600 + 540 = 4,140 s."""
    steps = incident(
        "steps",
        ("2026-06-14T10:00:00+00:00", "investigating", {"api": MAJOR}),
        ("2026-06-14T11:00:00+00:00", "identified", {"api": PART}),
        ("2026-06-14T11:30:00+00:00", "monitoring", {"api": DEG}),
        ("2026-06-14T12:00:00+00:00", "resolved", {}),
    )
    day = uptime_of(handbook, [steps]).days[-2]
    assert day.durations == ((MAJOR, timedelta(hours=1)), (PART, timedelta(minutes=30)), (DEG, timedelta(minutes=30)))
    assert day.downtime_seconds == pytest.approx(3600 + 0.3 * 1800)
    assert day.worst == MAJOR


def test_overlapping_incidents_count_the_worst_status_once(handbook):
    """A: major 10-12; B: partial 11-13. Worst at each moment: major 10-12, partial 12-13 = 7,200 + 1,080 s."""
    a = incident("a", ("2026-06-14T10:00:00+00:00", "investigating", {"api": MAJOR}), ("2026-06-14T12:00:00+00:00", "resolved", {}))
    b = incident("b", ("2026-06-14T11:00:00+00:00", "investigating", {"api": PART}), ("2026-06-14T13:00:00+00:00", "resolved", {}))
    day = uptime_of(handbook, [a, b]).days[-2]
    assert day.durations == ((MAJOR, timedelta(hours=2)), (PART, timedelta(hours=1)))
    assert day.downtime_seconds == pytest.approx(7200 + 1080)
    assert day.incident_ids == ("a", "b")


def test_open_incident_counts_until_now(handbook):
    open_one = incident("open", ("2026-06-15T09:00:00+00:00", "investigating", {"api": MAJOR}))
    today = uptime_of(handbook, [open_one]).days[-1]
    assert today.durations == ((MAJOR, timedelta(hours=3)),)
    assert today.uptime == pytest.approx(1 - 3 / 12)


def test_days_are_bucketed_in_the_sites_zone(handbook):
    """22:30-00:30 UTC in June is 00:30-02:30 Amsterdam time: all of it on the later local day."""
    night = incident("night", ("2026-06-13T22:30:00+00:00", "investigating", {"api": MAJOR}), ("2026-06-14T00:30:00+00:00", "resolved", {}))
    in_utc = uptime_of(handbook, [night])
    assert in_utc.days[-3].durations == ((MAJOR, timedelta(hours=1, minutes=30)),)
    assert in_utc.days[-2].durations == ((MAJOR, timedelta(minutes=30)),)
    local = uptime_of(handbook, [night], zone=AMSTERDAM)
    assert local.days[-3].date == date(2026, 6, 13) and local.days[-3].durations == ()
    assert local.days[-2].date == date(2026, 6, 14) and local.days[-2].durations == ((MAJOR, timedelta(hours=2)),)


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
def test_dst_days_in_amsterdam_last_23_or_25_hours(handbook, day, hours):
    start = day_start(day, AMSTERDAM)
    end = day_start(day + timedelta(days=1), AMSTERDAM)
    assert end - start == timedelta(hours=hours)
    whole_day = incident("dst", (start.isoformat(), "investigating", {"api": MAJOR}), (end.isoformat(), "resolved", {}))
    now = end + timedelta(days=1)
    result = uptime_of(handbook, [whole_day], now=now, zone=AMSTERDAM)
    bar = next(d for d in result.days if d.date == day)
    assert bar.length == timedelta(hours=hours)
    assert bar.durations == ((MAJOR, timedelta(hours=hours)),)
    assert bar.uptime == 0.0
    assert result.downtime_seconds == hours * 3600
    neighbours = [d for d in result.days if d.date in (day - timedelta(days=1), day + timedelta(days=1))]
    assert [d.durations for d in neighbours] == [(), ()]


def test_dst_day_start_is_local_midnight():
    assert day_start(date(2026, 3, 29), AMSTERDAM) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert day_start(date(2026, 3, 30), AMSTERDAM) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    # Santiago skips local midnight when DST starts: the day begins at 01:00, the first instant that exists.
    santiago = ZoneInfo("America/Santiago")
    first = day_start(date(2026, 9, 6), santiago)
    assert first.astimezone(santiago).hour == 1 and first.astimezone(santiago).date() == date(2026, 9, 6)


def test_window_edges(handbook):
    """Only the part of an incident inside the 90-day window counts; one that ended before it is ignored."""
    window_start = datetime(2026, 3, 18, tzinfo=UTC)
    ended_before = incident("before", ("2026-03-17T20:00:00+00:00", "investigating", {"api": MAJOR}), ("2026-03-18T00:00:00+00:00", "resolved", {}))
    spanning = incident("spanning", ("2026-03-17T22:00:00+00:00", "investigating", {"api": MAJOR}), ("2026-03-18T01:00:00+00:00", "resolved", {}))
    assert uptime_of(handbook, [ended_before]).downtime_seconds == 0
    result = uptime_of(handbook, [spanning])
    assert result.days[0].start == window_start
    assert result.days[0].durations == ((MAJOR, timedelta(hours=1)),)
    assert result.downtime_seconds == 3600
    future = incident("future", ("2026-06-15T13:00:00+00:00", "investigating", {"api": MAJOR}))
    assert uptime_of(handbook, [future]).downtime_seconds == 0


def test_maintenance_time_is_shown_but_not_downtime(handbook, maintenance):
    result = uptime_of(handbook, [maintenance], component="reports", now=datetime(2026, 6, 16, tzinfo=UTC))
    day = result.days[-2]
    # 12:00-12:05 window open (no post yet), 12:05-12:40 in progress: under maintenance; verifying named it operational.
    assert day.durations == ((MAINT, timedelta(minutes=40)),)
    assert day.downtime_seconds == 0
    assert result.percent == 100.0


def test_uptime_percent_is_cut_not_rounded(handbook):
    one_second = incident("blip", ("2026-06-14T10:00:00+00:00", "investigating", {"api": MAJOR}), ("2026-06-14T10:00:01+00:00", "resolved", {}))
    assert uptime_of(handbook, [one_second]).percent == 99.99


# --- history and the last days --------------------------------------------------------------


def test_history_is_newest_first_paginated_and_grouped_by_local_month(handbook):
    incidents = [
        incident(f"i{n:02d}", ((datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=3 * n)).isoformat(), "investigating", {"api": DEG}), ((datetime(2026, 1, 1, 13, tzinfo=UTC) + timedelta(days=3 * n)).isoformat(), "resolved", {}))
        for n in range(50)
    ]
    # 23:30 UTC on 31 January is 00:30 on 1 February in Amsterdam.
    late = incident("late", ("2026-01-31T23:30:00+00:00", "investigating", {"api": DEG}), ("2026-02-01T00:10:00+00:00", "resolved", {}))
    index = index_incidents([*incidents, late], handbook, NOW, AMSTERDAM)
    pages = history_pages(index, 20)
    assert [p.number for p in pages] == [1, 2, 3] and {p.count for p in pages} == {3}
    flat = [i.id for p in pages for _, group in p.months for i in group]
    assert len(flat) == 51 and flat[0] == "i49" and flat[-1] == "i00"
    assert flat == [i.id for i in sorted([*incidents, late], key=lambda i: i.started_at, reverse=True)]
    assert index.month_of["late"] == (2026, 2)
    assert "late" in [i.id for i in index.by_month[(2026, 2)]]
    for page in pages:
        keys = [key for key, _ in page.months]
        assert keys == sorted(keys, reverse=True) and len(keys) == len(set(keys))
    assert history_pages(index_incidents([], handbook, NOW, AMSTERDAM), 20) == (HistoryPage(1, 1, ()),)


def test_index_slices_by_component(handbook):
    a = incident("a", ("2026-06-01T10:00:00+00:00", "investigating", {"api": DEG, "login": DEG}), ("2026-06-01T11:00:00+00:00", "resolved", {}))
    b = incident("b", ("2026-06-02T10:00:00+00:00", "investigating", {"api": DEG}), ("2026-06-02T11:00:00+00:00", "resolved", {}))
    index = index_incidents([a, b], handbook, NOW, UTC_ZONE)
    assert index.by_component == {"api": (b, a), "login": (a,)}
    assert index.stage_of == {"a": Stage.ENDED, "b": Stage.ENDED}


def test_recent_days_bucket_by_start_in_the_sites_zone(handbook):
    now = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    edge = incident("edge", ("2026-06-08T22:30:00+00:00", "investigating", {"api": DEG}), ("2026-06-08T23:00:00+00:00", "resolved", {}))
    old = incident("old", ("2026-06-08T21:30:00+00:00", "investigating", {"api": DEG}), ("2026-06-08T21:40:00+00:00", "resolved", {}))
    index = index_incidents([edge, old], handbook, now, AMSTERDAM)
    days = recent(index, now, AMSTERDAM)
    assert days[-1][0] == date(2026, 6, 9)
    assert days[-1][1] == (edge,)  # 00:30 on 9 June in Amsterdam; "old" started 23:30 on 8 June, outside the 7 days
    assert all(not incidents for _, incidents in days[:-1])


def test_incident_duration(handbook):
    done = incident("done", ("2026-06-14T10:00:00+00:00", "investigating", {"api": DEG}), ("2026-06-14T11:45:00+00:00", "resolved", {}))
    assert incident_duration(done, handbook, NOW) == (at("2026-06-14T10:00:00+00:00"), at("2026-06-14T11:45:00+00:00"), timedelta(hours=1, minutes=45))
    ongoing = incident("ongoing", ("2026-06-15T10:00:00+00:00", "investigating", {"api": DEG}))
    assert incident_duration(ongoing, handbook, NOW) == (at("2026-06-15T10:00:00+00:00"), None, timedelta(hours=2))
