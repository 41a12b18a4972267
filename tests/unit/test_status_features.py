"""The status page's newer parts on the fixture site: groups and bars on the home page, the filtered history,
the 404, API index, widget and search pages, the search documents; RSS titles and empty calendars by the book."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar
from statusbook.core import urls
from statusbook.errors import BuildError
from statusbook.io import search_index
from statusbook.render.feeds import FeedSpec, hex_references, render_feed
from statusbook.render.search import search_documents, search_key
from statusbook.view.pages import history_filters
from support.render import render, view_of
from support.status_site import MARKER, NOW, make_repository


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory):
    return make_repository(tmp_path_factory.mktemp("features") / "repo")


@pytest.fixture(scope="module")
def site(repo) -> dict[str, bytes]:
    return render(repo, NOW)


def page(site: dict[str, bytes], path: str) -> str:
    return site[path].decode("utf-8")


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if name in ("href", "src")]


def hrefs(html: str) -> list[str]:
    parser = Hrefs()
    parser.feed(html)
    return parser.found


# --- the home page --------------------------------------------------------------------------------


def test_home_shows_every_component_with_its_bars(site) -> None:
    home = page(site, "index.html")
    components = section(home, 'id="components-title"', "</section>")
    assert components.count('<ol class="bars"') == 9
    assert components.count('<span class="tip">') == 9 * 90  # a text for every day of every component
    assert "Public API: uptime for each of the last 90 days" in components
    assert '10 Mar 2026: Partial outage for 2 h 45 min. Incidents: Elevated error rates on the public API.' in components
    assert components.count("% uptime</span>") == 9


def test_groups_show_their_worst_status_and_fold_when_all_is_well(site) -> None:
    home = page(site, "index.html")
    groups = re.findall(r'<details class="group" id="group-([a-z0-9-]+)"( open)?>\n<summary><h3 class="group-name">([^<]+)</h3> <span class="status s-([a-z_]+)">', home)
    by_name = {name: (bool(opened), status) for _, opened, name, status in groups}
    assert by_name == {
        "Customer apps": (False, "operational"),
        # An outage says more than the maintenance beside it.
        "Platform": (True, "partial_outage"),
        "Identity and notifications": (False, "operational"),
    }


def test_a_group_in_maintenance_only_shows_maintenance(tmp_path) -> None:
    root = make_repository(tmp_path / "repo")
    (root / "incidents" / "2026-03-10-api-errors.yml").unlink()
    home = render(root, NOW, parts=["status page"])["index.html"].decode()
    assert re.search(r'<details class="group" id="group-platform" open>\n<summary><h3 class="group-name">Platform</h3> <span class="status s-under_maintenance">', home)


# --- the history, filtered ---------------------------------------------------------------------------


def test_filters_are_slices_of_the_index(repo) -> None:
    view = view_of(repo, NOW)
    found = {(f.kind, f.key): f for f in history_filters(view.index, view.handbook, 3)}
    assert {key for kind, key in found if kind == "component"} == {c.id for c in view.handbook.components}
    assert {key for kind, key in found if kind == "severity"} == {s.id for s in view.handbook.severities}
    assert {key for kind, key in found if kind == "year"} == {"2025", "2026"}
    titles = [[i.id for _, incidents in p.months for i in incidents] for p in found[("year", "2026")].pages]
    assert titles == [["2026-03-10-reports-maintenance", "2026-03-10-api-errors", "2026-03-08-sign-in-outage"], ["2026-02-02-hostile-message", "2026-01-31-late-night-webhooks"]]
    assert found[("year", "2026")].total == 5  # the upcoming maintenance is not history yet
    assert [i.id for p in found[("component", "webhooks")].pages for _, incidents in p.months for i in incidents] == ["2026-03-10-api-errors", "2026-01-31-late-night-webhooks"]
    assert found[("component", "website")].pages[0].months == ()  # no incidents: one empty page


def test_filtered_history_pages(site) -> None:
    expected = {f"history/component/{c}/index.html" for c in ("website", "dashboard", "checkout-web", "api", "webhooks", "payments", "reports", "login", "email")}
    expected |= {"history/severity/sev1/index.html", "history/severity/sev2/index.html", "history/severity/sev3/index.html", "history/year/2025/index.html"}
    expected |= {"history/year/2026/index.html", "history/year/2026/page/2/index.html"}
    assert expected <= set(site)
    severe = page(site, "history/severity/sev1/index.html")
    assert "<title>Incident history: SEV1 · Critical · Example Status</title>" in severe
    assert "Sign-in unavailable" in severe and "Elevated error rates" not in severe
    assert '<a href="../../../history/severity/sev1/" aria-current="page">SEV1 · Critical</a>' in severe
    second = page(site, "history/year/2026/page/2/index.html")
    assert '<a href="../../../../../history/year/2026/" rel="prev">Newer</a>' in second
    assert "Webhook deliveries delayed overnight" in second and "Sign-in unavailable" not in second
    empty = page(site, "history/component/website/index.html")
    assert '<p class="quiet">No incidents reported.</p>' in empty
    every = page(site, "history/index.html")
    assert '<details class="filters">' in every and '<a href="../history/year/2025/">2025</a>' in every
    assert every.index('href="../history/year/2026/"') < every.index('href="../history/year/2025/"')  # newest year first


# --- pages that stand apart ---------------------------------------------------------------------------


def test_404_links_from_the_site_root(site, tmp_path) -> None:
    missing = page(site, "404.html")
    assert '<meta name="robots" content="noindex">' in missing and 'rel="canonical"' not in missing
    assert "<h1>Page not found</h1>" in missing
    internal = [h for h in hrefs(missing) if not h.startswith(("https:", "data:", "#", "mailto:"))]
    assert internal and all(h.startswith("/") for h in internal), internal
    assert '<a href="/history/">Incident history</a>' in missing
    root = make_repository(tmp_path / "repo")
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text(encoding="utf-8").replace("https://status.example.com/", "https://example.github.io/status/"), encoding="utf-8")
    prefixed = render(root, NOW, parts=["status page"])["404.html"].decode()
    assert '<a href="/status/history/">Incident history</a>' in prefixed and 'href="/status/assets/status.css?v=' in prefixed


def test_api_index_lists_every_endpoint_and_each_exists(site) -> None:
    index = page(site, "api/v2/index.html")
    linked = [h for h in hrefs(index) if h.endswith(".json")]
    assert {urls.API_SUMMARY, urls.API_STATUS, urls.API_COMPONENTS, urls.API_INCIDENTS, urls.API_UNRESOLVED, urls.API_MAINTENANCES, urls.API_UPCOMING, urls.API_ACTIVE} <= {
        h.removeprefix("../../") for h in linked
    }
    for href in linked:
        assert href.removeprefix("../../") in site, href
    assert "<code>summary.json</code>" in index


def test_widget_shows_the_state_and_links_out(site) -> None:
    widget = page(site, "widget/index.html")
    assert '<p class="widget-title"><a href="../" target="_blank" rel="noopener">Minor Service Outage</a></p>' in widget
    assert 'href="../incidents/2026-03-10-api-errors/" target="_blank" rel="noopener">Elevated error rates on the public API</a>' in widget
    assert '<meta name="robots" content="noindex">' in widget
    assert "<script" not in widget and '<header class="site-header' not in widget


def test_search_page_works_without_javascript_and_loads_search_only_here(site) -> None:
    search = page(site, "search/index.html")
    assert "script-src &#39;self&#39; &#39;wasm-unsafe-eval&#39;; connect-src &#39;self&#39;" in search
    assert re.search(r'<script src="\.\./assets/search\.js\?v=[0-9a-f]+" defer></script>', search)
    assert "localtime.js" not in search
    assert '<form class="search-form" id="search" role="search" data-root="../" data-indexes="../pagefind/2026/ ../pagefind/2025/" hidden>' in search
    fallback = section(search, 'id="search-fallback">', "</p>")
    assert "Searching needs JavaScript" in fallback and '<a href="../history/">browse the incident history</a>' in fallback
    for path in ("index.html", "history/index.html", "incidents/2026-03-08-sign-in-outage/index.html"):
        assert "search.js" not in page(site, path) and "wasm-unsafe-eval" not in page(site, path)
        assert ">Search</a></li>" in page(site, path)


def test_times_are_shown_once_and_the_script_knows_how_to_say_the_readers_zone(site) -> None:
    home = page(site, "index.html")
    assert '<p class="zone-note" data-reader-zone="Times are shown in your time zone, {zone}.">Times are shown in the Europe/Amsterdam time zone.</p>' in home
    script = site["assets/localtime.js"].decode()
    assert "textContent = text(moment)" in script and "insertBefore" not in script  # replaced, never appended


# --- search documents ----------------------------------------------------------------------------------


def test_search_documents_hold_titles_and_updates_only(repo) -> None:
    view = view_of(repo, NOW)
    documents = dict(search_documents(view, view.incidents))
    assert set(documents) == {f"{i.id}.html" for i in view.incidents}
    sign_in = documents["2026-03-08-sign-in-outage.html"].decode()
    assert '<h1 data-pagefind-meta="title">Sign-in unavailable</h1>' in sign_in
    assert '<p data-pagefind-meta="page:incidents/2026-03-08-sign-in-outage/" data-pagefind-ignore></p>' in sign_in
    assert '<p data-pagefind-meta="date" data-pagefind-ignore>8 Mar 2026, 14:02 CET</p>' in sign_in
    incident = view.index.by_id["2026-03-08-sign-in-outage"]
    assert sign_in.count("<section>") == len(incident.updates)
    assert '<html lang="en">' in sign_in
    for data in documents.values():
        assert MARKER not in data.decode().lower()
    hostile = documents["2026-02-02-hostile-message.html"].decode()
    assert "<script" not in hostile.lower().replace("&lt;script", "")


def test_search_index_has_a_bundle_per_year_keyed_by_its_incidents_not_the_clock(repo, tmp_path) -> None:
    view = view_of(repo, NOW)
    shards = dict(view.search_shards)
    assert list(shards) == ["2026", "2025"]
    assert sorted(i.id for year in shards.values() for i in year) == sorted(i.id for i in view.incidents)
    later = view_of(repo, NOW + timedelta(days=3))
    for year, incidents in view.search_shards:
        assert search_key(view, incidents) == search_key(later, dict(later.search_shards)[year]), "no document shows the clock"
    assert search_key(view, shards["2026"]) != search_key(view, shards["2025"])
    other = make_repository(tmp_path / "repo", language="nl")
    assert search_key(view_of(other, NOW), dict(view_of(other, NOW).search_shards)["2026"]) != search_key(view, shards["2026"])


def test_no_incidents_still_gives_pagefind_a_document(tmp_path) -> None:
    view = view_of(make_repository(tmp_path / "repo", incidents=False), NOW)
    [(shard, incidents)] = view.search_shards
    documents = dict(search_documents(view, incidents))
    assert shard == "none" and list(documents) == ["none.html"]
    assert b'data-pagefind-ignore="all"' in documents["none.html"]



@pytest.mark.parametrize("room", [True, False], ids=["memory has room", "memory is short"])
def test_search_documents_go_to_memory_only_with_room_and_nothing_is_left_behind(monkeypatch, tmp_path, room) -> None:
    """Pagefind's input goes to the memory-backed folder when it has room to spare, else to the temporary folder; either way the run cleans up."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(search_index, "RAM_NEEDED", 0 if room else 2**62)
    run = search_index.SearchIndexRun([("a.html", b"<html lang=en><body><main><h1>Disk outage</h1><p>Writes failed.</p></main></body></html>")])
    in_memory = room and Path(search_index.RAM_FOLDER).is_dir()
    documents = run.documents
    assert documents is not None and documents.parent == (Path(search_index.RAM_FOLDER) if in_memory else tmp_path)
    bundle = run.finish()
    assert "pagefind.js" in bundle and any(name.startswith("fragment/") for name in bundle)
    assert not documents.exists() and not run.scratch.exists()


def test_a_search_run_given_another_starts_after_it_and_never_once_closed() -> None:
    """Runs chained with ``after`` index one after another (Pagefind uses every core itself); a closed run never starts."""
    page = b"<html lang=en><body><main><h1>Disk outage</h1><p>Writes failed.</p></main></body></html>"
    first = search_index.SearchIndexRun([("a.html", page)])
    second = search_index.SearchIndexRun([("b.html", page)], after=first)
    third = search_index.SearchIndexRun([("c.html", page)], after=second)
    third.close()
    bundle = second.finish()
    assert first.process is not None and first.process.returncode == 0, "the second run started only once the first had finished"
    assert "pagefind.js" in bundle
    first.close()
    third.wait()
    assert third.process is None, "a run closed while it waited for the one before it never starts"
    with pytest.raises(BuildError, match="it was stopped"):
        third.files()

# --- feeds and calendars by the book ----------------------------------------------------------------


def test_rss_plain_text_uses_hexadecimal_references(tmp_path) -> None:
    from statusbook.render.feeds import Entry

    config = view_of(make_repository(tmp_path / "repo", incidents=False), NOW).config
    at = datetime(2026, 3, 1, tzinfo=UTC)
    entry = Entry("tag:x,2026:a", "[Resolved] <Login> & SSO > 5 s", "https://status.example.com/incidents/a/", at, at, "<p>a &amp; b</p>", (("tag:x,2026:status", "resolved", "R&D <team>"),))
    spec = FeedSpec("history", "Example & Co <status>", "Every update", "", "history.atom", "history.rss")
    rss = render_feed(spec, [entry], "rss", config, at)
    assert b"<title>[Resolved] &#x3C;Login&#x3E; &#x26; SSO &#x3E; 5 s</title>" in rss
    assert b"<title>Example &#x26; Co &#x3C;status&#x3E;</title>" in rss
    assert b'>R&#x26;D &#x3C;team&#x3E;</category>' in rss
    assert b"&lt;p&gt;a &amp;amp; b&lt;/p&gt;" in rss  # HTML content stays as it was
    parsed = feedparser.parse(rss)
    assert not parsed.bozo and parsed.entries[0].title == "[Resolved] <Login> & SSO > 5 s" and parsed.feed.title == "Example & Co <status>"
    atom = render_feed(spec, [entry], "atom", config, at)
    assert b"&#x3C;" not in atom  # Atom's own references stay as lxml writes them
    assert hex_references(b"<item><title>a</title></item>") == b"<item><title>a</title></item>"


def test_every_calendar_has_a_component(site) -> None:
    for path in [p for p in site if p.endswith(".ics")]:
        calendar = Calendar.from_ical(site[path])
        events = calendar.walk("VEVENT")
        zones = calendar.walk("VTIMEZONE")
        assert events or zones, path
        if events:
            assert not zones, path  # only a calendar without maintenance carries the placeholder
        else:
            assert [str(z["TZID"]) for z in zones] == ["Europe/Amsterdam"], path
    assert Calendar.from_ical(site["components/api/maintenance.ics"]).walk("VTIMEZONE")
    assert Calendar.from_ical(site["components/reports/maintenance.ics"]).walk("VEVENT")
