"""The whole site in English and Dutch, as this repository builds it: every page's twin, both ways.

One build (``commands.build.build``, handbook included) of a repository laid out
like this one (support/repos.py: site_project) with this repository's sample
incidents, which are published in English and partly in Dutch. The walk
follows every page's ``hreflang`` links to its twin and back; the status
pages must all have one, and so must the handbook's (``handbook/<version>/`` and
``handbook/<version>/nl/``, which the handbook's own build links the same way).
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from statusbook.commands.build import build
from statusbook.io.config_file import load_config
from support.repos import REPO, git, site_project, statusbook

NOW = datetime(2026, 11, 28, tzinfo=UTC)
SITE_URL = "https://status.example.com/"
LANGUAGE_FOLDERS = ("nl/",)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = site_project(tmp_path_factory.mktemp("languages") / "repo")
    shutil.rmtree(project.root / "incidents")
    shutil.copytree(REPO / "incidents", project.root / "incidents")
    project.git_init()
    return project.root


@pytest.fixture(scope="module")
def site(repo: Path) -> Path:
    return build(load_config(repo), out_dir=repo / "site", now=NOW, use_cache=False).target


class Page(HTMLParser):
    """A page's language, its hreflang twins and the links of its language switch (links that name their language)."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.alternates: dict[str, str] = {}
        self.switch: list[tuple[str, str]] = []  # (hreflang, href)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        if tag == "link" and values.get("rel") == "alternate" and values.get("hreflang"):
            self.alternates[values["hreflang"]] = values.get("href", "")
        if tag == "a" and values.get("hreflang"):
            self.switch.append((values["hreflang"], values.get("href", "")))


def read(site: Path, rel: str) -> Page:
    page = Page()
    page.feed((site / rel).read_text(encoding="utf-8"))
    return page


def file_of(rel: str, href: str) -> str:
    """The site file a link on the page ``rel`` leads to (absolute URLs of the site, paths from its root, relative links)."""
    url = urljoin(SITE_URL + rel, href)
    assert url.startswith(SITE_URL), (rel, href)
    path = url[len(SITE_URL) :].split("#", 1)[0]
    return path + "index.html" if path == "" or path.endswith("/") else path


def language_of(rel: str) -> str:
    """Which language a file is in, by where it is: nl/... and handbook/<version>/nl/... are Dutch."""
    parts = rel.split("/")
    dutch = parts[0] == "nl" or (parts[0] == "handbook" and len(parts) > 2 and parts[2] == "nl")
    return "nl" if dutch else "en"


def walk(site: Path, pages: list[str]) -> dict[str, str]:
    """Follow every page's hreflang links; each must lead to a page that links back the same way. Returns page -> twin."""
    twins = {}
    for rel in pages:
        page = read(site, rel)
        assert page.lang == language_of(rel), rel
        assert set(page.alternates) == {"en", "nl", "x-default"}, rel
        files = {lang: file_of(rel, url) for lang, url in page.alternates.items()}
        assert files[page.lang] == rel, rel  # a page names itself among its twins
        assert files["x-default"] == files["en"], rel
        other = "nl" if page.lang == "en" else "en"
        twin = files[other]
        assert (site / twin).is_file(), (rel, twin)
        back = read(site, twin)
        assert back.lang == other and {k: file_of(twin, v) for k, v in back.alternates.items()} == files, (rel, twin)
        # The language switch leads to the twin.
        assert {file_of(rel, href) for lang, href in page.switch if lang != page.lang} == {twin}, rel
        twins[rel] = twin
    return twins


def html_pages(site: Path, *, handbook: bool) -> list[str]:
    found = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if "/pagefind/" in rel or rel.startswith("pagefind/") or rel.startswith("handbook/") != handbook:
            continue
        found.append(rel)
    return found


def test_every_status_page_has_its_twin_both_ways(site: Path) -> None:
    pages = html_pages(site, handbook=False)
    twins = walk(site, pages)
    english = [p for p in pages if not p.startswith(LANGUAGE_FOLDERS)]
    assert len(english) > 40 and len(twins) == len(pages) == 2 * len(english)
    assert {twins[twins[p]] for p in pages} == set(pages)


def test_every_handbook_page_has_its_twin_both_ways(site: Path) -> None:
    """The handbook's pages of every version (``handbook/<version>/`` and ``handbook/<version>/nl/``), redirects aside."""
    pages = [p for p in html_pages(site, handbook=True) if p.count("/") >= 2 and not p.endswith("404.html")]
    pages = [p for p in pages if 'http-equiv="refresh"' not in (site / p).read_text(encoding="utf-8")[:1000]]
    twins = walk(site, pages)
    assert len([p for p in twins if "/nl/" in p]) == len(twins) // 2 > 20


def test_samples_read_in_dutch(site: Path) -> None:
    translated = []
    for page in sorted((site / "nl" / "incidents").glob("*/index.html")):
        html = page.read_text(encoding="utf-8")
        if not re.search(r"<h1 lang=", html):
            translated.append(page.parent.name)
            assert "Deze melding is nog niet vertaald" not in html
    assert len(translated) >= 5 and "2026-12-08-payments-network-upgrade" in translated and "2025-10-05-database-upgrade" in translated
    upcoming = (site / "nl" / "index.html").read_text(encoding="utf-8")
    assert "Upgrade van de verbinding met de betaalnetwerken" in upcoming and "Nieuwe pogingen voor webhooks lopen achter" in upcoming
    outage = (site / "nl" / "incidents" / "2025-07-15-api-outage" / "index.html").read_text(encoding="utf-8")
    assert "Eerst stond hier dat de wijziging alle regio" in outage  # the correction's reason, in Dutch
    assert (site / "nl" / "pagefind" / "2026" / "pagefind.js").is_file() and (site / "nl" / "pagefind" / "2025" / "pagefind.js").is_file()
    for path in ("nl/history.atom", "nl/history.rss", "nl/maintenance.ics", "nl/components/payments/history.atom", "nl/components/payments/maintenance.ics"):
        assert (site / path).is_file(), path


def test_an_edit_reindexes_its_year_once_per_language(tmp_path: Path) -> None:
    project = site_project(tmp_path / "repo")
    shutil.rmtree(project.root / "incidents")
    shutil.copytree(REPO / "incidents", project.root / "incidents")
    project.git_init()
    said: list[str] = []
    build(load_config(project.root), now=NOW, handbook=False, progress=said.append)
    assert "search index: indexing 4 of 4 years in 2 languages, reusing the others" in said
    path = project.root / "incidents" / "2025" / "2025-09-10-reports-delayed.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Scheduled ", 1), encoding="utf-8")
    said.clear()
    build(load_config(project.root), now=NOW, handbook=False, progress=said.append)
    assert "search index: indexing 2 of 4 years in 2 languages, reusing the others" in said


def test_update_appends_a_dutch_message_and_keeps_the_record(tmp_path: Path) -> None:
    project = site_project(tmp_path / "repo")
    shutil.rmtree(project.root / "incidents")
    shutil.copytree(REPO / "incidents", project.root / "incidents")
    project.git_init()
    rel = "incidents/2026/2026-11-25-webhook-retries-delayed.yml"
    before = (project.root / rel).read_text(encoding="utf-8")
    run = statusbook(
        project.root, "update", "2026-11-25-webhook-retries-delayed", "--status", "resolved", "-m", "Retries are on schedule again.",
        "--message-nl", "Nieuwe pogingen lopen weer op schema.", "-c", "webhooks=operational", "--at", "2026-11-27T09:00:00+01:00",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    after = (project.root / rel).read_text(encoding="utf-8")
    added = after.replace(before[: before.index("internal:")], "", 1)
    assert after.startswith(before[: before.index("internal:")])
    assert '    message_nl: "Nieuwe pogingen lopen weer op schema."\n' in added
    git(project.root, "add", "-A")
    checked = statusbook(project.root, "validate", "--base", "HEAD", "--now", "2026-11-28T00:00:00Z")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "translation-missing" not in checked.stdout
    refused = statusbook(project.root, "update", "2026-11-25-webhook-retries-delayed", "--status", "monitoring", "-m", "x", "--message-de", "y")
    assert refused.returncode == 2 and "No such option '--message-de'" in refused.stderr and "--message-nl" in refused.stderr
