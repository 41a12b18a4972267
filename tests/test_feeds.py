"""Feeds: one entry per public update, permanent ids, newest first, parsed by a real feed reader.

The sample repository written here is shared by the other output tests
(calendar, API, schema); every internal field carries ``MARKER`` so the leak
test can prove none of it reaches any output.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import git
from statusbook.commands.build import PARTS, BuildContext, build_time
from statusbook.commands.validate import validate_repository
from statusbook.config import load_config
from statusbook.core import urls

MARKER = "LEAKMARKER7f3a9c"
SITE = "https://status.test.example/"
HOST = "status.test.example"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # the fixture repository's commit time
OUR_PARTS = ("feeds", "calendar", "api", "incident schema")

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
  - at: 2026-06-02T09:00:00Z
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
UPDATE_COUNT = 3 + 2 + 1 + 1 + 3 + 1  # published updates; the reports resolution is in the future
WINDOW_EDGES = 2  # the email maintenance's unannounced start and end


def write_samples(project: object, *, config: str | None = CONFIG, samples: dict[str, str] | None = None, internal: bool = True) -> None:
    """Write the sample repository and commit it (the commit time is the build clock); ``config=None`` keeps mkdocs.yml."""
    if config is not None:
        project.write("mkdocs.yml", config)
    for path, text in (SAMPLES if samples is None else samples).items():
        major = "severity: SEV1" in text or "severity: SEV2" in text
        project.write(path, text + (INTERNAL if internal or major else ""))
    project.git_init()


def build_context(root: Path) -> BuildContext:
    config = load_config(root)
    now = build_time(root)
    validation = validate_repository(config, now=now, use_cache=False)
    errors = [p.format() for p in validation.problems if p.level.name == "ERROR"]
    assert not errors, errors
    return BuildContext(config=config, handbook=validation.handbook, incidents=validation.incidents, now=now)


def render_ours(context: BuildContext) -> dict[str, bytes]:
    """Render the parts this suite covers, found through the build's registry."""
    specs = dict(PARTS)
    files: dict[str, bytes] = {}
    for name in OUR_PARTS:
        module, _, function = specs[name].partition(":")
        for path, data in getattr(importlib.import_module(module), function)(context).items():
            assert path not in files
            files[path] = data if isinstance(data, bytes) else data.encode()
    return files


@pytest.fixture
def site(project: object) -> dict[str, bytes]:
    write_samples(project)
    context = build_context(project.root)
    assert context.now == NOW
    return render_ours(context)


def parse(data: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def feed_paths(files: dict[str, bytes]) -> list[str]:
    return sorted(p for p in files if p.endswith((".atom", ".rss")))


def test_every_feed_parses_cleanly(site: dict[str, bytes]) -> None:
    paths = feed_paths(site)
    assert "history.atom" in paths and "history.rss" in paths
    assert "components/api/history.atom" in paths and "components/email/history.rss" in paths
    for path in paths:
        feed = parse(site[path])
        assert feed.version == ("atom10" if path.endswith(".atom") else "rss20"), path


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_one_entry_per_public_update_newest_first(site: dict[str, bytes], fmt: str) -> None:
    feed = parse(site[f"history.{fmt}"])
    assert len(feed.entries) == UPDATE_COUNT + WINDOW_EDGES
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)
    titles = [e.title for e in feed.entries]
    assert titles[0] == "[Monitoring] Dashboard slow"
    assert "[Resolved] API errors" in titles
    assert "[Identified] API errors" in titles
    assert "[Scheduled] Database upgrade" in titles
    assert "[In progress] Sign-in migration" in titles and "[Completed] Sign-in migration" in titles
    # The reports resolution is dated after the build: not public yet.
    assert "[Resolved] Reports delayed" not in titles and "[Investigating] Reports delayed" in titles
    # The unannounced window of the email maintenance opens and closes in the feed.
    email = [e for e in feed.entries if e.title.endswith("Email provider switch")]
    assert [e.title for e in email] == ["[Completed] Email provider switch", "[In progress] Email provider switch", "[Scheduled] Email provider switch"]
    assert "window closes" in email[0].description and "window opens" in email[1].description


def test_entry_links_ids_content_and_categories(site: dict[str, bytes]) -> None:
    feed = parse(site["history.atom"])
    resolved = next(e for e in feed.entries if e.title == "[Resolved] API errors")
    assert resolved.link == f"{SITE}incidents/2026-05-10-api-errors/#update-20260510T103000Z"
    assert resolved.id == f"tag:{HOST},2026:incident/2026-05-10-api-errors/update-20260510T103000Z"
    assert resolved.published == "2026-05-10T10:30:00+00:00"
    tags = {(t.scheme.rsplit(":", 1)[-1], t.term) for t in resolved.tags}
    assert tags == {("status", "resolved"), ("impact", "major"), ("component", "api"), ("component", "webhooks")}
    maintenance = next(e for e in feed.entries if e.title == "[Scheduled] Database upgrade")
    assert ("impact", "maintenance") in {(t.scheme.rsplit(":", 1)[-1], t.term) for t in maintenance.tags}
    # The scheduled window is in the entry text, in the site's zone.
    assert "Scheduled window: 2026-06-10 04:00 CEST to 2026-06-10 05:00 CEST" in maintenance.summary
    # Markdown is rendered and sanitized; the link keeps its address.
    first = next(e for e in feed.entries if e.title == "[Investigating] Dashboard slow")
    assert '<a href="https://help.example.com/slow" rel="nofollow noopener">the help page</a>' in first.summary
    assert "<em>workarounds</em>" in first.summary
    rss = parse(site["history.rss"])
    assert [e.id for e in rss.entries] == [e.id for e in feed.entries]
    assert [e.link for e in rss.entries] == [e.link for e in feed.entries]
    assert {t.term for t in rss.entries[0].tags} >= {"Monitoring", "Dashboard"}


def test_corrected_update_moves_updated_but_keeps_published(site: dict[str, bytes]) -> None:
    feed = parse(site["history.atom"])
    corrected = next(e for e in feed.entries if e.title == "[Identified] API errors")
    assert corrected.published == "2026-05-10T09:40:00+00:00"
    assert corrected.updated == "2026-05-10T11:00:00+00:00"
    assert "Corrected 2026-05-10 13:00 CEST: The first version named the wrong deploy." in corrected.summary


def test_ids_unique_within_each_feed_and_identical_across_builds(project: object, monkeypatch: pytest.MonkeyPatch) -> None:
    write_samples(project)
    first = render_ours(build_context(project.root))
    second = render_ours(build_context(project.root))
    for path in feed_paths(first):
        assert first[path] == second[path], path
        ids = [e.id for e in parse(first[path]).entries]
        assert len(ids) == len(set(ids)), path
    # An entry's id never depends on the build: a later commit keeps every id.
    project.write("incidents/README.md", "A later commit changes the build clock.\n")
    monkeypatch.setenv("TEST_GIT_DATE", "2026-06-01T18:00:00Z")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "later")
    assert build_time(project.root) != NOW
    later = render_ours(build_context(project.root))
    assert [e.id for e in parse(later["history.atom"]).entries] == [e.id for e in parse(first["history.atom"]).entries]


def test_feed_updated_is_its_newest_entry(site: dict[str, bytes]) -> None:
    for path in feed_paths(site):
        if not path.endswith(".atom"):
            continue
        atom, rss = parse(site[path]), parse(site[path.replace(".atom", ".rss")])
        if not atom.entries:
            # An empty feed is dated by the build clock (the commit time), never the wall clock.
            expected = NOW.timetuple()[:6]
        else:
            # RSS items carry no updated date of their own, so the Atom twin says what the newest change is.
            expected = max(e.updated_parsed for e in atom.entries)[:6]
        assert atom.feed.updated_parsed[:6] == expected, path
        assert rss.feed.updated_parsed[:6] == expected, path
    atom = parse(site["history.atom"])
    assert atom.feed.updated == atom.entries[0].updated == "2026-05-31T09:15:00+00:00"


def test_per_component_feeds_hold_only_that_component(site: dict[str, bytes]) -> None:
    everything = parse(site["history.atom"])
    for component in ("api", "webhooks", "dashboard", "reports", "login", "email", "website"):
        feed = parse(site[urls.component_feed(component, "atom")])
        for entry in feed.entries:
            assert component in {t.term for t in entry.tags if t.scheme.endswith(":component")}, (component, entry.title)
        expected = [e.id for e in everything.entries if component in {t.term for t in e.tags if t.scheme.endswith(":component")}]
        assert [e.id for e in feed.entries] == expected, component
        assert feed.feed.link == f"{SITE}components/{component}/"
        assert any(link.rel == "self" and link.href == f"{SITE}components/{component}/history.atom" for link in feed.feed.links)
    assert len(parse(site["components/api/history.atom"]).entries) == 3 + 1
    assert parse(site["components/website/history.atom"]).entries == []


def test_feeds_link_to_themselves_and_the_page(site: dict[str, bytes]) -> None:
    atom = parse(site["history.atom"])
    assert {(link.rel, link.href) for link in atom.feed.links} == {("self", f"{SITE}history.atom"), ("alternate", SITE)}
    rss = parse(site["history.rss"])
    assert rss.feed.link == SITE
    assert any(link.rel == "self" and link.href == f"{SITE}history.rss" for link in rss.feed.links)


def test_entry_count_is_configurable(project: object) -> None:
    write_samples(project, config=CONFIG + "    feed_entries: 3\n")
    files = render_ours(build_context(project.root))
    full = [e.title for e in parse(files["history.atom"]).entries]
    assert full == ["[Monitoring] Dashboard slow", "[Investigating] Dashboard slow", "[Scheduled] Database upgrade"]
    assert len(parse(files["history.rss"]).entries) == 3
    assert len(parse(files["components/login/history.atom"]).entries) == 3
