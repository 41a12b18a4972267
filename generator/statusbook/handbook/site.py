"""Build every handbook version into ``handbook/<version>/``: one per release tag, plus ``dev``.

A release's inputs (the handbook folder, mkdocs.yml and the theme folder) are
read from git objects at its tag and exported into a temporary folder, so the
working tree, the index and HEAD are never touched; ``dev`` is the working
tree as it is. Each version's output is cached under
``.statusbook-cache/handbook/<key>/``, where the key covers everything the
output depends on: the inputs' git object ids (or contents, for ``dev``), the
pages' last-change dates, the version's URL, this package's code and the
MkDocs toolchain. An unchanged version is read back instead of rebuilt.

Beside the versions: ``versions.json`` in mike's format for the version
selector, ``latest/`` as one redirect page per page of the newest release
(GitHub Pages rejects symlinks), and ``index.html`` redirecting to ``latest/``
(or to ``dev/`` before the first release).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from statusbook.commands.validate import CACHE_DIR, CODE_DIGEST
from statusbook.config import CONFIG_FILE, SiteConfig
from statusbook.core import urls
from statusbook.core.versions import DEV, Release, alias_redirects, default_version, redirect_page, versions_json
from statusbook.io.releases import commit_time, last_changed, list_releases, open_repository, read_files_at, tree_ids
from statusbook.io.writer import read_tree

if TYPE_CHECKING:
    from statusbook.commands.build import BuildContext
    from statusbook.io.gitops import Project

CACHE_FORMAT = 1
_KEY_RE = re.compile(r"[0-9a-f]{32}\Z")
# The toolchain that turns the same inputs into different pages when upgraded.
_TOOLS = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "Pygments")


def _tool_versions() -> dict[str, str]:
    versions = {}
    for name in _TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


@dataclass(frozen=True, slots=True)
class VersionSource:
    """One handbook version to build: where its files come from and what its output depends on."""

    name: str
    rev: str | None  # the release tag, or None for the working tree
    site_url: str
    updated: dict[str, str]  # page (relative to the handbook folder) -> ISO date of its last commit
    fallback: str  # date for pages git knows nothing about
    key: str = ""
    files: dict[str, bytes] = field(default_factory=dict, repr=False)  # dev only: read up front to hash them


def input_paths(config: SiteConfig) -> tuple[str, ...]:
    """The project paths a handbook version is built from."""
    return (config.handbook_dir, CONFIG_FILE, config.theme_dir)


def _dates(changed: Mapping[str, datetime], config: SiteConfig) -> dict[str, str]:
    return {page: when.astimezone(config.zone).date().isoformat() for page, when in changed.items()}


def _key(parts: Mapping[str, object]) -> str:
    text = json.dumps({"format": CACHE_FORMAT, "code": CODE_DIGEST, "tools": _tool_versions(), **parts}, sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def release_source(project: Project, release: Release, config: SiteConfig) -> VersionSource:
    """Describe a release: its inputs by git object id, so nothing is read unless it must be built."""
    updated = _dates(last_changed(project, release.name, config.handbook_dir), config)
    fallback = release.at.astimezone(config.zone).date().isoformat()
    site_url = urls.absolute(config.site_url, urls.handbook_version(release.name))
    ids = tree_ids(project, release.name, input_paths(config))
    key = _key({"version": release.name, "site_url": site_url, "inputs": ids, "updated": updated, "fallback": fallback})
    return VersionSource(release.name, release.name, site_url, updated, fallback, key)


def _working_files(config: SiteConfig) -> dict[str, bytes]:
    """Read the inputs from the working tree, skipping hidden files as an export from git does."""
    files = {}
    for rel in input_paths(config):
        path = config.root / rel
        if path.is_file():
            files[rel] = path.read_bytes()
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not name.startswith("."):
                    full = Path(folder) / name
                    if full.is_file():
                        files[full.relative_to(config.root).as_posix()] = full.read_bytes()
    return dict(sorted(files.items()))


def dev_source(project: Project | None, config: SiteConfig, now: datetime) -> VersionSource:
    """Describe the working tree as the development version, keyed by its contents."""
    updated = _dates(last_changed(project, None, config.handbook_dir), config)
    fallback = max(updated.values(), default=None) or (commit_time(project, None) or now).astimezone(config.zone).date().isoformat()
    files = _working_files(config)
    digest = hashlib.blake2b(digest_size=16)
    for rel, data in files.items():
        digest.update(rel.encode() + b"\0" + hashlib.blake2b(data, digest_size=16).digest())
    site_url = urls.absolute(config.site_url, urls.handbook_version(DEV))
    key = _key({"version": DEV, "site_url": site_url, "inputs": digest.hexdigest(), "updated": updated, "fallback": fallback})
    return VersionSource(DEV, None, site_url, updated, fallback, key, files)


def _export(files: Mapping[str, bytes], source: VersionSource, folder: Path) -> None:
    """Write a version's inputs and its build manifest into an empty folder."""
    from statusbook.handbook.mkdocs_hooks import MANIFEST

    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    manifest = {"version": source.name, "updated": source.updated, "fallback": source.fallback}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


class HandbookCache:
    """Built handbook versions on disk, one folder per key; a miss just means building again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Path | None:
        path = self.folder / key
        return path if path.is_dir() else None

    def build(self, key: str, files: Mapping[str, bytes], source: VersionSource) -> Path:
        """Build a version with MkDocs into the cache and return its folder."""
        from statusbook.handbook import mkdocs_hooks

        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="statusbook-handbook-") as tmp:
            export = Path(tmp) / "source"
            export.mkdir()
            _export(files, source, export)
            staging = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=self.folder))
            try:
                mkdocs_hooks.build_site(export / CONFIG_FILE, staging, site_url=source.site_url)
                try:
                    os.replace(staging, self.folder / key)
                except OSError:
                    if not (self.folder / key).is_dir():
                        raise
                    shutil.rmtree(staging)  # another build got there first, with the same result
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return self.folder / key

    def keep_only(self, keys: set[str]) -> None:
        """Drop cached versions no longer built, so the cache does not grow with every edit."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.is_dir() and _KEY_RE.match(entry.name) and entry.name not in keys:
                shutil.rmtree(entry, ignore_errors=True)


def render_handbook(context: BuildContext) -> dict[str, bytes]:
    """Render every handbook version, the version list and the redirects, as site files."""
    config = context.config
    cache = HandbookCache(config.root / CACHE_DIR / "handbook")
    files: dict[str, bytes] = {}
    with open_repository(config.root) as project:
        releases = list_releases(project, config.version_tags)
        sources = [release_source(project, r, config) for r in releases] if project is not None else []
        sources.append(dev_source(project, config, context.now))
        newest_pages: list[str] = []
        for source in sources:
            folder = cache.get(source.key)
            if folder is None:
                context.progress(f"handbook {source.name}: building")
                started = time.monotonic()
                inputs = source.files if source.rev is None else read_files_at(project, source.rev, input_paths(config))
                folder = cache.build(source.key, inputs, source)
                context.progress(f"handbook {source.name}: built in {time.monotonic() - started:.1f} s")
            else:
                context.progress(f"handbook {source.name}: unchanged, reused from the cache")
            output = read_tree(folder)
            prefix = urls.handbook_version(source.name)
            files.update({prefix + rel: data for rel, data in output.items()})
            if releases and source.name == releases[0].name:
                newest_pages = [rel for rel in output if rel.endswith(".html")]
    cache.keep_only({s.key for s in sources})
    files[urls.HANDBOOK + "versions.json"] = versions_json(releases).encode()
    if releases:
        files.update({urls.HANDBOOK + rel: page.encode() for rel, page in alias_redirects(releases[0].name, newest_pages).items()})
    files[urls.HANDBOOK + "index.html"] = redirect_page(default_version(releases) + "/").encode()
    return files
