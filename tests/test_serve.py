"""`statusbook serve`: the site from memory, rebuilt part by part as files change, with live reload only in served pages.

Waiting is done on the server's own long-poll endpoint (``/__reload?v=N``),
which answers as soon as a rebuild finished, so the tests never sleep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from conftest import REPO, Project, git
from incident_texts import INCIDENT, PATH
from statusbook.commands.serve import RELOAD_PATH, DevServer, change_scope
from statusbook.config import load_config

DEADLINE_SECONDS = 60


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=DEADLINE_SECONDS) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def next_version(base: str, seen: int) -> dict[str, object]:
    """Block on the reload endpoint until the site's version moves past ``seen``."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        _, _, body = fetch(f"{base}{RELOAD_PATH.lstrip('/')}?v={seen}")
        answer = json.loads(body)
        if answer["version"] != seen:
            return answer
    pytest.fail(f"no rebuild within {DEADLINE_SECONDS} s")


@pytest.fixture
def served(site_project: Project) -> Iterator[tuple[Project, DevServer]]:
    site_project.write(PATH, INCIDENT)
    git(site_project.root, "add", "-A")
    git(site_project.root, "commit", "-q", "-m", "incident")
    server = DevServer(load_config(site_project.root), host="127.0.0.1", port=0, clock=lambda: datetime(2026, 3, 1, 12, tzinfo=UTC))
    server.start()
    try:
        yield site_project, server
    finally:
        server.stop()


def test_serves_the_site_and_reloads_after_an_incident_edit(served: tuple[Project, DevServer]) -> None:
    project, server = served
    base = server.url
    status, headers, body = fetch(base)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"added by statusbook serve" in body, "served pages carry the reload script"
    assert b"added by statusbook serve" not in server.state.files["index.html"], "built files never do"
    _, _, api = fetch(base + "api/v2/incidents.json")
    assert json.loads(api)["incidents"][0]["name"] == "API errors"

    seen = server.state.version
    project.write(PATH, INCIDENT.replace("title: API errors", "title: API timeouts"))
    answer = next_version(base, seen)
    assert answer["ok"] is True
    _, _, api = fetch(base + "api/v2/incidents.json")
    assert json.loads(api)["incidents"][0]["name"] == "API timeouts"
    assert "handbook" not in server.state.rendered, "an incident edit must not rebuild the handbook"
    assert server.state.rendered, "the status parts were re-rendered"


def test_a_handbook_edit_rebuilds_only_the_handbook(served: tuple[Project, DevServer]) -> None:
    project, server = served
    page = project.root / "handbook" / "faq.md"
    seen = server.state.version
    page.write_text(page.read_text(encoding="utf-8") + "\n## A question added while serving\n\nIts answer.\n", encoding="utf-8")
    next_version(server.url, seen)
    assert server.state.rendered == ("handbook",)
    _, _, body = fetch(server.url + "handbook/dev/faq/")
    assert b"A question added while serving" in body


def test_a_broken_edit_keeps_the_last_good_site_and_shows_why(served: tuple[Project, DevServer]) -> None:
    project, server = served
    seen = server.state.version
    project.write(PATH, INCIDENT.replace("components: [api]", "components: [apii]"))
    answer = next_version(server.url, seen)
    assert answer["ok"] is False
    status, _, body = fetch(server.url)
    assert status == 200
    assert b"component-unknown" in body and b"the last edit did not build" in body
    _, _, api = fetch(server.url + "api/v2/incidents.json")
    assert json.loads(api)["incidents"][0]["name"] == "API errors"


def test_paths_redirects_and_not_found(served: tuple[Project, DevServer]) -> None:
    _, server = served
    page = next(p for p in server.state.files if p.startswith("incidents/") and p.endswith("/index.html"))
    folder = "/" + page[: -len("index.html")]
    status, headers, _ = fetch(server.url + folder.strip("/"))
    assert status == 301 and headers["Location"] == folder
    status, headers, _ = fetch(server.url + "history.atom")
    assert status == 200 and headers["Content-Type"] == "application/atom+xml"
    assert fetch(server.url + "no/such/page/")[0] == 404
    assert fetch(server.url + "../../etc/passwd")[0] == 404


def test_change_scope(site_project: Project) -> None:
    config = load_config(site_project.root)
    root = site_project.root
    assert change_scope([root / PATH], config) == "status"
    assert change_scope([root / "handbook" / "faq.md"], config) == "handbook"
    assert change_scope([root / "handbook" / "schema.yml"], config) == "everything"
    assert change_scope([root / "theme" / "overrides" / "main.html"], config) == "everything"
    assert change_scope([root / "mkdocs.yml"], config) == "everything"
    assert change_scope([root / PATH, root / "handbook" / "faq.md"], config) == "everything"
    assert change_scope([root / ".statusbook-cache" / "x"], config) is None
    assert change_scope([root / "incidents" / ".x.yml.swp"], config) is None


def test_the_serve_command(site_project: Project) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "statusbook", "serve", "--port", "0"],
        cwd=site_project.root,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        url = None
        for line in process.stderr:
            if "serving http://" in line:
                url = line.split("serving ", 1)[1].split()[0]
                break
        assert url is not None, "the server never said where it listens"
        status, _, body = fetch(url)
        assert status == 200 and b"added by statusbook serve" in body
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=DEADLINE_SECONDS) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.mark.browser
def test_an_open_page_reloads_itself_in_a_browser(served: tuple[Project, DevServer], browser) -> None:
    project, server = served
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url)
        assert "API errors" in page.inner_text("body")
        project.write(PATH, INCIDENT.replace("title: API errors", "title: API timeouts"))
        # The injected script long-polls /__reload and reloads the page when a rebuild lands.
        page.get_by_text("API timeouts").first.wait_for(timeout=DEADLINE_SECONDS * 1000)
    finally:
        context.close()
