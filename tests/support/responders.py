"""A small repository for the responders' tools (postmortem, brief, the internal site): one SEV2 incident with a full internal record."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.repos import REPO

INCIDENT = """\
title: API errors
severity: SEV2
components: [api, webhooks]
updates:
  - at: 2026-03-01T10:00:00+01:00
    status: investigating
    message: We are looking into **API errors**.
    components:
      api: partial_outage
  - at: 2026-03-01T10:40:00+01:00
    status: monitoring
    message: A fix is live.
  - at: 2026-03-01T11:00:00+01:00
    status: resolved
    message: Fixed.
    components:
      api: operational
internal:
  roles:
    incident_manager: Priya Natarajan
    tech_lead: Joost | de Vries
  chat: "#inc-2026-03-01-api-errors"
  assessment:
    customer_impact: Some API calls fail.
    support_cases: "12"
  impact: About 2% of requests.
  timeline:
    - at: 2026-03-01T09:55:00+01:00
      phase: detect
      note: Error-rate alert.
    - at: 2026-03-01T10:20:00+01:00
      phase: escalate
      note: Platform on-call paged.
"""
PATH = "incidents/2026/2026-03-01-api-errors.yml"


def repository(root: Path, postmortems: dict[str, str] | None = None, incident: str = INCIDENT) -> Path:
    """Write the repository: the real handbook schema and the page templates the tools read, the incident, any postmortem files."""
    (root / "handbook" / "postmortems").mkdir(parents=True)
    (root / "handbook" / "communication").mkdir()
    for name in ("schema.yml", "components.yml", "postmortems/template.md", "communication/templates.md"):
        shutil.copy(REPO / "handbook" / name, root / "handbook" / name)
    (root / "mkdocs.yml").write_text("site_name: Test\nsite_url: https://status.test.example/\nextra:\n  statusbook:\n    timezone: Europe/Amsterdam\n", encoding="utf-8")
    (root / PATH).parent.mkdir(parents=True)
    (root / PATH).write_text(incident, encoding="utf-8")
    for rel, text in (postmortems or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root
