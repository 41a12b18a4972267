"""How each component status looks, defined once: its icon's shape and its colour in light and dark.

Status is never shown by colour alone: every status has its own shape. The
stylesheet's colour properties, the icon sprite, the badges and the favicon
all come from this table, so a colour changes in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from statusbook.core.ids import ComponentStatusId, Indicator


@dataclass(frozen=True, slots=True)
class Look:
    """A status's 16x16 icon (an SVG path, even-odd cut-outs) and colours that keep WCAG AA contrast."""

    path: str
    light: str  # on white, and behind white badge text
    dark: str  # on the dark palette's background


LOOKS: dict[str, Look] = {
    ComponentStatusId.OPERATIONAL: Look("M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0Zm3.7 5.3-4.6 5.9-3-2.9 1.1-1.1 1.8 1.7 3.5-4.5Z", "#1a7f37", "#3fb950"),
    ComponentStatusId.DEGRADED_PERFORMANCE: Look("M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0ZM4 7h8v2H4Z", "#8a5a00", "#d29922"),
    ComponentStatusId.PARTIAL_OUTAGE: Look("M8 .5 15.8 15H.2ZM7 5.5h2v5H7Zm0 6.5h2v2H7Z", "#b04a00", "#f0883e"),
    ComponentStatusId.MAJOR_OUTAGE: Look(
        "M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0ZM4.5 5.9l1.4-1.4L8 6.6l2.1-2.1 1.4 1.4L9.4 8l2.1 2.1-1.4 1.4L8 9.4l-2.1 2.1-1.4-1.4L6.6 8Z", "#c21f2c", "#ff7b72"
    ),
    ComponentStatusId.UNDER_MAINTENANCE: Look("M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0ZM7 3h2v4.4l3 1.8-1 1.7-4-2.4Z", "#0b62c4", "#58a6ff"),
}
# Which status's look stands for each banner indicator.
INDICATOR_LOOK: dict[str, str] = {
    Indicator.NONE: ComponentStatusId.OPERATIONAL,
    Indicator.MAINTENANCE: ComponentStatusId.UNDER_MAINTENANCE,
    Indicator.MINOR: ComponentStatusId.DEGRADED_PERFORMANCE,
    Indicator.MAJOR: ComponentStatusId.PARTIAL_OUTAGE,
    Indicator.CRITICAL: ComponentStatusId.MAJOR_OUTAGE,
}


def colour_properties() -> str:
    """The stylesheet's status colours as custom properties (``--operational``), light and dark."""
    light = "".join(f"  --{name}: {look.light};\n" for name, look in LOOKS.items())
    dark = "".join(f"    --{name}: {look.dark};\n" for name, look in LOOKS.items())
    return f"/* Status colours, generated from statusbook's table of looks. */\n:root {{\n{light}}}\n@media (prefers-color-scheme: dark) {{\n  :root {{\n{dark}  }}\n}}\n"


def favicon(status_id: str) -> str:
    """A data: URL icon in a status's shape and colour: no extra request, and it shows in the tab.

    Spaces are escaped too: a raw space is not allowed in a URL attribute.
    """
    look = LOOKS[status_id]
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><path fill='{look.light}' fill-rule='evenodd' d='{look.path}'/></svg>"
    return "data:image/svg+xml," + quote(svg, safe="=:/'")


def brand_properties(colour: str) -> str:
    """The brand colour's custom properties, served after the stylesheet: the header's background, and links on the light palette.

    The colour was checked when the settings were read: white text on it
    reaches WCAG AA, and so does the colour itself as text on white.
    """
    if not colour:
        return ""
    return (
        "/* Brand colour, from extra.statusbook.brand_color in mkdocs.yml. */\n"
        f":root {{\n  --brand: {colour};\n  --on-brand: #ffffff;\n}}\n"
        f"@media (prefers-color-scheme: light) {{\n  :root {{\n    --link: {colour};\n  }}\n}}\n"
    )
