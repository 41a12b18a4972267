"""The built handbook in a real browser: Material's version selector keeps the reader on the same page, in English and Dutch.

The site from the ``versioned_handbook`` fixture (releases v1.0 and v1.1, and
dev) is written to a folder and served over HTTP on 127.0.0.1; Debian's
Chromium opens it. Requests to any other host are refused and recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from statusbook.io.writer import SiteWriter
from support.browsing import serious_violations, static_server
from support.handbook_repo import SEV2_NEW, SEV2_OLD


def write_site(files: Mapping[str, bytes], target: Path) -> None:
    """Write files as `statusbook build` does: into a staging folder, swapped in whole."""
    with SiteWriter(target) as writer:
        for path, data in files.items():
            writer.write(path, data)
        writer.commit()


@pytest.fixture(scope="module")
def served(versioned_handbook, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("served") / "site"
    write_site(versioned_handbook.cold.files, site)
    with static_server(site) as base:
        yield base


@pytest.fixture
def page(browser, served: str) -> Iterator[object]:
    context = browser.new_context()
    outside: list[str] = []

    def only_local(route: object) -> None:
        url = route.request.url
        if url.startswith(served):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.outside = outside
    console_errors: list[str] = []
    tab.console_errors = console_errors
    tab.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    yield tab
    context.close()
    # Every page carries a strict Content-Security-Policy; nothing Material needs may trip it.
    assert [m for m in console_errors if "Content Security Policy" in m] == []


def switch_version(page: object, version: str) -> None:
    """Open Material's version selector and pick a version, as a reader does."""
    page.mouse.move(0, 400)  # away from the header, so the list opens from a closed state
    page.locator(".md-version__current").hover(force=True)  # the opening list covers the button itself
    page.locator(".md-version__list a.md-version__link", has_text=version).first.click()


def test_the_handbook_index_leads_to_the_latest_release(page, served: str) -> None:
    page.goto(f"{served}/handbook/")
    page.wait_for_url(f"{served}/handbook/v1.1/")
    assert page.locator(".md-version__current").inner_text().startswith("v1.1")
    page.goto(f"{served}/handbook/latest/severity/#severity-sev2")
    page.wait_for_url(f"{served}/handbook/v1.1/severity/#severity-sev2")
    assert page.outside == []


def test_switching_versions_keeps_the_reader_on_the_same_page(page, served: str) -> None:
    page.goto(f"{served}/handbook/v1.1/severity/")
    content = page.locator("article.md-content__inner")
    assert SEV2_NEW in content.inner_text()
    switch_version(page, "v1.0")
    page.wait_for_url(f"{served}/handbook/v1.0/severity/")
    assert SEV2_OLD in content.inner_text()
    assert SEV2_NEW not in content.inner_text()
    assert page.locator(".md-version__current").inner_text().startswith("v1.0")
    # v1.0 is not the latest release: Material shows our banner.
    assert page.locator('[data-md-component="outdated"]').is_visible()
    assert "not the latest released version" in page.locator('[data-md-component="outdated"]').inner_text()
    switch_version(page, "v1.1")
    page.wait_for_url(f"{served}/handbook/v1.1/severity/")
    assert SEV2_NEW in content.inner_text()
    assert page.outside == []


def test_a_page_missing_in_the_other_version_leads_to_its_home(page, served: str) -> None:
    page.goto(f"{served}/handbook/v1.1/changes/")
    switch_version(page, "v1.0")
    page.wait_for_url(f"{served}/handbook/v1.0/")
    assert page.outside == []


def test_dark_mode_toggle_and_the_way_back_to_the_status_page(page, served: str) -> None:
    page.goto(f"{served}/handbook/v1.0/roles/")
    body = page.locator("body")
    before = body.get_attribute("data-md-color-scheme")
    page.locator("form.md-header__option label.md-header__button:visible").first.click()
    assert body.get_attribute("data-md-color-scheme") != before
    assert {before, body.get_attribute("data-md-color-scheme")} == {"default", "slate"}
    back = page.locator("a", has_text="Back to the status page")
    assert back.evaluate("a => a.href") == f"{served}/"
    assert page.locator(".md-tabs__link", has_text="Status page").evaluate("a => a.href") == f"{served}/"
    assert page.outside == []


def test_pages_carry_a_strict_policy_and_search_still_works(page, served: str) -> None:
    page.goto(f"{served}/handbook/v1.1/roles/")
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    page.locator("input.md-search__input").click()
    page.keyboard.type("severity")
    page.locator(".md-search-result__item").first.wait_for()
    assert page.locator(".md-search-result__item").count() > 0
    # An injected inline script (not among the page's hashed ones) is blocked by the policy.
    blocked = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', () => resolve(true), {once: true});
            const s = document.createElement('script');
            s.textContent = 'window.__injected = true';
            document.head.appendChild(s);
            setTimeout(() => resolve(window.__injected !== true), 500);
        })"""
    )
    assert blocked is True
    assert any("Content Security Policy" in m for m in page.console_errors)
    page.console_errors.clear()  # the one violation above was ours, on purpose


def test_served_folder_has_no_symlinks(versioned_handbook, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(versioned_handbook.cold.files, site)
    assert not [p for p in site.rglob("*") if p.is_symlink()]


def test_without_javascript_the_version_list_still_leads_to_each_version(browser, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(f"{served}/handbook/v1.1/severity/")
        versions = tab.locator("nav.statusbook-versions")
        assert versions.locator('[aria-current="page"]').inner_text() == "v1.1 (latest)"
        versions.locator("a", has_text="v1.0").click()
        tab.wait_for_url(f"{served}/handbook/v1.0/")
        tab.goto(f"{served}/handbook/v1.0/severity/")
        assert SEV2_OLD in tab.locator("article").inner_text()
    finally:
        context.close()


# --- two languages -------------------------------------------------------------------------------------------


def switch_language(page: object, name: str) -> None:
    """Open Material's language selector in the header and pick a language, as a reader does."""
    page.mouse.move(0, 400)
    page.locator(".md-header__option .md-select").filter(has=page.locator("a[hreflang]")).locator("button").hover()
    page.locator("a.md-select__link[hreflang]", has_text=name).click()


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(page, served: str) -> None:
    page.goto(f"{served}/handbook/v1.1/severity/#severity-sev2")
    switch_language(page, "Nederlands")
    page.wait_for_url(f"{served}/handbook/v1.1/nl/severity/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "SEV2 — Groot" in page.locator("#severity-sev2").inner_text()
    switch_language(page, "English")
    page.wait_for_url(f"{served}/handbook/v1.1/severity/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.outside == []


def test_switching_versions_on_a_dutch_page_keeps_the_reader_in_dutch(page, served: str) -> None:
    page.goto(f"{served}/handbook/v1.1/nl/roles/")
    switch_version(page, "v1.0")
    page.wait_for_url(f"{served}/handbook/v1.0/nl/roles/")
    assert "Nog niet vertaald" in page.locator("article").inner_text(), "v1.0 predates the Dutch pages"
    page.goto(f"{served}/handbook/latest/nl/severity/#severity-sev2")
    page.wait_for_url(f"{served}/handbook/v1.1/nl/severity/#severity-sev2")
    page.goto(f"{served}/handbook/nl/")
    page.wait_for_url(f"{served}/handbook/v1.1/nl/")
    assert page.outside == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["v1.1/severity/", "v1.1/nl/severity/", "v1.1/nl/", "v1.1/nl/phases/escalate/", "v1.1/nl/changes/", "v1.0/nl/roles/"])
def test_no_serious_accessibility_violations_in_either_language(browser, served: str, path: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(f"{served}/handbook/{path}", wait_until="load")
        assert tab.locator("body").get_attribute("data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
        serious = serious_violations(tab)
        assert serious == [], serious
    finally:
        context.close()
