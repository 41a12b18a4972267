"""`statusbook notify` end to end: a bare remote, real publishes, a real SMTP server and HTTP receivers on 127.0.0.1.

Each step publishes (a status-only build handed to the real `publish --site`)
or changes the repository, runs the real command line, and counts what
arrived: one message per target per change, none repeated, none lost, and
nothing that is not on the published site.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from statusbook.commands.build import build
from statusbook.io import git as gitops
from statusbook.io.config_file import load_config
from statusbook.io.ledger import LEDGER_PATH, Ledger, open_published_branch
from statusbook.io.senders import post_webhook
from support.cli import Run, run_cli
from support.receivers import HttpReceiver, SmtpInbox
from support.repos import Project, git, schema_project, site_project, statusbook
from support.texts import INCIDENT, PATH

IDENTITY = {"GIT_AUTHOR_NAME": "Publisher", "GIT_AUTHOR_EMAIL": "pub@example.com", "GIT_COMMITTER_NAME": "Publisher", "GIT_COMMITTER_EMAIL": "pub@example.com"}
SECRET = "hmac-key-7d1e"
INCIDENT_ID = "2026-03-01-api-errors"
MAINTENANCE_PATH = "incidents/2026/2026-03-10-mail-relay.yml"
MAINTENANCE = """\
title: Mail relay upgrade
kind: maintenance
components: [email]
scheduled:
  start: 2026-03-10T02:00:00Z
  end: 2026-03-10T03:00:00Z
updates:
  - at: 2026-03-09T12:00:00Z
    status: scheduled
    message: We will upgrade the mail relay.
"""


class Site:
    """A repository with a bare remote, its published branch, and the three receivers every test counts on."""

    def __init__(self, project: Project, remote: Path, tmp: Path, inbox: SmtpInbox, http: HttpReceiver) -> None:
        self.project, self.remote, self.tmp, self.inbox, self.http = project, remote, tmp, inbox, http
        self.builds = 0
        self.targets = [inbox.url(), http.url("json", "/json"), http.url("statuspage+http", "/statuspage", f"secret={SECRET}")]

    @property
    def root(self) -> Path:
        return self.project.root

    def env(self, **extra: str) -> dict[str, str]:
        return {"STATUSBOOK_NOTIFY": " ".join(self.targets), **IDENTITY, **extra}

    def publish(self, now: str, root: Path | None = None) -> None:
        """Build the status side at ``now`` and publish it with the real command (pushing to the remote)."""
        root = root or self.root
        self.builds += 1
        out = self.tmp / f"site-{self.builds}"
        build(load_config(root), out_dir=out, now=datetime.fromisoformat(now), handbook=False, use_cache=False)
        result = run_cli("publish", "--site", str(out), "--push", env=IDENTITY, cwd=root)
        assert result.code == 0, result.stderr

    def notify(self, now: str, *args: str, root: Path | None = None, env: dict[str, str] | None = None, code: int = 0) -> Run:
        """Run the real ``statusbook notify --push`` (in this process: the receivers count what it sends)."""
        result = run_cli("notify", "--push", "--now", now, *args, env=env or self.env(), cwd=root or self.root)
        assert result.code == code, result.stdout + result.stderr
        return result

    def counts(self) -> tuple[int, int, int]:
        """How many messages each target got: (mail, json, Statuspage webhook)."""
        return len(self.inbox.messages), len(self.http.at("/json")), len(self.http.at("/statuspage"))

    def update(self, status: str, message: str, at: str, *components: str) -> None:
        args = ["update", INCIDENT_ID, "--status", status, "-m", message, "--at", at]
        for pair in components:
            args += ["-c", pair]
        result = run_cli(*args, cwd=self.root)
        assert result.code == 0, result.stderr
        self.project.commit(f"{status} update")

    def remote_ledger(self) -> dict[str, object]:
        return json.loads(git(self.remote, "show", f"gh-pages:{LEDGER_PATH}"))

    def clone(self, name: str) -> Path:
        target = self.tmp / name
        git(self.tmp, "clone", "-q", "--branch", "main", str(self.remote), str(target))
        return target


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """One incident, committed, pushed to a bare remote; nothing published yet."""
    project = schema_project(tmp_path / "repo")
    project.write(PATH, INCIDENT)
    project.git_init()
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    git(project.root, "push", "-q", "origin", "main")
    with SmtpInbox() as inbox, HttpReceiver() as http:
        yield Site(project, remote, tmp_path, inbox, http)


def verify_signature(request_body: bytes, header: str) -> bool:
    """How a receiver checks the signature (as the handbook's notifications page shows)."""
    expected = "sha256=" + hmac.new(SECRET.encode(), request_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_each_change_reaches_each_target_exactly_once_across_runs_and_clones(site: Site) -> None:
    site.publish("2026-03-01T10:30:00+00:00")
    first = site.notify("2026-03-01T10:30:00Z")
    assert "recorded 1 published change as the baseline" in first.stderr
    assert site.counts() == (0, 0, 0), "the first run sends nothing that was already published"
    ledger = site.remote_ledger()
    assert ledger["announced"] == [f"tag:status.example.com,2026:incident/{INCIDENT_ID}/update-20260301T100000Z"]
    text = git(site.remote, "show", f"gh-pages:{LEDGER_PATH}")
    assert "127.0.0.1" not in text and SECRET not in text and "mailto" not in text, "the ledger is public: targets appear only as digests"

    site.update("identified", "We found a **bad deploy** and are rolling it back.", "2026-03-01T11:00:00Z", "api=partial_outage")
    site.publish("2026-03-01T11:30:00+00:00")
    sent = site.notify("2026-03-01T11:30:00Z")
    assert site.counts() == (1, 1, 1), sent.stderr

    mail = site.inbox.messages[0]
    assert mail["Subject"] == "[Example status] Update: API errors"
    html = mail.get_body(("html",)).get_content()
    assert "<strong>bad deploy</strong>" in html
    assert f'href="https://status.example.com/incidents/{INCIDENT_ID}/#update-20260301T110000Z"' in html
    assert "Public API (partial outage)" in html
    plain = mail.get_body(("plain",)).get_content()
    assert "bad deploy" in plain and "**" not in plain

    posted = json.loads(site.http.at("/json")[0].body)
    assert posted["title"] == "[Example status] Update: API errors"
    assert posted["message"].startswith("Identified · 1 Mar 2026, 12:00 CET\n\nWe found a bad deploy and are rolling it back.")
    assert posted["message"].rstrip().endswith(f"https://status.example.com/incidents/{INCIDENT_ID}/#update-20260301T110000Z")
    assert posted["type"] == "warning"

    hook = site.http.at("/statuspage")[0]
    assert hook.path == "/statuspage", "the secret never leaves the sender: it is not in the URL the receiver sees"
    assert verify_signature(hook.body, hook.headers["X-Statusbook-Signature-256"])
    assert hook.headers["X-Statusbook-Event"] == "update"
    payload = json.loads(hook.body)
    assert set(payload) == {"meta", "page", "incident", "statusbook"}
    assert payload["incident"]["status"] == "identified"
    assert payload["incident"]["incident_updates"][0]["body"] == "We found a **bad deploy** and are rolling it back."
    assert [u["status"] for u in payload["incident"]["incident_updates"]] == ["identified", "investigating"]
    assert payload["page"]["status_indicator"] == "minor"

    # Nothing new: nothing sent, nothing recorded.
    tip = git(site.remote, "rev-parse", "gh-pages")
    site.notify("2026-03-01T11:31:00Z")
    assert site.counts() == (1, 1, 1)
    assert git(site.remote, "rev-parse", "gh-pages") == tip

    # A fresh clone knows what was announced: the record is on the published branch.
    site.notify("2026-03-01T11:32:00Z", root=site.clone("ci-1"))
    assert site.counts() == (1, 1, 1)

    # Publishing a new site keeps the record; the next change goes out once, from another fresh clone.
    site.update("resolved", "Requests succeed again.", "2026-03-01T12:00:00Z", "api=operational")
    git(site.root, "push", "-q", "origin", "main")
    site.publish("2026-03-01T12:30:00+00:00")
    assert git(site.remote, "show", f"gh-pages:{LEDGER_PATH}"), "publish dropped the record"
    site.notify("2026-03-01T12:30:00Z", root=site.clone("ci-2"))
    assert site.counts() == (2, 2, 2)
    assert site.inbox.messages[1]["Subject"] == "[Example status] Resolved: API errors"
    assert json.loads(site.http.at("/json")[1].body)["type"] == "success"
    # ... and the original checkout, behind the remote, sends nothing again.
    site.notify("2026-03-01T12:31:00Z")
    assert site.counts() == (2, 2, 2)
    assert git(site.root, "rev-parse", "gh-pages") == git(site.remote, "rev-parse", "gh-pages")
    git(site.remote, "fsck", "--strict", "--no-dangling")


_KILLED_RUN = r"""
import signal, sys
from statusbook import cli
from statusbook.io import ledger

original = ledger.PublishedBranch.record


def record(self, value, message, now):
    recorded = original(self, value, message, now)
    if " announcement to " in message:  # the record made after the first target got its messages
        print("paused after the first target", flush=True)
        signal.pause()
    return recorded


ledger.PublishedBranch.record = record
cli.main(sys.argv[1:])
"""


def run_and_kill_after_first_target(site: Site, now: str) -> None:
    """Run notify in a child process that stops once the first target's messages are recorded, and SIGKILL it there."""
    env = {**{k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}, **site.env()}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", _KILLED_RUN, "notify", "--push", "--now", now], cwd=site.root, stdout=subprocess.PIPE, stderr=errors, text=True, env=env
        )
        try:
            line = process.stdout.readline()
            if line.strip() != "paused after the first target":
                process.wait()
                errors.seek(0)
                pytest.fail(f"the run ended without pausing: {line}{errors.read()}")
            process.send_signal(signal.SIGKILL)
            assert process.wait() == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()


def test_a_run_killed_between_targets_resends_only_to_the_targets_that_missed_it(site: Site) -> None:
    site.publish("2026-03-01T10:30:00+00:00")
    site.notify("2026-03-01T10:30:00Z")
    site.update("identified", "Rolling back.", "2026-03-01T11:00:00Z")
    git(site.root, "push", "-q", "origin", "main")
    site.publish("2026-03-01T11:30:00+00:00")

    run_and_kill_after_first_target(site, "2026-03-01T11:30:00Z")
    assert site.counts() == (1, 0, 0), "the mail target came first and got it before the run died"

    # The next run (here from a fresh clone, as the next CI job would be) sends only what the others missed.
    again = site.notify("2026-03-01T11:35:00Z", root=site.clone("next-job"))
    assert site.counts() == (1, 1, 1), again.stderr
    site.notify("2026-03-01T11:36:00Z")
    assert site.counts() == (1, 1, 1)


def test_a_failing_target_is_retried_on_the_next_run_and_the_others_are_not_held_back(site: Site) -> None:
    site.publish("2026-03-01T10:30:00+00:00")
    site.notify("2026-03-01T10:30:00Z")
    site.update("identified", "Rolling back.", "2026-03-01T11:00:00Z")
    site.publish("2026-03-01T11:30:00+00:00")

    site.http.answers["/json"] = 503
    failed = site.notify("2026-03-01T11:30:00Z", code=1)
    assert site.counts() == (1, 0, 1), "the webhook after the failing target still got its message"
    assert "json://127.0.0.1" in failed.stderr and "failed" in failed.stderr and "left for the next run" in failed.stderr
    assert SECRET not in failed.stderr
    pending = site.remote_ledger()["targets"]
    assert sorted(len(t["pending"]) for t in pending.values()) == [0, 0, 1]

    # Still down: tried again, still reported, nothing sent twice to the others.
    site.notify("2026-03-01T11:40:00Z", code=1)
    assert site.counts() == (1, 0, 1)

    del site.http.answers["/json"]
    site.notify("2026-03-01T11:50:00Z")
    assert site.counts() == (1, 1, 1)
    assert json.loads(site.http.at("/json")[0].body)["title"] == "[Example status] Update: API errors"
    assert all(not t["pending"] for t in site.remote_ledger()["targets"].values())


def test_only_what_the_published_site_shows_is_announced(site: Site) -> None:
    site.publish("2026-03-01T10:30:00+00:00")
    site.notify("2026-03-01T10:30:00Z")

    # Committed (even pushed) but not published: not on the site, so not announced.
    site.update("identified", "Rolling back.", "2026-03-01T11:00:00Z")
    git(site.root, "push", "-q", "origin", "main")
    site.notify("2026-03-01T11:30:00Z")
    assert site.counts() == (0, 0, 0)
    site.publish("2026-03-01T11:30:00+00:00")

    # Published, but this checkout says something else about it: held back, never the unpublished words.
    text = (site.root / PATH).read_text(encoding="utf-8")
    (site.root / PATH).write_text(text.replace("Rolling back.", "Rolling back (edited, unpublished)."), encoding="utf-8")
    held = site.notify("2026-03-01T11:31:00Z")
    assert site.counts() == (0, 0, 0)
    assert "held back" in held.stderr
    (site.root / PATH).write_text(text, encoding="utf-8")
    # A broken file elsewhere in the checkout holds back only its own changes.
    site.project.write("incidents/2026/2026-03-01-broken.yml", "title: [unclosed\n")
    sent = site.notify("2026-03-01T11:32:00Z")
    assert "this checkout has 1 problem" in sent.stderr
    assert site.counts() == (1, 1, 1)
    assert "Rolling back." in json.loads(site.http.at("/json")[0].body)["message"]


def test_maintenance_is_announced_when_scheduled_and_when_its_window_opens_and_closes_by_itself(site: Site) -> None:
    site.publish("2026-03-01T10:30:00+00:00")
    site.notify("2026-03-01T10:30:00Z")
    site.project.write(MAINTENANCE_PATH, MAINTENANCE)
    site.project.commit("maintenance")
    site.publish("2026-03-09T13:00:00+00:00")
    site.notify("2026-03-09T13:00:00Z")
    assert site.counts() == (1, 1, 1)
    assert site.inbox.messages[-1]["Subject"] == "[Example status] Maintenance scheduled: Mail relay upgrade"

    # The window opened, but the published site was built before that: nothing yet.
    site.notify("2026-03-10T02:30:00Z")
    assert site.counts() == (1, 1, 1)

    site.publish("2026-03-10T02:30:00+00:00")
    site.notify("2026-03-10T02:30:00Z")
    assert site.counts() == (2, 2, 2)
    assert site.inbox.messages[-1]["Subject"] == "[Example status] Maintenance started: Mail relay upgrade"
    started = json.loads(site.http.at("/statuspage")[-1].body)
    assert started["incident"]["status"] == "in_progress"
    assert started["incident"]["scheduled_auto_in_progress"] is True
    assert started["incident"]["incident_updates"][0]["body"] == "The scheduled maintenance window has opened."
    assert started["statusbook"]["event"] == "maintenance-started"

    site.publish("2026-03-10T03:30:00+00:00")
    site.notify("2026-03-10T03:30:00Z")
    assert site.counts() == (3, 3, 3)
    assert site.inbox.messages[-1]["Subject"] == "[Example status] Maintenance completed: Mail relay upgrade"
    assert json.loads(site.http.at("/statuspage")[-1].body)["incident"]["status"] == "completed"


def test_the_notify_file_routes_targets_by_component(site: Site) -> None:
    config = (site.root / "mkdocs.yml").read_text(encoding="utf-8")
    (site.root / "mkdocs.yml").write_text(config.replace("    timezone: Europe/Amsterdam\n", "    timezone: Europe/Amsterdam\n    notify_file: .statusbook/notify.yml\n"), encoding="utf-8")
    site.project.write(
        ".statusbook/notify.yml",
        """
        # Who hears about what; the URLs' secrets come from the environment.
        - url: ${EMAIL_TEAM_HOOK}
          components: [email]
          name: email team
        - url: ${EVERYONE_HOOK}
        """,
    )
    site.project.commit("notify file")
    # Mail is left out here: two messages in one run would wait out Apprise's pause between emails.
    env = site.env(STATUSBOOK_NOTIFY=site.targets[1], EMAIL_TEAM_HOOK=site.http.url("json", "/email-team"), EVERYONE_HOOK=site.http.url("json", "/everyone"))
    site.publish("2026-03-01T10:30:00+00:00")
    site.notify("2026-03-01T10:30:00Z", env=env)
    site.update("identified", "Rolling back.", "2026-03-01T11:00:00Z")
    site.project.write(MAINTENANCE_PATH, MAINTENANCE)
    site.project.commit("maintenance")
    site.publish("2026-03-09T13:00:00+00:00")
    result = site.notify("2026-03-09T13:00:00Z", env=env)
    assert "email team: sent 1 announcement: maintenance-scheduled" in result.stderr
    assert [json.loads(r.body)["title"] for r in site.http.at("/email-team")] == ["[Example status] Maintenance scheduled: Mail relay upgrade"]
    assert len(site.http.at("/everyone")) == 2
    assert len(site.http.at("/json")) == 2, "the environment's targets follow every component"


def test_a_broken_target_list_is_reported_with_locations_and_nothing_is_sent(site: Site) -> None:
    config = (site.root / "mkdocs.yml").read_text(encoding="utf-8")
    (site.root / "mkdocs.yml").write_text(config.replace("    timezone: Europe/Amsterdam\n", "    timezone: Europe/Amsterdam\n    notify_file: notify.yml\n"), encoding="utf-8")
    site.project.write("notify.yml", "- url: json://127.0.0.1:9/x\n  components: [apii]\n- url: ${MISSING_VARIABLE}\n- urll: json://x\n")
    site.project.commit("broken notify file")
    site.publish("2026-03-01T10:30:00+00:00")
    env = site.env(STATUSBOOK_NOTIFY=f"nonsense://token-{SECRET} {site.targets[1]}")
    result = site.notify("2026-03-01T10:30:00Z", env=env, code=1)
    lines = result.stderr.splitlines()
    assert "STATUSBOOK_NOTIFY:1:1: error [config-value] the 1st URL: Apprise cannot use this nonsense:// URL" in result.stderr
    assert any(line.startswith("notify.yml:2:16: error [component-unknown] 'apii' is not a component id") and "did you mean 'api'?" in line for line in lines)
    assert any(line.startswith("notify.yml:3:8: error [config-value] the URL uses ${MISSING_VARIABLE}") for line in lines)
    assert any(line.startswith("notify.yml:4:3: error [key-unknown] unknown key 'urll'") for line in lines)
    assert SECRET not in result.stderr
    assert site.counts() == (0, 0, 0)
    assert git(site.remote, "ls-tree", "--name-only", "gh-pages", ".statusbook/announced.json") == "", "nothing was recorded"


def test_dry_run_prints_what_would_be_sent_and_sends_and_records_nothing(site: Site) -> None:
    site.publish("2026-03-01T10:30:00+00:00")
    baseline = site.notify("2026-03-01T10:30:00Z", "--dry-run")
    assert "would record 1 published change as the baseline" in baseline.stderr
    assert git(site.remote, "ls-tree", "--name-only", "gh-pages", ".statusbook/announced.json") == ""
    site.notify("2026-03-01T10:30:00Z")
    site.update("identified", "Rolling back.", "2026-03-01T11:00:00Z")
    site.publish("2026-03-01T11:30:00+00:00")
    tip = git(site.remote, "rev-parse", "gh-pages")
    dry = site.notify("2026-03-01T11:30:00Z", "--dry-run")
    assert site.counts() == (0, 0, 0)
    assert git(site.remote, "rev-parse", "gh-pages") == tip
    assert "--- to mailto://127.0.0.1" in dry.stdout and "[Example status] Update: API errors" in dry.stdout
    assert '"status": "identified"' in dry.stdout, "the webhook's JSON is shown"
    assert SECRET not in dry.stdout + dry.stderr
    site.notify("2026-03-01T11:31:00Z")
    assert site.counts() == (1, 1, 1)


def test_publish_notify_announces_after_pushing(site: Site) -> None:
    def publish_and_notify(now: str) -> subprocess.CompletedProcess[str]:
        site.builds += 1
        out = site.tmp / f"site-{site.builds}"
        build(load_config(site.root), out_dir=out, now=datetime.fromisoformat(now), handbook=False, use_cache=False)
        return statusbook(site.root, "publish", "--site", str(out), "--push", "--notify", env=site.env())

    first = publish_and_notify("2026-03-01T10:30:00+00:00")
    assert first.returncode == 0, first.stderr
    assert "pushed gh-pages to origin" in first.stderr and "as the baseline" in first.stderr
    site.update("identified", "Rolling back.", "2026-03-01T11:00:00Z")
    second = publish_and_notify("2026-03-01T11:30:00+00:00")
    assert second.returncode == 0, second.stderr
    assert site.counts() == (1, 1, 1)


def test_websub_hub_is_declared_in_the_feeds_and_pinged_for_each_changed_feed(site: Site) -> None:
    hub = site.http.url("http", "/hub")
    config = (site.root / "mkdocs.yml").read_text(encoding="utf-8")
    (site.root / "mkdocs.yml").write_text(config.replace("    timezone: Europe/Amsterdam\n", f"    timezone: Europe/Amsterdam\n    websub_hub: {hub}\n"), encoding="utf-8")
    site.project.commit("hub")
    site.publish("2026-03-01T10:30:00+00:00")
    assert f'<link href="{hub}" rel="hub"/>' in git(site.remote, "show", "gh-pages:history.atom")
    assert f'<atom:link href="{hub}" rel="hub"/>' in git(site.remote, "show", "gh-pages:components/api/history.rss")
    site.notify("2026-03-01T10:30:00Z")
    assert site.http.at("/hub") == []
    site.update("identified", "Rolling back.", "2026-03-01T11:00:00Z")
    site.publish("2026-03-01T11:30:00+00:00")
    site.notify("2026-03-01T11:30:00Z")
    pinged = [dict(r.form) for r in site.http.at("/hub")]
    assert all(p["hub.mode"] == "publish" for p in pinged)
    assert sorted(p["hub.url"] for p in pinged) == sorted(
        f"https://status.example.com/{path}" for path in ("history.atom", "history.rss", "components/api/history.atom", "components/api/history.rss")
    )
    site.notify("2026-03-01T11:31:00Z")
    assert len(site.http.at("/hub")) == 4


def test_nothing_is_published_yet(site: Site) -> None:
    result = site.notify("2026-03-01T10:30:00Z", code=1)
    assert "origin has no gh-pages branch, so nothing is published to announce; run statusbook publish --push first" in result.stderr
    assert site.counts() == (0, 0, 0)


def test_the_notify_file_and_the_urls_never_reach_the_public_site(tmp_path: Path) -> None:
    marker = "notifymarker0c4f"
    project = site_project(tmp_path / "repo")
    project.write(PATH, INCIDENT)
    config = (project.root / "mkdocs.yml").read_text(encoding="utf-8")
    (project.root / "mkdocs.yml").write_text(config.replace("    timezone: Europe/Amsterdam\n", "    timezone: Europe/Amsterdam\n    notify_file: .statusbook/notify.yml\n"), encoding="utf-8")
    project.write(".statusbook/notify.yml", f"- url: json://{marker}-file.invalid/hook?token={marker}\n  name: {marker} team\n")
    project.git_init()
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    env = {**IDENTITY, "STATUSBOOK_NOTIFY": f"json://{marker}-env.invalid/hook?token={marker}"}
    # The real publish: validation, the handbook, the status side, all of it; then notify records its baseline there.
    published = statusbook(project.root, "publish", "--push", "--notify", env=env)
    assert published.returncode == 0, published.stderr
    built = statusbook(project.root, "build", "-q", env=env)
    assert built.returncode == 0, built.stderr
    names = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert LEDGER_PATH in names and ".statusbook/notify.yml" not in names
    assert any(n.startswith("handbook/") for n in names), "the handbook was built and published"
    for name in names:
        blob = subprocess.run(["git", "show", f"gh-pages:{name}"], cwd=remote, capture_output=True, check=True).stdout
        assert marker.encode() not in blob, f"{name} on the published branch holds a notification target"
    for path in (project.root / "site").rglob("*"):
        if path.is_file():
            assert marker.encode() not in path.read_bytes(), f"{path} in the built site holds a notification target"


def test_the_ledger_commit_changes_one_file_and_shares_the_rest_of_the_tree(tmp_path: Path) -> None:
    """A tree made by adding one file equals the tree git itself writes for the same files."""
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    files = {"index.html": b"<h1>hi</h1>\n", "a/b.txt": b"b\n", ".statusbook-x": b"x", "a.b": b"dot\n", ".statusbook/other.json": b"{}"}
    with gitops.open_project(root) as project:
        base = gitops.write_tree(project, files)
        ours = gitops.tree_with_file(project, base, LEDGER_PATH, b'{"format": 1}\n')
        replaced = gitops.tree_with_file(project, ours, "a/b.txt", b"changed\n")
        expected = gitops.write_tree(project, {**files, LEDGER_PATH: b'{"format": 1}\n'})
        expected_replaced = gitops.write_tree(project, {**files, LEDGER_PATH: b'{"format": 1}\n', "a/b.txt": b"changed\n"})
    assert ours == expected
    assert replaced == expected_replaced
    git(root, "fsck", "--strict", "--no-dangling", "--no-reflogs")


def test_the_record_merges_with_a_concurrent_run_and_otherwise_replaces_what_it_read(tmp_path: Path) -> None:
    """Two runs that read the same record: the second to write keeps what the first recorded; a lone run's forgetting sticks."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", str(remote))
    start = Ledger(frozenset({"old", "x"}), {"t-a": frozenset({"x"}), "t-b": frozenset({"x"})})
    with gitops.open_project(root) as project:
        tree = gitops.write_tree(project, {"index.html": b"site\n", LEDGER_PATH: start.to_json(datetime.now(UTC))})
        commit = gitops.commit_tree(project, tree, None, "Publish")
        gitops.move_ref(project, "refs/heads/gh-pages", commit, None)
        git(root, "push", "-q", "origin", "gh-pages")
        first, second = (open_published_branch(project, "gh-pages", "origin") for _ in range(2))
        assert first.read_ledger() == second.read_ledger() == start
        first.record(start.delivered("t-a", "x"), "a got x", datetime.now(UTC))
        recorded = second.record(start.delivered("t-b", "x").handled(["y"], {"t-a": {"y"}, "t-b": set()}), "b got x", datetime.now(UTC))
        assert recorded.pending == {"t-a": frozenset({"y"}), "t-b": frozenset()}, "x reached both targets: neither run's delivery is lost"
        # A run alone forgets what it prunes (no merge brings it back).
        third = open_published_branch(project, "gh-pages", "origin")
        assert third.read_ledger() == recorded
        forgotten = third.record(recorded.pruned(datetime(2026, 5, 1, tzinfo=UTC), {"old": datetime(2026, 1, 1, tzinfo=UTC)}, ["t-a", "t-b"]), "prune", datetime.now(UTC))
        assert "old" not in forgotten.announced
        assert "old" not in open_published_branch(project, "gh-pages", "origin").read_ledger().announced
    assert git(remote, "show", "gh-pages:index.html") == "site\n", "the site itself is untouched"
    assert git(remote, "rev-list", "--count", "gh-pages").strip() == "4"


def test_the_webhook_post_is_signed_never_follows_a_redirect_and_reports_the_answer(tmp_path: Path) -> None:
    with HttpReceiver() as http:
        http.answers["/moved"] = 302
        url = http.url("statuspage+http", "/hook", f"secret={SECRET}&team=ops")
        sent = post_webhook(url.replace("http://", "http://user:pass@"), b'{"a":1}', "update", "d-1")
        assert sent.ok
        request = http.at("/hook")[0]
        assert request.path == "/hook?team=ops", "the secret is taken out, other parameters stay"
        assert request.headers["Authorization"] == "Basic dXNlcjpwYXNz"
        assert request.headers["X-Statusbook-Delivery"] == "d-1"
        assert verify_signature(b'{"a":1}', request.headers["X-Statusbook-Signature-256"])
        moved = post_webhook(http.url("statuspage+http", "/moved"), b"{}", "update", "d-2")
        assert (moved.ok, moved.detail) == (False, "the receiver answered HTTP 302 Found")
        refused = [r for r in http.requests if r.path == "/moved"]
        assert len(refused) == 1 and "X-Statusbook-Signature-256" not in refused[0].headers, "not followed, and an unsigned URL sends no signature"
    down = post_webhook(f"statuspage+http://127.0.0.1:{http.port}/hook", b"{}", "update", "d-3", timeout=2)
    assert not down.ok and down.detail.startswith("could not reach the receiver")
