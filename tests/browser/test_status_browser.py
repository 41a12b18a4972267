"""The status page in a real browser: readable without JavaScript, accessible, and self-contained."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from support.render import render
from support.status_site import NOW, make_repository


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """The fixture site written to disk and served on 127.0.0.1; yields the base URL and every URL requested."""
    root = tmp_path_factory.mktemp("status-browser")
    files = render(make_repository(root / "repo"), NOW, parts=["status page"])
    out = root / "site"
    for path, data in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    requested: list[str] = []
    yield f"http://127.0.0.1:{server.server_address[1]}/", requested
    server.shutdown()
    server.server_close()
    thread.join()
    outside = [u for u in requested if urlsplit(u).hostname != "127.0.0.1" and not u.startswith("data:")]
    assert outside == [], f"requests left 127.0.0.1: {outside}"


def open_page(browser, base: str, requested: list[str], path: str = "", **options):
    context = browser.new_context(**options)
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    response = page.goto(base + path, wait_until="load")
    assert response is not None and response.status == 200
    return context, page


def test_home_reads_without_javascript(browser, served):
    base, requested = served
    context, page = open_page(browser, base, requested, java_script_enabled=False)
    try:
        banner = page.locator("#banner-title")
        assert banner.is_visible() and banner.inner_text() == "Minor Service Outage"
        rows = page.locator(".components li")
        assert rows.count() == 9
        api = rows.filter(has_text="Public API")
        assert api.locator(".status").inner_text() == "Partial outage"
        assert api.locator(".status svg.icon").is_visible()  # shape as well as colour
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
        assert total < 60_000
    finally:
        if context is not None:
            context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", "incidents/2026-03-08-sign-in-outage/", "uptime/", "history/page/2/", "components/api/"])
def test_no_serious_accessibility_violations(browser, served, path, scheme):
    base, requested = served
    context, page = open_page(browser, base, requested, path, color_scheme=scheme)
    try:
        results = Axe().run(page)
        violations = results.response["violations"]
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
    finally:
        context.close()


def test_phone_layout_has_no_horizontal_scroll(browser, served):
    base, requested = served
    for path in ("", "uptime/", "incidents/2026-03-10-api-errors/"):
        context, page = open_page(browser, base, requested, path, viewport={"width": 360, "height": 740}, is_mobile=True)
        try:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        finally:
            context.close()


def test_local_time_enhancement_only_adds(browser, served):
    """With JavaScript, a reader in another zone also sees their own time; the site's time stays."""
    base, requested = served
    context, page = open_page(browser, base, requested, "incidents/2026-03-08-sign-in-outage/", timezone_id="America/New_York", locale="en-US")
    try:
        page.wait_for_selector(".local-time")
        first = page.locator(".update-time").first.inner_text()
        assert first.startswith("8 Mar 2026, 15:20 CET (") and "10:20" in first and "EDT" in first
    finally:
        context.close()
    site_zone, page = open_page(browser, base, requested, "incidents/2026-03-08-sign-in-outage/", timezone_id="Europe/Amsterdam")
    try:
        page.wait_for_load_state("load")
        assert page.locator(".local-time").count() == 0
    finally:
        site_zone.close()


def test_no_request_left_127_0_0_1(served):
    """Runs last: every request any test above made (pages, styles, scripts, icons) stayed local."""
    _base, requested = served
    assert len(requested) > 20
    assert {urlsplit(u).hostname for u in requested if not u.startswith("data:")} == {"127.0.0.1"}
