"""`statusbook serve`: the site from memory, rebuilt part by part as files change, with live reload only in served pages.

Waiting is done on the server's own long-poll endpoint (``/__serve/wait.js?v=N``,
what the reload script loads), which answers as soon as a rebuild finished, so
the tests never sleep.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from statusbook.commands.serve import DevServer, change_scope
from statusbook.io.config_file import load_config
from support.repos import Project
from support.serving import DEADLINE_SECONDS, dev_server, fetch, next_version
from support.texts import INCIDENT, PATH


@pytest.fixture
def served(site_repo: Project) -> Iterator[tuple[Project, DevServer]]:
    site_repo.write(PATH, INCIDENT)
    site_repo.commit("incident")
    with dev_server(site_repo) as server:
        yield site_repo, server


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
    assert next_version(base, seen) == server.state.version
    assert server.state.problems == "", "the edit built"
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
    next_version(server.url, seen)
    assert "component-unknown" in server.state.problems, "the edit did not build"
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


@pytest.mark.parametrize(
    "target",
    [b"/?%zz=%%%&&;=", b"/__serve/wait.js?v=%ff%fe", b"/__serve/wait.js?v=99999999999999999999999", b"/%00/%ff%fe/index.html", b"/" + b"a/" * 3000, b"//etc/passwd"],
    ids=["bad escapes", "bad wait query", "huge version", "nul and bad utf-8", "very deep path", "double slash"],
)
def test_malformed_requests_get_an_answer(served: tuple[Project, DevServer], target: bytes) -> None:
    """A request the server cannot make sense of gets a status line, never a dropped connection or a traceback."""
    _, server = served
    host, port = server.url.removeprefix("http://").strip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=DEADLINE_SECONDS) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    assert reply.startswith(b"HTTP/1.") and status in (200, 301, 400, 404, 414), reply[:200]


def test_change_scope(site_repo: Project) -> None:
    config = load_config(site_repo.root)
    root = site_repo.root
    assert change_scope([root / PATH], config) == "status"
    assert change_scope([root / "handbook" / "faq.md"], config) == "handbook"
    assert change_scope([root / "handbook" / "schema.yml"], config) == "everything"
    assert change_scope([root / "theme" / "overrides" / "main.html"], config) == "everything"
    assert change_scope([root / "mkdocs.yml"], config) == "everything"
    assert change_scope([root / PATH, root / "handbook" / "faq.md"], config) == "everything"
    assert change_scope([root / ".statusbook-cache" / "x"], config) is None
    assert change_scope([root / "site" / "index.html"], config) is None
    assert change_scope([root / "incidents" / ".x.yml.swp"], config) is None


def test_the_serve_command(site_repo: Project) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    # As from a terminal: a suite started in the background (`make test &`) ignores SIGINT, and the server would inherit that.
    restore_ctrl_c = functools.partial(signal.signal, signal.SIGINT, signal.SIG_DFL)
    process = subprocess.Popen([sys.executable, "-m", "statusbook", "serve", "--port", "0"], cwd=site_repo.root, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, preexec_fn=restore_ctrl_c)
    try:
        url = None
        for line in process.stderr:
            if "serving http://" in line:
                url = line.split("serving ", 1)[1].split()[0]
                break
        assert url is not None, "the server never said where it listens"
        said: list[str] = []  # read on: a server writing into a full pipe could never stop, and this says what it said
        reader = threading.Thread(target=lambda: said.extend(process.stderr), daemon=True)
        reader.start()
        status, _, body = fetch(url)
        assert status == 200 and b"added by statusbook serve" in body
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server did not stop within {DEADLINE_SECONDS} s of Ctrl+C; it said:\n{''.join(said)[-4000:]}")
        assert code == 0, "".join(said)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
