"""The status page in English and Dutch in a real browser: accessible in both, light and dark; the switch leads to the twin; Dutch search.

The fixture site with ``languages: [en, nl]`` and some Dutch text
(support/status_site.py: make_bilingual_repository), built as `statusbook
build` builds it (search index included, no handbook) and served on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from statusbook.commands.build import build
from statusbook.io.config_file import load_config
from support.browsing import serious_violations, static_server
from support.status_site import A11Y_PATHS, NOW, make_bilingual_repository


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """The bilingual fixture site built as `statusbook build` builds it (search index included, no handbook), served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("status-languages")
    repo = make_bilingual_repository(root / "repo")
    build(load_config(repo), out_dir=root / "site", now=NOW, use_cache=False, handbook=False)
    with static_server(root / "site") as base:
        yield base + "/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("path", A11Y_PATHS)
def test_no_serious_accessibility_violations_in_either_language(browser, served, path, language, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    try:
        response = page.goto(served + ("nl/" if language == "nl" else "") + path, wait_until="load")
        assert response is not None and response.status == 200
        assert page.evaluate("document.documentElement.lang") == language
        assert serious_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("script", [True, False], ids=["with JavaScript", "without"])
def test_the_language_switch_leads_to_the_same_page(browser, served, script):
    context = browser.new_context(java_script_enabled=script)
    page = context.new_page()
    try:
        page.goto(served + "incidents/2026-03-10-api-errors/", wait_until="load")
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Nederlands").click()
        page.wait_for_url(served + "nl/incidents/2026-03-10-api-errors/")
        assert page.evaluate("document.documentElement.lang") == "nl"
        assert page.locator("h1").inner_text() == "Meer fouten bij de publieke API"
        # The update nobody translated yet reads in English, marked as such, with a note in Dutch.
        english = page.locator('.timeline .message[lang="en"]')
        assert english.count() == 1 and "We found the cause" in english.inner_text()
        assert page.locator(".timeline .untranslated").inner_text() == "Deze tekst is nog niet vertaald en staat hier in het Engels."
        page.get_by_role("navigation", name="Taal").get_by_role("link", name="English").click()
        page.wait_for_url(served + "incidents/2026-03-10-api-errors/")
        assert page.locator("h1").inner_text() == "Elevated error rates on the public API"
        # From the widget too, in place (the page that embeds it chose a language; its reader may want the other).
        page.goto(served + "widget/", wait_until="load")
        page.get_by_role("link", name="Nederlands").click()
        page.wait_for_url(served + "nl/widget/")
    finally:
        context.close()


def test_dutch_search_finds_dutch_words_and_leads_to_dutch_pages(browser, served):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(served + "nl/search/", wait_until="load")
        page.locator("#search-input").wait_for(state="visible")
        page.fill("#search-input", "betalingen")
        link = page.locator("#search-results li a", has_text="Database-upgrade voor betalingen")
        link.wait_for()
        assert link.get_attribute("href") == "../../nl/incidents/2026-03-12-database-upgrade/"
        assert page.locator("#search-status").inner_text() == "1 storing gevonden."
        # An incident nobody translated is still found, by its English words, on its Dutch page.
        page.fill("#search-input", "nobody")
        page.locator("#search-results li a", has_text="Sign-in unavailable").wait_for()
        assert page.locator("#search-results li a").first.get_attribute("href") == "../../nl/incidents/2026-03-08-sign-in-outage/"
        assert serious_violations(page) == []
    finally:
        context.close()
