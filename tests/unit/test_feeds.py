"""Feeds: one entry per public update, permanent ids, newest first, parsed by a real feed reader.

The sample repository (support/samples.py) is shared by the other output tests
(calendar, API, schema); every internal field carries ``MARKER`` so the leak
test can prove none of it reaches any output. It is rendered in this process at
``NOW``, its commit time; tests/functional/test_feed_ids.py commits it and
checks the ids over a later commit.
"""

from __future__ import annotations

import feedparser
import pytest
from statusbook.core import urls
from support.samples import CONFIG, HOST, NOW, SITE, UPDATE_COUNT, WINDOW_EDGES, render_samples


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return render_samples(tmp_path_factory.mktemp("samples") / "repo")


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


def test_ids_unique_within_each_feed(site: dict[str, bytes]) -> None:
    for path in feed_paths(site):
        ids = [e.id for e in parse(site[path]).entries]
        assert len(ids) == len(set(ids)), path


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


def test_entry_count_is_configurable(tmp_path) -> None:
    files = render_samples(tmp_path / "repo", config=CONFIG + "    feed_entries: 3\n")
    full = [e.title for e in parse(files["history.atom"]).entries]
    assert full == ["[Monitoring] Dashboard slow", "[Investigating] Dashboard slow", "[Scheduled] Database upgrade"]
    assert len(parse(files["history.rss"]).entries) == 3
    assert len(parse(files["components/login/history.atom"]).entries) == 3
