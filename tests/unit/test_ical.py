"""Maintenance calendars: stable UIDs, a SEQUENCE that only grows, UTC times, and a clean round trip."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from statusbook.render.ical import sequence
from statusbook.render.text import plain_text
from support.render import render, valid
from support.repos import schema_project
from support.samples import HOST, NOW, SITE, render_samples, write_samples


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return render_samples(tmp_path_factory.mktemp("samples") / "repo")


def events(data: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_calendars_round_trip_through_icalendar(site: dict[str, bytes]) -> None:
    paths = sorted(p for p in site if p.endswith(".ics"))
    assert "maintenance.ics" in paths and "components/login/maintenance.ics" in paths
    for path in paths:
        data = site[path]
        assert Calendar.from_ical(data).to_ical() == data, path
        assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n"), path


def test_calendar_properties(site: dict[str, bytes]) -> None:
    calendar = Calendar.from_ical(site["maintenance.ics"])
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == f"-//statusbook//{HOST}//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Test status maintenance"
    login = Calendar.from_ical(site["components/login/maintenance.ics"])
    assert str(login["X-WR-CALNAME"]) == "Test status maintenance: Sign-in"


def test_every_maintenance_is_an_event_with_utc_times(site: dict[str, bytes]) -> None:
    found = events(site["maintenance.ics"])
    assert set(found) == {f"2026-05-20-login-migration@{HOST}", f"2026-05-25-email-provider@{HOST}", f"2026-06-10-database-upgrade@{HOST}"}
    upgrade = found[f"2026-06-10-database-upgrade@{HOST}"]
    assert upgrade.decoded("DTSTART") == datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
    assert upgrade.decoded("DTEND") == datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
    assert b"DTSTART:20260610T020000Z\r\n" in site["maintenance.ics"]
    assert upgrade.decoded("DTSTAMP") == datetime(2026, 5, 30, 10, 0, tzinfo=UTC)  # its latest update, not the build
    assert str(upgrade["SUMMARY"]) == "[Scheduled] Database upgrade"
    assert str(upgrade["URL"]) == f"{SITE}incidents/2026-06-10-database-upgrade/"
    assert str(upgrade["STATUS"]) == "CONFIRMED"
    assert str(upgrade["DESCRIPTION"]).startswith("We will upgrade the API database.")
    assert "Scheduled window: 2026-06-10 04:00 CEST to 2026-06-10 05:00 CEST" in str(upgrade["DESCRIPTION"])
    login = found[f"2026-05-20-login-migration@{HOST}"]
    assert str(login["SUMMARY"]) == "[Completed] Sign-in migration"
    assert login.decoded("DTSTAMP") == datetime(2026, 5, 20, 1, 50, tzinfo=UTC)
    # A window that passed unannounced reads as the status page shows it: over.
    assert str(found[f"2026-05-25-email-provider@{HOST}"]["SUMMARY"]) == "[Completed] Email provider switch"


def test_sequence_counts_revisions(site: dict[str, bytes]) -> None:
    found = events(site["maintenance.ics"])
    assert int(found[f"2026-06-10-database-upgrade@{HOST}"]["SEQUENCE"]) == 0  # announced once, window ahead
    assert int(found[f"2026-05-20-login-migration@{HOST}"]["SEQUENCE"]) == 2 + 2  # two later updates, both edges passed
    assert int(found[f"2026-05-25-email-provider@{HOST}"]["SEQUENCE"]) == 0 + 2


def test_sequence_grows_with_status_changes_and_time(tmp_path) -> None:
    project = schema_project(tmp_path / "repo")
    write_samples(project, commit=False)
    upgrade = next(i for i in valid(project.root, NOW).incidents if i.id == "2026-06-10-database-upgrade")
    steps = [sequence(upgrade, moment) for moment in (NOW, datetime(2026, 6, 10, 2, 30, tzinfo=UTC), datetime(2026, 6, 10, 4, 0, tzinfo=UTC))]
    assert steps == [0, 1, 2]
    # Posting an update (here: the window moved one hour later) raises it too, and never lowers it.
    project.write(
        "incidents/2026/2026-06-10-database-upgrade.yml",
        """
        title: Database upgrade
        kind: maintenance
        components: [api]
        scheduled:
          start: 2026-06-10T03:00:00Z
          end: 2026-06-10T04:00:00Z
        updates:
          - at: 2026-05-30T10:00:00Z
            status: scheduled
            message: We will upgrade the API database.
          - at: 2026-06-01T09:00:00Z
            status: scheduled
            message: We moved the upgrade one hour later.
        """,
    )
    moved = next(i for i in valid(project.root, NOW).incidents if i.id == "2026-06-10-database-upgrade")
    assert moved.scheduled.start == datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
    assert sequence(moved, NOW) == 1
    event = events(render(project.root, NOW, parts=["calendar"])["maintenance.ics"])[f"2026-06-10-database-upgrade@{HOST}"]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTAMP") == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_per_component_calendars_hold_only_their_maintenance(site: dict[str, bytes]) -> None:
    assert set(events(site["components/api/maintenance.ics"])) == {f"2026-06-10-database-upgrade@{HOST}"}
    assert set(events(site["components/login/maintenance.ics"])) == {f"2026-05-20-login-migration@{HOST}"}
    assert events(site["components/website/maintenance.ics"]) == {}


def test_plain_text_keeps_words_and_addresses() -> None:
    assert plain_text("We **will** upgrade *now*; see [the notes](https://example.com/a_b) and `db_main`.") == (
        "We will upgrade now; see the notes (https://example.com/a_b) and db_main."
    )
    assert plain_text("snake_case_name stays, 2*3*4 too") == "snake_case_name stays, 2*3*4 too"
