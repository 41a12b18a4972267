"""The site's branding: colour contrast, and which logo and favicon files are safe to publish.

Pure functions on values. Reading the files is :mod:`statusbook.io.config_file`'s
job; it hands their bytes to :func:`image_problem` and keeps what passes in
:class:`Brand`, which the status page and the handbook's header share.

A logo is published as a file on the site's own origin, so an SVG that can run
a script there (a ``<script>``, an ``onload=``, a ``javascript:`` link, an
animation that rewrites a link) would run it for anyone who opens it. Rather
than rewrite such a file, statusbook refuses it and says what to remove: a
logo rarely needs more than shapes, text, gradients and its own definitions.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from statusbook.core.shape import LIST, TEXT, Field, Shape

WHITE = (255, 255, 255)
AA_TEXT = 4.5  # WCAG 2.x success criterion 1.4.3 (AA), normal-size text
MAX_IMAGE_BYTES = 512 * 1024
IMAGE_ROLES = ("logo", "logo_dark", "favicon")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "image/svg+xml"
PNG = "image/png"
SUFFIXES = {SVG: ".svg", PNG: ".png"}

FOOTER_LINK_SHAPE = Shape(
    "footer link",
    (
        Field("title", TEXT, "the link's text", required=True),
        Field("url", TEXT, "where it goes: an http(s) or mailto: URL, or a path on this site such as handbook/", required=True),
    ),
)
# Declared here, next to their checks, and listed in extra.statusbook's shape (core/config.py).
BRAND_FIELDS = (
    Field("logo", TEXT, "logo in the header of the status page and the handbook instead of the site name: an SVG or PNG file in the repository, relative to mkdocs.yml; an SVG must hold no script, event handler or outside reference"),
    Field("logo_dark", TEXT, "the logo for readers with a dark colour scheme (default: logo)"),
    Field("favicon", TEXT, "the browser tab's icon, an SVG or PNG file like logo (default: an icon in the shape and colour of the current status)"),
    Field("brand_color", TEXT, "background of the header as #rrggbb, behind white text: refused unless that text reaches WCAG AA contrast (4.5:1); also the link colour on the light palette"),
    Field("support_url", TEXT, "where customers get help, an http(s) URL: linked in the header and the footer"),
    Field("support_email", TEXT, "an e-mail address for customers, linked in the footer"),
    Field("footer_links", LIST, "extra links in the footer, each with a title and a url", shape=FOOTER_LINK_SHAPE),
)

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Elements that run code, embed another document, or change attributes (a link's target) after loading.
_ACTIVE_ELEMENTS = frozenset({"script", "foreignObject", "iframe", "embed", "object", "handler", "listener", "set", "animate", "animateMotion", "animateTransform", "discard"})
_FOREIGN_NAMESPACES = ("http://www.w3.org/1999/xhtml", "http://www.w3.org/1998/Math/MathML")
_SAFE_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|webp);base64,", re.I)
_CSS_REFERENCE = re.compile(r"@import|url\(\s*['\"]?(?!#)|expression\(|javascript:", re.I)


def parse_colour(text: str) -> tuple[int, int, int] | None:
    """An sRGB colour from ``#rgb`` or ``#rrggbb``, or None."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 for black, 1 for white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2.x contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darkened_to_pass(rgb: tuple[int, int, int], text: tuple[int, int, int] = WHITE, ratio: float = AA_TEXT) -> tuple[int, int, int]:
    """The lightest shade of ``rgb`` (scaled towards black) that ``text`` reaches ``ratio`` on: a suggestion for a colour that fails."""
    low, high = 0.0, 1.0  # scale factors: low always passes (black), high is the colour itself
    for _ in range(24):
        middle = (low + high) / 2
        shade = tuple(round(c * middle) for c in rgb)
        if contrast_ratio(shade, text) >= ratio:  # type: ignore[arg-type]
            low = middle
        else:
            high = middle
    return tuple(int(c * low) for c in rgb)  # type: ignore[return-value]  # floor: never lighter than the passing shade


def colour_problem(text: str) -> str | None:
    """Why a brand colour cannot be used (white header text must reach WCAG AA on it), or None."""
    rgb = parse_colour(text)
    if rgb is None:
        return f"brand_color must be a colour written as #rrggbb (or #rgb), such as #0b62c4, found {text!r}"
    ratio = contrast_ratio(rgb, WHITE)
    if ratio < AA_TEXT:
        suggestion = hex_colour(darkened_to_pass(rgb))
        return (
            f"brand_color {text.strip()} gives the white header text a contrast of {ratio:.2f}:1, below the {AA_TEXT}:1 that WCAG AA asks for;"
            f" use a darker colour, such as {suggestion}"
        )
    return None


@dataclass(frozen=True, slots=True)
class BrandImage:
    """A logo or favicon as read from the repository: what it is and its bytes (kept out of repr, its digest stands for them)."""

    role: str
    source: str  # the path in the repository, as mkdocs.yml names it
    media_type: str
    data: bytes = field(repr=False)
    digest: str = ""

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.media_type]


def brand_image(role: str, source: str, data: bytes, media_type: str) -> BrandImage:
    return BrandImage(role, source, media_type, data, hashlib.blake2b(data, digest_size=5).hexdigest())


@dataclass(frozen=True, slots=True)
class FooterLink:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Brand:
    """How the site presents itself: images, colour, where customers get help, extra footer links.

    ``sources`` are the image paths mkdocs.yml names (role, path); reading
    them is I/O, so the settings come with ``images`` empty and the loader
    fills them in with what passed :func:`image_problem`.
    """

    sources: tuple[tuple[str, str], ...] = ()
    images: tuple[BrandImage, ...] = ()
    color: str = ""  # #rrggbb, lower case, checked for contrast
    support_url: str = ""
    support_email: str = ""
    footer_links: tuple[FooterLink, ...] = ()

    def image(self, role: str) -> BrandImage | None:
        return next((i for i in self.images if i.role == role), None)



def media_type_of(path: str) -> str | None:
    lower = path.lower()
    return SVG if lower.endswith(".svg") else PNG if lower.endswith(".png") else None


def image_problem(path: str, data: bytes) -> str | None:
    """Why ``data`` (a logo or favicon named ``path``) cannot be published, or None: PNG or a script-free SVG only."""
    kind = media_type_of(path)
    if kind is None:
        return f"{path} must be an SVG (.svg) or PNG (.png) file"
    if kind == PNG:
        return None if data.startswith(PNG_SIGNATURE) else f"{path} is named .png but is not a PNG image"
    return svg_problem(path, data)


def svg_problem(path: str, data: bytes) -> str | None:
    """Why an SVG file is not safe to publish on the site's origin, or None (see the module's description)."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        return f"{path} declares a DOCTYPE or entities; remove the declaration (SVG needs none)"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"{path} is not well-formed SVG: {exc}"
    if root.tag != f"{{{_SVG_NS}}}svg":
        return f"{path} is not an SVG image: its root element must be <svg xmlns=\"{_SVG_NS}\">"
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if name in _ACTIVE_ELEMENTS or namespace in _FOREIGN_NAMESPACES:
            return f"{path} contains a <{name}> element, which could run code or load another document; remove it"
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2]
            if local.lower().startswith("on"):
                return f"{path} has an event handler ({local}=) on <{name}>; remove it"
            if (attribute in ("href", _XLINK_HREF)) and not (value.strip().startswith("#") or _SAFE_DATA_URL.match(value.strip())):
                return f"{path} links to {value[:60]!r} from <{name}>; a logo may only refer to its own parts (#id) or embed a data:image"
            if local == "style" and _CSS_REFERENCE.search(value):
                return f"{path} has a style on <{name}> that loads something or runs code; keep styles to plain properties"
        if name == "style" and _CSS_REFERENCE.search(element.text or ""):
            return f"{path} has a <style> that loads something or runs code (@import, url() or javascript:); remove it"
    return None
