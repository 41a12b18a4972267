"""Response metrics on hand-made timelines: detection, mitigation, resolution, reopened and unmeasured incidents, percentiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from statusbook.check.postmortem import Progress, Stage, postmortem_progress
from statusbook.core.handbook import parse_handbook
from statusbook.core.model import Incident, Internal, Postmortem, TimelineEntry, Update, Window
from statusbook.view.metrics import compute_metrics, median, percentile, response_times, tally_postmortems

REPO = Path(__file__).resolve().parents[2]
HANDBOOK, _ = parse_handbook(
    (REPO / "handbook" / "schema.yml").read_bytes(), (REPO / "handbook" / "components.yml").read_bytes(), schema_path="schema.yml", components_path="components.yml"
)
ZONE = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def incident(ident: str, statuses: list[tuple[float, str]], *, severity: str = "SEV2", components: tuple[str, ...] = ("api",), kind: str = "incident") -> Incident:
    updates = tuple(Update(at(m), s, f"{s} message", tuple((c, "operational" if s == "resolved" else "partial_outage") for c in components)) for m, s in statuses)
    window = Window(at(0), at(60)) if kind == "maintenance" else None
    return Incident(ident, f"incidents/{ident}.yml", ident.title(), kind, severity if kind == "incident" else None, "default", components, updates, window)


def timeline(ident: str, entries: list[tuple[float, str]]) -> Internal:
    return Internal(ident, timeline=tuple(TimelineEntry(at(m), phase, f"{phase} note") for m, phase in entries))


def test_the_moments_of_a_plain_response() -> None:
    found = response_times(
        incident("plain", [(10, "investigating"), (30, "identified"), (50, "monitoring"), (90, "resolved")]),
        timeline("plain", [(5, "assess"), (2, "detect"), (4, "detect")]),
        HANDBOOK,
    )
    assert found.detected == at(2)  # the earliest detect entry, whatever the order in the file
    assert found.opened == at(2)
    assert found.since_detection(found.first_update) == timedelta(minutes=8)
    assert found.since_detection(found.mitigated) == timedelta(minutes=48)  # the monitoring update
    assert found.since_detection(found.resolved) == timedelta(minutes=88)
    assert found.reopened == 0


def test_straight_to_resolved_is_mitigated_at_resolution() -> None:
    found = response_times(incident("fast", [(10, "investigating"), (30, "identified"), (40, "resolved")]), timeline("fast", [(0, "detect")]), HANDBOOK)
    assert found.mitigated == found.resolved == at(40)


def test_without_a_detect_entry_nothing_is_measured() -> None:
    found = response_times(incident("blind", [(10, "investigating"), (40, "resolved")]), timeline("blind", [(12, "assess")]), HANDBOOK)
    assert found.detected is None
    assert found.opened == at(10)  # it still opened, at its first public update
    assert found.since_detection(found.resolved) is None


def test_a_detection_logged_after_the_first_update_counts_as_zero() -> None:
    found = response_times(incident("late", [(10, "investigating"), (40, "resolved")]), timeline("late", [(15, "detect")]), HANDBOOK)
    assert found.opened == at(10)
    assert found.since_detection(found.first_update) == timedelta(0)
    assert found.since_detection(found.resolved) == timedelta(minutes=25)


def test_a_reopened_incident_is_measured_to_its_last_resolution() -> None:
    statuses = [(10, "investigating"), (20, "monitoring"), (30, "resolved"), (100, "investigating"), (130, "identified"), (150, "monitoring"), (200, "resolved")]
    found = response_times(incident("again", statuses), timeline("again", [(0, "detect")]), HANDBOOK)
    assert found.reopened == 1
    assert found.mitigated == at(150)  # the first mitigating update after it was last reopened, not the one at 20
    assert found.resolved == at(200)


def test_an_incident_reopened_and_still_open_is_neither_mitigated_nor_resolved() -> None:
    found = response_times(incident("open", [(10, "monitoring"), (20, "resolved"), (30, "investigating")]), timeline("open", [(0, "detect")]), HANDBOOK)
    assert (found.reopened, found.mitigated, found.resolved) == (1, None, None)


def test_reopened_twice_counts_both() -> None:
    statuses = [(10, "resolved"), (20, "investigating"), (30, "resolved"), (40, "identified"), (50, "resolved")]
    found = response_times(incident("twice", statuses), timeline("twice", [(0, "detect")]), HANDBOOK)
    assert (found.reopened, found.mitigated, found.resolved) == (2, at(50), at(50))


@pytest.mark.parametrize(
    ("minutes", "expected_median", "expected_p90"),
    [
        ([], None, None),
        ([7], 7, 7),
        ([3, 1], 2, 3),  # even count: the mean of the two middle values
        ([5, 1, 3], 3, 5),
        (list(range(1, 11)), 5.5, 9),  # nearest rank: ceil(0.9 * 10) = 9th value
        (list(range(1, 21)), 10.5, 18),
        (list(range(1, 12)), 6, 10),  # ceil(9.9) = 10th value
    ],
)
def test_median_and_nearest_rank_percentile(minutes: list[int], expected_median: float | None, expected_p90: int | None) -> None:
    values = [timedelta(minutes=m) for m in minutes]
    assert median(values) == (None if expected_median is None else timedelta(minutes=expected_median))
    assert percentile(values, 0.9) == (None if expected_p90 is None else timedelta(minutes=expected_p90))


A_MONTH_ON = at(60 * 24 * 30)  # past the 14 days of grace


def _progress(incidents: list[Incident], documents: dict[str, Postmortem] | None = None, now: datetime = A_MONTH_ON) -> dict[str, Progress]:
    return {i.id: postmortem_progress(i, HANDBOOK, (documents or {}).get(i.id), now) for i in incidents}


def test_compute_metrics_over_a_small_history() -> None:
    march = incident("march", [(10, "investigating"), (50, "resolved")], severity="SEV1", components=("api", "webhooks"))  # both owned by platform
    april = incident("april", [(60 * 24 * 40, "investigating"), (60 * 24 * 40 + 30, "resolved")], severity="SEV3", components=("dashboard", "payments"))
    unmeasured = incident("unmeasured", [(20, "investigating"), (80, "resolved")], severity="SEV1")
    still_open = incident("still-open", [(30, "investigating")], severity="SEV1")
    upgrade = incident("upgrade", [(0, "scheduled"), (60, "completed")], kind="maintenance")
    old_name = incident("old-name", [(15, "investigating"), (45, "resolved")], severity="LOW")  # a severity an older handbook version had
    internals = {
        "march": timeline("march", [(0, "detect")]),
        "april": timeline("april", [(60 * 24 * 40 - 5, "detect")]),
        "still-open": timeline("still-open", [(25, "detect")]),
        "old-name": timeline("old-name", [(5, "detect")]),
    }
    chosen = [march, april, unmeasured, still_open, upgrade, old_name]
    now = datetime(2026, 6, 15, tzinfo=UTC)
    metrics = compute_metrics(chosen, internals, HANDBOOK, _progress(chosen, now=now), now=now, zone=ZONE)

    assert metrics.incidents == 5  # maintenance left out
    assert metrics.severities == ("SEV1", "SEV2", "SEV3", "LOW")
    assert [(m.key, m.counts) for m in metrics.months] == [
        ((2026, 3), (3, 0, 0, 1)),
        ((2026, 4), (0, 0, 1, 0)),
        ((2026, 5), (0, 0, 0, 0)),  # a quiet month is a month too
        ((2026, 6), (0, 0, 0, 0)),  # up to the build's month
    ]
    sev1 = next(d for d in metrics.durations if d.severity == "SEV1")
    assert sev1.incidents == 3
    assert (sev1.first_update.count, sev1.first_update.not_measured, sev1.first_update.still_open) == (2, 1, 0)
    assert sev1.first_update.median == timedelta(minutes=7.5)  # 10 and 5 minutes
    assert (sev1.resolution.count, sev1.resolution.not_measured, sev1.resolution.still_open) == (1, 1, 1)
    assert sev1.resolution.median == sev1.resolution.p90 == timedelta(minutes=50)
    sev2 = next(d for d in metrics.durations if d.severity == "SEV2")
    assert (sev2.incidents, sev2.first_update.count, sev2.first_update.median) == (0, 0, None)

    components = dict(metrics.components)
    assert (components["api"], components["webhooks"], components["dashboard"], components["email"]) == (4, 1, 1, 0)
    assert metrics.components[0] == ("api", 4)  # most first
    teams = dict(metrics.teams)
    assert teams["platform"] == 4  # march counts once although it touched two platform components
    assert (teams["web"], teams["payments"], teams["identity"]) == (1, 1, 0)
    assert metrics.not_measured == ("unmeasured",)
    assert metrics.reopened == ()


def test_only_the_latest_months_are_shown() -> None:
    first = incident("first", [(0, "investigating"), (10, "resolved")], severity="SEV3")
    metrics = compute_metrics([first], {}, HANDBOOK, {}, now=datetime(2029, 12, 1, tzinfo=UTC), zone=ZONE, months_shown=12)
    assert len(metrics.months) == 12 and metrics.months_left_out == 46 - 12
    assert metrics.months[-1].key == (2029, 12)


def test_an_incident_counts_in_the_month_it_opened_in_the_sites_zone() -> None:
    new_year = Incident(
        "new-year", "x.yml", "New year", "incident", "SEV3", "default", ("api",),
        (Update(datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "investigating", "m", ()), Update(datetime(2026, 1, 1, 1, 0, tzinfo=UTC), "resolved", "m", ())),
    )
    metrics = compute_metrics([new_year], {}, HANDBOOK, {}, now=datetime(2026, 1, 2, tzinfo=UTC), zone=ZONE)
    assert [m.key for m in metrics.months] == [(2026, 1)]  # 00:30 in Amsterdam


def test_postmortem_stages() -> None:
    now = at(60 * 24 * 30)  # 30 days on: past the 14 days of grace
    resolved = [(10, "investigating"), (60, "resolved")]
    cases = {
        "published": (incident("published", resolved), None, Stage.PUBLISHED),
        "approved": (incident("approved", resolved), Postmortem("approved", "p.md", "approved"), Stage.APPROVED),
        "draft": (incident("draft", resolved), Postmortem("draft", "p.md", "draft"), Stage.DRAFT),
        "missing": (incident("missing", resolved), None, Stage.MISSING),
        "open": (incident("open", [(10, "investigating")]), None, Stage.OPEN),
        "minor": (incident("minor", resolved, severity="SEV3"), None, Stage.NOT_REQUIRED),
        "minor-written": (incident("minor-written", resolved, severity="SEV3"), Postmortem("minor-written", "p.md", "review"), Stage.REVIEW),
    }
    for name, (found, document, stage) in cases.items():
        if name == "published":
            found = Incident(**{**{f: getattr(found, f) for f in found.__slots__}, "postmortem": "https://example.com/pm"})
        progress = postmortem_progress(found, HANDBOOK, document, now)
        assert progress.stage == stage, name
        assert progress.overdue == (name in ("draft", "missing")), name
        assert progress.required == (not name.startswith("minor")), name
    assert postmortem_progress(cases["missing"][0], HANDBOOK, None, at(60 * 24 * 3)).overdue is False  # within the grace days


def test_postmortem_tally_counts_those_due_and_lists_the_overdue_oldest_first() -> None:
    resolved = [(10, "investigating"), (60, "resolved")]
    late = incident("late", [(0, "investigating"), (5, "resolved")])
    done = incident("done", resolved)
    draft = incident("draft", resolved)
    missing = incident("missing", resolved)
    open_one = incident("open", [(10, "investigating")])
    minor = incident("minor", resolved, severity="SEV3")
    documents = {"done": Postmortem("done", "p.md", "approved"), "draft": Postmortem("draft", "p.md", "draft")}
    chosen = [late, done, draft, missing, open_one, minor]
    tally = tally_postmortems(chosen, _progress(chosen, documents))
    assert (tally.required, tally.finished, tally.in_progress, tally.missing) == (4, 1, 1, 2)
    assert tally.completion == 0.25
    assert [r.incident_id for r in tally.overdue] == ["late", "draft", "missing"]
    assert tally_postmortems([], {}).completion is None
