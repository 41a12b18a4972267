"""Site settings: what ``mkdocs.yml`` says about the site, checked like an incident file.

MkDocs' own keys (``site_name``, ``site_url``, ``docs_dir``, ``theme.language``)
are read as MkDocs reads them; statusbook's keys live under
``extra.statusbook`` and are declared here as a :class:`Shape`, so a misspelt
key is a located error with a "did you mean", every problem is reported at
once, and the reference page documents the same declaration. Reading the file
is :mod:`statusbook.io.config_file`'s job; this module only takes values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from statusbook.core.problems import Problem, Reporter, expected
from statusbook.core.shape import BOOLEAN, INTEGER, TEXT, Field, Shape, check_shape, describe, get
from statusbook.core.yaml_source import MarkedDict

CONFIG_FILE = "mkdocs.yml"
ENGINES = ("mkdocs", "properdocs")

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
        Field("websub_hub", TEXT, "WebSub hub the feeds declare and statusbook notify pings after each change, an http(s) URL such as https://pubsubhubbub.appspot.com/"),
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
    repo_url: str = ""
    edit_uri: str = ""
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
    for key in ("incidents_dir", "theme_dir"):
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
        language=_text(theme.get("language"), "en"),
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
        repo_url=_text(raw.get("repo_url"), ""),
        edit_uri=_text(raw.get("edit_uri"), ""),
    )
    return config, report.problems
