"""The status side in two languages: every page, feed and calendar once per language, twins linked, untranslated text marked.

The fixture site (support/status_site.py) is rendered in this process with
``languages: [en, nl]`` and Dutch text in some of its incidents; the same site
in one language is the golden site of test_status_site.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from icalendar import Calendar
from statusbook.commands.validate import read_handbook
from statusbook.core.config import LANGUAGES
from statusbook.handbook.languages import language_folder
from statusbook.io.config_file import load_config
from statusbook.render.i18n import LOCALES, handbook_folder
from statusbook.render.search import search_bundles, search_documents, search_key
from support.render import render, view_of
from support.repos import REPO
from support.status_site import NOW, make_bilingual_repository, make_repository

SITE_URL = "https://status.example.com/"
DUTCH_NOTE = "Deze tekst is nog niet vertaald en staat hier in het Engels."
DUTCH_NOTICE_NOTE = "Deze melding is nog niet vertaald en staat hier in het Engels."


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every status file (pages, feeds, calendars, API, schema) of the fixture site in English and Dutch."""
    return render(make_bilingual_repository(tmp_path_factory.mktemp("two") / "repo"), NOW)


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The same site in English only."""
    return render(make_repository(tmp_path_factory.mktemp("one") / "repo"), NOW)


def text(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


class Head(HTMLParser):
    """A page's language, its hreflang alternates, its language switch and every link it has."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.alternates: dict[str, str] = {}
        self.switch: dict[str, str] = {}
        self.links: list[str] = []
        self._in_switch = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        if tag == "link" and values.get("rel") == "alternate" and "hreflang" in values:
            self.alternates[values["hreflang"]] = values["href"]
        if tag in ("nav", "p") and "languages" in values.get("class", "").split():
            self._in_switch = True
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
            if self._in_switch:
                self.switch[values["hreflang"]] = values["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("nav", "p"):
            self._in_switch = False


def head(files: dict[str, bytes], path: str) -> Head:
    parser = Head()
    parser.feed(text(files, path))
    return parser


def twin(path: str) -> str:
    return path.removeprefix("nl/") if path.startswith("nl/") else f"nl/{path}"


def url(path: str) -> str:
    """The absolute URL of a page's file, as hreflang names it (a folder for index.html)."""
    return SITE_URL + (path.removesuffix("index.html"))


def pages(files: dict[str, bytes]) -> list[str]:
    return sorted(p for p in files if p.endswith(".html"))


# --- layout and links between twins --------------------------------------------------------------


def test_every_page_has_its_twin_linked_both_ways(two: dict[str, bytes]) -> None:
    english = [p for p in pages(two) if not p.startswith("nl/")]
    assert len(english) > 30 and len(pages(two)) == 2 * len(english)
    for path in pages(two):
        found = head(two, path)
        dutch = path.startswith("nl/")
        assert found.lang == ("nl" if dutch else "en"), path
        en, nl = (twin(path), path) if dutch else (path, twin(path))
        assert found.alternates == {"en": url(en), "nl": url(nl), "x-default": url(en)}, path
        # The switch names the other language in its own words and leads to the twin, however deep the page.
        other = "en" if dutch else "nl"
        assert list(found.switch) == [other], path
        base = "https://status.example.com/" + ("/" if path == "404.html" or path == "nl/404.html" else path)
        assert urljoin(base, found.switch[other]) == url(twin(path)), path
    assert ">Nederlands</a>" in text(two, "index.html") and ">English</a>" in text(two, "nl/index.html")


def test_shared_files_are_published_once(two: dict[str, bytes], one: dict[str, bytes]) -> None:
    """Assets, badges, the JSON API and the schema stay where they are, in the default language; the rest comes once per language."""
    assert not [p for p in two if p.startswith("nl/") and (p.startswith(("nl/assets/", "nl/badges/", "nl/schema/")) or p.endswith(".json"))]
    for path in one:
        if path.startswith(("assets/", "badges/", "schema/", "api/")) and not path.endswith(".html"):
            assert two[path] == one[path], path
        elif not path.startswith(("assets/", "badges/", "schema/")):
            assert twin(path) in two, path
    # The default language's feeds read exactly as the one-language site's: a second language changes nothing in them.
    for path in ("history.atom", "history.rss", "components/api/history.atom"):
        assert two[path] == one[path], path


def test_dutch_pages_link_within_their_language(two: dict[str, bytes]) -> None:
    for path in (p for p in pages(two) if p.startswith("nl/")):
        base = "https://status.example.com/" + ("" if path == "nl/404.html" else path)
        found = head(two, path)
        for link in (link for link in found.links if link not in found.switch.values()):
            target = urlsplit(urljoin(base, link))
            if target.hostname != "status.example.com" or target.path.startswith("/#") or not target.path:
                continue
            local = target.path.lstrip("/")
            shared = local.startswith(("assets/", "badges/", "schema/", "api/v2/")) and not local.endswith("/")
            assert shared or local.startswith(("nl/", "handbook/")) or local == "", (path, link)
            if local.startswith("handbook/") and not local.startswith("handbook/nl/"):
                assert "/nl/" in local, (path, link)  # a handbook version's Dutch pages: handbook/<version>/nl/...
    assert 'href="../../../handbook/dev/nl/severity/#severity-sev1"' in text(two, "nl/incidents/2026-03-08-sign-in-outage/index.html")
    assert 'href="../handbook/nl/"' in text(two, "nl/index.html")
    # The 404 page is served anywhere: its links start at the site's root.
    assert '<a href="/nl/history/">' in text(two, "nl/404.html") and '<a href="/history/">' in text(two, "404.html")
    # The API's page is Dutch; the JSON it lists is the site's one API, in the default language.
    assert 'href="../../../api/v2/summary.json"' in text(two, "nl/api/v2/index.html")


def test_handbook_folders_match_the_handbook(two: dict[str, bytes]) -> None:
    """The status page's idea of where a language's handbook pages are is the handbook's own."""
    for language in LANGUAGES:
        assert handbook_folder(language) == language_folder(language)
    assert set(LANGUAGES) == {p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file()}


# --- text in the page's language, and the default language where it is missing -------------------


def test_translated_incident_reads_in_dutch(two: dict[str, bytes]) -> None:
    page = text(two, "nl/incidents/2026-03-12-database-upgrade/index.html")
    assert "<h1>Database-upgrade voor betalingen</h1>" in page
    assert "<title>Database-upgrade voor betalingen · Example Status</title>" in page
    assert "Betalingen kunnen tijdens het onderhoud een paar minuten traag zijn." in page
    assert "untranslated" not in page and 'lang="en"' not in page.split("<main", 1)[1]
    english = text(two, "incidents/2026-03-12-database-upgrade/index.html")
    assert "<h1>Database upgrade for payments</h1>" in english and "Betalingen" not in english and "untranslated" not in english


def test_untranslated_text_is_marked_with_its_language_and_a_note(two: dict[str, bytes]) -> None:
    # Partly translated: each text left in English says so where it stands.
    partly = text(two, "nl/incidents/2026-03-10-api-errors/index.html")
    assert "<h1>Meer fouten bij de publieke API</h1>" in partly and DUTCH_NOTICE_NOTE not in partly
    assert "Sommige verzoeken aan de API mislukken" in partly
    assert f'<p class="quiet untranslated">{DUTCH_NOTE}</p>\n<div class="message" lang="en"><p>We found the cause' in partly
    assert partly.count(DUTCH_NOTE) == 1
    # Not translated at all: one note under the title, and every text marked as English.
    untranslated = text(two, "nl/incidents/2026-03-08-sign-in-outage/index.html")
    assert f'<h1 lang="en">Sign-in unavailable</h1>\n<p class="quiet untranslated">{DUTCH_NOTICE_NOTE}</p>' in untranslated
    assert DUTCH_NOTE not in untranslated
    assert untranslated.count('<div class="message" lang="en">') == 3
    assert '<span lang="en">The first version of this update gave the wrong time.</span>' in untranslated
    assert "Gecorrigeerd <time" in untranslated and "<dt>Ernst</dt>" in untranslated
    # In lists a title in English is marked, and says so.
    history = text(two, "nl/history/index.html")
    assert re.search(r'<a class="row-title" href="[^"]*incidents/2026-03-08-sign-in-outage/" lang="en">Sign-in unavailable</a> <span class="quiet lang-tag">in het Engels</span>', history)
    assert re.search(r'<a class="row-title" href="[^"]*incidents/2026-03-10-api-errors/">Meer fouten bij de publieke API</a>\n', history)


def test_dutch_pages_name_components_groups_and_statuses_from_the_handbook(two: dict[str, bytes]) -> None:
    home = text(two, "nl/index.html")
    component = text(two, "nl/components/api/index.html")
    handbook, _ = read_handbook(load_config(REPO))
    api, group, partial = handbook.component_by_id["api"], handbook.group_by_id["identity"], handbook.component_status_by_id["partial_outage"]
    for entry in (api, group, partial):
        assert entry.name_in("nl") != entry.name, entry.id  # the real handbook translates them
    assert f">{api.name_in('nl')}</a>" in home and f"<span>{partial.name_in('nl')}</span>" in home and group.name_in("nl") in home
    assert f"<h1>{api.name_in('nl')}</h1>" in component and f'<p class="lead">{api.description_in("nl")}</p>' in component
    assert f">{api.name}</a>" not in home


def test_dutch_dates_numbers_and_words(two: dict[str, bytes]) -> None:
    home = text(two, "nl/index.html")
    assert "dinsdag 10 maart 2026" in home and "10 mrt 2026, 13:00 CET" in home and "Naar de inhoud" in home
    assert 'aria-label="Taal"' in home and 'aria-label="Language"' in text(two, "index.html")
    assert re.search(r"\d+,\d\d% beschikbaar", text(two, "nl/uptime/index.html"))


def test_default_language_can_be_dutch(tmp_path: Path) -> None:
    """theme.language decides which language is at the root; the other goes under its code."""
    files = render(make_repository(tmp_path / "repo", language="nl", extra="    languages: [nl, en]\n"), NOW, parts=["status page", "feeds"])
    assert '<html lang="nl"' in text(files, "index.html") and '<html lang="en"' in text(files, "en/index.html")
    assert head(files, "en/index.html").alternates["x-default"] == SITE_URL
    assert 'href="../handbook/"' in text(files, "en/index.html") and 'href="handbook/nl/"' in text(files, "index.html")
    # The fixture's text is the default language's, so on the English pages it is marked as Dutch.
    assert '<div class="message" lang="nl">' in text(files, "en/incidents/2026-03-10-api-errors/index.html")
    assert feedparser.parse(files["en/history.atom"]).feed.language == "en"


def test_one_language_site_has_no_other_language(one: dict[str, bytes]) -> None:
    assert not [p for p in one if p.startswith(("nl/", "en/"))]
    assert not [p for p in pages(one) if "hreflang" in text(one, p) or 'class="languages"' in text(one, p)]


# --- feeds, calendars and search per language ------------------------------------------------------


def parse(data: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_dutch_feeds_have_their_own_ids_and_language(two: dict[str, bytes], fmt: str) -> None:
    english, dutch = parse(two[f"history.{fmt}"]), parse(two[f"nl/history.{fmt}"])
    assert (english.feed.language, dutch.feed.language) == ("en", "nl")
    assert [e.id for e in dutch.entries] == [e.id.replace(",2026:incident/", ",2026:nl/incident/") for e in english.entries]
    assert not {e.id for e in english.entries} & {e.id for e in dutch.entries}
    assert all(e.link.startswith(SITE_URL + "nl/incidents/") for e in dutch.entries)
    titles = [e.title for e in dutch.entries]
    assert "[Gepland] Database-upgrade voor betalingen" in titles and "[Onderzoek] Meer fouten bij de publieke API" in titles
    assert "[Bezig] Reports storage migration" in titles  # not translated: the default title
    fallback = next(e for e in dutch.entries if e.title == "[Oorzaak gevonden] Meer fouten bij de publieke API")
    assert DUTCH_NOTE in fallback.description and '<div lang="en">' in fallback.description
    translated = next(e for e in dutch.entries if e.title.startswith("[Gepland] Database"))
    assert DUTCH_NOTE not in translated.description and "Getroffen:" in translated.description
    if fmt == "atom":
        assert b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">' in two["nl/history.atom"]
        assert dutch.feed.id == "tag:status.example.com,2026:nl/history"
    else:
        assert b"<language>nl</language>" in two["nl/history.rss"]
    component = parse(two[f"nl/components/payments/history.{fmt}"])
    assert component.feed.title == "Example Status: Betalingen" if fmt == "atom" else component.feed.title.startswith("Example Status: ")


def test_dutch_calendars_have_their_own_uids_and_say_their_language(two: dict[str, bytes], one: dict[str, bytes]) -> None:
    dutch = Calendar.from_ical(two["nl/maintenance.ics"])
    english = Calendar.from_ical(two["maintenance.ics"])
    events = {str(e["UID"]): e for e in dutch.walk("VEVENT")}
    assert set(events) == {str(e["UID"]).replace("@", ".nl@") for e in english.walk("VEVENT")}
    upgrade = events["2026-03-12-database-upgrade.nl@status.example.com"]
    assert str(upgrade["SUMMARY"]) == "[Gepland] Database-upgrade voor betalingen"
    assert upgrade["SUMMARY"].params["LANGUAGE"] == "nl" and upgrade["DESCRIPTION"].params["LANGUAGE"] == "nl"
    assert "Gepland venster: 2026-03-12 02:00 CET tot 2026-03-12 03:00 CET" in str(upgrade["DESCRIPTION"])
    assert str(upgrade["URL"]) == SITE_URL + "nl/incidents/2026-03-12-database-upgrade/"
    migration = events["2026-03-10-reports-maintenance.nl@status.example.com"]
    assert str(migration["DESCRIPTION"]).startswith(DUTCH_NOTE)
    assert str(dutch["X-WR-CALNAME"]) == "Example Status: onderhoud" and dutch["X-WR-CALNAME"].params["LANGUAGE"] == "nl"
    assert Calendar.from_ical(two["nl/components/payments/maintenance.ics"]).walk("VEVENT")[0]["UID"] == "2026-03-12-database-upgrade.nl@status.example.com"
    # The default language's calendar says its language too once there are two; a site in one language as before.
    assert next(iter(english.walk("VEVENT")))["SUMMARY"].params["LANGUAGE"] == "en"
    assert b"LANGUAGE=" not in one["maintenance.ics"]


def test_search_documents_per_language(tmp_path: Path) -> None:
    view = view_of(make_bilingual_repository(tmp_path / "repo"), NOW)
    bundles = search_bundles(view)
    assert [(b.language, b.year, b.prefix) for b in bundles] == [("en", "2026", "pagefind/2026/"), ("en", "2025", "pagefind/2025/"), ("nl", "2026", "nl/pagefind/2026/"), ("nl", "2025", "nl/pagefind/2025/")]
    incidents = dict(view.search_shards)["2026"]
    dutch = dict(search_documents(view, incidents, "nl"))
    english = dict(search_documents(view, incidents))
    assert set(dutch) == set(english)
    upgrade = dutch["2026-03-12-database-upgrade.html"].decode()
    assert '<html lang="nl">' in upgrade and 'data-pagefind-meta="page:nl/incidents/2026-03-12-database-upgrade/"' in upgrade
    assert "Database-upgrade voor betalingen" in upgrade and "<h2>Gepland</h2>" in upgrade
    assert "Sign-in unavailable" in dutch["2026-03-08-sign-in-outage.html"].decode()  # untranslated: still found, in English
    assert english["2026-03-12-database-upgrade.html"] == dict(search_documents(view_of(make_repository(tmp_path / "one"), NOW), incidents))["2026-03-12-database-upgrade.html"]
    assert search_key(view, incidents, "nl") != search_key(view, incidents, "en") == search_key(view, incidents)


def test_the_json_api_stays_in_the_default_language(two: dict[str, bytes]) -> None:
    summary = text(two, "api/v2/summary.json")
    assert "Meer fouten" not in summary and "Elevated error rates on the public API" in summary
    assert not [p for p in two if p.startswith("nl/") and p.endswith(".json")]
    assert ET.fromstring(two["badges/status.svg"]).get("aria-label") == "status: Minor Service Outage"
