"""Build every handbook version (one per release tag, plus ``dev``) and lay them out under ``handbook/``.

Each version is exported (:mod:`statusbook.handbook.export`), built by the
site engine into a folder of its own, and finished page by page
(:mod:`statusbook.handbook.finish`). Built folders are kept between builds
under a key that covers everything the output depends on (the inputs, the
page dates, the version's URL, this code and the engine); a folder is reused
only when its manifest matches the key and every file in it still has the
digest recorded when it was built. Beside the versions: mike's
``versions.json`` for Material's selector, ``latest/`` as redirect pages to
the newest release, and ``index.html`` redirecting to ``latest/`` (or to
``dev/`` before the first release). Every language of a version sits in it
(``nl/`` for Dutch, see :mod:`statusbook.handbook.languages`); the version
list on a page leads to the other versions in the page's language, and
``nl/index.html`` redirects to ``latest/nl/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from statusbook.core import urls
from statusbook.core.problems import Problem
from statusbook.core.versions import DEV, LATEST, Release, default_version, is_prerelease, latest_release, versions_json
from statusbook.errors import BuildError
from statusbook.handbook.engine import EngineJob, run_engine
from statusbook.handbook.export import VersionFiles, export_version
from statusbook.handbook.finish import finish_page, theme_script_patterns, version_list
from statusbook.handbook.languages import LANGUAGES, language_folder, language_of
from statusbook.handbook.redirects import alias_redirects, redirect_page
from statusbook.render.output import Output, fixed

MANIFEST = ".statusbook-version.json"
CONFIG_FILE = "mkdocs.yml"


@dataclass(frozen=True, slots=True)
class VersionPlan:
    """One version to publish: its name, URL and key, and how to read its inputs if it must be built."""

    name: str
    site_url: str
    key: str
    date: str  # the version's own date (ISO), for the sitemap
    load: Callable[[], VersionFiles]


@dataclass(frozen=True, slots=True)
class BuiltVersion:
    name: str
    folder: Path
    themes: tuple[str, ...]


def version_key(*parts: object) -> str:
    """Digest what a built version depends on into the name of its folder."""
    return hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()


def _digest_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()[:32]


def _manifest(folder: Path) -> dict | None:
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and isinstance(found.get("files"), dict) and isinstance(found.get("themes"), list) else None


def reusable(folder: Path, key: str) -> BuiltVersion | None:
    """A built folder for ``key`` whose files are all exactly what was built (each digest checked), or None."""
    manifest = _manifest(folder)
    if manifest is None or manifest.get("key") != key:
        return None
    for rel, digest in manifest["files"].items():
        path = folder / rel
        if path.is_symlink() or not path.is_file() or _digest_file(path) != digest:
            return None
    return BuiltVersion(manifest.get("name", ""), folder, tuple(manifest["themes"]))


def build_versions(
    plans: Sequence[VersionPlan], store: Path, *, engine: str, progress: Callable[[str], None], brand: dict[str, str] | None = None
) -> tuple[list[BuiltVersion], list[Problem]]:
    """Build (or reuse) every version into ``store``/<key>; all engine builds run in one child process.

    ``brand`` is the site's branding for the engine (see :func:`~statusbook.handbook.engine.brand_settings`);
    the plans' keys must cover it.
    """
    store.mkdir(parents=True, exist_ok=True)
    built: dict[str, BuiltVersion] = {}
    problems: list[Problem] = []
    todo: list[tuple[VersionPlan, EngineJob, Path]] = []
    scratch = Path(tempfile.mkdtemp(prefix="statusbook-handbook-"))
    try:
        for plan in plans:
            found = reusable(store / plan.key, plan.key)
            if found is not None:
                progress(f"handbook {plan.name}: unchanged, reused")
                built[plan.name] = BuiltVersion(plan.name, found.folder, found.themes)
                continue
            exported, found_problems = export_version(plan.load())
            problems += found_problems
            if not exported:
                raise BuildError(f"handbook {plan.name} cannot be built:\n" + "\n".join(p.format() for p in found_problems))
            source = scratch / plan.key / "source"
            for rel, data in exported.items():
                path = source / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            epoch = int(datetime.fromisoformat(plan.date).replace(tzinfo=UTC).timestamp())
            job = EngineJob(str(source / CONFIG_FILE), str(scratch / plan.key / "site"), plan.site_url, epoch, default_version_of(plans), dict(brand or {}))
            todo.append((plan, job, source))
        if todo:
            progress(f"handbook: building {', '.join(p.name for p, _, _ in todo)} with {engine}")
            themes = run_engine(engine, [job for _, job, _ in todo])
            for (plan, job, _), dirs in zip(todo, themes, strict=True):
                built[plan.name] = _store(plan, Path(job.site_dir), dirs, store / plan.key)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    keep = {p.key for p in plans}
    for folder in store.iterdir():  # versions no longer built: the store does not grow with every edit
        if folder.is_dir() and not folder.is_symlink() and len(folder.name) == 32 and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    return [built[p.name] for p in plans], problems


def default_version_of(plans: Sequence[VersionPlan]) -> str:
    """The version the selector falls back to: ``latest`` when a release is, so without one no page says it is outdated."""
    releases = [p.name for p in plans if p.name != DEV]
    if any(not is_prerelease(name) for name in releases):
        return LATEST
    return releases[0] if releases else DEV


def _store(plan: VersionPlan, site: Path, themes: list[str], folder: Path) -> BuiltVersion:
    """Move a built site into the store with its manifest (written last: a folder without one is never reused)."""
    files = {path.relative_to(site).as_posix(): _digest_file(path) for path in sorted(site.rglob("*")) if path.is_file()}
    manifest = {"key": plan.key, "name": plan.name, "themes": themes, "files": files}
    (site / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(site, folder)
    return BuiltVersion(plan.name, folder, tuple(themes))


def handbook_outputs(versions: Sequence[BuiltVersion], releases: Sequence[Release]) -> Iterator[Output]:
    """Every file under ``handbook/``: each version's pages (finished) and assets (linked), the list, the redirects."""
    names = {v.name for v in versions}
    order = [DEV, *(r.name for r in releases)]  # as versions.json lists them
    latest = latest_release(releases)
    listed = [(name, latest is not None and name == latest.name) for name in order if name in names]
    newest_pages: list[str] = []
    for version in versions:
        prefix = urls.handbook_version(version.name)
        patterns = theme_script_patterns(version.themes)
        for path in sorted(version.folder.rglob("*")):
            rel = path.relative_to(version.folder).as_posix()
            if not path.is_file() or rel == MANIFEST:
                continue
            if rel.endswith(".html"):
                nav = version_list(version.name, listed, rel.count("/"), language_of(rel)) if len(listed) > 1 else ""
                yield Output(prefix + rel, lambda p=path, n=nav, pat=patterns: finish_page(p.read_text(encoding="utf-8"), pat, n).encode("utf-8"))
                if latest is not None and version.name == latest.name:
                    newest_pages.append(rel)
            else:
                yield Output(prefix + rel, path.read_bytes, source=path)
    yield fixed(urls.HANDBOOK + "versions.json", versions_json(releases).encode())
    if latest is not None:
        for rel, page in alias_redirects(latest.name, newest_pages).items():
            yield fixed(urls.HANDBOOK + rel, page.encode())
    for language in LANGUAGES:
        where = language_folder(language)
        yield fixed(urls.HANDBOOK + where + "index.html", redirect_page("../" * where.count("/") + default_version(releases) + "/" + where, language).encode())
