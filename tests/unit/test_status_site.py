"""The rendered status page: golden files of a fixture site, sanitizing, languages, themes, leaks.

The fixture site (tests/fixtures/status, see support/status_site.py) is rendered
in this process through support/render.py, as ``statusbook build`` renders it,
without the handbook; the module renders it once and shares the files.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statusbook.core import urls
from statusbook.io.config_file import load_config
from statusbook.render.look import LOOKS, colour_properties
from statusbook.render.markdown import is_plain, parse_markdown, render_markdown
from statusbook.render.status_pages import status_pages
from support.render import render, valid, view_of
from support.status_site import FIXTURE, GOLDEN, MARKER, NOW, make_repository

CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; form-action 'none'"
# The search page's: Pagefind fetches its index and compiles its WebAssembly.
SEARCH_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; base-uri 'none'; form-action 'none'"
# Paths other parts of the build write (feeds, calendar, API, schema, handbook), which pages may link to.
OTHER_PARTS = re.compile(
    r"^(history\.(atom|rss)|maintenance\.ics|api/v2/.+\.json|schema/incident\.schema\.json|handbook/.*|components/[a-z0-9_-]+/(history\.(atom|rss)|maintenance\.ics))$"
)
# Pages that stand apart from the rest: the widget (for an iframe: no header, footer or feeds) and the 404 page (links from the site's root).
WIDGET = "widget/index.html"
NOT_FOUND = "404.html"


def render_repository(root: Path, now: datetime = NOW) -> dict[str, bytes]:
    """The status page's files (pages, badges, assets) of a repository, rendered at ``now``."""
    return render(root, now, parts=["status page"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return render_repository(make_repository(tmp_path_factory.mktemp("status") / "repo"))


def text(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


def pages(files: dict[str, bytes]) -> list[str]:
    return [p for p in files if p.endswith(".html")]


class Links(HTMLParser):
    """Collect (tag, attribute, value) of every URL-bearing attribute, plus link rel values."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src", "srcset", "action", "poster", "data"):
            if values.get(name) is not None:
                self.found.append((tag, name, values[name] or "", values.get("rel") or ""))


def links(html: str) -> list[tuple[str, str, str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.found


class ActiveMarkup(HTMLParser):
    """Find real markup (not escaped text) that could run or load something."""

    DANGEROUS = {"script", "iframe", "frame", "object", "embed", "form", "base", "meta", "style", "math", "link", "img", "video", "audio"}

    def __init__(self, *, icons_allowed: bool) -> None:
        super().__init__()
        self.icons_allowed = icons_allowed
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.DANGEROUS or (tag == "svg" and not (self.icons_allowed and "icon" in (values.get("class") or ""))):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "xlink:href", "action") and urlsplit((value or "").strip()).scheme.lower() in ("javascript", "vbscript", "data"):
                self.found.append(f"{tag} {name}={value}")


def active_markup(html: str, *, icons_allowed: bool = False) -> list[str]:
    parser = ActiveMarkup(icons_allowed=icons_allowed)
    parser.feed(html)
    return parser.found


# --- golden files ----------------------------------------------------------------------------


def test_golden_files(site):
    """Every page and badge of the fixture site, byte for byte; UPDATE_GOLDEN=1 rewrites them first."""
    rendered = {p: data for p, data in site.items() if p.endswith((".html", ".svg"))}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, data in rendered.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
    stored = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert stored == set(rendered), "run UPDATE_GOLDEN=1 pytest tests/unit/test_status_site.py to accept new or removed files"
    for path, data in sorted(rendered.items()):
        assert data.decode("utf-8") == (GOLDEN / path).read_text(encoding="utf-8"), f"{path} differs from tests/golden/status/{path}"


def test_site_files(site):
    expected = {
        "index.html",
        "history/index.html",
        "history/page/2/index.html",
        "uptime/index.html",
        "badges/status.svg",
        "assets/status.css",
        "assets/localtime.js",
    }
    assert expected <= set(site)
    ids = [p.stem for p in (FIXTURE / "incidents").glob("*.yml")]
    assert {f"incidents/{i}/index.html" for i in ids} <= set(site)
    components = ["website", "dashboard", "checkout-web", "api", "webhooks", "payments", "reports", "login", "email"]
    assert {f"components/{c}/index.html" for c in components} | {f"badges/{c}.svg" for c in components} <= set(site)


# --- what the pages say ---------------------------------------------------------------------------


def test_home_page(site):
    home = text(site, "index.html")
    assert '<h1 id="banner-title">Minor Service Outage</h1>' in home
    assert 'class="banner b-minor"' in home
    active = home.split('id="active-title"')[1].split("</section>")[0]
    assert "Elevated error rates on the public API" in active
    assert "Sign-in unavailable" not in active  # resolved two days earlier
    assert "We found the cause: a database that ran out of connections." in active
    assert "Reports storage migration" in home.split('id="maintenance-now-title"')[1].split("</section>")[0]
    assert "Database upgrade for payments" in home.split('id="maintenance-next-title"')[1].split("</section>")[0]
    recent = home.split('id="recent-title"')[1]
    assert "Sign-in unavailable" in recent and "Password-reset emails delayed" not in recent
    for name, label in (("Public API", "Partial outage"), ("Webhooks", "Degraded performance"), ("Reports and exports", "Under maintenance"), ("Sign-in", "Operational")):
        row = re.search(rf">{re.escape(name)}</a>\s*<span class=\"status [^\"]+\">(.*?)</span></span>", home, re.S)
        assert row is not None and row.group(1).endswith(f"<span>{label}"), name
        assert "<use href=" in row.group(1)  # an icon shape, not colour alone
    assert '<time datetime="2026-03-10T12:00:00Z">10 Mar 2026, 13:00 CET</time>' in home


def test_every_page_has_csp_feed_discovery_and_no_inline_script(site):
    for path in pages(site):
        html = text(site, path)
        policy = SEARCH_CSP if path == "search/index.html" else CSP
        assert f'<meta http-equiv="Content-Security-Policy" content="{policy.replace(chr(39), "&#39;")}">' in html, path
        assert re.search(r"<script(?![^>]*\ssrc=)", html) is None, f"inline script in {path}"
        assert " style=" not in html and "<style" not in html, f"inline style in {path} would break the CSP"
        if path == WIDGET:
            continue
        found = links(html)
        alternates = {(value, rel) for tag, name, value, rel in found if tag == "link" and rel == "alternate"}
        page = path.removesuffix("index.html")
        atom, rss = ("/" + urls.FEED_ATOM, "/" + urls.FEED_RSS) if path == NOT_FOUND else (urls.relative(page, urls.FEED_ATOM), urls.relative(page, urls.FEED_RSS))
        assert (atom, "alternate") in alternates and (rss, "alternate") in alternates, path
        assert 'type="application/atom+xml"' in html and 'type="application/rss+xml"' in html
    api = text(site, "components/api/index.html")
    for fmt in ("atom", "rss"):
        assert f'rel="alternate" type="application/{fmt}+xml" title="Public API: incident history ({fmt.upper() if fmt == "rss" else "Atom"})" href="{urls.relative("components/api/", urls.component_feed("api", fmt))}"' in api


def test_no_request_leaves_the_site(site):
    """Everything a page loads (stylesheet, script, icons, images) is relative or a data: URL."""
    for path in pages(site):
        for tag, name, value, rel in links(text(site, path)):
            loads = name in ("src", "srcset", "poster", "data") or (tag == "link" and rel not in ("alternate", "canonical"))
            if loads:
                assert not urlsplit(value).scheme or value.startswith("data:"), f"{path} loads {value}"
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text(site, "assets/status.css"))
    assert "@import" not in text(site, "assets/status.css")


def test_every_internal_link_resolves(site):
    for path in pages(site):
        base = "https://status.example.com/" + (path if path != NOT_FOUND else "any/missing/page")  # the 404 page is served anywhere
        for tag, name, value, _rel in links(text(site, path)):
            if name != "href" or value.startswith(("#", "mailto:")) or (urlsplit(value).scheme in ("http", "https", "data") and not value.startswith("https://status.example.com/")):
                continue
            target = urlsplit(urljoin(base, value)).path.lstrip("/")
            if value.startswith("https://status.example.com/"):
                target = urlsplit(value).path.lstrip("/")
            resolved = target + "index.html" if target.endswith("/") or target == "" else target
            assert resolved in site or OTHER_PARTS.match(target), f"{path}: {tag} {value} -> {target}"


def test_incident_page(site):
    page = text(site, "incidents/2026-03-08-sign-in-outage/index.html")
    assert "<h1>Sign-in unavailable</h1>" in page
    # The fixture repository has no handbook release, so its incidents are governed by (and link to) the dev version.
    assert '<a class="severity" href="../../handbook/dev/severity/#severity-sev1">SEV1 · Critical</a>' in page
    assert '<a href="https://example.com/postmortems/2026-03-08-sign-in" rel="noopener">Read the postmortem</a>' in page
    assert "<dt>Duration</dt><dd>1 h 18 min</dd>" in page
    assert 'Corrected <time datetime="2026-03-08T14:30:00Z">8 Mar 2026, 15:30 CET</time>: The first version of this update gave the wrong time.' in page
    order = [page.index(f"<h3 class=\"update-title\">{s}") for s in ("Resolved", "Monitoring", "Investigating")]
    assert order == sorted(order)  # newest first
    for moment in ("20260308T130200Z", "20260308T134000Z", "20260308T142000Z"):
        assert f'id="update-{moment}"' in page and f'href="#update-{moment}"' in page
    assert '<a href="../../components/login/">Sign-in</a>' in page
    maintenance = text(site, "incidents/2026-03-12-database-upgrade/index.html")
    assert "<dt>Scheduled window</dt>" in maintenance and "12 Mar 2026, 02:00 CET" in maintenance


def test_severity_links_to_the_governing_handbook_version(tmp_path):
    view = view_of(make_repository(tmp_path / "repo"), NOW)
    assert view.handbook_versions["2026-03-10-api-errors"] == "dev"  # no release: the working tree's handbook governs
    files = {o.path: o.render() for o in status_pages(dataclasses.replace(view, handbook_versions={"2026-03-08-sign-in-outage": "v1.2"}))}
    assert 'href="../../handbook/v1.2/severity/#severity-sev1"' in text(files, "incidents/2026-03-08-sign-in-outage/index.html")
    assert 'href="../../handbook/latest/severity/#severity-sev2"' in text(files, "incidents/2026-03-10-api-errors/index.html")


def test_history_is_paginated_and_grouped_by_month_in_the_sites_zone(site):
    first, second = text(site, "history/index.html"), text(site, "history/page/2/index.html")
    assert "Database upgrade for payments" not in first + second  # upcoming, shown on the home page
    assert re.findall(r"<h2 id=\"month-[^\"]+\">([^<]+)</h2>", first) == ["March 2026"]
    assert re.findall(r"<h2 id=\"month-[^\"]+\">([^<]+)</h2>", second) == ["February 2026", "November 2025"]
    # 23:30 UTC on 31 January is already February in Amsterdam.
    assert "Webhook deliveries delayed overnight" in second.split("February 2026")[1].split("November 2025")[0]
    assert '<a href="../history/page/2/" rel="next">Older</a>' in first
    assert '<a href="../../../history/" rel="prev">Newer</a>' in second
    assert '<a href="../../../history/page/2/" aria-current="page">2</a>' in second


def test_component_and_uptime_pages(site):
    api = text(site, "components/api/index.html")
    assert "Current status: <span class=\"status s-partial_outage\">" in api
    assert api.count('<span class="tip">') == 90  # a bar per day, each with its text
    assert api.count('<li class="d-partial_outage">') == 1 and api.count("<li><span") == 89  # operational days draw the default bar
    assert "Elevated error rates on the public API" in api
    uptime = text(site, "uptime/index.html")
    assert uptime.count('<span class="tip">') == 90 * 9
    assert "Partial outage</span></span>: 30% of the time counts as downtime" in uptime
    assert "Major outage</span></span>: 100% of the time counts as downtime" in uptime
    # Sign-in: 38 minutes of major outage on 8 March (14:02-14:40 CET) out of 89 days and 13 hours.
    login = uptime.split('id="c-login"')[1].split("</section>")[0]
    assert "99.97% uptime" in login
    assert "8 Mar 2026: Major outage for 38 min. Incidents: Sign-in unavailable." in login


def test_badges_are_valid_svg_with_text(site):
    for path in [p for p in site if p.startswith("badges/")]:
        root = ET.fromstring(site[path])
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        label = root.get("aria-label")
        assert label and root.find("{http://www.w3.org/2000/svg}title").text == label
    assert ET.fromstring(site["badges/status.svg"]).get("aria-label") == "status: Minor Service Outage"
    assert ET.fromstring(site["badges/api.svg"]).get("aria-label") == "Public API: Partial outage"
    assert LOOKS["partial_outage"].light in text(site, "badges/api.svg")


# --- safety ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "absent", "present"),
    [
        ("hi <script>alert(1)</script>", ["<script"], ["&lt;script&gt;alert(1)&lt;/script&gt;"]),
        ('<img src=x onerror="alert(1)">', ["<img"], ['&lt;img src=x onerror="alert(1)"&gt;']),
        ("[x](javascript:alert(1))", ["javascript:", "rel="], ["<a>x</a>"]),  # a refused address leaves a placeholder link: no href, so no rel (HTML)
        ("[x](JaVaScRiPt:alert(1))", ["alert(1)\""], []),
        ("<https://example.com/>", [], ['<a href="https://example.com/" rel="nofollow noopener">https://example.com/</a>']),
        ('<svg onload="alert(1)"><script>alert(2)</script></svg>', ["<svg", "<script"], ["&lt;svg"]),
        ("<a href='javascript:alert(1)'>x</a>", ["<a href", "javascript:alert(1)'>"], []),
        ("<div><b>raw</b></div>", ["<div", "<b>"], ["&lt;b&gt;raw&lt;/b&gt;"]),
        ("![pixel](https://tracker.example/p.png)", ["<img", "tracker.example"], ["[pixel]"]),
        ("[d](data:text/html,<script>alert(1)</script>)", ["data:", "<script"], []),
        ("[v](vbscript:msgbox)", ["vbscript"], []),
        ("[m](mailto:ops@example.com) [w](https://example.com \"t\")", [], ['href="mailto:ops@example.com"', 'href="https://example.com" title="t" rel="nofollow noopener"']),
        ("# Big heading", ["<h1"], ["<h3>Big heading</h3>"]),
        ("<!-- hidden --> text", ["<!--"], []),
    ],
)
def test_markdown_is_sanitized(markdown, absent, present):
    html = render_markdown(markdown)
    assert active_markup(html) == [], html
    for needle in absent:
        assert needle.lower() not in html.lower(), html
    for needle in present:
        assert needle in html, html


PLAIN_PIECES = [*"ab ZΩé19.,;:'\"?()/%$@=+-\n\u00a0\u2028\x85\u3000", "  ", "\n\n", " \n", "1. ", "- ", "> ", "http://x.y", "# ", "*", "&amp;"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_PIECES), max_size=30).map("".join))
def test_plain_text_shortcut_matches_markdown(text):
    """Messages without Markdown signs skip the parser; the result must be what the parser gives."""
    if is_plain(text):
        assert render_markdown(text) == parse_markdown(text)


def test_plain_text_shortcut_is_taken_for_ordinary_sentences():
    assert is_plain("We are investigating.\n\nSome requests fail, about 5% of them (EU only).")
    for markup in ("**bold**", "a_b", "1. list", "- list", "> quote", "[l](u)", "<b>", "a  \nb", " indented", "a\tb", "AT&T", "# h"):
        assert not is_plain(markup), markup


def test_remote_images_only_when_allowed():
    assert "<img" not in render_markdown("![a](https://example.com/a.png)")
    assert render_markdown("![a](https://example.com/a.png)", allow_images=True) == '<p><img alt="a" src="https://example.com/a.png"></p>'
    assert "javascript" not in render_markdown("![a](javascript:alert(1))", allow_images=True)


def test_hostile_incident_renders_harmlessly(site):
    for path in ("incidents/2026-02-02-hostile-message/index.html", "history/page/2/index.html"):
        page = text(site, path)
        body = page.split("<main", 1)[1]
        assert active_markup(body, icons_allowed=True) == [], path
        for needle in ("<script", "javascript:", "<iframe", "<svg onload", "<img", "tracker.example/pixel.png\"", "data:text/html", "<b>for some</b>"):
            assert needle not in body, (path, needle)
        assert "Dashboard slow &lt;b&gt;for some&lt;/b&gt; customers" in body
    page = text(site, "incidents/2026-02-02-hostile-message/index.html")
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page or "&lt;script&gt;alert('xss')&lt;/script&gt;" in page
    assert "[tracking pixel]" in page


def test_remote_images_config_allows_them_and_widens_the_csp(tmp_path):
    root = make_repository(tmp_path / "repo", extra="")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8").replace("history_page_size: 3", "history_page_size: 3\n    allow_remote_images: true")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    files = render_repository(root)
    page = text(files, "incidents/2026-02-02-hostile-message/index.html")
    assert '<img alt="tracking pixel" src="https://tracker.example/pixel.png">' in page
    assert "img-src &#39;self&#39; data: https:;" in page
    assert active_markup(page.split("<main", 1)[1], icons_allowed=True) == ['<img>']  # the allowed remote image, nothing else


def test_internal_fields_never_reach_any_file(tmp_path, site):
    """Every internal field of every fixture incident holds a marker; no rendered file may contain it."""
    validation = valid(make_repository(tmp_path / "repo"), NOW)
    internals = validation.internals
    assert len(internals) == len(list((FIXTURE / "incidents").glob("*.yml")))
    planted = [value for i in internals for value in (*(p for _, p in i.roles), i.chat, i.call, *(a for _, a in i.assessment), i.impact, *(t.note for t in i.timeline)) if value]
    assert len(planted) >= 20 and all(MARKER in v.lower() for v in planted)
    fields = {"roles": any(i.roles for i in internals), "chat": any(i.chat for i in internals), "call": any(i.call for i in internals), "assessment": any(i.assessment for i in internals), "impact": any(i.impact for i in internals), "timeline": any(i.timeline for i in internals)}
    assert all(fields.values()), fields
    leaks = [path for path, data in site.items() if MARKER.encode() in data.lower()]
    assert leaks == []


# --- zero incidents, languages, themes ----------------------------------------------------------------


def test_zero_incidents(tmp_path):
    files = render_repository(make_repository(tmp_path / "repo", incidents=False))
    home = text(files, "index.html")
    assert '<h1 id="banner-title">All Systems Operational</h1>' in home
    assert "Active incidents" not in home and "Upcoming maintenance" not in home
    assert home.count("No incidents reported.") == 7
    assert home.count("100.00% uptime") == 9
    assert "No incidents reported." in text(files, "history/index.html")
    assert not any(p.startswith(("incidents/", "history/page/")) for p in files)
    assert ET.fromstring(files["badges/status.svg"]).get("aria-label") == "status: All Systems Operational"
    assert "No incidents reported." in text(files, "components/api/index.html")


def test_dutch(tmp_path):
    files = render_repository(make_repository(tmp_path / "repo", language="nl"))
    home = text(files, "index.html")
    assert '<html lang="nl"' in home
    assert '<h1 id="banner-title">Kleine storing</h1>' in home
    assert ">Geschiedenis</a>" in home and "Actuele storingen" in home and "Gepland onderhoud" in home
    assert "<span>Gedeeltelijke storing</span>" in home
    assert "dinsdag 10 maart 2026" in home
    assert "10 mrt 2026, 13:00 CET" in home
    history = text(files, "history/page/2/index.html")
    assert ">februari 2026</h2>" in history and ">november 2025</h2>" in history
    assert "Storingsgeschiedenis" in history and "Nieuwer" in history
    incident = text(files, "incidents/2026-03-08-sign-in-outage/index.html")
    assert "<dt>Duur</dt><dd>1 u 18 min</dd>" in incident
    assert "Gecorrigeerd <time" in incident and "Lees de nabeschouwing" in incident
    assert "99,97% beschikbaar" in text(files, "uptime/index.html")
    assert ET.fromstring(files["badges/status.svg"]).get("aria-label") == "status: Kleine storing"
    english = {"Active incidents", "Incident history", "Skip to content", "Follow updates", "Past incidents", "Uptime over the last 90 days"}
    for path in pages(files):
        assert not [s for s in english if s in text(files, path)], path


def test_theme_overrides_templates_and_css(tmp_path):
    theme = {
        "base.html": '{% extends "!default/base.html" %}{% block title %}Custom · {{ super() }}{% endblock %}{% block footer %}{{ super() }}<p>Run by Example Ops</p>{% endblock %}',
        "status.css": "body { color: rebeccapurple; }\n",
    }
    files = render_repository(make_repository(tmp_path / "repo", theme=theme))
    # The status colours are statusbook's, served before the theme's sheet (which may override them).
    assert files["assets/status.css"] == colour_properties().encode() + b"body { color: rebeccapurple; }\n"
    assert "<title>Custom · Example Status</title>" in text(files, "index.html")
    incident = text(files, "incidents/2026-03-08-sign-in-outage/index.html")
    assert "<title>Sign-in unavailable · Example Status</title>" in incident  # the page's own title block wins
    for path in pages(files):
        if path != WIDGET:
            assert "<p>Run by Example Ops</p>" in text(files, path) and "Follow updates" in text(files, path), path


def test_output_depends_only_on_now_not_the_clock(tmp_path, site):
    later = render_repository(make_repository(tmp_path / "repo"), now=datetime(2026, 3, 10, 12, 0, 1, tzinfo=UTC))
    assert later["index.html"] != site["index.html"]  # the "as of" time moved with now
    assert later["assets/status.css"] == site["assets/status.css"]


# --- contrast --------------------------------------------------------------------------------------


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palettes(css: str) -> list[dict[str, str]]:
    """The light and the dark palette, from every ``:root`` block (the generated status colours' and the sheet's own)."""
    light: dict[str, str] = {}
    dark: dict[str, str] = {}
    for block in re.finditer(r":root\s*\{([^}]*)\}", css):
        in_dark = re.search(r"@media\s*\(prefers-color-scheme:\s*dark\)\s*\{\s*$", css[: block.start()]) is not None
        (dark if in_dark else light).update(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block.group(1)))
    return [light, {**light, **dark}]


def test_colours_meet_wcag_aa(site):
    for look in LOOKS.values():  # behind the badges' white text
        assert contrast(look.light, "#ffffff") >= 4.5, look.light
    assert contrast("#4a4a4a", "#ffffff") >= 4.5
    for palette in palettes(text(site, "assets/status.css")):
        for background in ("bg", "card"):
            for foreground in ("fg", "muted", "link", "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"):
                assert contrast(palette[foreground], palette[background]) >= 4.5, (foreground, background, palette[foreground], palette[background])
        for tint in ("tint-none", "tint-minor", "tint-major", "tint-critical", "tint-maintenance"):
            assert contrast(palette["fg"], palette[tint]) >= 4.5 and contrast(palette["muted"], palette[tint]) >= 4.5, tint


def test_config_language_and_zone_come_from_mkdocs_yml(tmp_path):
    root = make_repository(tmp_path / "repo", language="nl")
    config = load_config(root)
    assert (config.language, config.timezone, config.history_page_size) == ("nl", "Europe/Amsterdam", 3)
    assert dataclasses.replace(config, language="en").language == "en"
