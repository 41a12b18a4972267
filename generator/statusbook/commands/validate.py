"""``statusbook validate``: read the handbook schema and every incident file, check them, report everything at once.

Each incident file is checked against the handbook version that governs it
(its pin, else the newest release tagged before it started); per-file results
are cached by content, so a run after a small change parses only what
changed. ``--base REF`` adds the append-only check against what REF
published, reading from git only the files that differ.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import yaml

from statusbook.check.append_only import check_history
from statusbook.check.catalogue import PROCESS_RULES
from statusbook.check.collection import FileRules, duplicate_ids
from statusbook.check.incident import CheckedFile, check_incident_file, incident_id, unpublished_translations
from statusbook.check.postmortem import orphans, read_postmortem
from statusbook.check.stored import decode, encode
from statusbook.check.validation import Validation
from statusbook.core.config import CONFIG_FILE, SiteConfig
from statusbook.core.handbook import COMPONENTS_FILE, SCHEMA_FILE, Handbook, parse_handbook
from statusbook.core.model import Postmortem
from statusbook.core.problems import Level, Problem
from statusbook.core.versions import GoverningHandbooks, Release, governing_version
from statusbook.core.yaml_source import read_yaml
from statusbook.io import git
from statusbook.io.cache import code_digest, repository_cache
from statusbook.io.config_file import safe_mkdocs_loader
from statusbook.io.files import INCIDENT_SUFFIXES, find_incident_files, find_postmortem_files, read_source, relative
from statusbook.io.result_cache import ResultCache, result_key


def read_handbook(config: SiteConfig) -> tuple[Handbook | None, list[Problem]]:
    """Read the schema files of the working tree's handbook."""
    contents, problems = [], []
    for name in (SCHEMA_FILE, COMPONENTS_FILE):
        rel = relative(config.handbook_path / name, config.root)
        data, problem = read_source(config.root, rel)
        if problem is not None:
            problems.append(Problem(rel, 1, 1, "schema-missing", Level.ERROR, f"cannot read the handbook schema: {problem.message.removeprefix('cannot read the file: ')}"))
        contents.append(data or b"")
    if problems:
        return None, problems
    paths = [relative(config.handbook_path / name, config.root) for name in (SCHEMA_FILE, COMPONENTS_FILE)]
    handbook, problems = parse_handbook(contents[0], contents[1], schema_path=paths[0], components_path=paths[1])
    if handbook is None and not any(p.is_error for p in problems):
        # An empty document ('---' or '~') parses to nothing without a problem; never let it pass.
        problems = [
            Problem(rel, 1, 1, "schema-empty", Level.ERROR, "the handbook schema file holds an empty document; it must be a mapping of keys")
            for rel, data in zip(paths, contents)
            if read_yaml(data, rel).value is None
        ]
    return handbook, problems


def read_release_handbook(project: git.Project, release: Release, handbook_dir: str) -> tuple[Handbook | None, list[Problem]]:
    """Read a release's handbook schema from git objects; problems name the file as ``tag:path``."""
    schema_rel, components_rel = f"{handbook_dir}/{SCHEMA_FILE}", f"{handbook_dir}/{COMPONENTS_FILE}"
    files = git.read_files_at(project, release.name, (schema_rel, components_rel))
    missing = [rel for rel in (schema_rel, components_rel) if rel not in files]
    if missing:
        return None, [
            Problem(f"{release.name}:{rel}", 1, 1, "schema-missing", Level.ERROR, f"the tag {release.name} has no {rel}; tag only commits with a handbook, or narrow extra.statusbook.version_tags")
            for rel in missing
        ]
    handbook, problems = parse_handbook(files[schema_rel], files[components_rel], schema_path=f"{release.name}:{schema_rel}", components_path=f"{release.name}:{components_rel}")
    return (handbook.with_version(release.name) if handbook else None), problems


def read_governing_handbooks(config: SiteConfig, current: Handbook) -> tuple[GoverningHandbooks, list[Problem]]:
    """Every release's handbook beside the working tree's; the errors of broken releases (a tag cannot be fixed later)."""
    problems: list[Problem] = []
    by_version: dict[str, Handbook] = {}
    with git.open_repository(config.root) as project:
        releases = git.list_releases(project, config.version_tags)
        for release in releases:
            assert project is not None
            handbook, found = read_release_handbook(project, release, config.handbook_dir)
            errors = [p for p in found if p.is_error]
            problems += errors
            if handbook is not None and not errors:
                by_version[release.name] = handbook
    return GoverningHandbooks(current, releases, by_version), problems


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while results pile up, then exempt them from it.

    Results hold no reference cycles and live as long as the command;
    scanning them, while they pile up or at every later full collection,
    costs more than reading them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def check_files(config: SiteConfig, paths: Sequence[str], governing: GoverningHandbooks, cache: ResultCache) -> Iterator[tuple[CheckedFile, str | None]]:
    """Check each file against the handbook that governs it, taking unchanged ones from the cache; yield each with its key.

    One at a time, so the caller keeps only what it needs of each result.
    """
    for rel in paths:
        data, problem = read_source(config.root, rel)
        if problem is not None:
            yield CheckedFile(rel, incident_id(rel), None, None, (problem,)), None
            continue
        key = result_key(rel, data, governing.digest)
        checked = cache.get(key, decode)
        if checked is None:
            checked = check_incident_file(data, rel, governing.for_file(data, rel))
            if cache.enabled:
                cache.put(key, encode(checked))
        yield checked, key
    cache.save()


def validate_repository(config: SiteConfig, *, now: datetime, use_cache: bool = True, only: Sequence[str] | None = None) -> Validation:
    """Validate the handbook schema and every incident file; report everything at once."""
    handbook, problems = read_handbook(config)
    if handbook is None or any(p.is_error for p in problems):
        return Validation(handbook, (), tuple(sorted(problems)))
    paths, file_problems = find_incident_files(config.incidents_path, config.root)
    problems += file_problems
    if only is not None:
        wanted = set(only)
        paths = [p for p in paths if p in wanted]
    governing, release_problems = read_governing_handbooks(config, handbook)
    problems += release_problems
    postmortems, postmortem_problems = read_postmortems(config)
    rules = FileRules(
        handbook,
        now,
        frozenset(governing.version_names),
        lambda incident: governing.handbook_for(governing_version(incident, governing.releases)),
        {p.incident_id: p for p in postmortems},
    )
    files: list[CheckedFile] = []
    fingerprints: dict[str, str] = {}  # incident id -> the key of its result
    folder = repository_cache(config.root) if use_cache else None
    with _collector_paused(), ResultCache(folder / "results.json" if folder else None, code_digest()) as cache:
        for checked, key in check_files(config, paths, governing, cache):
            problems.extend(checked.problems)
            problems.extend(unpublished_translations(checked, config.languages))
            problems.extend(rules.check(checked))
            files.append(checked.without_marks())  # the rules that read them are done
            if checked.incident is not None and key is not None:
                fingerprints[checked.incident.id] = key
    if only is None:  # a selection of files says nothing about the postmortems of the others
        problems += postmortem_problems + orphans(postmortems, {f.id for f in files})
    problems.extend(duplicate_ids(files))
    incidents = tuple(f.incident for f in files if f.incident is not None)
    return Validation(
        handbook,
        tuple(files),
        tuple(sorted(problems)),
        incidents,
        tuple(f.internal for f in files if f.internal is not None),
        {i.id: governing_version(i, governing.releases) for i in incidents},
        fingerprints,
        postmortems=postmortems,
    )


def read_postmortems(config: SiteConfig) -> tuple[tuple[Postmortem, ...], list[Problem]]:
    """Read every postmortem document; what cannot be read is a warning (they never block the public page)."""
    found: list[Postmortem] = []
    problems: list[Problem] = []
    for rel in find_postmortem_files(config.postmortems_path, config.root):
        data, problem = read_source(config.root, rel)
        if problem is not None:
            problems.append(dataclasses.replace(problem, level=Level.WARNING))
            continue
        postmortem, found_problems = read_postmortem(data, rel)
        problems += found_problems
        if postmortem is not None:
            found.append(postmortem)
    return tuple(found), problems


def base_incidents_dir(project: git.Project, sha: str, fallback: str) -> str:
    """Where the base kept its incident files, by its own mkdocs.yml (a change may move them)."""
    data = git.read_files_at(project, sha, [CONFIG_FILE]).get(CONFIG_FILE)
    if data is None:
        return fallback
    try:
        raw = yaml.load(data, Loader=safe_mkdocs_loader())
    except (yaml.YAMLError, ValueError):
        return fallback
    extra = raw.get("extra") if isinstance(raw, dict) else None
    ours = extra.get("statusbook") if isinstance(extra, dict) else None
    folder = ours.get("incidents_dir") if isinstance(ours, dict) else None
    return folder.strip("/") if isinstance(folder, str) and folder.strip("/") and ".." not in folder.split("/") else "incidents"


def history_problems(config: SiteConfig, handbook: Handbook, ref: str) -> tuple[list[Problem], set[str]]:
    """Compare the incident files with what ``ref`` published; also name the files the change touches.

    See :mod:`statusbook.check.append_only`. The base is read at its own
    configuration (a change that moves the incidents folder still compares
    with every published incident), and only what can differ is read: files
    git reports as changed since ``ref``, files that moved, and, when a
    published id is missing, the new files it may have been renamed to.
    """
    current_paths, _ = find_incident_files(config.incidents_path, config.root)
    current_by_id = {incident_id(p): p for p in reversed(current_paths)}
    with git.open_project(config.root) as project:
        if ref == "HEAD" and not git.has_commits(project):
            return [], set(current_paths)  # the first commit: nothing has been published yet
        sha, label = git.resolve_commit(project, ref)
        base_dir = base_incidents_dir(project, sha, config.incidents_dir)
        base_paths = git.list_folder_at(project, sha, base_dir, INCIDENT_SUFFIXES)
        top = project.top
        if top is not None and config.root.resolve().is_relative_to(top.resolve()):
            changed = git.changed_since(project, sha, base_dir) | git.changed_since(project, sha, config.incidents_dir)
        else:  # files unpacked beside a bare repository (a server-side hook): git cannot diff them, so read every published file
            changed = set(base_paths)
        base_ids = {incident_id(p) for p in base_paths}
        missing = [p for p in base_paths if incident_id(p) not in current_by_id]
        read_base = {p for p in base_paths if p in changed or current_by_id.get(incident_id(p)) not in (None, p)} | set(missing)
        base = git.read_folder_at(project, sha, base_dir, INCIDENT_SUFFIXES, only=read_base)
    wanted = {current_by_id[incident_id(p)] for p in read_base if incident_id(p) in current_by_id}
    if missing:
        wanted |= {p for i, p in current_by_id.items() if i not in base_ids}
    current = {}
    for rel in sorted(wanted):
        data, problem = read_source(config.root, rel)
        if problem is None:
            current[rel] = data  # an unreadable file's own check reports it
    published = set(base_paths)
    touched = {p for p in current_paths if p in changed or p not in published}
    return check_history(base, current, handbook, label, base_ids=base_ids, current_ids=set(current_by_id)), touched


def pull_request_problems(config: SiteConfig, validation: Validation, ref: str) -> list[Problem]:
    """What a pull-request check reports: the validation, the append-only record, and process notices only on the files it touches."""
    history, touched = history_problems(config, validation.handbook, ref) if validation.handbook is not None else ([], set())
    kept = [p for p in validation.problems if p.rule not in PROCESS_RULES or p.path in touched]
    return sorted((*kept, *history))


def overdue(config: SiteConfig, now: datetime) -> list[Problem]:
    """The team's own to-do list: postmortems due or overdue, incidents left without updates, maintenance left 'scheduled'."""
    return [p for p in validate_repository(config, now=now).problems if p.rule in PROCESS_RULES]
