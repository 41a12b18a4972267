"""``statusbook publish``: commit the built site to a branch without touching the checkout, and optionally push it.

The site is built afresh into a scratch folder (or taken from ``--site``),
stored as git objects and committed on top of the branch, which only moves
when it still points where it did (compare-and-swap). With a remote, the
branch is fetched first and a publish refuses to push over commits it does
not have: it never forces.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from statusbook.commands.build import build
from statusbook.core.config import SiteConfig
from statusbook.errors import GitOpsError, UsageError
from statusbook.io import git
from statusbook.io.files import read_tree
from statusbook.io.ledger import LEDGER_PATH
from statusbook.io.writer import SITE_MARKER

_DOMAIN = re.compile(r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What a publish did: the new commit (None when nothing changed) and whether it pushed."""

    branch: str
    commit: str | None
    parent: str | None
    pushed: bool
    remote: str | None
    files: int


def check_domain(cname: str) -> None:
    if not _DOMAIN.fullmatch(cname):
        raise UsageError(f"--cname: {cname!r} is not a domain name; give the bare host, like status.example.com")


def site_files(config: SiteConfig, site_dir: Path | None, *, strict: bool, progress: Callable[[str], None]) -> dict[str, bytes]:
    """The files to publish: an already built folder, or a fresh build in a scratch folder (your site/ is left alone)."""
    if site_dir is not None:
        return {path: data for path, data in read_tree(site_dir).items() if path != SITE_MARKER}
    with tempfile.TemporaryDirectory(prefix="statusbook-publish-") as scratch:
        result = build(config, out_dir=Path(scratch) / "site", strict=strict, progress=progress, use_cache=False)
        return {path: data for path, data in read_tree(result.target).items() if path != SITE_MARKER}


def keep_announcement_record(project: git.Project, files: dict[str, bytes], parent: str | None) -> dict[str, bytes]:
    """Carry statusbook notify's record of what was announced (:mod:`statusbook.io.ledger`) from the published commit into the new site.

    The record lives on the published branch so every clone knows it; a new
    site commit that dropped it would make the next notify start afresh.
    """
    record = git.read_blob(project, parent, LEDGER_PATH) if parent is not None else None
    return files if record is None else {**files, LEDGER_PATH: record}


def commit_site(project: git.Project, files: dict[str, bytes], *, branch: str, message: str, remote: str | None) -> PublishResult:
    """Commit ``files`` as the whole tree of ``branch`` and optionally push it, refusing to overwrite others' work."""
    ref = git.check_branch_name(project, branch)
    if remote is not None:
        git.check_remote(project, remote)
    local = git.ref_sha(project, ref)
    remote_sha = git.fetch_branch(project, remote, branch) if remote is not None else None
    parent = local
    if remote_sha is not None:
        if local is None:
            parent = remote_sha  # a fresh clone: build on what is published
        elif local != remote_sha and not git.is_ancestor(project, remote_sha, local):
            ours, theirs = git.divergence(project, local, remote_sha)
            raise GitOpsError(
                f"{remote}/{branch} has {theirs} commit{'s' if theirs != 1 else ''} that your local {branch} does not have"
                f"{f' (and yours has {ours} it does not have)' if ours else ''}: someone else published, or the branch was changed by hand. "
                f"Nothing was committed or pushed, and statusbook never force-pushes.\n"
                f"  Look at them with: git log {branch}..{remote}/{branch}\n"
                f"  To publish on top of them: git branch -f {branch} {remote}/{branch} (this drops your {ours} unpushed publish commit{'s' if ours != 1 else ''}), then publish again."
            )
    files = keep_announcement_record(project, files, parent)
    tree = git.write_tree(project, files)
    commit = None
    if parent is None or git.tree_of(project, parent) != tree:
        commit = git.commit_tree(project, tree, parent, message)
        git.move_ref(project, ref, commit, local)
    pushed = False
    head = commit or local
    if remote is not None and head is not None and head != remote_sha:
        git.push(project, remote, ref)
        pushed = True
    return PublishResult(branch, commit, parent, pushed, remote, len(files))


def publish(
    config: SiteConfig,
    *,
    branch: str = "gh-pages",
    remote: str | None = None,
    cname: str | None = None,
    message: str | None = None,
    site_dir: Path | None = None,
    strict: bool = False,
    progress: Callable[[str], None] = lambda text: None,
) -> PublishResult:
    """Build (or take) the site and commit it to ``branch``; see the module's description."""
    if cname is not None:
        check_domain(cname)
    with git.open_project(config.root) as project:
        sha, source_branch = git.head_commit(project)
    files = site_files(config, site_dir, strict=strict, progress=progress)
    files[".nojekyll"] = b""
    if cname is not None:
        files["CNAME"] = f"{cname}\n".encode()
    title = message or f"Publish {sha}" + (f" from {source_branch}" if source_branch else "")
    body = "" if sha in title else f"\n\nSource commit: {sha}"
    with git.open_project(config.root) as project:
        return commit_site(project, files, branch=branch, message=title + body + "\n", remote=remote)
