"""Plain-text renderings shared by the feeds, the calendars and notifications: hosts, local times, Markdown as text."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from statusbook.core.model import Window

_LINK_RE = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MARK_RE = re.compile(r"(\*\*|__|`)")
_EMPHASIS_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)


def site_host(site_url: str) -> str:
    return (urlsplit(site_url).hostname or "localhost").lower()


def format_local(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def format_window(window: Window, zone: ZoneInfo) -> str:
    return f"{format_local(window.start, zone)} to {format_local(window.end, zone)}"


def plain_text(markdown: str) -> str:
    """Reduce a Markdown message to the text calendar apps show: links keep their address, marks go."""
    text = _LINK_RE.sub(lambda m: f"{m[1]} ({m[2]})" if m[1] and m[1] != m[2] else m[2], markdown.strip())
    text = _HEADING_RE.sub("", text)
    text = _MARK_RE.sub("", text)
    return _EMPHASIS_RE.sub(lambda m: m[1] or m[2], text)
