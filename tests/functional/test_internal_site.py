"""The internal site: the leak test in reverse, what every page promises, and the folder and publish guards.

One in-process pair of builds of a copy of this repository, with a marker
planted in every internal field of every sample incident and in a postmortem
document: every marker must show on the internal site, and none anywhere in
the public site, its feeds, API or calendars (the handbook never reads
incidents; tests/functional/test_site_safety.py builds it with markers too).
The command line is run once for the folder guards and publishing.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from statusbook.commands.build import build
from statusbook.commands.internal import build_internal
from statusbook.io.config_file import load_config
from support.leaks import plant_internal
from support.render import valid
from support.repos import REPO, git, site_project, statusbook

NOW = datetime(2026, 11, 28, tzinfo=UTC)  # after every sample update
PREFIX = "QZINTERNAL"
POSTMORTEM_MARKER = "QZPOSTMORTEMBODYx"
SUMMARY_MARKER = "QZPUBLICSUMMARYx"
SUMMARY_ID = "2026-05-27-webhooks-outage"


def _copy_repo(dest: Path) -> Path:
    root = dest / "repo"
    root.mkdir()
    for name in ("handbook", "theme", "incidents", "postmortems"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _read(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, list[str]]]:
    """(public files, internal files, markers planted per incident id)."""
    root = _copy_repo(tmp_path_factory.mktemp("internal"))
    planted: dict[str, list[str]] = {}
    count = 0
    for path in sorted((root / "incidents").rglob("*.yml")):
        text, markers = plant_internal(path.read_text(encoding="utf-8"), PREFIX, count)
        count += len(markers)
        if path.stem == SUMMARY_ID:
            text = re.sub(r"postmortem_summary: \|-\n(  .*\n)+", f"postmortem_summary: Public summary {SUMMARY_MARKER}.\n", text)
        path.write_text(text, encoding="utf-8")
        planted[path.stem] = markers
    postmortem = root / "postmortems" / f"{SUMMARY_ID}.md"
    postmortem.write_text(postmortem.read_text(encoding="utf-8") + f"\nAn internal finding: {POSTMORTEM_MARKER}.\n", encoding="utf-8")
    valid(root, NOW)  # the planted copy still validates
    config = load_config(root)
    public = build(config, now=NOW, use_cache=False, handbook=False).target
    internal = build_internal(config, now=NOW).target
    assert internal == (root / "site-internal").resolve()
    return _read(public), _read(internal), planted


def test_markers_were_planted_in_every_internal_field(sites) -> None:
    _, _, planted = sites
    assert len(planted) == len(list((REPO / "incidents").rglob("*.yml")))
    assert all(len(markers) >= 4 for markers in planted.values())  # chat, call, impact and at least a role or a note
    assert sum(len(m) for m in planted.values()) >= 150


def test_every_internal_field_shows_on_its_incident_page(sites) -> None:
    _, internal, planted = sites
    for incident_id, markers in planted.items():
        page = internal[f"incidents/{incident_id}/index.html"].decode()
        missing = [m for m in markers if m not in page]
        assert missing == [], incident_id


def test_no_internal_field_reaches_any_public_file(sites) -> None:
    public, _, _ = sites
    assert {"index.html", "history.atom", "history.rss", "maintenance.ics", "api/v2/incidents.json", "api/v2/summary.json"} <= set(public)
    leaked = sorted(name for name, data in public.items() if PREFIX.encode() in data or PREFIX.lower().encode() in data or POSTMORTEM_MARKER.encode() in data)
    assert leaked == []
    assert not any(name.startswith(("postmortems", "site-internal")) or name.endswith(".statusbook-internal") for name in public)


def test_the_public_summary_is_public_and_the_postmortem_document_is_not(sites) -> None:
    public, internal, _ = sites
    page = public[f"incidents/{SUMMARY_ID}/index.html"].decode()
    assert "Postmortem summary" in page and f"Public summary {SUMMARY_MARKER}." in page
    # The incident's page in each language the site is published in (the Dutch one shows the English summary, marked): nowhere else.
    assert sorted(name for name, data in public.items() if SUMMARY_MARKER.encode() in data) == [f"incidents/{SUMMARY_ID}/index.html", f"nl/incidents/{SUMMARY_ID}/index.html"]
    document = internal[f"incidents/{SUMMARY_ID}/postmortem/index.html"].decode()
    assert POSTMORTEM_MARKER in document and "<table>" in document  # the action items table renders as a table
    assert "Postmortem summary (public)" in internal[f"incidents/{SUMMARY_ID}/index.html"].decode()


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.scripts = 0
        self.styles = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            key = (values.get("http-equiv") or values.get("name") or "").lower()
            self.meta.setdefault(key, []).append(values.get("content") or "")
        self.scripts += tag == "script"
        self.styles += tag == "style" or "style" in values or any(name.startswith("on") for name in values)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(data: bytes) -> _Page:
    page = _Page()
    page.feed(data.decode("utf-8"))
    return page


def test_every_internal_page_says_so_keeps_robots_out_and_has_the_public_policy(sites) -> None:
    public, internal, _ = sites
    [public_policy] = _parse(public["index.html"]).meta["content-security-policy"]
    pages = [name for name in internal if name.endswith(".html")]
    assert {"index.html", "metrics/index.html", "severities/SEV1/index.html", "teams/platform/index.html", "components/api/index.html"} <= set(pages)
    for name in pages:
        page = _parse(internal[name])
        assert page.meta["content-security-policy"] == [public_policy], name
        assert page.meta["robots"] == ["noindex, nofollow, noarchive"], name
        assert (page.scripts, page.styles) == (0, 0), name  # nothing to run, nothing inline the policy would block
        assert "Internal incident log" in " ".join("".join(page.text).split()), name
    assert internal["robots.txt"].endswith(b"Disallow: /\n")
    assert ".statusbook-internal" in internal


def test_the_index_lists_every_incident_by_month_with_its_postmortem(sites) -> None:
    _, internal, planted = sites
    index = internal["index.html"].decode()
    for incident_id in planted:
        assert f'href="incidents/{incident_id}/"' in index
    assert "<h2 id=\"month-1\">December 2026</h2>" in index
    sev1 = internal["severities/SEV1/index.html"].decode()
    assert "2025-07-15-api-outage" in sev1 and "2025-06-03-webhook-delivery-delays" not in sev1
    incident = internal["incidents/2025-07-15-api-outage/index.html"].decode()
    assert 'href="https://status.example.com/handbook/' in incident and "governed this incident" in incident
    assert '<path class="public"' in incident and "<circle" in incident  # the phase timeline, drawn


def test_the_metrics_page_has_every_chart_with_its_table(sites) -> None:
    _, internal, _ = sites
    page = internal["metrics/index.html"].decode()
    for title in ("Incidents per month by severity", "Time to first public update", "Time to mitigation", "Time to resolution", "Incidents per component", "Incidents per owning team", "Postmortem completion"):
        assert f">{title}</title>" in page, title
    assert page.count('<svg class="chart"') == 7
    assert page.count("<table") == 7  # a table beside each chart (the overdue list is empty: every sample postmortem is done)
    assert "No postmortem is overdue." in page
    assert "https://status.example.com/handbook/latest/postmortems/metrics/" in page
    assert "https://status.example.com/handbook/latest/communication/internal-updates/" in page
    assert "https://status.example.com/handbook/latest/phases/handover/" in page


# --- the command line: folders and publishing --------------------------------------------------------------


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = site_project(tmp_path_factory.mktemp("cli") / "repo")
    shutil.rmtree(project.root / "incidents")
    shutil.copytree(REPO / "incidents", project.root / "incidents")
    shutil.copytree(REPO / "postmortems", project.root / "postmortems")
    project.write(".gitignore", "/site/\n/.site-*/\n/site-internal/\n")
    project.git_init()
    return project.root


def test_build_internal_writes_its_own_folder_and_refuses_the_public_one(repo: Path) -> None:
    done = statusbook(repo, "build", "--internal", "--quiet", "--now", "2026-11-28T00:00:00Z")
    assert done.returncode == 0, done.stderr
    assert (repo / "site-internal" / "metrics" / "index.html").is_file()
    assert (repo / "site-internal" / ".statusbook-internal").is_file()
    inside = statusbook(repo, "build", "--internal", "--out", "site/internal")
    assert inside.returncode == 2 and "public site" in inside.stderr
    over = statusbook(repo, "build", "--out", "site-internal", "--quiet")
    assert over.returncode == 2 and "holds the internal site" in over.stderr
    assert (repo / "site-internal" / ".statusbook-internal").is_file()  # left as it was
    assert git(repo, "status", "--porcelain") == ""  # site-internal/ is ignored


def test_publish_refuses_the_internal_site_unless_a_branch_and_remote_of_its_own_are_named(repo: Path, tmp_path: Path) -> None:
    assert statusbook(repo, "build", "--internal", "--quiet", "--now", "2026-11-28T00:00:00Z").returncode == 0
    for extra in ((), ("--branch", "internal-log"), ("--push", "origin"), ("--branch", "internal-log", "--push")):
        refused = statusbook(repo, "publish", "--site", "site-internal", *extra)
        assert refused.returncode == 2 and "internal site" in refused.stderr, (extra, refused.stderr)
    assert "gh-pages" not in git(repo, "branch", "--list")
    remote = tmp_path / "internal.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "internal", str(remote))
    try:
        done = statusbook(repo, "publish", "--site", "site-internal", "--branch", "internal-log", "--push", "internal", "--quiet")
        assert done.returncode == 0, done.stderr
        listed = git(remote, "ls-tree", "-r", "--name-only", "internal-log")
        assert "metrics/index.html" in listed and ".statusbook-internal" in listed
    finally:
        git(repo, "remote", "remove", "internal")


def test_postmortem_and_brief_on_the_command_line(repo: Path) -> None:
    exists = statusbook(repo, "postmortem", "2026-05-27-webhooks-outage")
    assert exists.returncode == 1 and "already exists" in exists.stderr
    made = statusbook(repo, "postmortem", "2026-08-11-checkout-errors", "--now", "2026-11-28T00:00:00Z")
    assert made.returncode == 0 and made.stdout == "postmortems/2026-08-11-checkout-errors.md\n", made.stderr
    assert (repo / "postmortems" / "2026-08-11-checkout-errors.md").read_text(encoding="utf-8").startswith("---\nstatus: draft\n")
    (repo / "postmortems" / "2026-08-11-checkout-errors.md").unlink()
    shown = statusbook(repo, "brief", "2026-11-25-webhook-retries-delayed", "--format", "json", "--now", "2026-11-26T15:00:00Z")
    assert shown.returncode == 0, shown.stderr
    assert '"status": "monitoring"' in shown.stdout and '"next_update_due": "2026-11-26T18:20:00Z"' in shown.stdout
    unknown = statusbook(repo, "brief", "no-such-incident")
    assert unknown.returncode == 2 and "no incident file has the id" in unknown.stderr
