"""``statusbook publish``: commit the built site to a branch without touching the checkout, and optionally push it.

Publishing never loses or mislabels what is public:

- it publishes what HEAD holds: a working tree with changes to the inputs
  (incidents, handbook, mkdocs.yml, theme; untracked and ignored files
  included) is refused, since the commit message names HEAD's sha;
- it refuses a branch that holds source (the checked-out branch, or one with
  the project's mkdocs.yml), so it never commits a site onto ``main``;
- files on the branch that statusbook did not write (a CNAME, another tool's
  folder) are kept; what statusbook wrote is listed in ``.statusbook/published.json``;
- a released handbook version on the branch that this build does not make
  (a clone without tags) stops the publish with the remedy, unless it is
  dropped on purpose with ``--drop-version``;
- with a remote, the branch is fetched first and a publish refuses to push
  over commits it does not have (before building anything): it never forces.

The site is built afresh into a scratch folder (or taken from ``--site``),
stored as git objects and committed on top of the branch, which only moves
when it still points where it did (compare-and-swap).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from statusbook.commands.build import build, input_paths
from statusbook.core import urls
from statusbook.core.config import CONFIG_FILE, SiteConfig
from statusbook.core.versions import DEV
from statusbook.errors import GitOpsError, UsageError
from statusbook.io import git
from statusbook.io.files import read_tree
from statusbook.io.ledger import LEDGER_PATH
from statusbook.io.site_folders import SITE_MARKER
from statusbook.io.site_kind import check_internal_publish, is_internal_site

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
    kept: tuple[str, ...] = field(default=())  # files on the branch statusbook did not write, carried into the new commit


def check_domain(cname: str) -> None:
    if not _DOMAIN.fullmatch(cname):
        raise UsageError(f"--cname: {cname!r} is not a domain name; give the bare host, like status.example.com")


def keep_announcement_record(project: git.Project, files: dict[str, bytes], parent: str | None) -> dict[str, bytes]:
    """Carry statusbook notify's record of what was announced (:mod:`statusbook.io.ledger`) from the published commit into the new site.

    The record lives on the published branch so every clone knows it; a new
    site commit that dropped it would make the next notify start afresh.
    """
    record = git.read_blob(project, parent, LEDGER_PATH) if parent is not None else None
    return files if record is None else {**files, LEDGER_PATH: record}


MANIFEST = ".statusbook/published.json"


def published_versions(files: dict[str, bytes]) -> set[str]:
    """The handbook versions a site lists in its ``versions.json`` (dev and aliases aside)."""
    try:
        entries = json.loads(files.get(urls.HANDBOOK + "versions.json", b"[]"))
    except ValueError:
        return set()
    return {e["version"] for e in entries if isinstance(e, dict) and isinstance(e.get("version"), str) and e["version"] != DEV}


def _refuse_source_branch(project: git.Project, branch: str, source_branch: str | None, tips: Collection[str]) -> None:
    if branch == source_branch:
        raise GitOpsError(f"{branch!r} is the branch you have checked out, which holds your source; publish to a branch of its own, like gh-pages")
    marker = project.tree_path(CONFIG_FILE)
    for tip in tips:
        if git.has_entry(project, tip, marker):
            raise GitOpsError(f"{branch!r} holds source ({marker} is on it); statusbook never commits a site over source: publish to a branch of its own, like gh-pages")


def merge_with_published(project: git.Project, files: dict[str, bytes], parent: str | None, drop: Collection[str]) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The new site plus what the branch holds that statusbook did not write; refuse to drop a published version.

    Returns the files to commit (with the manifest of statusbook's own) and
    the paths kept from the branch.
    """
    ours = dict(files)
    ours[MANIFEST] = (json.dumps({"paths": sorted(files)}, indent=0) + "\n").encode()
    if parent is None:
        return ours, ()
    listed = git.list_tree(project, parent)
    previous = git.read_blobs(project, parent, [MANIFEST, urls.HANDBOOK + "versions.json"])
    try:
        wrote = set(json.loads(previous.get(MANIFEST, b"{}")).get("paths", []))
    except (ValueError, AttributeError):
        wrote = set()
    missing = published_versions(previous) - published_versions(files) - set(drop)
    if missing:
        shown = ", ".join(sorted(missing))
        raise GitOpsError(
            f"the published site has handbook version{'s' if len(missing) > 1 else ''} {shown} that this build does not make: "
            "the clone has no such tag (a shallow or --no-tags checkout). Nothing was committed.\n"
            "  Fetch the tags (git fetch --tags; in GitHub Actions: actions/checkout with fetch-depth: 0; in GitLab: GIT_DEPTH: \"0\"), then publish again;\n"
            f"  or, to withdraw {'them' if len(missing) > 1 else 'it'} on purpose: statusbook publish --drop-version {' --drop-version '.join(sorted(missing))}"
        )
    dropped = {f"{urls.HANDBOOK}{name}/" for name in drop}
    kept = [
        path
        for path in listed
        if path not in ours and path not in wrote and not path.startswith(".statusbook/") and not any(path.startswith(folder) for folder in dropped)
    ]
    ours.update(git.read_blobs(project, parent, kept))
    return ours, tuple(kept)


def commit_site(
    project: git.Project,
    files: dict[str, bytes],
    *,
    branch: str,
    message: str,
    remote: str | None,
    parent: str | None,
    local: str | None,
    remote_sha: str | None,
    drop: Collection[str] = (),
) -> PublishResult:
    """Commit ``files`` (with what the branch holds that is not ours) as the tree of ``branch``, and push it if asked."""
    ref = f"refs/heads/{branch}"
    files = keep_announcement_record(project, files, parent)
    files, kept = merge_with_published(project, files, parent, drop)
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
    return PublishResult(branch, commit, parent, pushed, remote, len(files), kept)


def branch_state(project: git.Project, branch: str, remote: str | None) -> tuple[str | None, str | None, str | None]:
    """(parent, local tip, remote tip) of the publishing branch; refuse a remote that has commits we lack."""
    ref = git.check_branch_name(project, branch)
    if remote is not None:
        git.check_remote(project, remote)
    local = git.ref_sha(project, ref)
    remote_sha = git.fetch_branch(project, remote, branch) if remote is not None else None
    parent = local
    if remote_sha is not None:
        if local is None or git.is_ancestor(project, local, remote_sha):
            parent = remote_sha  # a fresh clone, or one behind what is published: build on what is published
        elif not git.is_ancestor(project, remote_sha, local):
            ours, theirs = git.divergence(project, local, remote_sha)
            raise GitOpsError(
                f"{remote}/{branch} has {theirs} commit{'s' if theirs != 1 else ''} that your local {branch} does not have"
                f"{f' (and yours has {ours} it does not have)' if ours else ''}: someone else published, or the branch was changed by hand. "
                f"Nothing was committed or pushed, and statusbook never force-pushes.\n"
                f"  Look at them with: git log {branch}..{remote}/{branch}\n"
                f"  To publish on top of them: git branch -f {branch} {remote}/{branch} (this drops your {ours} unpushed publish commit{'s' if ours != 1 else ''}), then publish again."
            )
    return parent, local, remote_sha


def publish(
    config: SiteConfig,
    *,
    branch: str = "gh-pages",
    remote: str | None = None,
    cname: str | None = None,
    message: str | None = None,
    site_dir: Path | None = None,
    strict: bool = False,
    now: datetime | None = None,
    drop_versions: Collection[str] = (),
    progress: Callable[[str], None] = lambda text: None,
) -> PublishResult:
    """Check the branch and the checkout, build (or take) the site and commit it to ``branch``; see the module's description."""
    if cname is not None:
        check_domain(cname)
    if site_dir is not None and is_internal_site(site_dir):
        check_internal_publish(branch, remote)  # the internal site only ever goes to a branch and remote of its own
    with git.open_project(config.root) as project:
        sha, source_branch = git.head_commit(project)
        if site_dir is None:
            dirty = git.dirty_paths(project, (*input_paths(config), config.incidents_dir))
            if dirty:
                shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
                raise GitOpsError(f"the working tree differs from HEAD ({sha[:12]}) in {shown}; publish names the commit it published, so commit (or stash) these first")
        parent, local, remote_sha = branch_state(project, branch, remote)
        _refuse_source_branch(project, branch, source_branch, [tip for tip in (local, remote_sha) if tip])
    if site_dir is not None:
        files = {path: data for path, data in read_tree(site_dir).items() if path != SITE_MARKER}
    else:
        with tempfile.TemporaryDirectory(prefix="statusbook-publish-") as scratch:
            result = build(config, out_dir=Path(scratch) / "site", strict=strict, now=now, progress=progress, use_cache=False)
            files = {path: data for path, data in read_tree(result.target).items() if path != SITE_MARKER}
    files[".nojekyll"] = b""
    if cname is not None:
        files["CNAME"] = f"{cname}\n".encode()
    title = message or f"Publish {sha}" + (f" from {source_branch}" if source_branch else "")
    body = "" if sha in title else f"\n\nSource commit: {sha}"
    with git.open_project(config.root) as project:
        result = commit_site(project, files, branch=branch, message=title + body + "\n", remote=remote, parent=parent, local=local, remote_sha=remote_sha, drop=drop_versions)
    if result.kept:
        progress(f"kept {len(result.kept)} file{'s' if len(result.kept) != 1 else ''} on {branch} that statusbook did not write: {', '.join(result.kept[:5])}{' ...' if len(result.kept) > 5 else ''}")
    return result
