"""The handbook in English and Dutch, walked as built: twins both ways, hreflang, the fallback note, the lists and redirects.

The site is the ``versioned_handbook`` fixture (tests/support/handbook_repo.py):
v1.0 is English only (tagged before the handbook had languages, so its Dutch
side is all stand-ins), v1.1 and dev have the Dutch pages, except v1.1's new
``changes.md``, which has no twin.
"""

from __future__ import annotations

import posixpath
import re

import pytest

VERSIONS = ("v1.0", "v1.1", "dev")
ALTERNATE = re.compile(r'<link rel="alternate" href="([^"]+)" hreflang="([a-z-]+)">')
SWITCH = re.compile(r'<a href="([^"]+)" hreflang="([a-z]+)" class="md-select__link">')
POLICY = re.compile(r'<meta\b[^>]*http-equiv="Content-Security-Policy"', re.I)
NOTE = "Nog niet vertaald."


@pytest.fixture(scope="module")
def files(versioned_handbook) -> dict[str, str]:
    return {path: data.decode() for path, data in versioned_handbook.cold.files.items() if path.endswith(".html")}


def pages_of(files: dict[str, str], version: str, language: str) -> list[str]:
    """A version's pages in a language, relative to the language's root (404.html is the version's own)."""
    root = f"handbook/{version}/" + ("nl/" if language == "nl" else "")
    found = [p.removeprefix(root) for p in files if p.startswith(root) and p != f"handbook/{version}/404.html"]
    return sorted(p for p in found if language == "nl" or not p.startswith("nl/"))


def resolve(page: str, href: str) -> str:
    """The file a relative or site-absolute link on ``page`` leads to."""
    target = href.removeprefix("https://status.example.com") if href.startswith(("/", "https://status.example.com/")) else posixpath.join(posixpath.dirname(page), href)
    target = posixpath.normpath(target.lstrip("/")) + ("/" if href.endswith("/") else "")
    return target + "index.html" if target.endswith("/") else target


def alternates(page: str, html: str) -> dict[str, str]:
    return {lang: resolve(page, href) for href, lang in ALTERNATE.findall(html)}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_page_has_a_twin_in_the_other_language(files: dict[str, str], version: str) -> None:
    english, dutch = pages_of(files, version, "en"), pages_of(files, version, "nl")
    assert english == dutch and len(english) >= 25


@pytest.mark.parametrize("version", VERSIONS)
def test_twins_name_each_other_by_hreflang_and_lang(files: dict[str, str], version: str) -> None:
    for rel in pages_of(files, version, "en"):
        en, nl = f"handbook/{version}/{rel}", f"handbook/{version}/nl/{rel}"
        assert '<html lang="en"' in files[en] and '<html lang="nl"' in files[nl], rel
        expected = {"en": en, "nl": nl, "x-default": en}
        assert alternates(en, files[en]) == expected, en
        assert alternates(nl, files[nl]) == expected, nl
        # The language switch in the header leads to the twin.
        assert {lang: resolve(en, href) for href, lang in SWITCH.findall(files[en])} == {"en": en, "nl": nl}, en
        assert {lang: resolve(nl, href) for href, lang in SWITCH.findall(files[nl])} == {"en": en, "nl": nl}, nl


def test_a_release_from_before_dutch_has_only_stand_ins(files: dict[str, str]) -> None:
    for rel in pages_of(files, "v1.0", "nl"):
        page = files[f"handbook/v1.0/nl/{rel}"]
        assert NOTE in page and '<div lang="en">' in page, rel
    severity = files["handbook/v1.0/nl/severity/index.html"]
    assert "Severity levels" in severity
    assert '<th>Severity</th>' in severity, "the English text keeps its English table"


def test_a_page_without_a_dutch_draft_shows_the_note_and_a_translated_one_does_not(files: dict[str, str]) -> None:
    changes = files["handbook/v1.1/nl/changes/index.html"]
    assert NOTE in changes and "The minor severity level is now called LOW." in changes
    assert changes.index(NOTE) > changes.index("<h1"), "the note sits under the page's title"
    severity = files["handbook/v1.1/nl/severity/index.html"]
    assert NOTE not in severity and '<div lang="en">' not in severity
    assert "Terug naar de statuspagina" in severity and "Laatst bijgewerkt" in severity and "maart 2026" in severity
    assert "Back to the status page" in files["handbook/v1.1/severity/index.html"]


def test_the_dutch_severity_page_has_the_dutch_table_with_the_ids_as_anchors(files: dict[str, str]) -> None:
    for version, ids in (("v1.1", ("sev1", "sev2", "low")), ("dev", ("sev1", "sev2", "low"))):
        page = files[f"handbook/{version}/nl/severity/index.html"]
        assert "<th>Ernst</th>" in page and "<th>Publieke update minstens elke</th>" in page
        for severity_id in ids:
            assert f'<h2 id="severity-{severity_id}">' in page, (version, severity_id)
            assert f'<a href="#severity-{severity_id}">' in page
        assert re.search(r'<h2 id="severity-sev2">SEV2 — Groot<', page)


def test_the_dutch_navigation_is_dutch_where_the_version_translates_it(files: dict[str, str]) -> None:
    assert "Ernstniveaus" in files["handbook/v1.1/nl/index.html"] and "Fasen van de respons" in files["handbook/v1.1/nl/index.html"]
    assert "Ernstniveaus" not in files["handbook/v1.0/nl/index.html"], "v1.0's mkdocs.yml has no Dutch titles for its navigation"


def test_the_version_list_stays_in_the_pages_language(files: dict[str, str]) -> None:
    [nav] = re.findall(r'<nav class="statusbook-versions".*?</nav>', files["handbook/v1.1/nl/severity/index.html"], re.S)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav) == [("../../../dev/nl/", "dev"), ("../../../v1.0/nl/", "v1.0")]
    assert '<strong aria-current="page">v1.1 (nieuwste)</strong>' in nav and 'aria-label="Handboekversies"' in nav
    [nav] = re.findall(r'<nav class="statusbook-versions".*?</nav>', files["handbook/v1.1/severity/index.html"], re.S)
    assert re.findall(r'<a href="([^"]+)">', nav) == ["../../dev/", "../../v1.0/"]


def test_latest_and_the_index_redirect_in_both_languages(files: dict[str, str]) -> None:
    release = sorted(p.removeprefix("handbook/v1.1/") for p in files if p.startswith("handbook/v1.1/nl/"))
    latest = sorted(p.removeprefix("handbook/latest/") for p in files if p.startswith("handbook/latest/nl/"))
    assert latest == release
    assert 'window.location.replace("../../../v1.1/nl/severity/"' in files["handbook/latest/nl/severity/index.html"]
    assert 'window.location.replace("../latest/nl/"' in files["handbook/nl/index.html"]
    assert '<html lang="nl">' in files["handbook/nl/index.html"]
    assert 'window.location.replace("latest/"' in files["handbook/index.html"]


def test_every_page_has_exactly_one_policy(files: dict[str, str]) -> None:
    for path, page in files.items():
        assert len(POLICY.findall(page)) == 1, path
