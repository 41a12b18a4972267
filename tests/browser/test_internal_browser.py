"""The internal site in a real browser: readable without JavaScript, accessible in light and dark, self-contained."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from statusbook.commands.internal import build_internal
from statusbook.io.config_file import load_config
from support.repos import REPO

NOW = datetime(2026, 11, 28, tzinfo=UTC)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """This repository's internal site, built in-process and served on 127.0.0.1; yields the base URL and every URL requested."""
    root = tmp_path_factory.mktemp("internal-browser") / "repo"
    root.mkdir()
    for name in ("handbook", "incidents", "postmortems"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    site = build_internal(load_config(root), now=NOW).target
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
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


PAGES = ["", "metrics/", "incidents/2025-07-15-api-outage/", "incidents/2026-05-27-webhooks-outage/postmortem/", "teams/platform/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(browser, served, path, scheme):
    base, requested = served
    context, page = open_page(browser, base, requested, path, color_scheme=scheme)
    try:
        violations = Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
    finally:
        context.close()


def test_the_metrics_page_reads_without_javascript(browser, served):
    base, requested = served
    context, page = open_page(browser, base, requested, "metrics/", java_script_enabled=False)
    try:
        charts = page.locator("svg.chart")
        assert charts.count() == 7
        assert page.get_by_role("img", name="Incidents per month by severity").is_visible()
        table = page.get_by_role("table", name="Incidents opened per month")
        assert table.is_visible() and "November 2026" in table.inner_text()
        # The stylesheet applied: chart bars are coloured by class, and differently in dark mode.
        fill = "getComputedStyle(document.querySelector('svg.chart rect.count')).fill"
        light = page.evaluate(fill)
        assert light not in ("", "rgb(0, 0, 0)")
    finally:
        context.close()
    context, page = open_page(browser, base, requested, "metrics/", color_scheme="dark")
    try:
        assert page.evaluate(fill) != light
        text = page.evaluate("getComputedStyle(document.querySelector('svg.chart text.label')).fill")
        assert text == "rgb(230, 237, 243)"  # light text on the dark background
    finally:
        context.close()


def test_phone_layout_has_no_horizontal_scroll(browser, served):
    base, requested = served
    for path in PAGES:
        context, page = open_page(browser, base, requested, path, viewport={"width": 360, "height": 740}, is_mobile=True)
        try:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        finally:
            context.close()
