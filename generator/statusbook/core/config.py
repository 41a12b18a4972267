"""Site settings: what ``mkdocs.yml`` says about the site, checked like an incident file.

MkDocs' own keys (``site_name``, ``site_url``, ``docs_dir``, ``theme.language``)
are read as MkDocs reads them; statusbook's keys live under
``extra.statusbook`` and are declared here as a :class:`Shape`, so a misspelt
key is a located error with a "did you mean", every problem is reported at
once, and the reference page documents the same declaration. Reading the file
is :mod:`statusbook.io.config_file`'s job; this module only takes values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from statusbook.core.brand import BRAND_FIELDS, FOOTER_LINK_SHAPE, IMAGE_ROLES, Brand, FooterLink, colour_problem, parse_colour
from statusbook.core.brand import hex_colour as _hex_colour
from statusbook.core.problems import Problem, Reporter, expected
from statusbook.core.shape import BOOLEAN, INTEGER, LIST, TEXT, TEXT_LIST, Field, Shape, check_shape, describe, get
from statusbook.core.yaml_source import MarkedDict, MarkedList

CONFIG_FILE = "mkdocs.yml"
ENGINES = ("mkdocs", "properdocs")
# The languages statusbook ships the status page's words in (render/locale/<code>), by code, with their English names.
LANGUAGES = ("en", "nl")
LANGUAGE_NAMES = {"en": "English", "nl": "Dutch"}

STATUSBOOK_SHAPE = Shape(
    "extra.statusbook",
    (
        Field("timezone", TEXT, "IANA time zone the status page shows times in, such as Europe/Amsterdam (default UTC)"),
        Field("incidents_dir", TEXT, "folder of incident files, relative to mkdocs.yml (default incidents)"),
        Field("theme_dir", TEXT, "folder of theme overrides, relative to mkdocs.yml (default theme)"),
        Field("version_tags", TEXT, "glob of the git tags that publish a handbook version (default v*)"),
        Field("feed_entries", INTEGER, "entries per feed (default 50)"),
        Field("history_page_size", INTEGER, "incidents per history page (default 25)"),
        Field("allow_remote_images", BOOLEAN, "show images from other hosts in update messages (default false)"),
        Field("engine", TEXT, "site engine that builds the handbook: mkdocs (default) or properdocs, a drop-in fork of MkDocs 1.x", allowed="mkdocs, properdocs"),
        Field(
            "notify_file",
            TEXT,
            "private YAML file of notification targets for statusbook notify (Apprise URLs, each with the components it follows), relative to mkdocs.yml;"
            " never published, so keep it out of the handbook, theme and incidents folders (for example .statusbook/notify.yml)",
        ),
        Field(
            "postmortems_dir",
            TEXT,
            "folder of postmortem documents (<incident id>.md), relative to mkdocs.yml (default postmortems); internal, so never inside the handbook or theme folder",
        ),
        Field("websub_hub", TEXT, "WebSub hub the feeds declare and statusbook notify pings after each change, an http(s) URL such as https://pubsubhubbub.appspot.com/"),
        Field(
            "languages",
            TEXT_LIST,
            "languages the status page, its feeds and calendars are published in, such as [en, nl]; the default language is theme.language, at the site's root,"
            " each other under its code (nl/), with a language switch on every page; it must be in the list. Default: theme.language only",
            allowed=", ".join(LANGUAGES),
        ),
        *BRAND_FIELDS,
    ),
    doc="statusbook's own settings, in mkdocs.yml under extra.statusbook.",
)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything the build needs to know about the site, resolved and checked."""

    root: Path
    site_name: str = "Status"
    site_url: str = "https://status.example.com/"
    site_description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    handbook_dir: str = "handbook"
    incidents_dir: str = "incidents"
    theme_dir: str = "theme"
    version_tags: str = "v*"
    feed_entries: int = 50
    history_page_size: int = 25
    allow_remote_images: bool = False
    engine: str = "mkdocs"
    notify_file: str = ""
    websub_hub: str = ""
    postmortems_dir: str = "postmortems"
    repo_url: str = ""
    edit_uri: str = ""
    brand: Brand = field(default_factory=Brand)
    # The other languages the status page is published in (extra.statusbook.languages without the default), in the order given.
    other_languages: tuple[str, ...] = ()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", _zone(self.timezone) or ZoneInfo("UTC"))

    @property
    def handbook_path(self) -> Path:
        return self.root / self.handbook_dir

    @property
    def incidents_path(self) -> Path:
        return self.root / self.incidents_dir

    @property
    def theme_path(self) -> Path:
        return self.root / self.theme_dir

    @property
    def postmortems_path(self) -> Path:
        return self.root / self.postmortems_dir

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language the status page is published in: the default (``language``, at the site's root) first."""
        return (self.language, *self.other_languages)


def base_language(language: str) -> str:
    """A language tag's language alone, lower-case: ``nl_BE`` and ``nl-be`` are ``nl``."""
    return language.replace("-", "_").split("_")[0].lower()


def _languages(ours: MarkedDict | None, default: str, report: Reporter) -> tuple[str, ...]:
    """The other languages ``languages`` names (each one statusbook ships, none twice, the default among them), in order."""
    found = get(ours, "languages", TEXT_LIST)
    if not isinstance(found, MarkedList):
        return ()
    others: list[str] = []
    seen: set[str] = set()
    for index, code in enumerate(found):
        if code not in LANGUAGES:
            report.error(found.item_mark(index), "config-value", "languages: " + expected("a language statusbook ships", code, LANGUAGES))
        elif code in seen:
            report.error(found.item_mark(index), "config-value", f"languages: {code!r} is listed twice")
        else:
            seen.add(code)
            if code != base_language(default):
                others.append(code)
    if found and base_language(default) not in seen:
        report.error(
            ours.value_mark("languages"),
            "config-value",
            f"languages must include the default language, theme.language {default!r}, which is published at the site's root; add {base_language(default)} to the list or change theme.language",
        )
    return tuple(others)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def is_http_url(value: str) -> bool:
    """Tell an absolute http(s) URL with a host (a malformed one, such as an unclosed IPv6 bracket, is not)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)


def _notify_file_problem(value: str, published: dict[str, str]) -> str | None:
    """Why a notify file cannot live where ``value`` says, or None: outside the repository, or in a folder the site is built from.

    Hidden files and folders never reach the site (the handbook export and
    the status build skip them), so a hidden path is safe wherever it is.
    """
    path = PurePosixPath(value)
    if not value.strip() or path.is_absolute() or ".." in path.parts:
        return f"notify_file must be a file inside the repository, relative to mkdocs.yml, found {value!r}"
    if any(part.startswith(".") for part in path.parts):
        return None
    for key, folder in published.items():
        if folder in (".", "") or path.is_relative_to(PurePosixPath(folder)):
            return (
                f"notify_file {value!r} is inside {folder}/ ({key}), which the site is built from, so its URLs could be published;"
                " move it out, for example to .statusbook/notify.yml"
            )
    return None


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value.strip() else default


def site_config(raw: Mapping[str, object], statusbook: MarkedDict | None, root: Path, path: str) -> tuple[SiteConfig, list[Problem]]:
    """Resolve MkDocs' settings and check ``extra.statusbook``; every problem at once, located in ``path``."""
    report = Reporter(path)
    ours = check_shape(statusbook, STATUSBOOK_SHAPE, report) if statusbook is not None else None
    timezone = get(ours, "timezone", TEXT, "UTC")
    if ours is not None and "timezone" in ours and isinstance(ours["timezone"], str) and _zone(timezone) is None:
        report.error(ours.value_mark("timezone"), "config-timezone", f"{timezone!r} is not an IANA time zone; write one such as Europe/Amsterdam or UTC")
        timezone = "UTC"
    engine = get(ours, "engine", TEXT, "mkdocs")
    if engine not in ENGINES:
        report.error(ours.value_mark("engine"), "config-value", expected("a site engine", engine, ENGINES))
        engine = "mkdocs"
    for key in ("feed_entries", "history_page_size"):
        value = get(ours, key, INTEGER)
        if value is not None and value < 1:
            report.error(ours.value_mark(key), "config-value", f"{key} must be a positive whole number, found {describe(value)}")
    for key in ("incidents_dir", "theme_dir", "postmortems_dir"):
        value = get(ours, key, TEXT)
        if value is not None and (not value.strip() or Path(value).is_absolute() or ".." in Path(value).parts):
            report.error(ours.value_mark(key), "config-value", f"{key} must be a folder inside the repository, relative to {path}, found {value!r}")
    theme = raw.get("theme") if isinstance(raw.get("theme"), Mapping) else {}
    defaults = SiteConfig(root=root)
    notify_file = get(ours, "notify_file", TEXT, "")
    published = {
        "docs_dir": _text(raw.get("docs_dir"), defaults.handbook_dir).strip("/"),
        "theme_dir": get(ours, "theme_dir", TEXT, defaults.theme_dir).strip("/"),
        "incidents_dir": get(ours, "incidents_dir", TEXT, defaults.incidents_dir).strip("/"),
    }
    if notify_file and (problem := _notify_file_problem(notify_file, published)) is not None:
        report.error(ours.value_mark("notify_file"), "config-value", problem)
        notify_file = ""
    websub_hub = get(ours, "websub_hub", TEXT, "").strip()
    if websub_hub and not is_http_url(websub_hub):
        report.error(ours.value_mark("websub_hub"), "config-value", f"websub_hub must be an absolute http(s) URL such as https://pubsubhubbub.appspot.com/, found {websub_hub!r}")
        websub_hub = ""
    postmortems_dir = get(ours, "postmortems_dir", TEXT, "").strip("/")
    for key in ("docs_dir", "theme_dir"):
        if postmortems_dir and (published[key] in (".", "") or PurePosixPath(postmortems_dir).is_relative_to(PurePosixPath(published[key]))):
            report.error(ours.value_mark("postmortems_dir"), "config-value", f"postmortems_dir {postmortems_dir!r} is inside {published[key]}/ ({key}), which is published; postmortems are internal, so keep them in a folder of their own")
            postmortems_dir = ""
    language = _text(theme.get("language"), "en")
    site_url = _text(raw.get("site_url"), defaults.site_url)  # not SiteConfig.site_url: with slots that is a descriptor
    if not site_url.endswith("/"):
        site_url += "/"

    def setting(key: str, type_name: str, default: object) -> object:
        value = get(ours, key, type_name, default)
        return default if isinstance(value, int) and not isinstance(value, bool) and value < 1 else value

    def folder(key: str, default: str) -> str:
        value = get(ours, key, TEXT, default)
        return default if not value.strip() or Path(value).is_absolute() or ".." in Path(value).parts else value.strip("/")

    config = SiteConfig(
        root=root,
        site_name=_text(raw.get("site_name"), defaults.site_name),
        site_url=site_url,
        site_description=_text(raw.get("site_description"), ""),
        language=language,
        timezone=timezone,
        handbook_dir=_text(raw.get("docs_dir"), defaults.handbook_dir).strip("/"),
        incidents_dir=folder("incidents_dir", defaults.incidents_dir),
        theme_dir=folder("theme_dir", defaults.theme_dir),
        version_tags=setting("version_tags", TEXT, defaults.version_tags),
        feed_entries=setting("feed_entries", INTEGER, defaults.feed_entries),
        history_page_size=setting("history_page_size", INTEGER, defaults.history_page_size),
        allow_remote_images=setting("allow_remote_images", BOOLEAN, defaults.allow_remote_images),
        engine=engine,
        notify_file=notify_file,
        websub_hub=websub_hub,
        postmortems_dir=folder("postmortems_dir", defaults.postmortems_dir) if postmortems_dir else defaults.postmortems_dir,
        repo_url=_text(raw.get("repo_url"), ""),
        edit_uri=_text(raw.get("edit_uri"), ""),
        brand=brand_settings(ours, report),
        other_languages=_languages(ours, language, report),
    )
    return config, report.problems


_EMAIL = re.compile(r"[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+")


def _site_link_problem(url: str) -> str | None:
    """Why a footer link's url is not an http(s) or mailto: URL or a path on this site, or None."""
    if is_http_url(url) or (url.startswith("mailto:") and _EMAIL.fullmatch(url[7:])):
        return None
    parts = urlsplit(url) if not any(c.isspace() for c in url) else None
    if parts is None or parts.scheme or parts.netloc or url.startswith("/") or ".." in PurePosixPath(parts.path).parts:
        return f"a footer link's url must be an http(s) URL, a mailto: address or a path on this site such as handbook/, found {url!r}"
    return None


def _image_path_problem(key: str, value: str) -> str | None:
    path = PurePosixPath(value)
    if not value.strip() or path.is_absolute() or ".." in path.parts or "\\" in value:
        return f"{key} must be a file inside the repository, relative to mkdocs.yml, found {value!r}"
    return None


def brand_settings(ours: MarkedDict | None, report: Reporter) -> Brand:
    """The branding settings (see :data:`~statusbook.core.brand.BRAND_FIELDS`), each problem located; images are read later."""
    sources = []
    for role in IMAGE_ROLES:
        value = get(ours, role, TEXT)
        if value is None:
            continue
        problem = _image_path_problem(role, value)
        if problem:
            report.error(ours.value_mark(role), "config-brand-image", problem)
        else:
            sources.append((role, value.strip()))
    colour = get(ours, "brand_color", TEXT, "").strip()
    if colour and (problem := colour_problem(colour)) is not None:
        report.error(ours.value_mark("brand_color"), "config-brand-color", problem)
        colour = ""
    support_url = get(ours, "support_url", TEXT, "").strip()
    if support_url and not is_http_url(support_url):
        report.error(ours.value_mark("support_url"), "config-value", f"support_url must be an absolute http(s) URL such as https://example.com/support, found {support_url!r}")
        support_url = ""
    email = get(ours, "support_email", TEXT, "").strip()
    if email and not _EMAIL.fullmatch(email):
        report.error(ours.value_mark("support_email"), "config-value", f"support_email must be an e-mail address such as support@example.com, found {email!r}")
        email = ""
    links = []
    found = get(ours, "footer_links", LIST)
    for index, item in enumerate(found or ()):
        entry = check_shape(item, FOOTER_LINK_SHAPE, report, where=found, key=index)
        title, url = get(entry, "title", TEXT, ""), get(entry, "url", TEXT, "").strip()
        if entry is None or not title.strip() or not url:
            continue
        if (problem := _site_link_problem(url)) is not None:
            report.error(entry.value_mark("url"), "config-value", problem)
            continue
        links.append(FooterLink(title.strip(), url))
    rgb = parse_colour(colour) if colour else None
    return Brand(
        sources=tuple(sources),
        color=_hex_colour(rgb) if rgb else "",
        support_url=support_url,
        support_email=email,
        footer_links=tuple(links),
    )
