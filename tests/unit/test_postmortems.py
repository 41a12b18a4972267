"""Postmortem documents: their front matter, the rules about them, and the scaffold `statusbook postmortem` writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from statusbook.check.postmortem import read_postmortem
from statusbook.commands.postmortem import new_postmortem
from statusbook.commands.validate import validate_repository
from statusbook.core.handbook import parse_handbook
from statusbook.core.problems import Level
from statusbook.errors import ConfigError, EditError, ValidationFailed
from statusbook.io.config_file import load_config
from statusbook.render.postmortem import TemplateError, scaffold_postmortem, template_body
from statusbook.view.metrics import response_times
from support.render import render
from support.responders import INCIDENT, PATH, repository

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
def problems(root: Path, now: datetime = NOW) -> list[tuple[str, int, int, str, str]]:
    result = validate_repository(load_config(root), now=now, use_cache=False)
    return [(p.path, p.line, p.column, p.rule, str(p.level)) for p in result.problems]


# --- the front matter ------------------------------------------------------------------------------------


def test_front_matter_gives_status_owner_and_body() -> None:
    found, issues = read_postmortem(b"---\nstatus: review\nowner: Priya\n---\n## Title\n\nText.\n", "postmortems/2026-03-01-api-errors.md")
    assert issues == []
    assert found is not None
    assert (found.incident_id, found.status, found.owner, found.body) == ("2026-03-01-api-errors", "review", "Priya", "## Title\n\nText.\n")


def test_without_front_matter_a_postmortem_is_a_draft() -> None:
    found, issues = read_postmortem(b"## Notes\n\nStill writing.\n", "postmortems/x.md")
    assert issues == [] and found is not None and found.status == "draft" and found.body.startswith("## Notes")


def test_problems_in_a_front_matter_are_located_warnings() -> None:
    text = b"---\nstatus: done\nownr: Priya\n---\nbody\n"
    found, issues = read_postmortem(text, "postmortems/x.md")
    assert found is not None and found.status == "draft"
    assert [(p.line, p.column, p.rule, p.level) for p in issues] == [(2, 9, "postmortem-status-unknown", Level.WARNING), (3, 1, "key-unknown", Level.WARNING)]
    assert "did you mean 'owner'" in issues[1].message


def test_a_broken_front_matter_never_becomes_an_error() -> None:
    found, issues = read_postmortem(b"---\nstatus: [unclosed\n---\nbody\n", "postmortems/x.md")
    assert found is not None and found.status == "draft"
    assert issues and all(p.level is Level.WARNING for p in issues)


# --- the rules, through validate_repository -----------------------------------------------------------------


def test_a_postmortem_file_counts_as_written(tmp_path: Path) -> None:
    assert problems(repository(tmp_path / "none")) == [(PATH, 13, 5, "postmortem-overdue", "notice")]
    written = repository(tmp_path / "file", {"postmortems/2026-03-01-api-errors.md": "---\nstatus: draft\n---\n"})
    assert problems(written, now=datetime(2026, 3, 5, tzinfo=UTC)) == []  # a draft within the grace days is fine
    assert "statusbook postmortem 2026-03-01-api-errors" in validate_repository(load_config(tmp_path / "none"), now=NOW, use_cache=False).problems[0].message


def test_a_draft_past_its_due_date_is_a_notice(tmp_path: Path) -> None:
    root = repository(tmp_path, {"postmortems/2026-03-01-api-errors.md": "---\nstatus: review\n---\n"})
    found = validate_repository(load_config(root), now=NOW, use_cache=False).problems
    assert [(p.path, p.line, p.column, p.rule, p.level) for p in found] == [(PATH, 13, 5, "postmortem-unapproved", Level.NOTICE)]
    assert "was due 2026-03-15" in found[0].message and "'review'" in found[0].message


def test_an_approved_postmortem_is_done(tmp_path: Path) -> None:
    assert problems(repository(tmp_path, {"postmortems/2026-03-01-api-errors.md": "---\nstatus: approved\n---\n"})) == []


def test_postmortem_files_named_after_no_incident_are_warned_about(tmp_path: Path) -> None:
    root = repository(
        tmp_path,
        {
            "postmortems/2026-03-01-api-errors.md": "---\nstatus: approved\n---\n",
            "postmortems/2026-03-01-api-error.md": "text\n",
            "postmortems/Notes About It.md": "text\n",
            "postmortems/README.md": "How we keep postmortems.\n",
            "postmortems/diagram.png": "not a postmortem",
        },
    )
    assert problems(root) == [
        ("postmortems/2026-03-01-api-error.md", 1, 1, "postmortem-orphan", "warning"),
        ("postmortems/Notes About It.md", 1, 1, "postmortem-orphan", "warning"),
    ]


def test_validation_holds_the_postmortems_for_the_internal_site_only(tmp_path: Path) -> None:
    root = repository(tmp_path, {"postmortems/2026-03-01-api-errors.md": "---\nstatus: approved\nowner: Priya\n---\nThe body.\n"})
    validation = validate_repository(load_config(root), now=NOW, use_cache=False)
    assert [(p.incident_id, p.status, p.owner, p.body) for p in validation.postmortems] == [("2026-03-01-api-errors", "approved", "Priya", "The body.\n")]


def test_the_postmortems_folder_may_not_be_published(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nextra:\n  statusbook:\n    postmortems_dir: handbook/postmortems\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert [(p.line, p.column, p.rule) for p in raised.value.problems] == [(4, 22, "config-value")]
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nextra:\n  statusbook:\n    postmortems_dir: reviews\n", encoding="utf-8")
    assert load_config(tmp_path).postmortems_dir == "reviews"


# --- the scaffold ------------------------------------------------------------------------------------------


def _scaffold(root: Path) -> str:
    validation = validate_repository(load_config(root), now=NOW, use_cache=False)
    incident, internal = validation.incidents[0], validation.internals[0]
    handbook = validation.handbook
    page = (REPO / "handbook" / "postmortems" / "template.md").read_text(encoding="utf-8")
    return scaffold_postmortem(page, incident, internal, handbook, zone=load_config(root).zone, version="v1.0", times=response_times(incident, internal, handbook))


def test_the_scaffold_fills_in_what_the_incident_file_knows(tmp_path: Path) -> None:
    text = _scaffold(repository(tmp_path))
    assert text.startswith('---\nstatus: draft\nowner: "Priya Natarajan"\n---\n\n## API errors\n')
    assert "| Incident id | 2026-03-01-api-errors |" in text
    assert "| Severity | SEV2 (Major) |" in text
    assert "| Handbook version | v1.0 |" in text
    assert "| Tech lead | Joost \\| de Vries |" in text  # a pipe in a value stays inside its cell
    assert "About 2% of requests." in text and "- **Impact on customers**: Some API calls fail." in text
    assert "| 2026-03-01 09:55 CET | detect | Error-rate alert. |" in text
    assert "| 2026-03-01 10:00 CET | public update | Status page: Investigating. We are looking into **API errors**. |" in text
    assert "first public update after 5 min, mitigated after 45 min, resolved after 1 h 5 min" in text
    assert "<!--" not in text and "[Incident title]" not in text  # the markers are gone
    assert "### Root cause and contributing factors" in text and "### Action items" in text  # the rest as the team wrote it
    assert "Run `statusbook postmortem ID`" not in text  # the page's own introduction stays behind
    found, issues = read_postmortem(text.encode(), "postmortems/2026-03-01-api-errors.md")
    assert issues == [] and found is not None and found.status == "draft" and found.owner == "Priya Natarajan"


def test_a_timeline_without_detection_says_so(tmp_path: Path) -> None:
    text = _scaffold(repository(tmp_path, incident=INCIDENT.replace("phase: detect", "phase: assess")))
    assert "no detection entry" in text


def test_a_template_page_without_its_line_is_refused() -> None:
    with pytest.raises(TemplateError):
        template_body("# Template\n\nNo line here.\n")


def test_the_command_writes_once_and_never_overwrites(tmp_path: Path) -> None:
    root = repository(tmp_path)
    config = load_config(root)
    assert new_postmortem(config, "2026-03-01-api-errors", NOW) == "postmortems/2026-03-01-api-errors.md"
    written = (root / "postmortems" / "2026-03-01-api-errors.md").read_text(encoding="utf-8")
    assert "## API errors" in written
    (root / "postmortems" / "2026-03-01-api-errors.md").write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(EditError, match="already exists"):
        new_postmortem(config, "2026-03-01-api-errors", NOW)
    assert (root / "postmortems" / "2026-03-01-api-errors.md").read_text(encoding="utf-8") == "edited by hand\n"


def test_the_command_refuses_an_incident_with_errors(tmp_path: Path) -> None:
    root = repository(tmp_path, incident=INCIDENT.replace("severity: SEV2", "severity: SEV9"))
    with pytest.raises(ValidationFailed):
        new_postmortem(load_config(root), "2026-03-01-api-errors", NOW)
    assert not (root / "postmortems").exists()


def test_the_handbook_schema_the_tests_use_is_the_real_one() -> None:
    handbook, found = parse_handbook((REPO / "handbook" / "schema.yml").read_bytes(), (REPO / "handbook" / "components.yml").read_bytes(), schema_path="s", components_path="c")
    assert handbook is not None and not found and handbook.severity_by_id["SEV2"].requires_postmortem


# --- the public summary ------------------------------------------------------------------------------------


def test_the_public_summary_shows_on_the_incident_page_as_sanitized_markdown(tmp_path: Path) -> None:
    summary = 'postmortem_summary: "A **full disk** stopped deliveries. <script>alert(1)</script> [more](javascript:alert(1))"\n'
    root = repository(tmp_path, incident=INCIDENT.replace("components: [api, webhooks]\n", "components: [api, webhooks]\n" + summary))
    files = render(root, NOW, parts=["status page"])
    page = files["incidents/2026-03-01-api-errors/index.html"].decode()
    assert '<h2 id="postmortem-title">Postmortem summary</h2>' in page
    assert "<strong>full disk</strong>" in page and "&lt;script&gt;" in page
    assert "<script>alert" not in page and "javascript:" not in page
    assert "Priya Natarajan" not in "".join(data.decode("utf-8", "replace") for data in files.values())  # the internal block stays out
    without = render(repository(tmp_path / "plain"), NOW, parts=["status page"])["incidents/2026-03-01-api-errors/index.html"].decode()
    assert "Postmortem summary" not in without
