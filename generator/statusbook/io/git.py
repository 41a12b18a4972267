"""Every git operation statusbook performs, through GitPython, and nothing that touches your checkout.

Reading a revision reads git objects; publishing writes blobs, trees (through
a throwaway index, never ``.git/index``) and one commit into the object
database and moves only ``refs/heads/<branch>``, compare-and-swap, so a
concurrent publish fails instead of being overwritten. The working tree,
``.git/index`` and ``HEAD`` are never written. Errors carry git's own message
and a remedy. This module knows git, not incidents: it returns paths, bytes,
dates and shas.
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path, PurePosixPath

from git import GitCommandError, InvalidGitRepositoryError, NoSuchPathError, Repo
from git.index import IndexFile
from git.index.typ import BaseIndexEntry
from git.objects.fun import tree_entries_from_data, tree_to_stream
from gitdb import IStream

from statusbook.core.versions import Release, is_version_name, newest_first
from statusbook.errors import GitOpsError

ZERO_SHA = "0" * 40
REGULAR_FILE = 0o100644
TREE_MODE = 0o040000
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

    @property
    def top(self) -> Path | None:
        return Path(self.repo.working_tree_dir) if self.repo.working_tree_dir else None


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


@contextmanager
def open_repository(root: Path) -> Iterator[Project | None]:
    """Open the repository holding ``root``, or give None when it is not in one."""
    try:
        manager = open_project(root)
        project = manager.__enter__()
    except GitOpsError:
        yield None
        return
    try:
        yield project
    finally:
        manager.__exit__(None, None, None)


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


def has_commits(project: Project) -> bool:
    return project.repo.head.is_valid()


# --- reading revisions ------------------------------------------------------------------------------


REGULAR_MODES = frozenset({"100644", "100755"})  # git's modes of regular files (not links, not submodules)


def _is_regular(item: object) -> bool:
    return getattr(item, "type", "") == "blob" and (item.mode & 0o170000) == 0o100000  # type: ignore[attr-defined]


def _walk(project: Project, rev: str, folder: str) -> Iterator[object]:
    """The regular files under a project folder at a revision (hidden folders and files left out)."""
    try:
        sub = project.repo.commit(rev).tree / project.tree_path(folder)
    except KeyError:
        return
    if sub.type != "tree":
        return
    for item in sub.traverse(prune=lambda i, d: i.type == "tree" and PurePosixPath(i.path).name.startswith(".")):
        if _is_regular(item) and not PurePosixPath(item.path).name.startswith("."):
            yield item


def list_folder_at(project: Project, rev: str, folder: str, suffixes: tuple[str, ...] = ("",)) -> list[str]:
    """The project-relative paths of the regular files under a folder at a revision, without reading them.

    One ``git ls-tree`` lists ten thousand files in a blink; walking tree objects in Python takes a third of a second.
    """
    base = project.tree_path(folder)
    try:
        out = project.repo.git.ls_tree("-r", "-z", rev, "--", base or ".")
    except GitCommandError as exc:
        raise _fail(f"listing {folder} at {rev[:12]}", exc, "check that the revision exists (git fetch) and try again") from None
    cut = len(project.prefix)
    found = []
    for entry in out.split("\0"):
        meta, _, path = entry.partition("\t")
        if not path or meta.split(" ")[0] not in REGULAR_MODES or not path.endswith(suffixes):
            continue
        inside = path[len(base) :].lstrip("/").split("/") if base else path.split("/")
        if not any(part.startswith(".") for part in inside):  # hidden folders and files are left out, as in _walk
            found.append(path[cut:])
    return sorted(found)


def read_folder_at(project: Project, rev: str, folder: str, suffixes: tuple[str, ...] = ("",), *, only: Iterable[str] | None = None) -> dict[str, bytes]:
    """Read the files under a project folder at a revision, keyed by project-relative path (``only``: just these)."""
    wanted = set(only) if only is not None else None
    if wanted is not None:  # a few files out of thousands: look each up instead of walking the folder
        listed = set(list_folder_at(project, rev, folder, suffixes))
        commit = project.repo.commit(rev)
        return {rel: (commit.tree / project.tree_path(rel)).data_stream.read() for rel in sorted(wanted & listed)}
    cut = len(project.prefix)
    files = {}
    for item in _walk(project, rev, folder):
        rel = item.path[cut:]
        if rel.endswith(suffixes) and (wanted is None or rel in wanted):
            files[rel] = item.data_stream.read()
    return dict(sorted(files.items()))


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
            files.update(read_folder_at(project, commit.hexsha, path))
        elif _is_regular(item):
            files[path] = item.data_stream.read()
    return dict(sorted(files.items()))


def changed_since(project: Project, rev: str, folder: str) -> set[str]:
    """Project-relative paths under ``folder`` whose content in the working tree differs from ``rev`` (deleted ones too)."""
    try:
        out = project.repo.git.diff("--name-only", "--no-renames", "-z", rev, "--", project.tree_path(folder) or ".")
    except GitCommandError as exc:
        raise _fail(f"comparing the working tree with {rev[:12]}", exc, "check that the revision exists (git fetch) and try again") from None
    cut = len(project.prefix)
    return {name[cut:] for name in out.split("\0") if name}


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


def commit_time(project: Project | None, rev: str | None = None) -> datetime | None:
    """Return when a revision (HEAD when None) was committed, or None without commits."""
    if project is None:
        return None
    try:
        return datetime.fromtimestamp(project.repo.commit(rev or "HEAD").committed_date, tz=UTC)
    except (ValueError, GitCommandError):
        return None


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


def head_commit(project: Project) -> tuple[str, str | None]:
    """Return HEAD's sha and the checked-out branch's name (None when HEAD is detached)."""
    repo = project.repo
    try:
        sha = repo.head.commit.hexsha
    except ValueError:
        raise GitOpsError("the repository has no commits yet; commit the incidents and handbook, then publish") from None
    return sha, None if repo.head.is_detached else repo.head.ref.name


def user_name(project: Project | None) -> str:
    """The configured ``user.name``, or "" when git has none."""
    if project is None:
        return ""
    try:
        return project.repo.git.config("user.name").strip()
    except GitCommandError:
        return ""


# --- publishing ---------------------------------------------------------------------------------


def ref_sha(project: Project, ref: str) -> str | None:
    try:
        return project.repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}").strip() or None
    except GitCommandError:
        return None


def write_tree(project: Project, files: Mapping[str, bytes]) -> str:
    """Store files as blobs and a tree through a throwaway index (never ``.git/index``); return the tree sha."""
    odb = project.repo.odb
    entries = []
    for path in sorted(files):
        data = files[path]
        binsha = odb.store(IStream("blob", len(data), BytesIO(data))).binsha
        entries.append(BaseIndexEntry((REGULAR_FILE, binsha, 0, path)))
    with tempfile.TemporaryDirectory(prefix="statusbook-index-") as scratch:
        index = IndexFile(project.repo, file_path=os.path.join(scratch, "index"))
        try:
            index.add(entries, write=False)
        except (ValueError, OSError) as exc:
            raise GitOpsError(f"the site cannot be stored in git: {exc}") from None
        return index.write_tree().hexsha


def tree_files(project: Project, rev: str) -> dict[str, bytes]:
    """Every file of a commit's tree (the published site), keyed by path."""
    return {item.path: item.data_stream.read() for item in project.repo.commit(rev).tree.traverse() if getattr(item, "type", "") == "blob"}


def list_tree(project: Project, rev: str) -> list[str]:
    """Every file path of a commit's tree, without reading a file."""
    return sorted(item.path for item in project.repo.commit(rev).tree.traverse() if getattr(item, "type", "") == "blob")


def has_entry(project: Project, rev: str, path: str) -> bool:
    """Whether a commit's tree holds ``path`` (file or folder, from the tree's top)."""
    try:
        project.repo.commit(rev).tree / path
    except (KeyError, ValueError):
        return False
    return True


def dirty_paths(project: Project, paths: Iterable[str]) -> list[str]:
    """Project paths under ``paths`` that differ from HEAD: modified, staged, untracked or ignored files."""
    specs = [project.tree_path(p) or "." for p in paths]
    try:
        out = project.repo.git.status("--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", *specs)
    except GitCommandError as exc:
        raise _fail("listing changes in the working tree", exc, "check that git works in this repository (git status)") from None
    found, entries, skip = [], out.split("\0"), False
    for entry in entries:
        if skip or len(entry) < 4:
            skip = False
            continue
        code, path = entry[:2], entry[3:]
        skip = code[0] in "RC"  # a rename or copy is followed by its old path
        found.append(path[len(project.prefix) :] if path.startswith(project.prefix) else path)
    return sorted(found)


def tree_of(project: Project, rev: str) -> str:
    return project.repo.commit(rev).tree.hexsha


def has_identity(project: Project) -> bool:
    try:
        project.repo.git.var("GIT_COMMITTER_IDENT")
        project.repo.git.var("GIT_AUTHOR_IDENT")
    except GitCommandError:
        return False
    return True


def check_branch_name(project: Project, branch: str) -> str:
    """Return ``refs/heads/<branch>`` for a valid branch name, else refuse."""
    _check_ref_text(branch)
    ref = f"refs/heads/{branch}"
    try:
        project.repo.git.check_ref_format(ref)
    except GitCommandError:
        raise GitOpsError(f"{branch!r} is not a valid branch name") from None
    return ref


def check_remote(project: Project, remote: str) -> None:
    _check_ref_text(remote)
    if remote not in [r.name for r in project.repo.remotes]:
        raise GitOpsError(f"there is no remote called {remote!r}; add it with git remote add {remote} <url>, or name another with --push REMOTE")


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
    return ref_sha(project, f"refs/remotes/{remote}/{branch}")


def is_ancestor(project: Project, older: str, newer: str) -> bool:
    return project.repo.is_ancestor(older, newer)


def divergence(project: Project, local: str, remote: str) -> tuple[int, int]:
    """How many commits each side has that the other lacks: (local's, remote's)."""
    counts = project.repo.git.rev_list("--left-right", "--count", f"{local}...{remote}").split()
    return int(counts[0]), int(counts[1])


def commit_tree(project: Project, tree: str, parent: str | None, message: str) -> str:
    """Write a commit of ``tree`` on ``parent`` (with a fallback identity on a runner that has none)."""
    args = [tree, "-m", message]
    if parent is not None:
        args += ["-p", parent]
    env = None if has_identity(project) else {**os.environ, **FALLBACK_IDENTITY}
    try:
        return project.repo.git.commit_tree(*args, env=env).strip()
    except GitCommandError as exc:
        raise _fail("committing the site", exc, "check that git works in this repository (git status), then publish again") from None


def move_ref(project: Project, ref: str, new: str, old: str | None, *, command: str = "publish") -> None:
    """Point ``ref`` at ``new`` only if it still points at ``old`` (compare-and-swap); HEAD and the index stay as they are."""
    try:
        project.repo.git.update_ref("-m", f"statusbook {command}", ref, new, old or ZERO_SHA)
    except GitCommandError as exc:
        raise _fail(f"moving {ref}", exc, f"another {command} may have run at the same time; run statusbook {command} again") from None


def push(project: Project, remote: str, ref: str) -> None:
    try:
        project.repo.git.push("--quiet", "--porcelain", remote, f"{ref}:{ref}")
    except GitCommandError as exc:
        raise _fail(
            f"pushing {ref} to {remote}",
            exc,
            f"if the remote changed meanwhile, run statusbook publish --push {remote} again (it refuses if the branches diverged); it never force-pushes",
        ) from None


# --- small commits on the published branch (statusbook notify's ledger) -------------------------------


def read_blob(project: Project, rev: str, path: str) -> bytes | None:
    """Read one file of a commit's tree by its path from the tree's top (the published site's layout); None when absent."""
    try:
        item = project.repo.commit(rev).tree / path
    except (KeyError, ValueError):
        return None
    return item.data_stream.read() if _is_regular(item) else None


def read_blobs(project: Project, rev: str, paths: Iterable[str]) -> dict[str, bytes]:
    """Read several files of a commit's tree (from the tree's top); missing ones are left out."""
    found = {}
    for path in paths:
        data = read_blob(project, rev, path)
        if data is not None:
            found[path] = data
    return found


def _tree_order(entry: tuple[bytes, int, str]) -> bytes:
    """Git's order of tree entries: by name, a folder's name as if it ended in '/'."""
    _, mode, name = entry
    return name.encode("utf-8") + (b"/" if mode == TREE_MODE else b"")


def _tree_with(project: Project, tree: str | None, parts: list[str], blob: bytes) -> str:
    entries = tree_entries_from_data(project.repo.odb.stream(bytes.fromhex(tree)).read()) if tree else []
    name = parts[0]
    if len(parts) == 1:
        new = (blob, REGULAR_FILE, name)
    else:
        below = next((bytes.hex(sha) for sha, mode, other in entries if other == name and mode == TREE_MODE), None)
        new = (bytes.fromhex(_tree_with(project, below, parts[1:], blob)), TREE_MODE, name)
    entries = sorted([e for e in entries if e[2] != name] + [new], key=_tree_order)
    stream = BytesIO()
    tree_to_stream(entries, stream.write)
    data = stream.getvalue()
    return project.repo.odb.store(IStream("tree", len(data), BytesIO(data))).hexsha.decode("ascii")


def tree_with_file(project: Project, tree: str | None, path: str, data: bytes) -> str:
    """Return the sha of ``tree`` with one file added or replaced (folders made as needed); the rest of the tree is shared, not rewritten."""
    parts = [part for part in path.split("/") if part]
    if not parts or any(part in (".", "..", ".git") for part in parts):
        raise GitOpsError(f"{path!r} cannot be a path in a git tree")
    blob = project.repo.odb.store(IStream("blob", len(data), BytesIO(data))).binsha
    return _tree_with(project, tree, parts, blob)


def push_fast_forward(project: Project, remote: str, commit: str, ref: str) -> bool:
    """Push a commit to ``ref`` on ``remote``, never forcing; False when the remote has moved on (rejected), raise on any other failure."""
    try:
        project.repo.git.push("--quiet", "--porcelain", remote, f"{commit}:{ref}")
    except GitCommandError as exc:
        output = f"{exc.stdout or ''}\n{exc.stderr or ''}"
        if "[rejected]" in output and "[remote rejected]" not in output:
            return False
        raise _fail(f"pushing {ref} to {remote}", exc, "check your access to the remote (git push works there?), then run statusbook notify again") from None
    return True
