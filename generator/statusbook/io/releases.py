"""Handbook releases in git: which tags publish a version, and what they hold, read from git objects.

Nothing here checks anything out: files come from blobs, folders from trees,
dates from ``git log``. A folder that is not a git repository simply has no
releases. Opening the repository goes through :mod:`statusbook.io.gitops`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from git import GitCommandError

from statusbook.config import SiteConfig
from statusbook.core.handbook import COMPONENTS_FILE, SCHEMA_FILE, Handbook, parse_handbook
from statusbook.core.problems import Level, Problem
from statusbook.core.versions import GoverningHandbooks, Release, is_version_name, newest_first
from statusbook.errors import GitOpsError
from statusbook.io.gitops import Project, open_project, read_folder_at


@contextmanager
def open_repository(root: Path) -> Iterator[Project | None]:
    """Open the repository holding ``root``, or give None when it is not in one."""
    with ExitStack() as stack:
        try:
            project = stack.enter_context(open_project(root))
        except GitOpsError:
            project = None
        yield project


def list_releases(project: Project | None, pattern: str) -> tuple[Release, ...]:
    """Return the tags matching ``pattern`` that can name a handbook folder, newest first."""
    if project is None:
        return ()
    releases = []
    for tag in project.repo.tags:
        name = tag.name
        if not fnmatch.fnmatchcase(name, pattern) or not is_version_name(name):
            continue
        try:
            commit = tag.commit
        except ValueError:  # a tag of a tree or blob, not of a commit
            continue
        releases.append(Release(name, commit.hexsha, datetime.fromtimestamp(commit.committed_date, tz=UTC)))
    return newest_first(releases)


def read_files_at(project: Project, rev: str, paths: Iterable[str]) -> dict[str, bytes]:
    """Read files and whole folders (project-relative paths) at a revision; missing ones are left out."""
    commit = project.repo.commit(rev)
    files: dict[str, bytes] = {}
    for path in paths:
        try:
            item = commit.tree / project.tree_path(path)
        except KeyError:
            continue
        if item.type == "tree":
            files.update(read_folder_at(project, commit.hexsha, path, ("",)))
        elif item.type == "blob" and (item.mode & 0o170000) == 0o100000:
            files[path] = item.data_stream.read()
    return dict(sorted(files.items()))


def tree_ids(project: Project, rev: str, paths: Iterable[str]) -> dict[str, str]:
    """Return the git object id of each path at a revision ("" when absent): equal ids, equal contents."""
    commit = project.repo.commit(rev)
    ids = {}
    for path in paths:
        try:
            ids[path] = (commit.tree / project.tree_path(path)).hexsha
        except KeyError:
            ids[path] = ""
    return ids


def last_changed(project: Project | None, rev: str | None, folder: str) -> dict[str, datetime]:
    """Return when each file under ``folder`` was last committed, as of ``rev`` (HEAD when None).

    One ``git log`` for the whole folder; keys are relative to the folder.
    """
    if project is None:
        return {}
    prefix = project.tree_path(folder).rstrip("/") + "/"
    try:
        out = project.repo.git.log(rev or "HEAD", "--format=%x00%ct", "--name-only", "--no-renames", "--", prefix)
    except GitCommandError:
        return {}  # no commits yet
    dates: dict[str, datetime] = {}
    for chunk in out.split("\0"):
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if not lines or not lines[0].strip().isdigit():
            continue
        when = datetime.fromtimestamp(int(lines[0].strip()), tz=UTC)
        for name in lines[1:]:
            if name.startswith(prefix):
                dates.setdefault(name[len(prefix) :], when)  # newest first: keep the first seen
    return dict(sorted(dates.items()))


def commit_time(project: Project | None, rev: str | None) -> datetime | None:
    """Return when a revision (HEAD when None) was committed, or None without commits."""
    if project is None:
        return None
    try:
        return datetime.fromtimestamp(project.repo.commit(rev or "HEAD").committed_date, tz=UTC)
    except (ValueError, GitCommandError):
        return None


def read_release_handbook(project: Project, release: Release, handbook_dir: str) -> tuple[Handbook | None, list[Problem]]:
    """Read a release's handbook schema from git objects; problems name the file as ``tag:path``."""
    schema_rel, components_rel = f"{handbook_dir}/{SCHEMA_FILE}", f"{handbook_dir}/{COMPONENTS_FILE}"
    files = read_files_at(project, release.name, (schema_rel, components_rel))
    missing = [rel for rel in (schema_rel, components_rel) if rel not in files]
    if missing:
        return None, [
            Problem(f"{release.name}:{rel}", 1, 1, "schema-missing", Level.ERROR, f"the tag {release.name} has no {rel}; tag only commits with a handbook, or narrow extra.statusbook.version_tags")
            for rel in missing
        ]
    handbook, problems = parse_handbook(files[schema_rel], files[components_rel], schema_path=f"{release.name}:{schema_rel}", components_path=f"{release.name}:{components_rel}")
    return (handbook.with_version(release.name) if handbook else None), problems


def read_governing_handbooks(config: SiteConfig, current: Handbook) -> tuple[GoverningHandbooks, list[Problem]]:
    """Read every release's handbook beside the working tree's; report the errors of those that are broken.

    A tag cannot be fixed after the fact, so only errors are reported (the
    files a broken release governs are checked against the working tree's).
    """
    problems: list[Problem] = []
    by_version: dict[str, Handbook] = {}
    with open_repository(config.root) as project:
        releases = list_releases(project, config.version_tags)
        for release in releases:
            assert project is not None
            handbook, found = read_release_handbook(project, release, config.handbook_dir)
            errors = [p for p in found if p.level is Level.ERROR]
            problems += errors
            if handbook is not None and not errors:
                by_version[release.name] = handbook
    return GoverningHandbooks(current, releases, by_version), problems
