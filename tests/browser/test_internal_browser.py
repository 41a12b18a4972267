"""The internal site in a real browser: readable without JavaScript, accessible in light and dark, self-contained."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from statusbook.commands.internal import build_internal
from statusbook.io.config_file import load_config
from support.browsing import open_page, outside_requests, serious_violations, static_server
from support.repos import REPO

NOW = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """This repository's internal site, built in-process and served on 127.0.0.1; yields the base URL and every URL requested."""
    root = tmp_path_factory.mktemp("internal-browser") / "repo"
    root.mkdir()
    for name in ("handbook", "incidents", "postmortems"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    site = build_internal(load_config(root), now=NOW).target
    requested: list[str] = []
    with static_server(site) as base:
        yield base + "/", requested
    assert outside_requests(requested) == [], "requests left 127.0.0.1"


PAGES = ["", "metrics/", "incidents/2025-07-15-api-outage/", "incidents/2026-05-27-webhooks-outage/postmortem/", "teams/platform/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(browser, served, path, scheme):
    base, requested = served
    context, page = open_page(browser, base, requested, path, color_scheme=scheme)
    try:
        serious = serious_violations(page)
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
