"""Every git operation statusbook performs, through GitPython, and nothing that touches your checkout.

Reading a ref reads git objects; publishing writes blobs, trees and one commit
into the object database and moves only ``refs/heads/<branch>`` (compare-and-swap,
so a concurrent publish fails instead of being overwritten). The working tree,
``.git/index`` and ``HEAD`` are never written. Errors carry git's own message and a remedy.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from git import GitCommandError, InvalidGitRepositoryError, NoSuchPathError, Repo
from gitdb import IStream

from statusbook.check.append_only import check_history
from statusbook.check.incident import INCIDENT_SUFFIXES
from statusbook.commands.validate import find_incident_files
from statusbook.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.problems import Problem
from statusbook.errors import GitOpsError

ZERO_SHA = "0" * 40
# Used only when git has no identity configured (a fresh CI runner), so publishing still works there.
FALLBACK_IDENTITY = {"GIT_AUTHOR_NAME": "statusbook", "GIT_AUTHOR_EMAIL": "statusbook@localhost", "GIT_COMMITTER_NAME": "statusbook", "GIT_COMMITTER_EMAIL": "statusbook@localhost"}


def _git_message(exc: GitCommandError) -> str:
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc)
    lines = [ln.strip() for ln in text.strip().strip("'").splitlines() if ln.strip()]
    lines = [ln[len("stderr: ") :] if ln.startswith("stderr: ") else ln for ln in lines]
    return "; ".join(lines) or str(exc)


def _fail(what: str, exc: GitCommandError, remedy: str) -> GitOpsError:
    return GitOpsError(f"{what} failed: git said: {_git_message(exc)}\n  {remedy}")


@dataclass(frozen=True, slots=True)
class Project:
    """An open repository and where the statusbook project sits inside its tree."""

    repo: Repo
    prefix: str  # "" or "sub/dir/": the project root relative to the repository's top

    def tree_path(self, rel: str) -> str:
        return f"{self.prefix}{rel}".strip("/")


@contextmanager
def open_project(root: Path) -> Iterator[Project]:
    """Open the repository holding ``root`` (or ``$GIT_DIR``, as in a server-side hook) and close it after."""
    try:
        repo = Repo(root, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        git_dir = os.environ.get("GIT_DIR")
        if not git_dir:
            raise GitOpsError(f"{root} is not inside a git repository; run git init there, or run statusbook from a clone") from None
        try:
            repo = Repo(os.path.abspath(git_dir))
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise GitOpsError(f"GIT_DIR={git_dir} is not a git repository") from None
    try:
        prefix = ""
        if repo.working_tree_dir is not None and not repo.bare:
            try:
                rel = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
            except ValueError:
                rel = "."
            prefix = "" if rel == "." else rel + "/"
        yield Project(repo, prefix)
    finally:
        repo.close()


def _check_ref_text(ref: str) -> None:
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise GitOpsError(f"{ref!r} is not a git ref; give a branch, tag or commit such as origin/main")


def resolve_commit(project: Project, ref: str) -> tuple[str, str]:
    """Return (commit sha, label for messages); ``REF...`` means the merge base of REF and HEAD."""
    repo = project.repo
    merge_base = ref.endswith("...")
    name = ref[:-3] if merge_base else ref
    _check_ref_text(name)
    try:
        sha = repo.git.rev_parse("--verify", f"{name}^{{commit}}").strip()
    except GitCommandError as exc:
        raise _fail(
            f"finding {name}",
            exc,
            "fetch it first (git fetch origin main); CI checkouts are often shallow, so fetch the base branch or use fetch-depth: 0",
        ) from None
    if merge_base:
        try:
            sha = repo.git.merge_base(sha, "HEAD").strip()
        except GitCommandError as exc:
            raise _fail(f"finding where HEAD branched off {name}", exc, "fetch more history (git fetch --unshallow) or compare with the branch itself") from None
    return sha, f"{ref} ({sha[:12]})"


def read_folder_at(project: Project, sha: str, folder: str, suffixes: tuple[str, ...]) -> dict[str, bytes]:
    """Read every file under a project folder at a commit, from git objects, keyed by project-relative path."""
    tree = project.repo.commit(sha).tree
    try:
        sub = tree / project.tree_path(folder)
    except KeyError:
        return {}
    if sub.type != "tree":
        return {}
    files = {}
    for item in sub.traverse(prune=lambda i, d: i.type == "tree" and PurePosixPath(i.path).name.startswith(".")):
        if item.type != "blob" or (item.mode & 0o170000) != 0o100000:  # regular files only, not symlinks
            continue
        name = PurePosixPath(item.path).name
        if name.startswith(".") or not name.endswith(suffixes):
            continue
        files[item.path[len(project.prefix) :]] = item.data_stream.read()
    return dict(sorted(files.items()))


# --- publishing ---------------------------------------------------------------------------------


def _store(project: Project, kind: str, data: bytes) -> bytes:
    return project.repo.odb.store(IStream(kind, len(data), io.BytesIO(data))).binsha


def write_tree(project: Project, files: Mapping[str, bytes]) -> str:
    """Store files as blobs and trees in the object database (no index involved); return the tree sha."""
    root: dict = {}
    for path in sorted(files):
        parts = PurePosixPath(path).parts
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise GitOpsError(f"{path}: a file and a folder have the same name")
        if parts[-1] in node:
            raise GitOpsError(f"{path}: a file and a folder have the same name")
        node[parts[-1]] = files[path]

    def store_tree(node: dict) -> bytes:
        entries = []
        for name, value in node.items():
            raw = name.encode("utf-8")
            if isinstance(value, dict):
                entries.append((raw + b"/", b"40000 " + raw, store_tree(value)))
            else:
                entries.append((raw, b"100644 " + raw, _store(project, "blob", value)))
        entries.sort(key=lambda e: e[0])  # git orders entries by name, folders as if they ended in "/"
        return _store(project, "tree", b"".join(head + b"\0" + sha for _, head, sha in entries))

    return store_tree(root).hex()


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What a publish did: the new commit (None when nothing changed) and whether it pushed."""

    branch: str
    commit: str | None
    parent: str | None
    pushed: bool
    remote: str | None


def _ref_sha(project: Project, ref: str) -> str | None:
    try:
        return project.repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}").strip() or None
    except GitCommandError:
        return None


def _has_identity(project: Project) -> bool:
    try:
        project.repo.git.var("GIT_COMMITTER_IDENT")
        project.repo.git.var("GIT_AUTHOR_IDENT")
    except GitCommandError:
        return False
    return True


def fetch_branch(project: Project, remote: str, branch: str) -> str | None:
    """Fetch the remote's branch into refs/remotes/<remote>/<branch>; return its sha, None when it has none."""
    git = project.repo.git
    try:
        listing = git.ls_remote("--heads", remote, f"refs/heads/{branch}")
    except GitCommandError as exc:
        raise _fail(f"reaching remote {remote!r}", exc, "check the remote's name and URL (git remote -v) and your access to it") from None
    if not listing.strip():
        return None
    try:
        git.fetch("--quiet", "--no-tags", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    except GitCommandError as exc:
        raise _fail(f"fetching {branch} from {remote}", exc, "check your network and access to the remote, then publish again") from None
    return _ref_sha(project, f"refs/remotes/{remote}/{branch}")


def _divergence(project: Project, local: str, remote: str) -> tuple[int, int]:
    counts = project.repo.git.rev_list("--left-right", "--count", f"{local}...{remote}").split()
    return int(counts[0]), int(counts[1])


def publish_files(
    root: Path,
    files: Mapping[str, bytes],
    *,
    branch: str = "gh-pages",
    message: str,
    remote: str | None = None,
) -> PublishResult:
    """Commit ``files`` as the whole tree of ``branch`` and optionally push it, refusing to overwrite others' work."""
    _check_ref_text(branch)
    ref = f"refs/heads/{branch}"
    with open_project(root) as project:
        git = project.repo.git
        try:
            git.check_ref_format(ref)
        except GitCommandError:
            raise GitOpsError(f"{branch!r} is not a valid branch name") from None
        if remote is not None:
            _check_ref_text(remote)
            if remote not in [r.name for r in project.repo.remotes]:
                raise GitOpsError(f"there is no remote called {remote!r}; add it with git remote add {remote} <url>, or name another with --push REMOTE")
        local = _ref_sha(project, ref)
        remote_sha = fetch_branch(project, remote, branch) if remote is not None else None
        parent = local
        if remote_sha is not None:
            if local is None:
                parent = remote_sha  # a fresh clone: build on what is published
            elif local != remote_sha and not project.repo.is_ancestor(remote_sha, local):
                ours, theirs = _divergence(project, local, remote_sha)
                raise GitOpsError(
                    f"{remote}/{branch} has {theirs} commit{'s' if theirs != 1 else ''} that your local {branch} does not have"
                    f"{f' (and yours has {ours} it does not have)' if ours else ''}: someone else published, or the branch was changed by hand. "
                    f"Nothing was committed or pushed, and statusbook never force-pushes.\n"
                    f"  Look at them with: git log {branch}..{remote}/{branch}\n"
                    f"  To publish on top of them: git branch -f {branch} {remote}/{branch} (this drops your {ours} unpushed publish commit{'s' if ours != 1 else ''}), then publish again."
                )
        tree = write_tree(project, files)
        commit = None
        if parent is None or project.repo.commit(parent).tree.hexsha != tree:
            args = [tree, "-m", message]
            if parent is not None:
                args += ["-p", parent]
            env = None if _has_identity(project) else {**os.environ, **FALLBACK_IDENTITY}
            try:
                commit = git.commit_tree(*args, env=env).strip()
                # Compare-and-swap: fails if the branch moved since we read it; HEAD and the index stay as they are.
                git.update_ref("-m", "statusbook publish", ref, commit, local or ZERO_SHA)
            except GitCommandError as exc:
                raise _fail(f"committing to {branch}", exc, "another publish may have run at the same time; run statusbook publish again") from None
        pushed = False
        if remote is not None:
            head = commit or local
            if head is not None and head != remote_sha:
                try:
                    git.push("--quiet", "--porcelain", remote, f"{ref}:{ref}")
                except GitCommandError as exc:
                    raise _fail(
                        f"pushing {branch} to {remote}",
                        exc,
                        f"if the remote changed meanwhile, run statusbook publish --push {remote} again (it refuses if the branches diverged); it never force-pushes",
                    ) from None
                pushed = True
        return PublishResult(branch, commit, parent, pushed, remote)


def source_commit(root: Path) -> tuple[str, str | None]:
    """Return HEAD's sha and the checked-out branch's name (None when HEAD is detached)."""
    with open_project(root) as project:
        repo = project.repo
        try:
            sha = repo.head.commit.hexsha
        except ValueError:
            raise GitOpsError("the repository has no commits yet; commit the incidents and handbook, then publish") from None
        return sha, None if repo.head.is_detached else repo.head.ref.name


def history_problems(config: SiteConfig, handbook: Handbook, ref: str) -> list[Problem]:
    """Compare the incident files on disk with their versions at ``ref`` (see :mod:`statusbook.check.append_only`)."""
    with open_project(config.root) as project:
        if ref == "HEAD" and not project.repo.head.is_valid():
            return []  # the first commit: nothing has been published yet
        sha, label = resolve_commit(project, ref)
        base = read_folder_at(project, sha, config.incidents_dir, INCIDENT_SUFFIXES)
    paths, _ = find_incident_files(config.incidents_path, config.root)
    current = {}
    for rel in paths:
        try:
            current[rel] = (config.root / rel).read_bytes()
        except OSError:
            continue  # the file's own check reports it as unreadable
    return check_history(base, current, handbook, label)
