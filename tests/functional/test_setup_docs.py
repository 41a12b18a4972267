"""The setup pages' commands work: each code block is taken from the page itself and run against a temporary repository.

GitHub's and GitLab's CI files are parsed from the pages; their `statusbook`
and `git` commands run with the CI variables they use set the way the CI
service sets them (other commands, like `pip install .`, are listed and must
be exactly the known ones). The hook scripts are installed into real
repositories and triggered by real `git commit` and `git push`. pre-commit
itself is not installed here: its hooks are run the way pre-commit runs them
(entry, then the staged file names relative to the top folder).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.repos import REPO, Project, git
from support.texts import INCIDENT, PATH

PAGES = REPO / "handbook" / "setup"
BLOCK_RE = re.compile(r'^```(\w+)(?:[ \t]+title="([^"]+)")?[ \t]*\n(.*?)^```[ \t]*$', re.MULTILINE | re.DOTALL)
EXPRESSION_RE = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
NOT_RUN = {"pip install statusbook", 'pip install "statusbook[site]"'}  # installing statusbook: the tests run the checkout's own

APPENDED = INCIDENT + "  - at: 2026-03-01T10:30:00Z\n    status: identified\n    message: We found the cause.\n"
EDITED = INCIDENT.replace("We are looking into API errors.", "It was DNS all along.")


def blocks(page: str) -> dict[str, tuple[str, str]]:
    """The titled code blocks of a setup page: title -> (language, text)."""
    text = (PAGES / page).read_text(encoding="utf-8")
    found = {title: (lang, body) for lang, title, body in BLOCK_RE.findall(text) if title}
    assert found, f"{page} has no titled code blocks"
    return found


def shell_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update({"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"})
    env.update(extra)
    return env


def run_commands(commands: list[str], cwd: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """Run the statusbook and git commands in order, stopping at the first failure as CI does."""
    results = []
    for command in commands:
        if command in NOT_RUN:
            continue
        assert shlex.split(command)[0] in ("statusbook", "git"), f"the test does not know how to run {command!r}"
        result = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
        results.append(result)
        if result.returncode != 0:
            break
    return results


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def published(site_repo: Project, tmp_path: Path) -> tuple[Project, Path]:
    """main has published one incident; a bare remote called origin holds main."""
    site_repo.write(PATH, INCIDENT)
    commit_all(site_repo.root, "incident")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(site_repo.root, "remote", "add", "origin", str(remote))
    git(site_repo.root, "push", "-q", "origin", "main")
    return site_repo, remote


# --- GitHub ------------------------------------------------------------------------------------


def github_workflow() -> dict:
    lang, text = blocks("github.md")[".github/workflows/statusbook.yml"]
    assert lang == "yaml"
    return yaml.safe_load(text)


def github_commands(job: dict, expressions: dict[str, str]) -> list[str]:
    commands = []
    for step in job["steps"]:
        for line in str(step.get("run", "")).splitlines():
            if line.strip():
                commands.append(EXPRESSION_RE.sub(lambda m: expressions[m.group(1)], line.strip()))
    return commands


def test_github_pull_request_check(published: tuple[Project, Path]) -> None:
    project, _ = published
    root = project.root
    workflow = github_workflow()
    check = workflow["jobs"]["check"]
    assert any(step.get("with", {}).get("fetch-depth") == 0 for step in check["steps"]), "the check needs the base commit's objects"
    base = git(root, "rev-parse", "HEAD").strip()

    def pull_request(text: str) -> list[subprocess.CompletedProcess[str]]:
        # GitHub checks out the merge of the pull request into its base.
        git(root, "checkout", "-q", "-B", "topic", base)
        project.write(PATH, text)
        commit_all(root, "pull request")
        git(root, "checkout", "-q", "--detach", base)
        git(root, "merge", "-q", "--no-ff", "-m", "Merge pull request", "topic")
        commands = github_commands(check, {"github.event.pull_request.base.sha": base})
        return run_commands(commands, root, shell_env(GITHUB_ACTIONS="true"))

    results = pull_request(APPENDED)
    assert [r.returncode for r in results] == [0], results[-1].stdout + results[-1].stderr
    results = pull_request(EDITED)
    assert results[-1].returncode == 1
    assert f"::error file={PATH},line=7,col=14,title=history-update-edited::" in results[-1].stdout


def test_github_publish_job(published: tuple[Project, Path]) -> None:
    project, remote = published
    job = github_workflow()["jobs"]["publish"]
    assert job["permissions"] == {"contents": "write"}
    env = {k: v for k, v in shell_env().items() if not k.startswith("GIT_")}
    results = run_commands(github_commands(job, {}), project.root, env)
    assert all(r.returncode == 0 for r in results), results[-1].stderr
    assert any("statusbook publish" in " ".join(r.args) for r in results)
    assert git(remote, "log", "-1", "--format=%an", "gh-pages").strip() == "github-actions[bot]"
    assert ".nojekyll" in git(remote, "ls-tree", "--name-only", "gh-pages").split()


# --- GitLab ------------------------------------------------------------------------------------


def gitlab_pipeline() -> dict:
    lang, text = blocks("gitlab.md")[".gitlab-ci.yml"]
    assert lang == "yaml"
    return yaml.safe_load(text)


def test_gitlab_merge_request_check(published: tuple[Project, Path]) -> None:
    project, _ = published
    root = project.root
    pipeline = gitlab_pipeline()
    assert pipeline["variables"]["GIT_DEPTH"] == "0"
    script = pipeline["check"]["script"]
    fork = git(root, "rev-parse", "HEAD").strip()
    # main publishes another update after the merge request branched off.
    project.write(PATH, APPENDED)
    commit_all(root, "update on main")
    git(root, "checkout", "-q", "-b", "mr", fork)
    project.write("incidents/2026/2026-03-05-new.yml", INCIDENT.replace("API errors", "New trouble"))
    commit_all(root, "merge request adds an incident")
    env = shell_env(CI_MERGE_REQUEST_DIFF_BASE_SHA=git(root, "merge-base", "main", "HEAD").strip(), CI_PIPELINE_SOURCE="merge_request_event")
    results = run_commands(script, root, env)
    assert [r.returncode for r in results] == [0], results[-1].stdout + results[-1].stderr

    project.write(PATH, EDITED)
    commit_all(root, "merge request rewrites an update")
    results = run_commands(script, root, env)
    assert results[-1].returncode == 1
    assert f"{PATH}:7:14: error [history-update-edited]" in results[-1].stdout


def test_gitlab_pages_job(published: tuple[Project, Path]) -> None:
    project, _ = published
    job = gitlab_pipeline()["pages"]
    assert job["artifacts"]["paths"] == ["public"]
    results = run_commands(job["script"], project.root, shell_env())
    assert all(r.returncode == 0 for r in results), results[-1].stderr
    assert (project.root / "public" / "index.html").is_file()
    assert (project.root / "public" / "api" / "v2" / "summary.json").is_file()


# --- git hooks ---------------------------------------------------------------------------------


def install_hook(hooks_dir: Path, name: str, text: str) -> None:
    hooks_dir.mkdir(parents=True, exist_ok=True)
    path = hooks_dir / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def test_pre_commit_framework_hooks(published: tuple[Project, Path]) -> None:
    project, _ = published
    root = project.root
    config = yaml.safe_load(blocks("git-hooks.md")[".pre-commit-config.yaml"][1])
    offered = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    wanted = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert wanted and set(wanted) <= set(offered)

    def pre_commit() -> dict[str, subprocess.CompletedProcess[str]]:
        """Run each hook as pre-commit does: from the top folder, with the staged files it matches."""
        staged = git(root, "diff", "--cached", "--name-only", "--diff-filter=ACMRTUXB").split()
        results = {}
        for hook_id in wanted:
            hook = offered[hook_id]
            names = [n for n in staged if re.search(hook.get("files", ""), n)]
            if not names and not hook.get("always_run"):
                continue
            args = shlex.split(hook["entry"]) + (names if hook.get("pass_filenames", True) else [])
            results[hook_id] = subprocess.run(args, cwd=root, env=shell_env(), capture_output=True, text=True, check=False)
        return results

    project.write("incidents/2026/2026-03-05-new.yml", INCIDENT.replace("components: [api]", "components: [apii]"))
    git(root, "add", "-A")
    results = pre_commit()
    assert results["statusbook-validate"].returncode == 1
    assert "incidents/2026/2026-03-05-new.yml:3:14: error [component-unknown]" in results["statusbook-validate"].stdout
    assert "1 file checked" in results["statusbook-validate"].stdout, "only the staged file is checked"

    project.write("incidents/2026/2026-03-05-new.yml", INCIDENT)
    git(root, "add", "-A")
    assert {k: r.returncode for k, r in pre_commit().items()} == {"statusbook-validate": 0, "statusbook-append-only": 0}

    git(root, "reset", "-q")
    (root / "incidents/2026/2026-03-05-new.yml").unlink()
    git(root, "rm", "-q", PATH)  # deleting a published incident: no file is passed, the hook runs anyway
    results = pre_commit()
    assert set(results) == {"statusbook-append-only"}
    assert results["statusbook-append-only"].returncode == 1
    assert f"{PATH}:1:1: error [history-incident-deleted]" in results["statusbook-append-only"].stdout


def test_plain_pre_commit_hook(published: tuple[Project, Path]) -> None:
    project, _ = published
    root = project.root
    install_hook(root / ".git" / "hooks", "pre-commit", blocks("git-hooks.md")[".git/hooks/pre-commit"][1])
    env = shell_env()
    project.write(PATH, EDITED)
    refused = subprocess.run(["git", "commit", "-q", "-am", "rewrite"], cwd=root, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert f"{PATH}:7:14: error [history-update-edited]" in refused.stdout + refused.stderr
    project.write(PATH, APPENDED)
    accepted = subprocess.run(["git", "commit", "-q", "-am", "append"], cwd=root, env=env, capture_output=True, text=True, check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_plain_pre_push_hook(published: tuple[Project, Path]) -> None:
    project, remote = published
    root = project.root
    install_hook(root / ".git" / "hooks", "pre-push", blocks("git-hooks.md")[".git/hooks/pre-push"][1])
    env = shell_env()
    published_main = git(remote, "rev-parse", "main").strip()
    project.write(PATH, EDITED)
    commit_all(root, "rewrite")
    refused = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=root, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert "history-update-edited" in refused.stdout + refused.stderr
    assert git(remote, "rev-parse", "main").strip() == published_main
    project.write(PATH, APPENDED)
    commit_all(root, "append instead")
    accepted = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=root, env=env, capture_output=True, text=True, check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_server_side_pre_receive_hook(published: tuple[Project, Path], tmp_path: Path) -> None:
    project, _ = published
    root = project.root
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    install_hook(server / "hooks", "pre-receive", blocks("git-hooks.md")["hooks/pre-receive"][1])
    git(root, "remote", "add", "server", str(server))
    env = shell_env()

    def push() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "push", "-q", "server", "main"], cwd=root, env=env, capture_output=True, text=True, check=False)

    first = push()
    assert first.returncode == 0, first.stderr  # a new branch: validated without a base
    project.write(PATH, EDITED)
    commit_all(root, "rewrite")
    refused = push()
    assert refused.returncode != 0
    assert f"{PATH}:7:14: error [history-update-edited]" in refused.stderr
    assert "pre-receive hook declined" in refused.stderr
    git(root, "reset", "-q", "--hard", "HEAD~1")
    project.write(PATH, APPENDED)
    commit_all(root, "append instead")
    accepted = push()
    assert accepted.returncode == 0, accepted.stderr
    assert git(server, "rev-parse", "main").strip() == git(root, "rev-parse", "HEAD").strip()


def test_every_titled_block_is_exercised() -> None:
    titles = {title for page in ("github.md", "gitlab.md", "git-hooks.md") for title in blocks(page)}
    assert titles == {".github/workflows/statusbook.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml", ".git/hooks/pre-commit", ".git/hooks/pre-push", "hooks/pre-receive"}
