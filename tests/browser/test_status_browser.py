"""The status page in a real browser: readable without JavaScript, accessible, and self-contained."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from statusbook.commands.build import build
from statusbook.io.config_file import load_config
from support.browsing import open_page, outside_requests, serious_violations, static_server
from support.render import render
from support.status_site import A11Y_PATHS, NOW, make_repository


@pytest.fixture(scope="module")
def searchable(tmp_path_factory) -> Iterator[str]:
    """The fixture site built as `statusbook build` builds it (its search index included, no handbook), served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("status-search")
    repo = make_repository(root / "repo")
    build(load_config(repo), out_dir=root / "site", now=NOW, use_cache=False, handbook=False)
    with static_server(root / "site") as base:
        yield base + "/"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """The fixture site written to disk and served on 127.0.0.1; yields the base URL and every URL requested."""
    root = tmp_path_factory.mktemp("status-browser")
    files = render(make_repository(root / "repo"), NOW, parts=["status page"])
    out = root / "site"
    for path, data in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    requested: list[str] = []
    with static_server(out) as base:
        yield base + "/", requested
    assert outside_requests(requested) == [], "requests left 127.0.0.1"


def test_home_reads_without_javascript(browser, served):
    base, requested = served
    context, page = open_page(browser, base, requested, java_script_enabled=False)
    try:
        banner = page.locator("#banner-title")
        assert banner.is_visible() and banner.inner_text() == "Minor Service Outage"
        rows = page.locator(".components > li")
        assert rows.count() == 9
        api = rows.filter(has=page.get_by_role("link", name="Public API", exact=True))
        assert api.locator(".component-head .status").inner_text() == "Partial outage"
        assert api.locator(".component-head .status svg.icon").is_visible()  # shape as well as colour
        active = page.get_by_role("region", name="Active incidents")
        assert active.get_by_role("link", name="Elevated error rates on the public API").is_visible()
        assert "database that ran out of connections" in active.inner_text()
        maintenance = page.get_by_role("region", name="Maintenance in progress")
        assert maintenance.get_by_role("link", name="Reports storage migration").is_visible()
        # The stylesheet applied: the banner is laid out as a flex row, not unstyled text.
        assert page.evaluate("getComputedStyle(document.querySelector('.banner')).display") == "flex"
    finally:
        context.close()


def test_home_page_weight(browser, served):
    """Bytes and requests a reader's browser fetches for the home page (HTML, CSS, script, images)."""
    base, requested = served
    sizes: dict[str, int] = {}
    context, page = None, None
    try:
        context = browser.new_context()
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        page.on("requestfinished", lambda request: sizes.__setitem__(request.url, request.sizes()["responseBodySize"]))
        page.goto(base, wait_until="load")
        page.wait_for_load_state("networkidle")
        kinds = {urlsplit(u).path.rsplit(".", 1)[-1] if "." in urlsplit(u).path else "html": n for u, n in sizes.items()}
        total = sum(sizes.values())
        print(f"\nhome page: {len(sizes)} requests, {total} bytes ({kinds})")
        assert len(sizes) <= 3  # the page, its stylesheet and the optional script; the favicon is inline
        # 90 daily bars with a text each for nine components are most of it (hosts send it compressed, about a tenth).
        assert total < 110_000
    finally:
        if context is not None:
            context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", A11Y_PATHS)
def test_no_serious_accessibility_violations(browser, served, path, scheme):
    base, requested = served
    context, page = open_page(browser, base, requested, path, color_scheme=scheme)
    try:
        serious = serious_violations(page)
        assert serious == [], serious
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_home_on_a_phone_shows_bars_and_groups(browser, served, scheme):
    """390 px wide: every component's 90 bars drawn side by side, groups folded unless something is wrong, nothing to scroll sideways."""
    base, requested = served
    context, page = open_page(browser, base, requested, viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme=scheme)
    try:
        groups = page.locator("details.group")
        assert groups.count() == 3
        opened = {groups.nth(i).locator(".group-name").inner_text(): groups.nth(i).evaluate("d => d.open") for i in range(3)}
        assert opened == {"Customer apps": False, "Platform": True, "Identity and notifications": False}
        platform = page.locator("#group-platform")
        assert platform.locator("summary .status").inner_text() == "Partial outage"
        charts = platform.locator(".bars")
        assert charts.count() == 4
        for i in range(4):
            widths = charts.nth(i).locator("li").evaluate_all("bars => bars.map(b => b.getBoundingClientRect().width)")
            assert len(widths) == 90 and all(w > 1 for w in widths), widths[:5]
            box = charts.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        # A folded group opens without JavaScript's help, and its bars are there.
        page.locator("#group-customer summary").click()
        assert page.locator("#group-customer .bars").first.is_visible()
        # Each day has its words for screen readers: the bar's text, hidden from sight.
        first_day = platform.locator(".bars li").first.locator(".tip")
        assert first_day.inner_text().startswith("11 Dec 2025: ")
        assert first_day.evaluate("t => t.getBoundingClientRect().width") <= 1  # clipped to a pixel until the bar is hovered
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert serious_violations(page) == []
    finally:
        context.close()


def test_search_finds_an_incident_by_a_word_only_one_update_holds(browser, searchable):
    """'Nobody' is only in the first update of the sign-in outage: not its title, not its other updates, not any other incident."""
    blocked: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
    try:
        page.goto(searchable + "search/", wait_until="load")
        page.locator("#search-input").wait_for(state="visible")
        assert page.locator("#search-fallback").is_hidden()
        page.fill("#search-input", "nobody")
        page.locator("#search-results li").first.wait_for()
        results = page.locator("#search-results li")
        assert results.count() == 1
        link = results.first.locator("a")
        assert link.inner_text() == "Sign-in unavailable" and link.get_attribute("href") == "../incidents/2026-03-08-sign-in-outage/"
        assert results.first.locator("mark").first.inner_text().lower() == "nobody"
        assert page.locator("#search-status").inner_text() == "1 incident matches."
        page.fill("#search-input", "zzleak")  # every internal field of the fixture holds it: none is indexed
        page.locator("#search-status", has_text="No incident matches.").wait_for()
        assert results.count() == 0
        assert serious_violations(page) == []
        link_page = searchable + "search/?q=connections"
        page.goto(link_page, wait_until="load")
        page.locator("#search-results li").first.wait_for()
        assert "Elevated error rates on the public API" in page.locator("#search-results").inner_text()
        # Each year has its own bundle (pagefind/2026/, pagefind/2025/), merged in the browser: last year's incident is found too.
        page.fill("#search-input", "password")
        page.locator("#search-results li a", has_text="Password-reset emails delayed").wait_for()
        assert page.locator("#search-results li a").all_inner_texts() == ["Password-reset emails delayed"]
        assert blocked == []
    finally:
        context.close()
    off = browser.new_context(java_script_enabled=False)
    page = off.new_page()
    try:
        page.goto(searchable + "search/", wait_until="load")
        assert page.locator("#search-input").is_hidden()
        fallback = page.locator("#search-fallback")
        assert fallback.is_visible() and "needs JavaScript" in fallback.inner_text()
        assert fallback.get_by_role("link", name="browse the incident history").get_attribute("href") == "../history/"
    finally:
        off.close()


def test_phone_layout_has_no_horizontal_scroll(browser, served):
    base, requested = served
    for path in ("", "uptime/", "incidents/2026-03-10-api-errors/", "history/", "search/", "widget/"):
        context, page = open_page(browser, base, requested, path, viewport={"width": 360, "height": 740}, is_mobile=True)
        try:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        finally:
            context.close()


def test_local_time_replaces_the_sites_time(browser, served):
    """With JavaScript, a reader in another zone sees each time once, in their zone and the site's shape; the site's time moves to the title."""
    base, requested = served
    context, page = open_page(browser, base, requested, "incidents/2026-03-08-sign-in-outage/", timezone_id="America/New_York", locale="en-US")
    try:
        page.locator(".zone-note", has_text="your time zone").wait_for()
        first = page.locator(".update-time time").first
        assert first.inner_text() == "8 Mar 2026, 10:20 EDT"
        assert first.get_attribute("title") == "8 Mar 2026, 15:20 CET"
        assert page.locator(".zone-note").inner_text() == "Times are shown in your time zone, America/New_York."
        assert "CET" not in page.locator("main").inner_text()
    finally:
        context.close()
    site_zone, page = open_page(browser, base, requested, "incidents/2026-03-08-sign-in-outage/", timezone_id="Europe/Amsterdam")
    try:
        page.wait_for_load_state("load")
        assert page.locator(".update-time time").first.inner_text() == "8 Mar 2026, 15:20 CET"
        assert page.locator(".update-time time").first.get_attribute("title") is None
    finally:
        site_zone.close()


def test_no_request_left_127_0_0_1(served):
    """Runs last: every request any test above made (pages, styles, scripts, icons) stayed local."""
    _base, requested = served
    assert len(requested) > 20
    assert {urlsplit(u).hostname for u in requested if not u.startswith("data:")} == {"127.0.0.1"}
