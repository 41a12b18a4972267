"""A month of one status page, published on a schedule with no commit in between: the page moves with time.

One repository is committed once (a SEV1 resolved without a postmortem, a
maintenance announced for a window ten days later) and then published with the
documented command at fixed clock values, as a scheduled CI job would: before,
during and after the window, across midnight in the site's zone, and 20 days
after the SEV1. At each, the home page, the API's summary.json, the feed and
the calendar show the moment's truth, and gh-pages gets a commit only when the
public page changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar
from support.repos import Project, git

SEV1 = """\
title: Sign-in failing for all customers
severity: SEV1
components: [login]
updates:
  - at: 2026-07-01T09:00:00Z
    status: investigating
    message: Nobody can sign in. We are on it.
    components:
      login: major_outage
  - at: 2026-07-01T10:00:00Z
    status: resolved
    message: Sign-in works again.
    components:
      login: operational
internal:
  roles:
    incident_manager: Dana
"""
MAINTENANCE = """\
title: Database upgrade
kind: maintenance
components: [api]
scheduled:
  start: 2026-07-10T01:00:00Z
  end: 2026-07-10T03:00:00Z
updates:
  - at: 2026-07-01T12:00:00Z
    status: scheduled
    message: We will upgrade the database; the API may be slow.
"""
MAINTENANCE_ID = "2026-07-10-database-upgrade"


def publish(root: Path, now: str) -> subprocess.CompletedProcess[str]:
    """The documented publish command, on a machine whose clock says ``now``."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update({"STATUSBOOK_NOW": now, "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com", "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com"})
    result = subprocess.run([sys.executable, "-m", "statusbook", "publish", "--push"], cwd=root, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return result


def published(remote: Path, path: str) -> bytes:
    return subprocess.run(["git", "show", f"gh-pages:{path}"], cwd=remote, capture_output=True, check=True).stdout


def commits(remote: Path) -> int:
    return int(git(remote, "rev-list", "--count", "gh-pages").strip())


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Publish at each moment; keep what each moment published, and the commit count after it."""
    from support.repos import site_project

    base = tmp_path_factory.mktemp("month")
    project: Project = site_project(base / "repo")
    project.write("incidents/2026/2026-07-01-sign-in-failing.yml", SEV1)
    project.write(f"incidents/2026/{MAINTENANCE_ID}.yml", MAINTENANCE)
    git(project.root, "init", "-q", "-b", "main")
    project.commit("incidents", date="2026-07-01T12:30:00Z")
    remote = base / "remote.git"
    git(base, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    moments = {
        "before": "2026-07-02T12:00:00Z",
        "before, five minutes on": "2026-07-02T12:05:00Z",
        "during the window": "2026-07-10T02:00:00Z",
        "after the window": "2026-07-10T05:00:00Z",
        "after the window, an hour on": "2026-07-10T06:00:00Z",
        "after midnight in Amsterdam": "2026-07-10T22:30:00Z",
        "20 days after the SEV1": "2026-07-21T12:00:00Z",
    }
    seen = {}
    for name, now in moments.items():
        run = publish(project.root, now)
        seen[name] = {
            "stderr": run.stderr,
            "commits": commits(remote),
            "home": published(remote, "index.html").decode(),
            "summary": json.loads(published(remote, "api/v2/summary.json")),
            "feed": published(remote, "history.atom").decode(),
            "calendar": Calendar.from_ical(published(remote, "maintenance.ics")),
        }
    return seen


def _maintenance_status(summary: dict) -> list[str]:
    return [m["status"] for m in summary["scheduled_maintenances"]]


def _api_component(summary: dict, name: str) -> str:
    return next(c["status"] for c in summary["components"] if c["name"] == name)


def _event_summary(calendar: Calendar) -> str:
    return str(next(e for e in calendar.walk("VEVENT"))["SUMMARY"])


def test_before_the_window_the_maintenance_is_upcoming(month) -> None:
    before = month["before"]
    assert "Upcoming maintenance" in before["home"] and "Database upgrade" in before["home"]
    assert _maintenance_status(before["summary"]) == ["scheduled"]
    assert _api_component(before["summary"], "Public API") == "operational"
    assert _event_summary(before["calendar"]).startswith("[Scheduled]")
    assert "window-start" not in before["feed"]


def test_a_scheduled_run_with_nothing_new_makes_no_commit(month) -> None:
    assert month["before"]["commits"] == 1
    assert month["before, five minutes on"]["commits"] == 1  # the same page: no commit, no push
    assert month["after the window, an hour on"]["commits"] == month["after the window"]["commits"]


def test_during_the_window_it_is_in_progress_everywhere_without_an_update(month) -> None:
    during = month["during the window"]
    assert during["commits"] == 2
    assert "Maintenance in progress" in during["home"] and "Service Under Maintenance" in during["home"]
    assert _maintenance_status(during["summary"]) == ["in_progress"]
    assert _api_component(during["summary"], "Public API") == "under_maintenance"
    assert f"incident/{MAINTENANCE_ID}/window-start" in during["feed"]
    assert _event_summary(during["calendar"]).startswith("[In progress]")


def test_after_the_window_it_is_completed_and_the_team_is_told(month) -> None:
    after = month["after the window"]
    assert after["commits"] == 3
    assert "Maintenance in progress" not in after["home"] and "All Systems Operational" in after["home"]
    assert _maintenance_status(after["summary"]) == []  # neither upcoming nor active
    assert f"incident/{MAINTENANCE_ID}/window-end" in after["feed"]
    assert _event_summary(after["calendar"]).startswith("[Completed]")
    assert "notice [maintenance-overdue]" in after["stderr"]  # loud, and the publish went through


def test_midnight_in_the_sites_zone_moves_the_page(month) -> None:
    # 22:30 UTC is 00:30 in Amsterdam (CEST): a new uptime day, so a new commit though nothing else happened.
    midnight = month["after midnight in Amsterdam"]
    assert midnight["commits"] == month["after the window"]["commits"] + 1
    assert 'datetime="2026-07-10T22:00:00Z"' in midnight["home"]  # "Updated" at the day's first moment


def test_an_overdue_postmortem_never_stops_a_publish(month) -> None:
    late = month["20 days after the SEV1"]
    assert "notice [postmortem-overdue]" in late["stderr"]
    assert late["commits"] == month["after midnight in Amsterdam"]["commits"] + 1
    assert late["summary"]["status"]["indicator"] == "none"
