"""Turn an update's Markdown into safe HTML for the status page.

Two layers, because update messages are written under pressure and pasted
from anywhere: Python-Markdown runs with raw HTML switched off (a ``<b>`` in
a message is shown as text, not obeyed), then ``nh3`` keeps only a small set
of tags and attributes, only http, https and mailto links, and marks every
link ``rel="nofollow noopener"``. Images are dropped (their alt text stays)
unless the site allows remote images.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

TAGS = frozenset({"a", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "ul"})
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
IMAGE_ATTRIBUTES = {"img": {"src", "alt", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


class _Tidy(Treeprocessor):
    """Demote headings below the page's own (h1 becomes h3; a document's h1 becomes h2) and replace images by their alt text."""

    def __init__(self, md: markdown.Markdown, allow_images: bool, shift: int = 2) -> None:
        super().__init__(md)
        self.allow_images = allow_images
        self.shift = shift

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                element.tag = f"h{min(6, max(2, int(element.tag[1]) + self.shift))}"
            if element.tag == "img" and not self.allow_images:
                alt = element.get("alt", "")
                element.tag = "span"
                element.attrib.clear()
                element.text = f"[{alt}]" if alt else ""


class _Safe(Extension):
    def __init__(self, allow_images: bool, shift: int = 2) -> None:
        super().__init__()
        self.allow_images = allow_images
        self.shift = shift

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Tidy(md, self.allow_images, self.shift), "statusbook-tidy", 0)


@functools.cache
def _converter(allow_images: bool) -> markdown.Markdown:
    return markdown.Markdown(extensions=[_Safe(allow_images), "sane_lists"], output_format="html")


def sanitize(html: str, *, allow_images: bool = False) -> str:
    """Keep only the allowed tags, attributes and URL schemes of an HTML fragment."""
    tags = TAGS | {"img"} if allow_images else TAGS
    attributes = {**ATTRIBUTES, **IMAGE_ATTRIBUTES} if allow_images else ATTRIBUTES
    cleaned = nh3.clean(html, tags=set(tags), attributes={k: set(v) for k, v in attributes.items()}, url_schemes=set(URL_SCHEMES), link_rel=LINK_REL, strip_comments=True)
    # A link whose address was refused keeps its text as a placeholder <a>: without href, rel is not allowed (HTML).
    return _REL_WITHOUT_HREF.sub(r"<a\1>", cleaned) if "<a " in cleaned else cleaned


_REL_WITHOUT_HREF = re.compile(rf'<a( title="[^"]*")? rel="{LINK_REL}">')


# Text with none of Markdown's signs renders as plain paragraphs; skipping the parser makes
# a 10,000-incident build several seconds faster. Tests check both paths agree.
_NO_MARKUP = re.compile(r"(?:[^\\`*_\[\]<>#!|~&\s]|[ \n])*\Z")  # no markup signs; spaces and newlines only
_BLOCK_START = re.compile(r"[-+=>:]|\d+[.)]")
_BLANK_LINE = re.compile(r"\n(?: *\n)+")


def is_plain(text: str) -> bool:
    """Whether Markdown would render the text as nothing but paragraphs of the same text."""
    if not _NO_MARKUP.match(text):
        return False
    # No indented code, no hard line breaks, no list, quote, heading underline or definition.
    return not any(line[:1] == " " or line.endswith("  ") or _BLOCK_START.match(line) for line in text.split("\n"))


def _plain_paragraphs(text: str) -> str:
    paragraphs = [p for p in _BLANK_LINE.split(text.strip("\n")) if p.strip()]
    return "\n".join(f"<p>{html.escape(p.rstrip(chr(10)), quote=False)}</p>" for p in paragraphs)


def parse_markdown(text: str, *, allow_images: bool = False) -> str:
    """Render Markdown to sanitized HTML with the parser."""
    converter = _converter(allow_images)
    converter.reset()
    return sanitize(converter.convert(text), allow_images=allow_images)


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str, *, allow_images: bool = False) -> str:
    """Render one update message to sanitized HTML; text without Markdown signs skips the parser."""
    if is_plain(text):
        return sanitize(_plain_paragraphs(text), allow_images=allow_images)
    return parse_markdown(text, allow_images=allow_images)


DOCUMENT_TAGS = TAGS | {"h2", "table", "thead", "tbody", "tr", "th", "td"}
DOCUMENT_ATTRIBUTES = {**ATTRIBUTES, "th": {"align"}, "td": {"align"}}


@functools.cache
def _document_converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=[_Safe(False, shift=0), "sane_lists", "tables"], output_format="html")


def render_document(text: str) -> str:
    """Render a longer internal document (a postmortem) to sanitized HTML: as an update, plus tables; headings start at h2.

    Raw HTML is shown as text and images are reduced to their alt text, as in
    update messages: a postmortem is written by many hands and pasted from chat.
    """
    converter = _document_converter()
    converter.reset()
    html_text = converter.convert(text)
    return nh3.clean(
        html_text,
        tags=set(DOCUMENT_TAGS),
        attributes={k: set(v) for k, v in DOCUMENT_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
