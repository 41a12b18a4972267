"""`statusbook brief`: the chat topic, the status line, the next update due and the draft message, from the file and the handbook."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from statusbook.commands.brief import brief
from statusbook.core import urls
from statusbook.errors import UsageError, ValidationFailed
from statusbook.io.config_file import load_config
from statusbook.view.brief import initials, message_template
from support.repos import REPO
from support.responders import INCIDENT, repository

ID = "2026-03-01-api-errors"
TEMPLATES = (REPO / "handbook" / "communication" / "templates.md").read_text(encoding="utf-8")
OPEN = INCIDENT.replace(
    "  - at: 2026-03-01T10:40:00+01:00\n    status: monitoring\n    message: A fix is live.\n  - at: 2026-03-01T11:00:00+01:00\n    status: resolved\n    message: Fixed.\n    components:\n      api: operational\n",
    "  - at: 2026-03-01T10:40:00+01:00\n    status: identified\n    message: We found the cause.\n",
)


def test_every_status_has_a_template_in_the_handbook() -> None:
    for status in ("investigating", "identified", "monitoring", "resolved", "scheduled", "in_progress", "verifying", "completed"):
        template = message_template(TEMPLATES, status)
        assert template is not None and "```" not in template, status
        assert "{component}" in template or "{what customers notice}" in template or "{Feature}" in template, status
    assert message_template(TEMPLATES, "identified").startswith("We have identified the cause of {what customers notice}")
    assert message_template(TEMPLATES, "unknown") is None


def test_a_template_is_found_by_its_id_not_its_heading() -> None:
    page = "## Ermittlung {#template-investigating}\n\nText.\n\n```text\nHallo {component}.\n```\n\n## Next\n\n```text\nnot this\n```\n"
    assert message_template(page, "investigating") == "Hallo {component}."
    assert message_template("## Investigating {#template-investigating}\n\nNo block.\n\n## Next\n\n```text\nx\n```\n", "investigating") is None


def test_initials_of_roles() -> None:
    assert [initials(n) for n in ("Incident manager", "Tech lead", "Scribe")] == ["IM", "TL", "S"]


def test_an_open_incident_brief(tmp_path: Path) -> None:
    config = load_config(repository(tmp_path, incident=OPEN))
    text = brief(config, ID, datetime(2026, 3, 1, 10, 0, tzinfo=UTC))  # 11:00 CET, 20 minutes after the last update
    assert "API errors (2026-03-01-api-errors)\nSEV2 Major · Identified · handbook dev\n" in text
    assert "  SEV2 · Identified: API errors | IM: Priya Natarajan | TL: Joost | de Vries | Status page: https://status.test.example/incidents/2026-03-01-api-errors/\n" in text
    assert "[SEV2 Identified] API errors. Public API: partial outage; Webhooks: no status given. Last public update 1 Mar 2026, 10:40 CET, next due by 1 Mar 2026, 11:40 CET." in text
    assert "Questions in #inc-2026-03-01-api-errors." in text
    assert "Next public update: due by 1 Mar 2026, 11:40 CET (SEV2 asks for an update at least every 60 minutes)\n" in text
    assert "  We have identified the cause of {what customers notice} and are working on a fix.\n" in text
    assert "  We will post another update by 11:40 CET.\n" in text
    assert "Internal and executive updates: https://status.test.example/handbook/dev/communication/internal-updates/" in text
    assert "Shift hand-over checklist: https://status.test.example/handbook/dev/phases/handover/" in text
    assert "Security breach" not in text  # a default incident


def test_an_overdue_update_is_flagged_and_the_json_says_the_same(tmp_path: Path) -> None:
    config = load_config(repository(tmp_path, incident=OPEN))
    late = datetime(2026, 3, 1, 11, 5, tzinfo=UTC)  # 12:05 CET: 25 minutes past due
    assert "; OVERDUE by 25 min" in brief(config, ID, late)
    data = json.loads(brief(config, ID, late, fmt="json"))
    assert data["next_update_due"] == "2026-03-01T10:40:00Z"
    assert data["next_update_overdue_minutes"] == 25
    assert (data["status"], data["closed"], data["cadence_minutes"], data["severity"]) == ("identified", False, 60, "SEV2")
    assert data["roles"] == {"incident_manager": "Priya Natarajan", "tech_lead": "Joost | de Vries"}
    assert data["topic"].startswith("SEV2 · Identified: API errors | IM: Priya Natarajan")
    assert data["draft"].startswith("We have identified the cause")
    assert data["links"]["Customer templates"] == "https://status.test.example/handbook/dev/communication/templates/"


def test_a_resolved_incident_needs_no_next_update(tmp_path: Path) -> None:
    config = load_config(repository(tmp_path))
    text = brief(config, ID, datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert "Next public update: none: the incident is closed" in text
    assert "  This incident has been resolved. Public API and Webhooks has been working normally since 11:00 CET.\n" in text
    assert "  Between 10:00 CET and 11:00 CET, {who was affected} {what they experienced}.\n" in text
    assert json.loads(brief(config, ID, datetime(2026, 3, 1, 12, 0, tzinfo=UTC), fmt="json"))["next_update_due"] is None


def test_a_security_incident_links_the_breach_notice_path(tmp_path: Path) -> None:
    config = load_config(repository(tmp_path, incident=OPEN.replace("severity: SEV2", "severity: SEV1\ntype: security")))
    text = brief(config, ID, datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    assert "Security breach notice path: https://status.test.example/handbook/dev/communication/security-breach/" in text
    assert "(SEV1 asks for an update at least every 30 minutes)" in text


def test_an_unknown_id_or_a_broken_file_is_refused(tmp_path: Path) -> None:
    config = load_config(repository(tmp_path, incident=OPEN.replace("status: identified", "status: fixed")))
    with pytest.raises(UsageError, match="no incident file has the id 'nope'"):
        brief(config, "nope", datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(ValidationFailed):
        brief(config, ID, datetime(2026, 3, 1, 10, 0, tzinfo=UTC))


def test_the_handbook_pages_the_tools_link_to_exist_and_are_in_the_navigation() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [value for name, value in vars(urls).items() if name.startswith("PAGE_")]
    assert len(pages) >= 7
    for page in pages:
        source = page.rstrip("/") + ".md"
        if not (REPO / "handbook" / source).is_file():
            source = page + "index.md"
        assert (REPO / "handbook" / source).is_file(), page
        assert source in nav, source
