"""Build the whole site: validate, render every part, write once.

Each part of the site (status pages, feeds, API, handbook versions) is a
function ``render(context) -> {path: bytes}`` named in :data:`PARTS`; a part
with too many files to hold at once (the status pages) returns an iterable of
``(path, bytes)`` pairs instead. Files go into a staging folder as they come;
the output folder is swapped for it only when every part has rendered without
error. Pages whose inputs are unchanged since the previous build are not
rendered again (see :mod:`statusbook.io.render_cache`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import importlib
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from statusbook.commands.validate import CACHE_DIR, Validation, validate_repository
from statusbook.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident
from statusbook.errors import ValidationFailed
from statusbook.io.render_cache import RenderCache
from statusbook.io.writer import BuiltSite, Reused, SiteFiles, SiteWriter, state_folder

T = TypeVar("T")

# (name, "module:function") of every part of the site, in build order.
PARTS: tuple[tuple[str, str], ...] = (
    ("feeds", "statusbook.render.feeds:render_feeds"),
    ("calendar", "statusbook.render.ical:render_calendars"),
    ("api", "statusbook.render.api:render_api"),
    ("incident schema", "statusbook.render.json_schema:render_schema"),
    ("status page", "statusbook.render.status_pages:iter_status_site"),
    ("handbook", "statusbook.handbook.site:render_handbook"),
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
    # Pages the site on disk already holds, by inputs key; None renders everything (serve, tests).
    renders: RenderCache | None = None
    # Incident id -> digest of what it was read from (its file's bytes and path, the governing handbook).
    incident_digests: Mapping[str, str] = field(default_factory=dict)

    # Values several parts derive from the same inputs (see derived()); filled as the build goes.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def page(self, path: str, key: bytes, render: Callable[[], bytes]) -> bytes | Reused:
        """Render a page whose inputs ``key`` names, unless the previous build wrote it from the same inputs."""
        return render() if self.renders is None else self.renders.page(path, key, render)

    def derived(self, name: str, compute: Callable[[], T]) -> T:
        """A value computed from this context once, however many parts ask for it (say, the incident index)."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]  # type: ignore[return-value]


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


def _load_part(spec: str) -> Callable[[BuildContext], Mapping[str, bytes | str] | Iterable[tuple[str, bytes | str | Reused]]]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def part_files(files: Mapping[str, bytes | str] | Iterable[tuple[str, bytes | str | Reused]]) -> Iterator[tuple[str, bytes | str | Reused]]:
    """A part's files as (path, data) pairs, whether it returned a mapping or streams them."""
    if isinstance(files, Mapping):
        for path in sorted(files):
            yield path, files[path]
    else:
        yield from files


def render_site(context: BuildContext) -> SiteFiles:
    """Render every part into one set of files in memory; raises before anything is written."""
    files = SiteFiles()
    for name, spec in PARTS:
        context.progress(f"rendering {name}")
        for path, data in part_files(_load_part(spec)(context)):
            assert not isinstance(data, Reused), "only a build with a render cache reuses pages"
            files.add(path, data)
    return files


@contextlib.contextmanager
def _collector_paused() -> Iterator[Callable[[], None]]:
    """Pause the cyclic garbage collector; the caller resumes it, sparing what exists then, by calling the result.

    Validation builds hundreds of thousands of values that hold no cycles and
    live for the whole build. Collections while they pile up, and every full
    collection that rendering's short-lived objects trigger later, would
    rescan them all; frozen, they are never scanned.
    """
    enabled = gc.isenabled()
    gc.disable()

    def resume() -> None:
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield resume
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def build(config: SiteConfig, *, out_dir: Path | None = None, now: datetime | None = None, strict: bool = False,
          progress: Callable[[str], None] = lambda message: None, use_cache: bool = True,
          parts: Iterable[tuple[str, str]] = PARTS) -> tuple[Validation, BuiltSite]:
    """Validate, render and write the site; the previous site stays if anything fails.

    With ``use_cache`` the build reuses what is still valid: validation
    results of unchanged files, pages whose inputs are unchanged (not
    rendered again), and the previous site's files (linked, not rewritten).
    The result is the same site, byte for byte, as a build without it.
    ``parts`` selects parts of the site (benchmarks leave the handbook out).
    The validation returned holds no per-file results or internal notes.
    """
    target = (out_dir or config.root / "site").resolve()
    state = state_folder(config.root / CACHE_DIR, target) if use_cache else None
    # Opening the writer locks the output folder and puts back a site a killed build moved aside.
    with SiteWriter(target, state) as writer, _collector_paused() as resume_collector:
        now = now or build_time(config.root)
        validation = validate_repository(config, now=now, use_cache=use_cache)
        if validation.handbook is None or validation.has_errors(strict=strict):
            raise ValidationFailed("the repository has problems; run statusbook validate to see them")
        # Nothing renders per-file results or internal notes: let them go (at 100,000 incidents, hundreds of MB).
        validation = dataclasses.replace(validation, files=(), internals=())
        renders = RenderCache(writer.state.keys() if writer.state is not None else {})
        digests = validation.digests
        context = BuildContext(
            config=config, handbook=validation.handbook, incidents=validation.incidents, now=now, progress=progress,
            handbook_versions=validation.handbook_versions, renders=renders, incident_digests={i.id: digests.get(i.path, "") for i in validation.incidents},
        )
        resume_collector()
        for name, spec in parts:
            progress(f"rendering {name}")
            rendered, reused = renders.rendered, renders.reused
            for path, data in part_files(_load_part(spec)(context)):
                writer.add(path, data, renders.keys.get(path, b""))
            if renders.rendered + renders.reused > rendered + reused:
                progress(f"{name}: rendered {renders.rendered - rendered} pages, reused {renders.reused - reused} unchanged")
        writer.commit()
        progress(f"wrote {writer.written} files, linked {writer.linked} unchanged from the previous site, kept {writer.kept}, removed {writer.removed}")
    stats = {"written": writer.written, "linked": writer.linked, "kept": writer.kept, "removed": writer.removed, "helper memory": writer.helper_memory}
    return validation, BuiltSite(target, writer.records, stats)
