"""Publishing never mislabels or loses what is public: drafts, source branches, others' files, released handbook versions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.repos import Project, git, site_project
from support.texts import INCIDENT, PATH

IDENTITY = {"GIT_AUTHOR_NAME": "Publisher", "GIT_AUTHOR_EMAIL": "pub@example.com", "GIT_COMMITTER_NAME": "Publisher", "GIT_COMMITTER_EMAIL": "pub@example.com"}


def statusbook(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}, **IDENTITY, "STATUSBOOK_NOW": "2026-06-01T12:00:00Z"}
    return subprocess.run([sys.executable, "-m", "statusbook", *args], cwd=root, capture_output=True, text=True, env=env, check=False)


def files_on(root: Path, branch: str) -> list[str]:
    return sorted(git(root, "ls-tree", "-r", "--name-only", branch).split())


@pytest.fixture
def repo(site_repo: Project, tmp_path: Path) -> tuple[Project, Path]:
    site_repo.write(PATH, INCIDENT)
    site_repo.commit("first incident")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(site_repo.root, "remote", "add", "origin", str(remote))
    git(site_repo.root, "push", "-q", "origin", "main")
    return site_repo, remote


def test_a_working_tree_with_a_draft_is_refused(repo: tuple[Project, Path]) -> None:
    project, _ = repo
    project.write("incidents/2026/2026-03-02-draft.yml", INCIDENT.replace("API errors", "Not yet public"))
    refused = statusbook(project.root, "publish")
    assert refused.returncode == 1
    assert "incidents/2026/2026-03-02-draft.yml" in refused.stderr and "commit (or stash)" in refused.stderr
    assert subprocess.run(["git", "rev-parse", "--verify", "--quiet", "gh-pages"], cwd=project.root, capture_output=True).returncode != 0
    ignored = project.root / "incidents" / "2026" / ".gitignore"
    ignored.write_text("*.draft.yml\n")
    project.commit("ignore drafts")
    (project.root / "incidents/2026/2026-03-02-draft.yml").rename(project.root / "incidents/2026/hidden.draft.yml")
    still = statusbook(project.root, "publish")
    assert still.returncode == 1 and "hidden.draft.yml" in still.stderr  # an ignored file would be built too


def test_a_branch_that_holds_source_is_refused(repo: tuple[Project, Path]) -> None:
    project, _ = repo
    checked_out = statusbook(project.root, "publish", "--branch", "main")
    assert checked_out.returncode == 1 and "checked out" in checked_out.stderr
    git(project.root, "branch", "release")  # a copy of the source: it has mkdocs.yml
    other = statusbook(project.root, "publish", "--branch", "release")
    assert other.returncode == 1 and "holds source" in other.stderr
    assert git(project.root, "rev-parse", "release") == git(project.root, "rev-parse", "main")


def test_files_statusbook_did_not_write_are_kept(repo: tuple[Project, Path], tmp_path: Path) -> None:
    project, remote = repo
    assert statusbook(project.root, "publish", "--push").returncode == 0
    # Someone adds a CNAME and another tool's folder to gh-pages by hand.
    clone = tmp_path / "pages"
    git(tmp_path, "clone", "-q", "--branch", "gh-pages", str(remote), str(clone))
    (clone / "CNAME").write_text("status.example.com\n")
    (clone / "tools").mkdir()
    (clone / "tools" / "report.html").write_text("<p>made elsewhere</p>\n")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "by hand")
    git(clone, "push", "-q", "origin", "gh-pages")
    project.write(PATH, INCIDENT + "  - at: 2026-03-01T11:00:00Z\n    status: resolved\n    message: Fixed.\n    components:\n      api: operational\n")
    project.commit("resolved")
    result = statusbook(project.root, "publish", "--push")
    assert result.returncode == 0, result.stderr
    assert "kept 2 files" in result.stderr and "CNAME" in result.stderr
    after = files_on(remote, "gh-pages")
    assert "CNAME" in after and "tools/report.html" in after
    assert git(remote, "show", "gh-pages:CNAME") == "status.example.com\n"
    manifest = json.loads(git(remote, "show", "gh-pages:.statusbook/published.json"))
    assert "CNAME" not in manifest["paths"] and "index.html" in manifest["paths"]


def test_what_statusbook_no_longer_writes_goes(repo: tuple[Project, Path]) -> None:
    project, remote = repo
    assert statusbook(project.root, "publish", "--push").returncode == 0
    assert "history/page/2/index.html" not in files_on(remote, "gh-pages")
    # Shrink the history page size: a second page appears, then (restored) goes again, as statusbook's own file.
    (project.root / "mkdocs.yml").write_text((project.root / "mkdocs.yml").read_text().replace("history_page_size: 25", "history_page_size: 1"))
    project.write("incidents/2026/2026-03-05-second.yml", INCIDENT.replace("API errors", "Second").replace("2026-03-01T10:00:00Z", "2026-03-05T10:00:00Z"))
    project.commit("two pages")
    assert statusbook(project.root, "publish", "--push").returncode == 0
    assert "history/page/2/index.html" in files_on(remote, "gh-pages")
    (project.root / "mkdocs.yml").write_text((project.root / "mkdocs.yml").read_text().replace("history_page_size: 1", "history_page_size: 25"))
    project.commit("one page")
    assert statusbook(project.root, "publish", "--push").returncode == 0
    assert "history/page/2/index.html" not in files_on(remote, "gh-pages")


@pytest.fixture
def tagged(tmp_path: Path) -> tuple[Project, Path]:
    """A repository with handbook releases v1.0 and v2.0rc1, published with its tags."""
    project = site_project(tmp_path / "repo")
    project.write(PATH, INCIDENT)
    git(project.root, "init", "-q", "-b", "main")
    project.commit("first")
    git(project.root, "tag", "v1.0")
    project.write("handbook/faq.md", (project.root / "handbook" / "faq.md").read_text() + "\nOne more answer.\n")
    project.commit("candidate")
    git(project.root, "tag", "v2.0rc1")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    git(project.root, "push", "-q", "--tags", "origin", "main")
    result = statusbook(project.root, "publish", "--push")
    assert result.returncode == 0, result.stderr
    return project, remote


def test_latest_is_the_newest_release_never_a_candidate(tagged: tuple[Project, Path]) -> None:
    _, remote = tagged
    versions = json.loads(git(remote, "show", "gh-pages:handbook/versions.json"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("dev", []), ("v2.0rc1", []), ("v1.0", ["latest"])]
    assert "v1.0/" in git(remote, "show", "gh-pages:handbook/latest/index.html")


def test_a_clone_without_tags_never_drops_published_versions(tagged: tuple[Project, Path], tmp_path: Path) -> None:
    _, remote = tagged
    clone = tmp_path / "no-tags"
    git(tmp_path, "clone", "-q", "--no-tags", "--branch", "main", str(remote), str(clone))
    before = git(remote, "rev-parse", "gh-pages")
    refused = statusbook(clone, "publish", "--push")
    assert refused.returncode == 1
    assert "v1.0, v2.0rc1" in refused.stderr and "git fetch --tags" in refused.stderr and "fetch-depth: 0" in refused.stderr
    assert git(remote, "rev-parse", "gh-pages") == before
    assert "handbook/v1.0/index.html" in files_on(remote, "gh-pages")
    git(clone, "fetch", "-q", "--tags")
    again = statusbook(clone, "publish", "--push")
    assert again.returncode == 0, again.stderr
    assert "handbook/v1.0/index.html" in files_on(remote, "gh-pages")


def test_a_version_is_dropped_only_on_purpose(tagged: tuple[Project, Path]) -> None:
    project, remote = tagged
    git(project.root, "tag", "-d", "v2.0rc1")  # the candidate is withdrawn
    assert statusbook(project.root, "publish", "--push").returncode == 1
    dropped = statusbook(project.root, "publish", "--push", "--drop-version", "v2.0rc1")
    assert dropped.returncode == 0, dropped.stderr
    after = files_on(remote, "gh-pages")
    assert not any(path.startswith("handbook/v2.0rc1/") for path in after)
    assert "handbook/v1.0/index.html" in after
