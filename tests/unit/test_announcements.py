"""What `statusbook notify` announces and decides, in-process: announcements and their ids, the published-feed check, the plan of a run, the ledger.

A small repository (an incident with a correction, a maintenance that went
through every status, one whose window passed unannounced, one upcoming) is
rendered at a fixed clock; nothing here sends or touches git.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from statusbook.commands.notify import Recipient, plan_run
from statusbook.core.targets import Target
from statusbook.io.ledger import Ledger, LedgerError
from statusbook.render.announcements import Announcement, AnnouncementKind, announcements, entry_of
from statusbook.render.published_feeds import PublishedFeeds, parse_entries, rendered_entries
from statusbook.view.status_view import StatusView
from support.announcements import CONFIG, HOST, INCIDENTS, NOW, make_view
from support.render import render

EXPECTED = [
    ("2026-05-10-api-errors", "incident-new", "update-20260510T090500Z"),
    ("2026-05-10-api-errors", "update", "update-20260510T094000Z"),
    ("2026-05-10-api-errors", "incident-resolved", "update-20260510T103000Z"),
    ("2026-05-10-api-errors", "correction", "update-20260510T094000Z/correction-20260510T110000Z"),
    ("2026-05-20-login-migration", "maintenance-scheduled", "update-20260515T090000Z"),
    ("2026-05-20-login-migration", "maintenance-started", "update-20260520T010000Z"),
    ("2026-05-20-login-migration", "maintenance-ended", "update-20260520T015000Z"),
    ("2026-05-25-email-provider", "maintenance-scheduled", "update-20260522T120000Z"),
    ("2026-05-25-email-provider", "maintenance-started", "window-start"),
    ("2026-05-25-email-provider", "maintenance-ended", "window-end"),
    ("2026-06-10-database-upgrade", "maintenance-scheduled", "update-20260530T100000Z"),
]


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> StatusView:
    return make_view(tmp_path_factory.mktemp("announce") / "repo")


def feeds_of(view: StatusView) -> dict[str, bytes]:
    """The Atom feeds a build of this view publishes."""
    return {path: data for path, data in render(view.config.root, view.now, parts=["feeds"]).items() if path.endswith(".atom")}


def tag(rest: str) -> str:
    return f"tag:{HOST},2026:incident/{rest}"


# --- announcements ---------------------------------------------------------------------------------


def test_every_public_change_is_an_announcement_keyed_by_its_feed_entry(view: StatusView) -> None:
    found = announcements(view)
    assert [(a.incident.id, str(a.kind), a.id) for a in found] == [(i, k, tag(f"{i}/{rest}")) for i, k, rest in EXPECTED]
    published = {entry.id for data in feeds_of(view).values() for entry in parse_entries(data)}
    assert {a.entry_id for a in found} == published, "each announcement is one feed entry, and each feed entry is announced"
    correction = next(a for a in found if a.kind == AnnouncementKind.CORRECTION)
    assert correction.entry_id == entry_of(correction.id) == tag("2026-05-10-api-errors/update-20260510T094000Z")
    assert correction.at == datetime(2026, 5, 10, 11, 0, tzinfo=UTC)
    ordered = sorted(found, key=lambda a: a.order)
    assert [a.id for a in ordered] == [a.id for a in found], "oldest first"


def test_statuses_links_and_the_incident_as_it_stood_then(view: StatusView) -> None:
    found = {(a.incident.id, str(a.kind)): a for a in announcements(view)}
    update = found[("2026-05-10-api-errors", "update")]
    assert update.status == "identified"
    assert update.link(view.config.site_url) == f"https://{HOST}/incidents/2026-05-10-api-errors/#update-20260510T094000Z"
    assert [u.status for u in update.incident_then().updates] == ["investigating", "identified"]
    opened = found[("2026-05-25-email-provider", "maintenance-started")]
    assert (opened.status, opened.index, opened.boundary, opened.anchor) == ("in_progress", -1, "window-start", "")
    assert opened.link(view.config.site_url) == f"https://{HOST}/incidents/2026-05-25-email-provider/"
    assert found[("2026-05-25-email-provider", "maintenance-ended")].status == "completed"
    correction = found[("2026-05-10-api-errors", "correction")]
    assert [u.status for u in correction.incident_then().updates] == ["investigating", "identified", "resolved"], "corrected at 11:00Z, after the 10:30Z resolution"


def test_a_window_edge_is_announced_only_once_it_has_passed(tmp_path: Path) -> None:
    only = {k: v for k, v in INCIDENTS.items() if "email-provider" in k}
    before = make_view(tmp_path / "before", datetime(2026, 5, 25, 21, 0, tzinfo=UTC), incidents=only)
    during = make_view(tmp_path / "during", datetime(2026, 5, 25, 22, 30, tzinfo=UTC), incidents=only)
    edges = lambda v: [a.boundary for a in announcements(v) if a.boundary]  # noqa: E731
    assert edges(before) == []
    assert edges(during) == ["window-start"]


# --- what the published site shows ----------------------------------------------------------------------


def test_the_published_feeds_show_every_announcement_exactly_as_the_view_renders_it(view: StatusView) -> None:
    feeds = PublishedFeeds.read(feeds_of(view), view.config.feed_entries)
    found = announcements(view)
    assert all(feeds.shows(a) for a in found)
    rendered = rendered_entries(view, found)
    assert set(rendered) == {a.entry_id for a in found}
    assert all(rendered[a.entry_id] == feeds.entries[a.entry_id].xml for a in found)
    # Only as many entries as needed are rendered: the newest one alone.
    newest = max(found, key=lambda a: a.entry_order)
    assert rendered_entries(view, [newest]) == {newest.entry_id: feeds.entries[newest.entry_id].xml}
    assert feeds.horizon is None, "the site-wide feed holds every moment: nothing has scrolled out"


def test_a_change_the_published_site_shows_differently_is_told_apart(tmp_path: Path, view: StatusView) -> None:
    """The site was published before the correction and with other words: neither matches this checkout."""
    older = dict(INCIDENTS)
    text = older["incidents/2026/2026-05-10-api-errors.yml"]
    text = text.replace("    correction:\n      at: 2026-05-10T13:00:00+02:00\n      reason: The first version named the wrong deploy.\n", "")
    older["incidents/2026/2026-05-10-api-errors.yml"] = text.replace("All requests succeed again.", "All requests succeed.")
    published = PublishedFeeds.read(feeds_of(make_view(tmp_path / "published", incidents=older)), 50)
    found = {(a.incident.id, str(a.kind)): a for a in announcements(view)}
    correction = found[("2026-05-10-api-errors", "correction")]
    assert not published.shows(correction), "the published entry does not carry the correction yet"
    resolved = found[("2026-05-10-api-errors", "incident-resolved")]
    assert published.shows(resolved)
    rendered = rendered_entries(view, [resolved, found[("2026-05-20-login-migration", "maintenance-ended")]])
    assert rendered[resolved.entry_id] != published.entries[resolved.entry_id].xml
    unchanged = found[("2026-05-20-login-migration", "maintenance-ended")]
    assert rendered[unchanged.entry_id] == published.entries[unchanged.entry_id].xml


def test_the_horizon_is_the_oldest_moment_of_a_full_site_wide_feed(tmp_path: Path) -> None:
    view = make_view(tmp_path / "repo", config=CONFIG + "    feed_entries: 3\n")
    feeds = PublishedFeeds.read(feeds_of(view), 3)
    assert len([e for e in parse_entries(feeds_of(view)["history.atom"])]) == 3
    # Newest three moments: the database upgrade announced 30 May, the email window's close and its opening on 25 May.
    assert feeds.horizon == datetime(2026, 5, 25, 22, 0, tzinfo=UTC)
    assert parse_entries(b"not xml") == []


# --- the plan of a run --------------------------------------------------------------------------------


def recipient(name: str, *components: str) -> Recipient:
    target = Target(f"json://{name}.example/hook", tuple(components), name)
    return Recipient(target, target.digest, name, "text")


EVERYONE, LOGIN_TEAM, LATECOMER = recipient("everyone"), recipient("login-team", "login"), recipient("latecomer")


def by_kind(view: StatusView) -> dict[tuple[str, str], Announcement]:
    return {(a.incident.id, str(a.kind)): a for a in announcements(view)}


def test_the_first_run_records_a_baseline_and_sends_nothing(view: StatusView) -> None:
    found = announcements(view)
    plan = plan_run(None, found, {a.id for a in found}, [EVERYONE, LOGIN_TEAM], None, {a.entry_id for a in found})
    assert plan.baseline == found
    assert all(queue == [] for queue in plan.queues.values())
    assert plan.ledger.announced == {a.id for a in found}
    assert plan.ledger.targets == {EVERYONE.digest, LOGIN_TEAM.digest}
    horizon = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)
    later = plan_run(None, found, set(), [EVERYONE], horizon, {a.entry_id for a in found})
    assert later.baseline == [a for a in found if a.at >= horizon]
    assert [(a.incident.id, str(a.kind)) for a in later.baseline][:2] == [("2026-05-20-login-migration", "maintenance-started"), ("2026-05-20-login-migration", "maintenance-ended")]
    assert later.ledger.floor == horizon


def test_a_new_change_goes_to_the_targets_that_follow_it_and_a_new_target_hears_only_new_changes(view: StatusView) -> None:
    found = announcements(view)
    every = {a.id for a in found}
    kinds = by_kind(view)
    fresh = [kinds[("2026-05-20-login-migration", "maintenance-ended")], kinds[("2026-06-10-database-upgrade", "maintenance-scheduled")]]
    known = Ledger(frozenset(every - {a.id for a in fresh}), {EVERYONE.digest: frozenset(), LOGIN_TEAM.digest: frozenset()})
    plan = plan_run(known, found, every, [EVERYONE, LOGIN_TEAM, LATECOMER], None, {a.entry_id for a in found})
    assert plan.new == fresh
    assert plan.queues[EVERYONE.digest] == fresh
    assert plan.queues[LOGIN_TEAM.digest] == fresh[:1], "the login team follows sign-in only"
    assert plan.queues[LATECOMER.digest] == fresh, "a target added now hears what is new from now on"
    assert plan.ledger.announced == every
    assert plan.ledger.pending[LOGIN_TEAM.digest] == {fresh[0].id}, "pending until sent: a run that dies before sending sends it next time"


def test_what_a_failed_target_lacks_comes_first_and_in_order_and_a_correction_of_an_unsent_update_is_not_sent(view: StatusView) -> None:
    found = announcements(view)
    every = {a.id for a in found}
    kinds = by_kind(view)
    update, correction, resolved = kinds[("2026-05-10-api-errors", "update")], kinds[("2026-05-10-api-errors", "correction")], kinds[("2026-05-10-api-errors", "incident-resolved")]
    known = Ledger(frozenset(every - {resolved.id, correction.id}), {EVERYONE.digest: frozenset({update.id})})
    plan = plan_run(known, found, every, [EVERYONE], None, {a.entry_id for a in found})
    assert plan.queues[EVERYONE.digest] == [update, resolved], "the update already carries the corrected words"
    assert plan.ledger.pending[EVERYONE.digest] == {update.id, resolved.id}
    # Once the update went out earlier, its correction is news.
    sent = Ledger(frozenset(every - {correction.id}), {EVERYONE.digest: frozenset()})
    assert plan_run(sent, found, every, [EVERYONE], None, {a.entry_id for a in found}).queues[EVERYONE.digest] == [correction]


def test_changes_the_site_shows_differently_wait_and_changes_older_than_the_floor_are_history(view: StatusView) -> None:
    found = announcements(view)
    every = {a.id for a in found}
    kinds = by_kind(view)
    resolved, upgrade = kinds[("2026-05-10-api-errors", "incident-resolved")], kinds[("2026-06-10-database-upgrade", "maintenance-scheduled")]
    known = Ledger(frozenset(every - {resolved.id, upgrade.id}), {EVERYONE.digest: frozenset()}, floor=datetime(2026, 5, 15, tzinfo=UTC))
    plan = plan_run(known, found, every - {upgrade.id}, [EVERYONE], None, {a.entry_id for a in found})
    assert plan.queues[EVERYONE.digest] == []
    assert plan.held_back == [upgrade]
    assert upgrade.id not in plan.ledger.announced, "held back is not handled: it goes out once the site agrees"
    assert resolved.id not in plan.ledger.announced, "older than the floor: never announced, and not worth remembering"


def test_what_a_target_is_owed_is_dropped_only_when_the_published_feeds_no_longer_show_it(view: StatusView) -> None:
    found = announcements(view)
    every = {a.id for a in found}
    kinds = by_kind(view)
    owed = kinds[("2026-05-20-login-migration", "maintenance-ended")]
    known = Ledger(frozenset(every), {EVERYONE.digest: frozenset({owed.id, tag("gone/update-20260101T000000Z")})})
    stale_checkout = [a for a in found if a.id != owed.id]
    plan = plan_run(known, stale_checkout, every, [EVERYONE], None, {a.entry_id for a in found})
    assert plan.dropped[EVERYONE.digest] == [tag("gone/update-20260101T000000Z")]
    assert plan.missing == [owed.id]
    assert plan.ledger.pending[EVERYONE.digest] == {owed.id}, "a checkout without it does not drop it"


# --- the ledger -------------------------------------------------------------------------------------------


def test_the_ledger_round_trips_through_json_and_holds_no_urls() -> None:
    ledger = Ledger(frozenset({"b", "a"}), {EVERYONE.digest: frozenset({"a"}), LOGIN_TEAM.digest: frozenset()}, datetime(2026, 5, 1, tzinfo=UTC))
    data = ledger.to_json(NOW)
    assert Ledger.from_json(data, "x") == ledger
    document = json.loads(data)
    assert document["announced"] == ["a", "b"] and document["format"] == 1 and document["floor"] == "2026-05-01T00:00:00Z"
    assert "example" not in data.decode(), "targets appear by digest only"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"{", "is not valid JSON"),
        (b"[]", "must hold a JSON object"),
        (b'{"format": 9}', "written by a newer statusbook"),
        (b'{"format": 1, "announced": [1], "targets": {}}', "'announced' must be a list of ids"),
        (b'{"format": 1, "announced": [], "targets": {"t": {"pending": "x"}}}', "target 't' must have a list of pending ids"),
        (b'{"format": 1, "announced": [], "targets": {}, "floor": "yesterday"}', "'floor' is not a timestamp"),
    ],
)
def test_a_damaged_ledger_is_refused_with_a_remedy(data: bytes, words: str) -> None:
    with pytest.raises(LedgerError) as caught:
        Ledger.from_json(data, "origin/gh-pages:.statusbook/announced.json")
    assert words in str(caught.value)
    assert "origin/gh-pages:.statusbook/announced.json" in str(caught.value)


def test_merging_two_records_keeps_whatever_either_delivered() -> None:
    a, b = "t-a", "t-b"
    base = Ledger(frozenset({"x"}), {a: frozenset({"x"}), b: frozenset({"x"})})
    ours = base.delivered(a, "x").handled(["y"], {a: frozenset(), b: frozenset({"x", "y"})})
    theirs = base.delivered(b, "x")
    merged = ours.merged(theirs)
    assert merged.announced == {"x", "y"}
    assert merged.pending == {a: frozenset(), b: frozenset({"y"})}
    assert merged == theirs.merged(ours), "merging is symmetric"
    assert merged.merged(merged) == merged


def test_pruning_forgets_ids_older_than_the_floor_and_targets_gone_with_nothing_owed() -> None:
    old, new = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    ledger = Ledger(frozenset({"old", "new", "unknown"}), {"kept": frozenset(), "gone": frozenset(), "owed": frozenset({"new"})})
    pruned = ledger.pruned(new - timedelta(days=1), {"old": old, "new": new}, ["kept"])
    assert pruned.announced == {"new", "unknown"}, "an id this checkout cannot date is kept: it must never be announced again"
    assert pruned.targets == {"kept", "owed"}
    assert pruned.floor == new - timedelta(days=1)
    assert pruned.pruned(old, {}, ["kept"]).floor == new - timedelta(days=1), "the floor never goes back"


def test_an_unchanged_view_is_unchanged_across_a_config_copy(view: StatusView) -> None:
    """rendered_entries changes feed_entries on a copy of the config: the view itself is left as it was."""
    before = view.config.feed_entries
    rendered_entries(view, announcements(view))
    assert view.config.feed_entries == before
    assert dataclasses.replace(view.config, feed_entries=7).zone == view.config.zone
