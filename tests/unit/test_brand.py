"""Branding: WCAG contrast, which logos are safe to publish, the settings in mkdocs.yml, and where the brand shows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from statusbook.core.brand import AA_TEXT, WHITE, colour_problem, contrast_ratio, darkened_to_pass, image_problem, parse_colour, relative_luminance
from statusbook.errors import ConfigError
from statusbook.handbook.engine import brand_settings
from statusbook.io.config_file import load_config
from support.render import render
from support.status_site import NOW, make_repository

SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Example</title><rect width="10" height="10" fill="#0b62c4"/></svg>'
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)

# --- contrast ------------------------------------------------------------------------------------


def test_relative_luminance_of_the_ends_and_a_primary() -> None:
    assert relative_luminance((0, 0, 0)) == 0
    assert relative_luminance((255, 255, 255)) == pytest.approx(1)
    assert relative_luminance((255, 0, 0)) == pytest.approx(0.2126)


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),  # and the one just above, which fails
        ("#0b62c4", "#ffffff", 5.90),
        ("#ffcc00", "#ffffff", 1.51),
    ],
)
def test_contrast_ratio_matches_wcag(a: str, b: str, ratio: float) -> None:
    assert contrast_ratio(parse_colour(a), parse_colour(b)) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(parse_colour(b), parse_colour(a)) == pytest.approx(ratio, abs=0.01)  # symmetric


@pytest.mark.parametrize("text", ["#fff", "#FFFFFF", " #ffffff "])
def test_parse_colour_accepts_short_and_long_hex(text: str) -> None:
    assert parse_colour(text) == WHITE


@pytest.mark.parametrize("text", ["white", "#ffff", "#gggggg", "rgb(0,0,0)", "", "#12345"])
def test_parse_colour_refuses_anything_else(text: str) -> None:
    assert parse_colour(text) is None


@pytest.mark.parametrize("colour", ["#ffcc00", "#777777", "#3fb950", "#ffffff", "#58a6ff"])
def test_a_failing_colour_gets_a_darker_suggestion_that_passes(colour: str) -> None:
    rgb = parse_colour(colour)
    suggestion = darkened_to_pass(rgb)
    assert contrast_ratio(suggestion, WHITE) >= AA_TEXT
    assert contrast_ratio(suggestion, WHITE) < AA_TEXT + 0.3  # the lightest shade that passes, not black
    assert all(s <= c for s, c in zip(suggestion, rgb, strict=True))


def test_colour_problem_says_the_ratio_and_suggests_a_colour() -> None:
    assert colour_problem("#0b62c4") is None
    message = colour_problem("#ffcc00")
    assert "1.51:1" in message and "4.5:1" in message and "such as #" in message
    assert "must be a colour written as #rrggbb" in colour_problem("navy")


# --- images ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler (onload=)"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>', "<foreignObject>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"><h:iframe/></svg>', "<iframe>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>', "links to 'javascript:alert(1)'"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://tracker.example/p.png"/></svg>', "links to"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><set attributeName="href" to="javascript:alert(1)"/></a></svg>', "<set>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);</style></svg>', "<style>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://x.example/p)"/></svg>', "style on <rect>"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE"),
        (b"<svg><rect/></svg>", "root element must be"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect>', "not well-formed"),
        (b"<html><body>hi</body></html>", "root element must be"),
    ],
)
def test_unsafe_svg_is_refused_with_the_reason(data: bytes, reason: str) -> None:
    found = image_problem("brand/logo.svg", data)
    assert found is not None and reason in found


def test_safe_images_pass() -> None:
    assert image_problem("brand/logo.svg", SAFE_SVG) is None
    inkscape = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<sodipodi:namedview id="v"/><defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
        b'<use xlink:href="#g"/><rect style="fill:url(#g)"/><image href="data:image/png;base64,iVBORw0KGgo="/></svg>'
    )
    assert image_problem("brand/logo.svg", inkscape) is None
    assert image_problem("brand/logo.PNG", PNG) is None


def test_only_png_and_svg() -> None:
    assert "must be an SVG (.svg) or PNG (.png)" in image_problem("brand/logo.gif", b"GIF89a")
    assert "not a PNG image" in image_problem("brand/logo.png", b"<svg/>")


# --- settings in mkdocs.yml ------------------------------------------------------------------------


def _config(root: Path, settings: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text("site_name: x\nextra:\n  statusbook:\n" + settings, encoding="utf-8")


def _problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return str(caught.value).splitlines()


def test_every_brand_problem_is_located(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "bad.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" onclick="x()"/>')
    (tmp_path / "brand" / "big.png").write_bytes(PNG + bytes(600 * 1024))
    os.symlink("/etc/passwd", tmp_path / "brand" / "link.svg")
    _config(
        tmp_path,
        "    logo: brand/bad.svg\n"
        "    logo_dark: brand/link.svg\n"
        "    favicon: ../outside.png\n"
        "    brand_color: '#ffcc00'\n"
        "    support_url: ftp://example.com\n"
        "    support_email: nobody\n"
        "    footer_links:\n"
        "      - {title: Terms, url: 'javascript:alert(1)'}\n"
        "      - {titel: Privacy, url: privacy/}\n",
    )
    found = _problems(tmp_path)
    assert "mkdocs.yml:7:18: error [config-brand-color] " + colour_problem("#ffcc00") in found
    expected = [
        ("mkdocs.yml:4:11: error [config-brand-image]", "logo: brand/bad.svg has an event handler (onclick=)"),
        ("mkdocs.yml:5:16: error [config-brand-image]", "logo_dark brand/link.svg: this path is a symbolic link"),
        ("mkdocs.yml:6:14: error [config-brand-image]", "favicon must be a file inside the repository"),
        ("mkdocs.yml:8:18: error [config-value]", "support_url must be an absolute http(s) URL"),
        ("mkdocs.yml:9:20: error [config-value]", "support_email must be an e-mail address"),
        ("mkdocs.yml:11:29: error [config-value]", "a footer link's url must be"),
        ("mkdocs.yml:12:9: error [key-missing]", "footer link is missing required key 'title'"),
        ("mkdocs.yml:12:10: error [key-unknown]", "did you mean 'title'?"),
    ]
    for where, words in expected:
        assert any(line.startswith(where) and words in line for line in found), (where, words, found)
    assert {"config-brand-color", "config-brand-image"} <= {line.split("[", 1)[1].split("]", 1)[0] for line in found}
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nextra:\n  statusbook:\n    logo: brand/big.png\n    favicon: brand/missing.svg\n", encoding="utf-8")
    found = _problems(tmp_path)
    assert any(line.startswith("mkdocs.yml:4:11: error [config-brand-image] logo brand/big.png: file is") and "the limit is 524,288 bytes" in line for line in found), found
    assert "mkdocs.yml:5:14: error [config-brand-image] favicon brand/missing.svg does not exist" in found


def test_a_linked_folder_cannot_lead_out_of_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "logo.svg").write_bytes(SAFE_SVG)
    root = tmp_path / "repo"
    _config(root, "    logo: brand/logo.svg\n")
    os.symlink(outside, root / "brand")
    assert _problems(root) == ["mkdocs.yml:4:11: error [config-brand-image] logo brand/logo.svg is reached through a link that leaves the repository; name the file itself"]


def test_valid_brand_settings(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.svg").write_bytes(SAFE_SVG)
    (tmp_path / "brand" / "icon.png").write_bytes(PNG)
    _config(
        tmp_path,
        "    logo: brand/logo.svg\n    favicon: brand/icon.png\n    brand_color: '#0B62C4'\n    support_url: https://example.com/help\n"
        "    support_email: help@example.com\n    footer_links:\n      - {title: Terms, url: 'https://example.com/terms'}\n      - {title: Handbook, url: handbook/}\n",
    )
    brand = load_config(tmp_path).brand
    assert [(i.role, i.source, i.media_type, i.data) for i in brand.images] == [("logo", "brand/logo.svg", "image/svg+xml", SAFE_SVG), ("favicon", "brand/icon.png", "image/png", PNG)]
    assert (brand.color, brand.support_url, brand.support_email) == ("#0b62c4", "https://example.com/help", "help@example.com")
    assert [(link.title, link.url) for link in brand.footer_links] == [("Terms", "https://example.com/terms"), ("Handbook", "handbook/")]
    assert "data" not in repr(brand) and brand.images[0].digest in repr(brand)  # the bytes stay out of cache keys; their digest stands in
    settings = brand_settings(brand)
    assert settings == {"logo": f"../../assets/brand/logo.svg?v={brand.images[0].digest}", "favicon": f"../../assets/brand/favicon.png?v={brand.images[1].digest}", "color": "#0b62c4"}


# --- where the brand shows -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    extra = (
        "    logo: brand/logo.svg\n    logo_dark: brand/logo-dark.svg\n    favicon: brand/icon.png\n    brand_color: '#5b2a86'\n"
        "    support_url: https://example.com/help\n    support_email: help@example.com\n"
        "    footer_links:\n      - {title: Terms & conditions, url: 'https://example.com/terms'}\n      - {title: Handbook, url: handbook/}\n"
    )
    root = make_repository(tmp_path_factory.mktemp("branded") / "repo", extra=extra)
    (root / "brand").mkdir()
    (root / "brand" / "logo.svg").write_bytes(SAFE_SVG)
    (root / "brand" / "logo-dark.svg").write_bytes(SAFE_SVG.replace(b"#0b62c4", b"#ffffff"))
    (root / "brand" / "icon.png").write_bytes(PNG)
    return render(root, NOW, parts=["status page"])


def test_brand_images_are_published_at_fixed_urls(branded: dict[str, bytes]) -> None:
    assert branded["assets/brand/logo.svg"] == SAFE_SVG
    assert branded["assets/brand/logo-dark.svg"].startswith(b"<svg")
    assert branded["assets/brand/favicon.png"] == PNG


@pytest.mark.parametrize(("path", "root"), [("index.html", ""), ("incidents/2026-03-08-sign-in-outage/index.html", "../../"), ("404.html", "/")])
def test_pages_show_the_brand(branded: dict[str, bytes], path: str, root: str) -> None:
    page = branded[path].decode()
    assert '<header class="site-header branded">' in page
    assert f'<source srcset="{root}assets/brand/logo-dark.svg?v=' in page and 'media="(prefers-color-scheme: dark)"' in page
    assert f'<img class="logo" src="{root}assets/brand/logo.svg?v=' in page and 'alt="Example Status"' in page
    assert f'<link rel="icon" href="{root}assets/brand/favicon.png?v=' in page and 'type="image/png"' in page
    assert '<li><a href="https://example.com/help">Support</a></li>' in page
    assert '<a href="mailto:help@example.com">help@example.com</a>' in page
    assert '<a href="https://example.com/terms">Terms &amp; conditions</a>' in page
    assert f'<a href="{root}handbook/">Handbook</a>' in page


def test_stylesheet_carries_the_brand_colour_last(branded: dict[str, bytes]) -> None:
    css = branded["assets/status.css"].decode()
    brand = css.rindex("--brand: #5b2a86;")
    assert brand > css.index(".site-header.branded")  # after the sheet's own properties, so they cannot undo it
    assert "--link: #5b2a86;" in css[brand:]
