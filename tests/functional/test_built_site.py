"""The whole built site, as a link checker and the Nu HTML Checker see it.

One in-process build (``commands.build.build``, handbook included) of a copy of
this repository with branding switched on: every link on every page (status
pages, the handbook, the API index, the 404 page), in the feeds, the
calendars and the sitemaps must lead to a file the build wrote, and a link
with a fragment to an element with that id. Then vnu.jar (the Nu HTML
Checker, from npm's vnu-jar; ``make test`` installs it under .venv/vnu/)
checks every status page of that build and of the fixture site with its
hostile incident.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from lxml import etree
from statusbook.commands.build import build
from statusbook.io.config_file import load_config
from support.render import render
from support.repos import REPO
from support.status_site import NOW as FIXTURE_NOW
from support.status_site import make_repository

NOW = datetime(2026, 11, 28, tzinfo=UTC)
SITE_URL = "https://status.example.com/"
VNU = Path(os.environ.get("STATUSBOOK_VNU", REPO / ".venv" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))
LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 32"><rect width="32" height="32" rx="6" fill="#fff"/></svg>'
BRAND = """    logo: brand/logo.svg
    logo_dark: brand/logo-dark.svg
    favicon: brand/favicon.svg
    brand_color: "#5b2a86"
    support_url: https://example.com/support
    support_email: support@example.com
    footer_links:
      - {title: Terms, url: "https://example.com/terms"}
      - {title: Handbook, url: handbook/}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built") / "repo"
    root.mkdir()
    for name in ("handbook", "theme", "incidents"):
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  statusbook:\n" in config
    (root / "mkdocs.yml").write_text(config.replace("  statusbook:\n", "  statusbook:\n" + BRAND, 1), encoding="utf-8")
    (root / "brand").mkdir()
    for name in ("logo.svg", "logo-dark.svg", "favicon.svg"):
        (root / "brand" / name).write_bytes(LOGO)
    return build(load_config(root), now=NOW, use_cache=False, handbook=True).target


class Page(HTMLParser):
    """The URLs a page links to or loads, and the ids it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.ids.add(values[name] or "")
        if tag == "link" and "preconnect" in (values.get("rel") or ""):
            return
        for name in ("href", "src", "action", "poster", "data"):
            if values.get(name):
                self.urls.append(values[name] or "")
        if values.get("srcset"):
            self.urls += [part.strip().split(" ")[0] for part in (values["srcset"] or "").split(",") if part.strip()]


def parse_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def links_of(site: Path, rel: str) -> list[str]:
    """Every URL one file of the site points to, absolute."""
    path = site / rel
    base = urljoin(SITE_URL, rel)
    if rel.endswith(".html"):
        return [urljoin(base, url) for url in parse_page(path).urls]
    if rel.endswith((".atom", ".rss")) or rel.endswith("sitemap.xml"):
        tree = etree.parse(str(path))
        found = [e.get("href") for e in tree.iter("{http://www.w3.org/2005/Atom}link")]
        found += [e.text for e in tree.iter("link", "loc", "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        return [urljoin(base, url) for url in found if url]
    if rel.endswith(".ics"):
        return [line[4:].strip() for line in path.read_bytes().decode("utf-8").replace("\r\n ", "").splitlines() if line.startswith("URL:")]
    return []


def target_of(site: Path, url: str) -> tuple[Path | None, str]:
    """The file a URL of the site is served from (None when it is not the site's), and its fragment."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(SITE_URL).netloc:
        return None, ""
    rel = unquote(parts.path).removeprefix(urlsplit(SITE_URL).path)
    resolved = (site / rel).resolve()
    folder = rel.endswith("/") or rel == "" or (resolved.is_dir() and (resolved / "index.html").is_file())  # hosts redirect a folder's name to it
    return (resolved / "index.html" if folder else resolved), parts.fragment


def test_every_internal_link_of_the_whole_site_resolves(built: Path) -> None:
    files = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    assert "404.html" in files and "api/v2/index.html" in files
    search = (built / "search" / "index.html").read_text(encoding="utf-8")
    [indexes] = re.findall(r'data-indexes="([^"]+)"', search)
    assert indexes.split() and all(f"{index.removeprefix('../')}pagefind.js" in files for index in indexes.split()), indexes
    assert any(f.startswith("handbook/dev/") for f in files) and "handbook/dev/404.html" in files
    checked, broken, ids = 0, [], {}
    for rel in files:
        if not rel.endswith((".html", ".atom", ".rss", ".ics", "sitemap.xml")):
            continue
        # The 404 page is served for any missing path: its links must work from anywhere, so check them from deep down
        # (a fragment alone still points into the page itself).
        urls = links_of(built, rel)
        if rel == "404.html":
            urls = [urljoin(SITE_URL + ("404.html" if u.startswith("#") else "a/missing/page/"), u) for u in parse_page(built / rel).urls]
        for url in urls:
            target, fragment = target_of(built, url)
            if target is None:
                continue
            checked += 1
            if not target.is_file() or not target.resolve().is_relative_to(built.resolve()):
                broken.append(f"{rel}: {url} (no file)")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse_page(target).ids
                if unquote(fragment) not in ids[target]:
                    broken.append(f"{rel}: {url} (no element with id {fragment!r})")
    assert checked > 3000
    assert broken == []


def test_feeds_calendars_and_api_index_point_into_the_site(built: Path) -> None:
    """The crawl above covers these files: make sure it saw their links (and not an empty list)."""
    assert any("#update-" in url for url in links_of(built, "history.atom"))
    assert any(url.startswith(SITE_URL + "incidents/") for url in links_of(built, "history.rss"))
    assert any(url.startswith(SITE_URL + "incidents/") for url in links_of(built, "maintenance.ics"))
    api = links_of(built, "api/v2/index.html")
    assert SITE_URL + "api/v2/summary.json" in api and SITE_URL + "widget/" in api
    handbook_404 = parse_page(built / "handbook" / "dev" / "404.html").urls
    assert not [u for u in handbook_404 if "//" in u.split("://")[-1]], handbook_404  # no "..//handbook/" glued from an absolute base_url


def test_brand_reaches_the_handbook_header(built: Path) -> None:
    page = (built / "handbook" / "dev" / "severity" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="\.\./\.\./\.\./assets/brand/logo\.svg\?v=[0-9a-f]+" alt="Example status" class="statusbook-logo-light">', page)
    assert 'class="statusbook-logo-dark"' in page
    assert re.search(r'<link rel="icon" href="\.\./\.\./\.\./assets/brand/favicon\.svg\?v=[0-9a-f]+">', page)
    assert "--md-primary-fg-color:#5b2a86" in page
    home = (built / "index.html").read_text(encoding="utf-8")
    assert '<header class="site-header branded">' in home and 'href="assets/brand/favicon.svg?v=' in home


def _vnu(paths: list[Path]) -> list[str]:
    if not VNU.is_file():
        pytest.fail(f"{VNU} is missing: `make test` installs the Nu HTML Checker (npm's vnu-jar) into .venv/vnu/")
    done = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, paths)], capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(done.stderr or done.stdout)
    return [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m.get('message')}" for m in report["messages"] if m.get("type") == "error"]


def test_status_pages_pass_the_nu_html_checker(built: Path, tmp_path: Path) -> None:
    pages = [p for p in sorted(built.rglob("*.html")) if not p.relative_to(built).as_posix().startswith("handbook/")]
    assert len(pages) > 40
    # The fixture site too: its hostile incident puts markup, long words and odd characters through every template.
    fixture = tmp_path / "fixture"
    for rel, data in render(make_repository(tmp_path / "repo"), FIXTURE_NOW, parts=["status page"]).items():
        if rel.endswith(".html"):
            (fixture / rel).parent.mkdir(parents=True, exist_ok=True)
            (fixture / rel).write_bytes(data)
            pages.append(fixture / rel)
    assert _vnu(pages) == []
