"""The sample repository the feed, calendar, API and schema tests share: incidents of every kind, with internal notes marked."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from support.render import render
from support.repos import schema_project

MARKER = "LEAKMARKER7f3a9c"
SITE = "https://status.test.example/"
HOST = "status.test.example"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # the fixture repository's commit time
# The status parts the sample repository is rendered for (their names in commands.build.STATUS_PARTS).
OUTPUT_PARTS = ("feeds", "calendar", "api", "incident schema")

CONFIG = f"""
site_name: Test status
site_url: {SITE}
theme:
  language: en
extra:
  statusbook:
    timezone: Europe/Amsterdam
"""

INTERNAL = f"""
internal:
  roles:
    incident_manager: "Person {MARKER} one"
    tech_lead: "Person {MARKER} two"
  chat: "#chat-{MARKER}"
  call: https://meet.example.com/{MARKER}
  assessment:
    customer_impact: "impact answer {MARKER}"
    support_cases: "cases {MARKER}"
  impact: "internal impact {MARKER}"
  timeline:
    - at: 2026-05-10T09:00:00Z
      phase: detect
      note: "timeline note {MARKER}"
"""

SAMPLES = {
    # Resolved SEV2 with a corrected update, times written with a +02:00 offset.
    "incidents/2026/2026-05-10-api-errors.yml": """
title: API errors
severity: SEV2
components: [api, webhooks]
postmortem: https://example.com/postmortems/api-errors
updates:
  - at: 2026-05-10T11:05:00+02:00
    status: investigating
    message: Some API requests fail with **500** errors.
    components:
      api: partial_outage
      webhooks: degraded_performance
  - at: 2026-05-10T11:40:00+02:00
    status: identified
    message: A bad deploy; we are rolling it back.
    correction:
      at: 2026-05-10T13:00:00+02:00
      reason: The first version named the wrong deploy.
  - at: 2026-05-10T12:30:00+02:00
    status: resolved
    message: All requests succeed again.
    components:
      api: operational
      webhooks: operational
""",
    # Open SEV3 with Markdown: a link and emphasis.
    "incidents/2026/2026-05-31-dashboard-slow.yml": """
title: Dashboard slow
severity: SEV3
components: [dashboard]
updates:
  - at: 2026-05-31T08:00:00Z
    status: investigating
    message: "Pages load slowly; see [the help page](https://help.example.com/slow) for *workarounds*."
    components:
      dashboard: degraded_performance
  - at: 2026-05-31T09:15:00Z
    status: monitoring
    message: A cache fix is live and we are watching it.
""",
    # Open incident whose resolution is dated after the build clock: not published yet.
    "incidents/2026/2026-05-28-reports-delayed.yml": """
title: Reports delayed
severity: SEV3
components: [reports]
updates:
  - at: 2026-05-28T07:00:00Z
    status: investigating
    message: Scheduled reports arrive late.
    components:
      reports: degraded_performance
  - at: 2026-06-01T12:04:00Z  # within the clock skew allowed: valid, but not public until then
    status: resolved
    message: Reports are on time again.
    components:
      reports: operational
""",
    # Upcoming maintenance.
    "incidents/2026/2026-06-10-database-upgrade.yml": """
title: Database upgrade
kind: maintenance
components: [api]
scheduled:
  start: 2026-06-10T02:00:00Z
  end: 2026-06-10T03:00:00Z
updates:
  - at: 2026-05-30T10:00:00Z
    status: scheduled
    message: We will upgrade the API database.
""",
    # Maintenance that went through every status.
    "incidents/2026/2026-05-20-login-migration.yml": """
title: Sign-in migration
kind: maintenance
components: [login]
scheduled:
  start: 2026-05-20T01:00:00Z
  end: 2026-05-20T02:00:00Z
updates:
  - at: 2026-05-15T09:00:00Z
    status: scheduled
    message: We will move sign-in to new servers.
  - at: 2026-05-20T01:00:00Z
    status: in_progress
    message: The migration has started.
    components:
      login: under_maintenance
  - at: 2026-05-20T01:50:00Z
    status: completed
    message: The migration is complete.
""",
    # Maintenance whose window passed without any update after the announcement.
    "incidents/2026/2026-05-25-email-provider.yml": """
title: Email provider switch
kind: maintenance
components: [email]
scheduled:
  start: 2026-05-25T22:00:00Z
  end: 2026-05-25T23:00:00Z
updates:
  - at: 2026-05-22T12:00:00Z
    status: scheduled
    message: We will switch email providers.
""",
}
UPDATE_COUNT = 3 + 2 + 1 + 1 + 3 + 1  # published updates; the reports resolution is four minutes in the future
WINDOW_EDGES = 2  # the email maintenance's unannounced start and end


def write_samples(project: object, *, config: str | None = CONFIG, samples: dict[str, str] | None = None, internal: bool = True, commit: bool = True) -> None:
    """Write the sample repository and commit it (the commit time is the build clock); ``config=None`` keeps mkdocs.yml.

    ``commit=False`` leaves it a plain folder (no git): render it with an explicit ``now`` (usually ``NOW``).
    """
    if config is not None:
        project.write("mkdocs.yml", config)
    for path, text in (SAMPLES if samples is None else samples).items():
        major = "severity: SEV1" in text or "severity: SEV2" in text
        project.write(path, text + (INTERNAL if internal or major else ""))
    if commit:
        project.git_init()


def render_samples(root: Path, *, now: datetime = NOW, parts: Iterable[str] | None = OUTPUT_PARTS, **options: object) -> dict[str, bytes]:
    """Write the sample repository at ``root`` (not committed) and render its feeds, calendars, API and schema at ``now``.

    ``options`` go to :func:`write_samples` (``config``, ``samples``, ``internal``); ``parts=None`` renders the status pages too.
    """
    write_samples(schema_project(root), commit=False, **options)
    return render(root, now, parts=parts)
