"""What status templates receive: values computed once per build, shared by every page that shows them.

Templates (``macros.html`` above all) read these and nothing else of the
build; a theme that overrides a macro gets the same fields. Each is frozen:
a summary made for one page is reused, unchanged, by every other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import Markup

from statusbook.view.pages import ComponentState


@dataclass(frozen=True, slots=True)
class Moment:
    """A time as pages show it: ``iso`` for ``<time datetime>``, ``text`` in the site's zone and language."""

    iso: str
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    path: str  # relative to the site root; templates put the page's ``root`` before it
    name: str


@dataclass(frozen=True, slots=True)
class SeverityLink:
    id: str
    label: str
    path: str


class Note(NamedTuple):
    """A correction note as pages show it; ``lang`` is the language of ``reason`` when it is not the page's (not translated)."""

    at: Moment
    reason: str
    lang: str = ""


@dataclass(frozen=True, slots=True)
class UpdateItem:
    """One update as the timeline shows it.

    ``lang`` is the language of ``html`` when it is not the page's (the update
    was not translated into it); ``note`` says whether to tell the reader so
    next to it (not when the whole incident is untranslated: that is said once).
    """

    anchor: str
    status_label: str
    at: Moment
    html: Markup
    correction: Note | None
    components: tuple[tuple[str, Markup], ...]  # component name, status pill
    lang: str = ""
    note: bool = False


@dataclass(frozen=True, slots=True)
class Alternate:
    """A page's twin in one language: for ``<link rel="alternate" hreflang>`` and the language switch."""

    hreflang: str
    name: str  # the language's name in itself: "Nederlands"
    path: str  # from the site root; templates put ``root`` before it
    url: str  # absolute, as hreflang wants
    current: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """An incident as lists and cards show it, computed once per build however many pages show it."""

    id: str
    path: str
    title: str
    is_maintenance: bool
    pill: Markup
    status_label: str
    severity: SeverityLink | None
    window: tuple[Moment, Moment] | None
    start: Moment
    end: Moment | None
    duration: str
    active: bool
    latest: UpdateItem
    components: tuple[Link, ...]
    postmortem: str | None
    title_lang: str = ""  # the title's language when it is not the page's (not translated)
    untranslated: bool = False  # no text of the incident is in the page's language


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """A group of components on the home page: its members, and the worst of their statuses as its own."""

    id: str
    name: str
    components: tuple[ComponentState, ...]  # in the handbook's order
    status: str
    pill: Markup
    all_operational: bool  # then the page shows it collapsed


@dataclass(frozen=True, slots=True)
class FilterLink:
    kind: str
    key: str
    label: str
    path: str


@dataclass(frozen=True, slots=True)
class PagerItem:
    number: int  # 0 marks a gap
    path: str


def pager_numbers(current: int, count: int) -> list[int]:
    """Page numbers to link: first, last and two either side of the current one; 0 marks a gap."""
    shown = sorted({1, count, *range(max(1, current - 2), min(count, current + 2) + 1)})
    result: list[int] = []
    for number in shown:
        if result and number - result[-1] > 1:
            result.append(0)
        result.append(number)
    return result


# Approximate advance widths (px) of 11px Verdana/DejaVu Sans, as shields-style badges use.
_NARROW = set("fijlrt.,:;!'|()[] ")
_WIDE = set("mwMW@%")


def text_width(text: str) -> int:
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 3.9
        elif char in _WIDE:
            width += 10.5
        elif char.isupper() or char.isdigit():
            width += 7.6
        else:
            width += 6.7
    return math.ceil(width)
