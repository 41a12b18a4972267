"""The whole built site is leak-proof and inert: checked over every file the build writes.

Two in-process builds (``commands.build.build``) of a copy of this repository:
- leaks, with the handbook: a unique marker is planted in every internal field of every sample
  incident (roles, chat, call, assessment, impact, timeline notes); no built file may contain it,
  including feeds, JSON, calendars, the handbook's search index and sitemaps (gzip included);
- injection, without the handbook (it never shows incident text): every public text field of an
  incident carries HTML, script, ``javascript:`` links, SVG payloads and XML-breaking characters;
  every page, feed, calendar and JSON file must stay well-formed and inert. The handbook's pages
  are checked for the same single strict policy in the leak build.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import icalendar
import pytest
from lxml import etree
from statusbook.commands.build import build
from statusbook.core.yaml_source import MarkedDict, MarkedList, parse_yaml
from statusbook.io.config_file import load_config
from support.render import valid
from support.repos import REPO

MARKER = "ZQXLEAK"
NOW = datetime(2026, 11, 28, tzinfo=UTC)  # after every update of every sample incident


def _copy_repo(dest: Path) -> Path:
    root = dest / "repo"
    root.mkdir()
    for name in ("handbook", "theme", "incidents"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _build(root: Path, *, handbook: bool) -> dict[str, bytes]:
    """Build the copy in this process, as ``statusbook build`` does (no cache), and read back every file it wrote."""
    result = build(load_config(root), now=NOW, use_cache=False, handbook=handbook)
    site = result.target
    assert site == (root / "site").resolve()
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _plant(text: str, counter: list[int]) -> str:
    """Rewrite an incident's internal block with the same keys, every value a numbered marker."""
    root = parse_yaml(text, "x.yml").value
    assert isinstance(root, MarkedDict)
    internal = root.get("internal")
    if not isinstance(internal, MarkedDict):
        return text

    def marker(kind: str = "text") -> str:
        counter[0] += 1
        return json.dumps(f"https://{MARKER.lower()}{counter[0]}.example/" if kind == "url" else f"{MARKER}{counter[0]}")

    block = ["internal:\n", f"  chat: {marker()}\n", f"  call: {marker('url')}\n", f"  impact: {marker()}\n"]
    for name in ("roles", "assessment"):
        keys = list(internal[name]) if isinstance(internal.get(name), MarkedDict) else []
        if keys:
            block.append(f"  {name}:\n")
            block += [f"    {key}: {marker()}\n" for key in keys]
    entries = internal["timeline"] if isinstance(internal.get("timeline"), MarkedList) else []
    if entries:
        block.append("  timeline:\n")
        for entry in entries:
            block.append(f"    - {{at: {entry['at']}, phase: {entry['phase']}, note: {marker()}}}\n")
    lines = text.splitlines(keepends=True)
    first = root.key_mark("internal").line - 1
    last = first + 1
    while last < len(lines) and (not lines[last].strip() or lines[last].startswith((" ", "#"))):
        last += 1
    return "".join(lines[:first] + block + lines[last:])


@pytest.fixture(scope="module")
def leak_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], int]:
    root = _copy_repo(tmp_path_factory.mktemp("leaks"))
    counter = [0]
    for path in sorted((root / "incidents").rglob("*.y*ml")):
        path.write_text(_plant(path.read_text(encoding="utf-8"), counter), encoding="utf-8")
    valid(root, NOW)  # the planted copy still validates without errors
    return _build(root, handbook=True), counter[0]


def test_markers_were_planted_in_every_internal_field(leak_site, tmp_path: Path) -> None:
    _, planted = leak_site
    incidents = list((REPO / "incidents").rglob("*.y*ml"))
    assert planted >= 5 * len(incidents)  # chat, call, roles, assessment, timeline at least


def test_no_internal_marker_reaches_any_built_file(leak_site) -> None:
    files, _ = leak_site
    assert any(name.startswith("handbook/") and name.endswith("search_index.json") for name in files)
    assert any(name.endswith("sitemap.xml.gz") for name in files)
    leaked = []
    for name, data in files.items():
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        if MARKER.encode() in data or MARKER.lower().encode() in data:
            leaked.append(name)
    assert leaked == []


PAYLOADS = [
    "<script>alert('t')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    "]]></title><injected/><![CDATA[",
    "\"' & < > \u2028 \u2029 \ufeff",
    "<a href=\"data:text/html,<script>alert(1)</script>\">data</a>",
    "![pixel](https://tracker.example.com/p.png)",
    "<iframe src=https://evil.example.com></iframe>",
    "<style>body{display:none}</style>",
]


def _hostile_incident() -> str:
    title = json.dumps("Title " + " ".join(PAYLOADS[:2] + PAYLOADS[4:6]))
    updates = []
    for hour, (status, payload) in enumerate(zip(["investigating", "identified", "monitoring", "resolved"] * 3, PAYLOADS, strict=False)):
        updates.append(
            f"  - at: 2026-11-10T{10 + hour:02d}:00:00Z\n    status: {status if hour < 9 else 'monitoring'}\n    message: {json.dumps('Update ' + payload)}\n"
            + (f"    correction: {{at: 2026-11-10T{10 + hour:02d}:30:00Z, reason: {json.dumps('Reason ' + payload)}}}\n" if hour == 1 else "")
            + ("    components: {api: major_outage}\n" if hour == 0 else "")
        )
    updates.append("  - at: 2026-11-10T23:00:00Z\n    status: resolved\n    message: Done.\n")
    return f"title: {title}\nseverity: SEV3\ncomponents: [api]\npostmortem: \"https://example.com/pm?a=1&b=<script>\"\nupdates:\n" + "".join(updates)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = _copy_repo(tmp_path_factory.mktemp("hostile"))
    (root / "incidents" / "2026" / "2026-11-10-hostile-payloads.yml").write_text(_hostile_incident(), encoding="utf-8")
    return _build(root, handbook=False)


class _Inspector(HTMLParser):
    """Collect what could execute: script elements, event handlers, dangerous URLs, embeds."""

    def __init__(self, forbidden: tuple[str, ...] = ("iframe", "object", "embed")) -> None:
        super().__init__(convert_charrefs=True)
        self.forbidden = forbidden
        self.findings: list[str] = []
        self.inline_scripts = 0
        self.csp: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.forbidden:
            self.findings.append(f"<{tag}>")
        if tag == "script" and "src" not in values and values.get("type") not in ("application/json",):
            self.inline_scripts += 1
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(values.get("content") or "")
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "xlink:href") and value and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "data:text", "vbscript:")):
                self.findings.append(f"{tag}[{name}={value[:30]}]")
            if tag == "img" and name == "src" and value and "tracker.example.com" in value:
                self.findings.append("remote image")


def test_payloads_reach_the_site_as_text(hostile_site) -> None:
    page = hostile_site["incidents/2026-11-10-hostile-payloads/index.html"].decode()
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page or "&lt;script&gt;alert('t')&lt;/script&gt;" in page
    assert "<script>alert" not in page


@pytest.mark.parametrize("kind", ["status", "handbook"])
def test_every_page_is_inert_and_carries_a_strict_policy(hostile_site, leak_site, kind: str) -> None:
    # The status pages of the hostile build; the handbook's pages (which show no incident text) of the leak build.
    files = hostile_site if kind == "status" else leak_site[0]
    assert not any(n.startswith("handbook/") for n in hostile_site)
    pages = [n for n in files if n.endswith(".html") and (n.startswith("handbook/") == (kind == "handbook"))]
    assert pages
    for name in pages:
        # Material's own pages use <style>; ours never do, so an injected one would show.
        inspector = _Inspector(("iframe", "object", "embed", "style") if kind == "status" else ("iframe", "object", "embed"))
        inspector.feed(files[name].decode("utf-8"))
        assert inspector.findings == [], name
        assert len(inspector.csp) == 1, f"{name} has no Content-Security-Policy meta tag"
        policy = inspector.csp[0]
        script_src = re.search(r"script-src ([^;]*)", policy)
        assert "default-src 'self'" in policy or "default-src 'none'" in policy, name
        assert script_src and "'unsafe-inline'" not in script_src.group(1) and "'unsafe-eval'" not in script_src.group(1), name
        if kind == "status":
            assert inspector.inline_scripts == 0, name


def test_feeds_stay_well_formed(hostile_site) -> None:
    feeds = [n for n in hostile_site if n.endswith((".atom", ".rss"))]
    assert "history.atom" in feeds and "history.rss" in feeds
    for name in feeds:
        etree.fromstring(hostile_site[name])  # raises on malformed XML
        parsed = feedparser.parse(hostile_site[name])
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
    entries = feedparser.parse(hostile_site["history.atom"]).entries
    hostile = [e for e in entries if "hostile-payloads" in e.link]
    assert hostile
    for entry in hostile:
        for content in [*entry.get("content", []), entry.get("summary_detail", {})]:
            inspector = _Inspector(("iframe", "object", "embed", "style", "script", "svg", "img"))
            inspector.feed(content.get("value", ""))
            assert inspector.findings == [] and inspector.inline_scripts == 0, entry.title


def test_json_and_calendars_stay_well_formed(hostile_site) -> None:
    for name, data in hostile_site.items():
        if name.endswith(".json"):
            json.loads(data)
        if name.endswith(".ics"):
            icalendar.Calendar.from_ical(data)
    incidents = json.loads(hostile_site["api/v2/incidents.json"])["incidents"]
    hostile = next(i for i in incidents if i["name"].startswith("Title"))
    assert "<script>" in hostile["name"]  # JSON carries the text as text; clients must escape it
    assert all("<script" not in (u["body"] or "") or u["body"].startswith("Update") for u in hostile["incident_updates"])
