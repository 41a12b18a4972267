"""The small repository the notify tests share: an incident with a correction, a maintenance through every status, one whose window passed unannounced, one upcoming."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from statusbook.view.status_view import StatusView

from support.render import view_of
from support.repos import schema_project
from support.samples import SAMPLES

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOST = "status.test.example"
CONFIG = f"""
site_name: Test status
site_url: https://{HOST}/
theme:
  language: en
extra:
  statusbook:
    timezone: Europe/Amsterdam
"""
INCIDENTS = {
    "incidents/2026/2026-05-10-api-errors.yml": """
title: API errors
severity: SEV3
components: [api, webhooks]
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
    # The maintenances are the feeds tests' own (support/samples.py): what is announced is what the feeds carry.
    "incidents/2026/2026-05-20-login-migration.yml": SAMPLES["incidents/2026/2026-05-20-login-migration.yml"],
    "incidents/2026/2026-05-25-email-provider.yml": SAMPLES["incidents/2026/2026-05-25-email-provider.yml"],
    "incidents/2026/2026-06-10-database-upgrade.yml": SAMPLES["incidents/2026/2026-06-10-database-upgrade.yml"],
}


def make_view(root: Path, now: datetime = NOW, *, config: str = CONFIG, incidents: dict[str, str] | None = None) -> StatusView:
    project = schema_project(root)
    project.write("mkdocs.yml", config)
    for path, text in (INCIDENTS if incidents is None else incidents).items():
        project.write(path, text)
    return view_of(root, now)
