"""A real git repository with two handbook releases, built the way `statusbook build` builds it.

Shared by the handbook's functional and browser tests through the session
fixture ``versioned_handbook`` in conftest.py, because every MkDocs build costs
about a second on the shared machine. The repository holds the real handbook
pages, mkdocs.yml and theme, with:

- ``v1.0`` (lightweight tag, 2026-01-10): the handbook as it is, but in English
  only, as releases were before the handbook had languages: no ``*.nl.md``
  pages and no i18n plugin in mkdocs.yml (the schema keeps its translations);
- ``v1.1`` (annotated tag, 2026-03-10): SEV2 described in new words, SEV3
  renamed LOW, a new page ``changes.md`` (no Dutch twin), a line added to
  ``severity.md``, the Dutch pages and the i18n plugin;
- ``main`` (2026-04-10, untagged): the detect phase described in new words,
  so the working tree (``dev``) differs from both releases;
- ``old-1`` (not matching ``v*``): must be ignored.

It is built four times, counting engine builds: cold, warm, after an uncommitted
schema edit, and after undoing that edit.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SEV2_OLD = "A major incident with significant impact on some customers."
SEV2_NEW = "A major incident that hurts a subset of customers, in the wording of v1.1."
DETECT_OLD = "Notice that something is wrong and record it as an incident before doing anything else."
DETECT_DEV = "Notice that something is wrong and record it, in the wording of the development version."
SEV1_OLD = "A critical incident with very large impact on customers."
SEV1_EDIT = "A critical incident, in words not yet committed."
CHANGES_PAGE = "# What changed in v1.1\n\nThe minor severity level is now called LOW.\n"
# mkdocs.yml's i18n plugin entry, from its comment to the end of its nav translations.
I18N_PLUGIN = re.compile(r"  # The handbook in English and Dutch.*?\n(?=[a-z_]+:)", re.S)


def english_only(root: Path) -> None:
    """Make the copied handbook one from before it had languages: no Dutch pages, no i18n plugin."""
    for page in (root / "handbook").rglob("*.nl.md"):
        page.unlink()
    config = root / "mkdocs.yml"
    text, found = I18N_PLUGIN.subn("", config.read_text(encoding="utf-8"))
    assert found == 1, "mkdocs.yml configures the i18n plugin once"
    config.write_text(text, encoding="utf-8")


def git(cwd: Path, *args: str, date: str = "2026-01-10T12:00:00Z") -> str:
    """Run git with a fixed identity and clock."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_release_history(root: Path, *, pages: bool) -> None:
    """Create the repository: the real handbook (schema only unless ``pages``), tagged v1.0 and v1.1, then one more commit."""
    root.mkdir(parents=True)
    if pages:
        shutil.copytree(REPO / "handbook", root / "handbook")
        shutil.copytree(REPO / "theme", root / "theme")
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        english_only(root)
    else:
        (root / "handbook").mkdir()
        for name in ("schema.yml", "components.yml"):
            shutil.copy(REPO / "handbook" / name, root / "handbook" / name)
    (root / ".gitignore").write_text("/site/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Handbook 1.0")
    git(root, "tag", "v1.0")
    git(root, "tag", "old-1")

    schema = root / "handbook" / "schema.yml"
    replace_in(schema, SEV2_OLD, SEV2_NEW)
    replace_in(schema, "  - id: SEV3\n", "  - id: LOW\n")
    if pages:
        for page in (REPO / "handbook").rglob("*.nl.md"):
            shutil.copy(page, root / page.relative_to(REPO))
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        (root / "handbook" / "changes.md").write_text(CHANGES_PAGE, encoding="utf-8")
        replace_in(root / "mkdocs.yml", "\nnav:\n", "\nnav:\n  - What changed: changes.md\n")
        with (root / "handbook" / "severity.md").open("a", encoding="utf-8") as handle:
            handle.write("\nSince v1.1 the minor level is called LOW.\n")
    when = "2026-03-10T12:00:00Z"
    git(root, "add", "-A", date=when)
    git(root, "commit", "-q", "-m", "Handbook 1.1", date=when)
    git(root, "tag", "-a", "v1.1", "-m", "Release 1.1", date=when)

    replace_in(schema, DETECT_OLD, DETECT_DEV)
    when = "2026-04-10T12:00:00Z"
    git(root, "commit", "-q", "-am", "Reword detect", date=when)


def tree_digest(root: Path) -> str:
    """Hash every file of the working tree (not .git, not the cache)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".git/"):
            digest.update(rel.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class Build:
    """One handbook build: its files, how many versions the engine built, and its progress messages."""

    files: dict[str, bytes]
    engine_builds: int
    messages: list[str] = field(default_factory=list)


@dataclass
class VersionedHandbook:
    root: Path
    cold: Build
    warm: Build
    edited: Build
    undone: Build
    git_before: tuple[str, str, bytes, str]  # status, HEAD, .git/index bytes, working tree digest
    git_after: tuple[str, str, bytes, str]
    store: Path | None = None  # where the built versions are kept between builds (in the per-user cache)


def _git_state(root: Path) -> tuple[str, str, bytes, str]:
    return git(root, "status", "--porcelain"), git(root, "rev-parse", "HEAD"), (root / ".git" / "index").read_bytes(), tree_digest(root)


def render(root: Path) -> Build:
    """Build the handbook part as `statusbook build` does, counting the versions the engine builds."""
    from statusbook.commands.build import handbook_part
    from statusbook.handbook import site
    from statusbook.io.cache import repository_cache
    from statusbook.io.config_file import load_config

    config = load_config(root)
    messages: list[str] = []
    runs: list[object] = []
    original = site.run_engine

    def counting(engine: str, jobs: list) -> list:
        runs.extend(jobs)
        return original(engine, jobs)

    site.run_engine = counting
    try:
        outputs = handbook_part(config, datetime(2026, 4, 10, 12, tzinfo=UTC), messages.append, repository_cache(root) / "handbook")
        files = {o.path: o.render() for o in outputs}
    finally:
        site.run_engine = original
    return Build(files, len(runs), messages)


def build_versioned_handbook(base: Path) -> VersionedHandbook:
    root = base / "repo"
    make_release_history(root, pages=True)
    git(root, "status", "--porcelain")  # let git refresh its index before we compare it
    before = _git_state(root)
    cold = render(root)
    after = _git_state(root)
    warm = render(root)
    schema = root / "handbook" / "schema.yml"
    original = schema.read_bytes()
    replace_in(schema, SEV1_OLD, SEV1_EDIT)
    edited = render(root)
    schema.write_bytes(original)
    undone = render(root)
    from statusbook.io.cache import repository_cache

    return VersionedHandbook(root, cold, warm, edited, undone, before, after, repository_cache(root) / "handbook")
