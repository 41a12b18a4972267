"""``statusbook build``: validate, compute the status view once, render every part, write once.

The pipeline runs one way: files -> validation -> view -> outputs -> writer.
Renderers return :class:`~statusbook.render.output.Output` values; this is
the only place that decides whether an output is rendered or taken from the
previous build (the render cache), and the only caller of the writer, which
swaps the new site in only when every file is on disk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from statusbook.check.validation import Validation
from statusbook.commands.validate import validate_repository
from statusbook.core import urls
from statusbook.core.config import CONFIG_FILE, SiteConfig
from statusbook.core.model import Incident
from statusbook.core.timestamps import TimestampError, parse_timestamp
from statusbook.core.versions import DEV, Release
from statusbook.errors import UsageError, ValidationFailed
from statusbook.handbook.engine import brand_settings
from statusbook.handbook.export import VersionFiles
from statusbook.handbook.site import VersionPlan, build_versions, handbook_outputs, version_key
from statusbook.io import git
from statusbook.io.cache import code_digest, repository_cache
from statusbook.io.files import read_tree
from statusbook.io.render_cache import RenderCache
from statusbook.io.search_index import SearchIndexRun
from statusbook.io.site_folders import Stat, recover_site
from statusbook.io.site_kind import check_public_target
from statusbook.io.writer import SiteWriter
from statusbook.render.api import api_files
from statusbook.render.feeds import feed_files
from statusbook.render.ical import calendar_files
from statusbook.render.json_schema import schema_files
from statusbook.render.output import Output
from statusbook.render.search import SearchBundle, search_bundles, search_documents, search_key
from statusbook.render.status_pages import status_pages
from statusbook.view.clock import snapped
from statusbook.view.status_view import StatusView, build_status_view

# The parts of the status side, in build order; the handbook comes last.
STATUS_PARTS: tuple[tuple[str, Callable[[StatusView], Iterable[Output]]], ...] = (
    ("feeds", feed_files),
    ("calendar", calendar_files),
    ("api", api_files),
    ("incident schema", schema_files),
    ("status page", status_pages),
)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build made: where, from what validation, and what it rendered, reused and wrote."""

    target: Path
    validation: Validation
    paths: tuple[str, ...]
    stats: dict[str, int]


def pinned_time() -> datetime | None:
    """SOURCE_DATE_EPOCH, which pins the clock exactly (reproducible-builds.org), or None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), tz=UTC) if epoch.isdigit() else None


NOW_ENV = "STATUSBOOK_NOW"


def wall_time() -> datetime:
    """What time it is: SOURCE_DATE_EPOCH when set, else $STATUSBOOK_NOW (a run "at" another moment), else the machine's clock."""
    pinned = pinned_time()
    if pinned is not None:
        return pinned
    given = os.environ.get(NOW_ENV, "").strip()
    if given:
        try:
            return parse_timestamp(given)
        except TimestampError as exc:
            raise UsageError(f"{NOW_ENV}: {exc}") from None
    return datetime.now(UTC)


def site_clock(config: SiteConfig, incidents: Iterable[Incident], wall: datetime) -> datetime:
    """The moment the site is built at: ``wall`` snapped back to the last moment the public page could change.

    SOURCE_DATE_EPOCH pins it exactly instead. See :mod:`statusbook.view.clock`.
    """
    pinned = pinned_time()
    if pinned is not None:
        return pinned
    with git.open_repository(config.root) as project:
        commit = git.commit_time(project)
    return snapped(wall, incidents, config.zone, commit=commit)


def build_time(root: Path) -> datetime:
    """The clock of a build of ``root`` right now (for tools and tests that need the same moment the build takes)."""
    from statusbook.io.config_file import load_config

    config = load_config(root)
    validation = validate_repository(config, now=wall_time())
    return site_clock(config, validation.incidents, wall_time())


def validated(config: SiteConfig, now: datetime, *, strict: bool = False, use_cache: bool = True) -> Validation:
    """Validate once; raise with the validation when it fails, so the caller reports it without validating again."""
    validation = validate_repository(config, now=now, use_cache=use_cache)
    if validation.has_errors(strict=strict):
        raise ValidationFailed(validation)
    return validation


def status_view(config: SiteConfig, validation: Validation, now: datetime) -> StatusView:
    assert validation.handbook is not None
    return build_status_view(config, validation.handbook, validation.incidents, now, handbook_versions=validation.handbook_versions, fingerprints=validation.fingerprints)


def status_outputs(view: StatusView, progress: Callable[[str], None] = lambda message: None) -> Iterator[Output]:
    for name, part in STATUS_PARTS:
        progress(f"rendering {name}")
        yield from part(view)


def search_part(view: StatusView, cache: RenderCache, held: Callable[[], Mapping[str, Stat]], scratch: contextlib.ExitStack, progress: Callable[[str], None] = lambda message: None) -> Iterator[Output]:
    """The search page's index: one Pagefind bundle per year of incidents and language, under ``pagefind/<year>/`` (``nl/pagefind/<year>/``).

    Pagefind builds a bundle at once and names its files by their contents, so
    a bundle's file list is known only after a run. A year whose incidents are
    unchanged keeps the previous build's files, if they are still on disk as
    that build wrote them (in the writer's staging folder, ``held()``, or the
    live site). The other years are indexed in scratch folders, one after
    another on a thread of their own, starting before ``held()`` is asked for
    (the writer lists its staging folder meanwhile), while the caller renders
    the other parts; their outputs wait for Pagefind.
    """
    runs: list[tuple[str, tuple[str, ...], SearchIndexRun]] = []

    def start(bundle: SearchBundle, inputs: tuple[str, ...], again: bool) -> None:
        run = SearchIndexRun(search_documents(view, bundle.incidents, bundle.language), after=runs[-1][2] if runs else None, again=again)
        scratch.callback(run.close)
        runs.append((bundle.prefix, inputs, run))

    unchanged = []
    bundles = search_bundles(view)
    for bundle in bundles:
        inputs = ("search index", search_key(view, bundle.incidents, bundle.language))
        recorded = {path: cache.key(path, inputs) for path in cache.recorded(bundle.prefix)}
        if recorded and all(cache.wrote(path, key) for path, key in recorded.items()):
            unchanged.append((bundle, inputs, recorded))
        else:
            start(bundle, inputs, again=bool(recorded))
    reused: list[Output] = []
    for bundle, inputs, recorded in unchanged:
        if all(cache.holds(path, key, held().get(path)) or cache.reusable(path, key) is not None for path, key in recorded.items()):
            reused += (Output(path, (cache.target / path).read_bytes, inputs) for path in recorded)
        else:
            start(bundle, inputs, again=True)  # changed on disk since: made again
    languages = f" in {len(view.config.languages)} languages" if view.config.other_languages else ""
    progress(f"search index: indexing {len(runs)} of {len(bundles)} years{languages}, reusing the others")

    def outputs() -> Iterator[Output]:
        yield from reused
        for prefix, inputs, run in runs:  # Pagefind's files are linked from its scratch folder, not read and written again
            for rel, path in run.files().items():
                yield Output(prefix + rel, path.read_bytes, inputs, source=path)

    return outputs()


# --- the handbook's versions -------------------------------------------------------------------------


def input_paths(config: SiteConfig) -> tuple[str, ...]:
    """The project paths a handbook version is built from."""
    return (config.handbook_dir, CONFIG_FILE, config.theme_dir)


def _dates(project: git.Project | None, rev: str | None, config: SiteConfig) -> dict[str, str]:
    return {page: when.astimezone(config.zone).date().isoformat() for page, when in git.last_changed(project, rev, config.handbook_dir).items()}


def _working_files(config: SiteConfig) -> dict[str, bytes]:
    """The inputs as they are in the working tree, hidden files and links left out (as an export from git would)."""
    files = {}
    for rel in input_paths(config):
        path = config.root / rel
        if path.is_file() and not path.is_symlink():
            files[rel] = path.read_bytes()
        elif path.is_dir() and not path.is_symlink():
            files.update({f"{rel}/{name}": data for name, data in read_tree(path).items() if not any(part.startswith(".") for part in name.split("/"))})
    return dict(sorted(files.items()))


def version_plans(config: SiteConfig, project: git.Project | None, releases: tuple[Release, ...], now: datetime, engine: str) -> list[VersionPlan]:
    """What to build for each release and for the working tree (``dev``), keyed by everything the output depends on."""
    plans = []
    brand = brand_settings(config.brand)  # today's branding, in every version's header
    for release in releases:
        assert project is not None
        updated = _dates(project, release.name, config)
        date = release.at.astimezone(config.zone).date().isoformat()
        site_url = urls.absolute(config.site_url, urls.handbook_version(release.name))
        key = version_key(release.name, site_url, git.tree_ids(project, release.name, input_paths(config)), updated, date, bool(releases), engine, code_digest(), brand)

        def load(release: Release = release, updated: dict[str, str] = updated, date: str = date) -> VersionFiles:
            return VersionFiles(release.name, git.read_files_at(project, release.name, input_paths(config)), config.handbook_dir, updated, date)

        plans.append(VersionPlan(release.name, site_url, key, date, load))
    files = _working_files(config)
    updated = _dates(project, None, config)
    date = max(updated.values(), default=None) or (git.commit_time(project) or now).astimezone(config.zone).date().isoformat()
    digest = hashlib.blake2b(digest_size=16)
    for rel, data in files.items():
        digest.update(rel.encode() + b"\0" + hashlib.blake2b(data, digest_size=16).digest())
    site_url = urls.absolute(config.site_url, urls.handbook_version(DEV))
    key = version_key(DEV, site_url, digest.hexdigest(), updated, date, bool(releases), engine, code_digest(), brand)
    plans.append(VersionPlan(DEV, site_url, key, date, lambda: VersionFiles(DEV, files, config.handbook_dir, updated, date)))
    return plans


def handbook_part(config: SiteConfig, now: datetime, progress: Callable[[str], None], store: Path) -> Iterator[Output]:
    with git.open_repository(config.root) as project:
        releases = git.list_releases(project, config.version_tags)
        plans = version_plans(config, project, releases, now, config.engine)
        built, problems = build_versions(plans, store, engine=config.engine, progress=progress, brand=brand_settings(config.brand))
    for problem in problems:
        progress(problem.format())
    yield from handbook_outputs(built, releases)


# --- writing ---------------------------------------------------------------------------------------------


def write(outputs: Iterable[Output], writer: SiteWriter, cache: RenderCache) -> None:
    """Put every output into the writer's staging folder: kept or linked when the render cache vouches for it, else rendered."""
    for output in outputs:
        if output.source is not None:
            writer.take(output.path, output.source)
            if output.inputs is not None:  # made this build (a search bundle's file): remembered for the next
                cache.remember(output.path, cache.key(output.path, output.inputs), reused=False)
            continue
        if output.inputs is None:
            writer.write(output.path, output.render())
            continue
        key = cache.key(output.path, output.inputs)
        reused = True
        if cache.holds(output.path, key, writer.held.get(output.path)):
            writer.keep(output.path)
        elif (live := cache.reusable(output.path, key)) is not None:
            writer.link(output.path, live)
        else:
            writer.write(output.path, output.render())
            reused = False
        cache.remember(output.path, key, reused=reused)


def build(
    config: SiteConfig,
    *,
    out_dir: Path | None = None,
    now: datetime | None = None,
    strict: bool = False,
    progress: Callable[[str], None] = lambda message: None,
    use_cache: bool = True,
    handbook: bool = True,
) -> BuildResult:
    """Validate, render and write the site; the previous site stays if anything fails.

    With ``use_cache``, what is still valid is reused: validation results of
    unchanged files, files whose declared inputs are unchanged, built handbook
    versions. The site is byte for byte the same as without it.
    """
    target = (out_dir or config.root / "site").resolve()
    check_public_target(target)  # never over (or inside) the internal site
    folder = repository_cache(config.root) if use_cache else None
    site_key = hashlib.blake2b(str(target).encode(), digest_size=8).hexdigest()
    journal = folder / f"writer-{site_key}.json" if folder else None
    recover_site(target, journal)  # first: a build that fails validation still brings back a site a killed build moved aside
    wall = now or wall_time()
    validation = validated(config, wall, strict=strict, use_cache=use_cache)
    for problem in validation.problems:  # what does not stop the build is still said, loudly
        progress(problem.format())
    now = site_clock(config, validation.incidents, wall)
    view = status_view(config, validation, now)
    validation = dataclasses.replace(validation, files=(), internals=(), postmortems=())  # nothing public renders them: let them go
    cache = RenderCache(folder / f"render-{site_key}.json" if folder else None, target, code_digest(), repr(config), view.handbook.digest)
    with contextlib.ExitStack() as scratch:  # the writer, Pagefind's runs and the handbook's store, alive until the site is written
        writer = scratch.enter_context(SiteWriter(target, journal))
        search = search_part(view, cache, lambda: writer.held, scratch, progress)  # first: Pagefind indexes while the pages render
        outputs = _chain(status_outputs(view, progress), search)
        if handbook:
            store = folder / "handbook" if folder else Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="statusbook-handbook-")))
            outputs = _chain(outputs, handbook_part(config, now, progress, store))
        write(outputs, writer, cache)
        writer.commit()
    cache.save(writer.files)
    stats = {"written": writer.written, "linked": writer.linked, "kept": writer.kept + writer.same, "rendered": cache.rendered, "reused": cache.reused}
    progress(f"rendered {stats['rendered']} pages, reused {stats['reused']} unchanged; wrote {stats['written']} files, linked {stats['linked']}, kept {stats['kept']}")
    return BuildResult(target, validation, tuple(sorted(writer.paths)), stats)


def _chain(*parts: Iterable[Output]) -> Iterator[Output]:
    for part in parts:
        yield from part

