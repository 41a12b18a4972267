"""`statusbook publish` on real repositories with a bare remote: one commit per change, never a touched checkout, never a force-push."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from statusbook.io.git import open_project, write_tree
from support.repos import Project, git
from support.texts import INCIDENT, PATH

IDENTITY = {"GIT_AUTHOR_NAME": "Publisher", "GIT_AUTHOR_EMAIL": "pub@example.com", "GIT_COMMITTER_NAME": "Publisher", "GIT_COMMITTER_EMAIL": "pub@example.com"}


def statusbook(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statusbook", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}, **IDENTITY, **(env or {})},
        check=False,
    )


def snapshot(root: Path) -> dict[str, object]:
    """Everything publishing must leave alone: every working-tree file (caches live outside it), the index's bytes, HEAD, and git status."""
    files = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if parts[0] == ".git" or not path.is_file():
            continue
        files[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {
        "files": files,
        "index": (root / ".git" / "index").read_bytes(),
        "HEAD": (root / ".git" / "HEAD").read_text(),
        "head": git(root, "rev-parse", "HEAD"),
    }


def branch_sha(root: Path, ref: str) -> str | None:
    result = subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=root, capture_output=True, text=True, check=False)
    return result.stdout.strip() or None


@pytest.fixture
def repo(site_repo: Project, tmp_path: Path) -> tuple[Project, Path]:
    """A committed project with a bare remote called origin that has main."""
    project = site_repo
    project.write(PATH, INCIDENT)
    project.commit("first incident")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    git(project.root, "push", "-q", "origin", "main")
    return project, remote


def test_publish_twice_commits_once_and_leaves_the_checkout_alone(repo: tuple[Project, Path]) -> None:
    project, remote = repo
    root = project.root
    status_before = git(root, "status", "--porcelain")  # may refresh the index, so before the snapshot
    before = snapshot(root)
    first = statusbook(root, "publish", "--push", "--cname", "status.example.com")
    assert first.returncode == 0, first.stderr
    after = snapshot(root)
    assert after == before, "publish changed the working tree, the index or HEAD"
    assert git(root, "status", "--porcelain") == status_before

    head = git(root, "rev-parse", "HEAD").strip()
    published = branch_sha(root, "refs/heads/gh-pages")
    assert published is not None
    assert branch_sha(remote, "refs/heads/gh-pages") == published
    assert git(root, "log", "-1", "--format=%s", "gh-pages").strip() == f"Publish {head} from main"
    assert git(root, "rev-list", "--count", "gh-pages").strip() == "1"
    names = git(root, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert ".nojekyll" in names
    assert git(root, "show", "gh-pages:CNAME") == "status.example.com\n"
    assert ".statusbook-site" not in names
    assert any(name.startswith("api/v2/") for name in names)
    git(root, "fsck", "--strict", "--no-dangling")

    second = statusbook(root, "publish", "--push", "--cname", "status.example.com")
    assert second.returncode == 0, second.stderr
    assert "nothing to commit" in second.stderr
    assert branch_sha(root, "refs/heads/gh-pages") == published
    assert branch_sha(remote, "refs/heads/gh-pages") == published
    assert snapshot(root) == before


def test_a_change_makes_one_child_commit_naming_the_new_source(repo: tuple[Project, Path]) -> None:
    project, remote = repo
    root = project.root
    assert statusbook(root, "publish", "--push").returncode == 0
    first = branch_sha(root, "refs/heads/gh-pages")
    project.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    git(root, "commit", "-q", "-am", "rename title")
    result = statusbook(root, "publish", "--push")
    assert result.returncode == 0, result.stderr
    head = git(root, "rev-parse", "HEAD").strip()
    assert git(root, "log", "-1", "--format=%s%x00%P", "gh-pages").strip() == f"Publish {head} from main\x00{first}"
    assert "API timeouts" in git(root, "show", "gh-pages:api/v2/incidents.json")
    assert branch_sha(remote, "refs/heads/gh-pages") == branch_sha(root, "refs/heads/gh-pages")


def test_publish_refuses_when_the_remote_has_commits_we_lack(repo: tuple[Project, Path], tmp_path: Path) -> None:
    project, remote = repo
    root = project.root
    assert statusbook(root, "publish", "--push").returncode == 0
    # A publish of ours that is not pushed yet...
    project.write(PATH, INCIDENT.replace("API errors", "API errors, ours"))
    git(root, "commit", "-q", "-am", "ours")
    assert statusbook(root, "publish").returncode == 0
    # ...while someone else publishes from another clone.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "--branch", "gh-pages", str(remote), str(other))
    (other / "theirs.html").write_text("their work\n")
    git(other, "add", "theirs.html")
    git(other, "commit", "-q", "-m", "their publish")
    git(other, "push", "-q", "origin", "gh-pages")
    theirs = branch_sha(other, "HEAD")
    ours = branch_sha(root, "refs/heads/gh-pages")

    project.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    git(root, "commit", "-q", "-am", "change")
    before = snapshot(root)
    result = statusbook(root, "publish", "--push")
    assert result.returncode == 1
    assert "origin/gh-pages has 1 commit that your local gh-pages does not have (and yours has 1 it does not have)" in result.stderr
    assert "never force-pushes" in result.stderr
    assert "git branch -f gh-pages origin/gh-pages" in result.stderr
    assert branch_sha(remote, "refs/heads/gh-pages") == theirs, "the remote lost their commit"
    assert branch_sha(root, "refs/heads/gh-pages") == ours, "the local branch moved although nothing was published"
    assert snapshot(root) == before

    # Following the remedy publishes on top of their work, keeping it.
    git(root, "branch", "-f", "gh-pages", "origin/gh-pages")
    result = statusbook(root, "publish", "--push")
    assert result.returncode == 0, result.stderr
    assert git(root, "rev-parse", "gh-pages^").strip() == theirs


def test_a_local_branch_that_is_only_behind_publishes_on_top_of_the_remote(repo: tuple[Project, Path], tmp_path: Path) -> None:
    """Nothing of ours is unpushed, so nothing is lost: the publish builds on what the remote has, keeping it."""
    project, remote = repo
    root = project.root
    assert statusbook(root, "publish", "--push").returncode == 0
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "--branch", "gh-pages", str(remote), str(other))
    (other / "theirs.html").write_text("their work\n")
    git(other, "add", "theirs.html")
    git(other, "commit", "-q", "-m", "their publish")
    git(other, "push", "-q", "origin", "gh-pages")
    theirs = branch_sha(other, "HEAD")
    project.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    git(root, "commit", "-q", "-am", "change")
    result = statusbook(root, "publish", "--push")
    assert result.returncode == 0, result.stderr
    assert git(remote, "rev-parse", "gh-pages^").strip() == theirs
    assert "theirs.html" in git(remote, "ls-tree", "--name-only", "gh-pages").split()
    assert branch_sha(remote, "refs/heads/gh-pages") == branch_sha(root, "refs/heads/gh-pages")


def test_a_fresh_clone_publishes_on_top_of_the_remote_branch(repo: tuple[Project, Path], tmp_path: Path) -> None:
    project, remote = repo
    assert statusbook(project.root, "publish", "--push").returncode == 0
    published = branch_sha(remote, "refs/heads/gh-pages")
    clone = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "main", str(remote), str(clone))
    assert branch_sha(clone, "refs/heads/gh-pages") is None
    result = statusbook(clone, "publish", "--push")
    assert result.returncode == 0, result.stderr
    assert "nothing to commit" in result.stderr  # the same commit builds the same site
    assert branch_sha(remote, "refs/heads/gh-pages") == published
    (clone / PATH).write_text(INCIDENT.replace("API errors", "API timeouts"), encoding="utf-8")
    git(clone, "commit", "-q", "-am", "change")
    result = statusbook(clone, "publish", "--push")
    assert result.returncode == 0, result.stderr
    assert git(clone, "rev-parse", "gh-pages^").strip() == published
    assert branch_sha(remote, "refs/heads/gh-pages") == branch_sha(clone, "refs/heads/gh-pages")


def test_publish_without_push_and_a_given_site_folder(repo: tuple[Project, Path], tmp_path: Path) -> None:
    project, remote = repo
    site = tmp_path / "prebuilt"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text("<h1>hi</h1>\n")
    (site / "a" / "b.txt").write_text("b\n")
    (site / ".statusbook-site").write_text("marker\n")
    result = statusbook(project.root, "publish", "--site", str(site), "-m", "Deploy by hand")
    assert result.returncode == 0, result.stderr
    root = project.root
    assert sorted(git(root, "ls-tree", "-r", "--name-only", "gh-pages").split()) == [".nojekyll", ".statusbook/published.json", "a/b.txt", "index.html"]
    assert json.loads(git(root, "show", "gh-pages:.statusbook/published.json")) == {"paths": [".nojekyll", "a/b.txt", "index.html"]}
    head = git(root, "rev-parse", "HEAD").strip()
    assert git(root, "log", "-1", "--format=%B", "gh-pages").strip() == f"Deploy by hand\n\nSource commit: {head}"
    assert branch_sha(remote, "refs/heads/gh-pages") is None


def test_publish_with_no_git_identity_uses_a_fallback(repo: tuple[Project, Path], tmp_path: Path) -> None:
    project, _ = repo
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"})
    result = subprocess.run([sys.executable, "-m", "statusbook", "publish"], cwd=project.root, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert git(project.root, "log", "-1", "--format=%an <%ae>", "gh-pages").strip() == "statusbook <statusbook@localhost>"


def test_invalid_repository_publishes_nothing(repo: tuple[Project, Path]) -> None:
    project, remote = repo
    project.write(PATH, INCIDENT.replace("components: [api]", "components: [apii]"))
    project.commit("broken")
    result = statusbook(project.root, "publish", "--push")
    assert result.returncode == 1
    assert "component-unknown" in result.stderr
    assert branch_sha(project.root, "refs/heads/gh-pages") is None
    assert branch_sha(remote, "refs/heads/gh-pages") is None


def test_bad_options_are_refused(repo: tuple[Project, Path]) -> None:
    project, _ = repo
    assert statusbook(project.root, "publish", "--cname", "https://status.example.com").returncode == 2
    result = statusbook(project.root, "publish", "--push", "upstream")
    assert result.returncode == 1
    assert "no remote called 'upstream'" in result.stderr


def test_an_unreachable_remote_fails_with_gits_words_and_a_remedy(repo: tuple[Project, Path], tmp_path: Path) -> None:
    project, _ = repo
    git(project.root, "remote", "add", "broken", str(tmp_path / "nowhere.git"))
    result = statusbook(project.root, "publish", "--push", "broken")
    assert result.returncode == 1
    assert "reaching remote 'broken' failed: git said:" in result.stderr
    assert "does not appear to be a git repository" in result.stderr
    assert "check the remote's name and URL" in result.stderr
    assert branch_sha(project.root, "refs/heads/gh-pages") is None, "nothing is committed when the remote cannot be checked"


def test_our_trees_are_the_trees_git_itself_writes(tmp_path: Path) -> None:
    """Entry order is subtle (folders sort as if they ended in '/'); compare with git's own write-tree."""
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    files = {name: name.encode() + b"\n" for name in ("a", "a.b", "a-b", "a0", "ab/c", "a/x", "a/y/z", "b", "index.html", "über.txt", "a.b.c/d")}
    files["a"] = b"top"
    del files["a"]  # "a" is a folder here
    with open_project(root) as project:
        ours = write_tree(project, files)
    work = tmp_path / "w"
    for name, data in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(data)
    env = {**os.environ, "GIT_INDEX_FILE": str(tmp_path / "idx"), "GIT_WORK_TREE": str(work), "GIT_DIR": str(root / ".git")}
    subprocess.run(["git", "add", "-A"], env=env, check=True, cwd=work)
    theirs = subprocess.run(["git", "write-tree"], env=env, check=True, cwd=work, capture_output=True, text=True).stdout.strip()
    assert ours == theirs
    shutil.rmtree(work)
