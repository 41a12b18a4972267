"""Site settings, read from mkdocs.yml so one file configures the handbook and the status page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from statusbook.errors import ConfigError

CONFIG_FILE = "mkdocs.yml"


class _TolerantLoader(yaml.SafeLoader):
    """Read mkdocs.yml, which may carry ``!!python/name`` or ``!ENV`` tags meant for mkdocs."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


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
    repo_url: str = ""
    edit_uri: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def handbook_path(self) -> Path:
        return self.root / self.handbook_dir

    @property
    def incidents_path(self) -> Path:
        return self.root / self.incidents_dir


def load_config(root: Path) -> SiteConfig:
    """Read mkdocs.yml at the repository root; missing settings take defaults."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return SiteConfig(root=root)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{CONFIG_FILE}: cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{CONFIG_FILE}: must be a mapping")
    theme = raw.get("theme") if isinstance(raw.get("theme"), dict) else {}
    extra = raw.get("extra") if isinstance(raw.get("extra"), dict) else {}
    ours = extra.get("statusbook") if isinstance(extra.get("statusbook"), dict) else {}
    site_url = str(raw.get("site_url") or SiteConfig.site_url)
    if not site_url.endswith("/"):
        site_url += "/"
    config = SiteConfig(
        root=root,
        site_name=str(raw.get("site_name") or SiteConfig.site_name),
        site_url=site_url,
        site_description=str(raw.get("site_description") or ""),
        language=str(theme.get("language") or "en"),
        timezone=str(ours.get("timezone", "UTC")),
        handbook_dir=str(raw.get("docs_dir") or "handbook"),
        incidents_dir=str(ours.get("incidents_dir", "incidents")),
        theme_dir=str(ours.get("theme_dir", "theme")),
        version_tags=str(ours.get("version_tags", "v*")),
        feed_entries=_positive(ours, "feed_entries", 50),
        history_page_size=_positive(ours, "history_page_size", 25),
        allow_remote_images=bool(ours.get("allow_remote_images", False)),
        repo_url=str(raw.get("repo_url") or ""),
        edit_uri=str(raw.get("edit_uri") or ""),
    )
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{CONFIG_FILE}: extra.statusbook.timezone {config.timezone!r} is not an IANA time zone such as Europe/Amsterdam or UTC") from None
    return config


def _positive(section: dict, key: str, default: int) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{CONFIG_FILE}: extra.statusbook.{key} must be a positive whole number, found {value!r}")
    return value
