"""Build the whole site: validate, render every part to files in memory, write once.

Each part of the site (status pages, feeds, API, handbook versions) is a
function ``render(context) -> {path: bytes}`` named in :data:`PARTS`. Nothing
touches the output folder until every part has rendered without error.
"""

from __future__ import annotations

import importlib
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import ValidationFailed
from generator.load import Validation, validate_repository
from generator.model import Incident
from generator.schema import Handbook
from generator.writer import SiteFiles, recover_site, write_site

# (name, "module:function") of every part of the site, in build order.
PARTS: tuple[tuple[str, str], ...] = (
    ("feeds", "generator.feeds:render_feeds"),
    ("calendar", "generator.ical:render_calendars"),
    ("api", "generator.api:render_api"),
    ("incident schema", "generator.json_schema:render_schema"),
    ("status page", "generator.status_site:render_status_site"),
    ("handbook", "generator.handbook_site:render_handbook"),
)


@dataclass(frozen=True)
class BuildContext:
    """What every part of the site is rendered from; public data only."""

    config: SiteConfig
    handbook: Handbook
    incidents: tuple[Incident, ...]
    now: datetime
    progress: Callable[[str], None] = field(default=lambda message: None)
    # Incident id -> handbook version that governs it, for links to urls.severity_definition(version, severity).
    handbook_versions: Mapping[str, str] = field(default_factory=dict)


def build_time(root: Path) -> datetime:
    """The build's clock: SOURCE_DATE_EPOCH, else the HEAD commit's time, so rebuilds are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        out = ""
    if out.isdigit():
        return datetime.fromtimestamp(int(out), tz=UTC)
    return datetime(1970, 1, 1, tzinfo=UTC)


def _load_part(spec: str) -> Callable[[BuildContext], Mapping[str, bytes | str]]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def render_site(context: BuildContext) -> SiteFiles:
    """Render every part into one set of files; raises before anything is written."""
    files = SiteFiles()
    for name, spec in PARTS:
        context.progress(f"rendering {name}")
        files.update_from(_load_part(spec)(context))
    return files


def build(config: SiteConfig, *, out_dir: Path | None = None, now: datetime | None = None, strict: bool = False,
          progress: Callable[[str], None] = lambda message: None, use_cache: bool = True) -> tuple[Validation, SiteFiles]:
    """Validate, render and write the site; the previous site stays if anything fails."""
    target = out_dir or config.root / "site"
    recover_site(target)  # a killed build may have left the previous site moved aside: put it back first
    now = now or build_time(config.root)
    validation = validate_repository(config, now=now, use_cache=use_cache)
    if validation.handbook is None or validation.has_errors(strict=strict):
        raise ValidationFailed("the repository has problems; run statusbook validate to see them")
    context = BuildContext(config=config, handbook=validation.handbook, incidents=validation.incidents, now=now, progress=progress, handbook_versions=validation.handbook_versions)
    files = render_site(context)
    write_site(files, target)
    return validation, files
