"""`statusbook serve` for tests: a DevServer on a free port, plain HTTP fetches, and waiting for a rebuild without sleeping."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from statusbook.commands.serve import SERVE_PREFIX, DevServer
from statusbook.io.config_file import load_config

from support.repos import Project

DEADLINE_SECONDS = 60
CLOCK = datetime(2026, 3, 1, 12, tzinfo=UTC)
_ANSWER = re.compile(rb"statusbookServe\((-?\d+)\);\n")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET a URL without following redirects: (status, headers, body)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=DEADLINE_SECONDS) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def next_version(base: str, seen: int) -> int:
    """Long-poll the server's own endpoint (what the reload script loads) until the site's version moves past ``seen``."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        status, _, body = fetch(f"{base}{SERVE_PREFIX.lstrip('/')}wait.js?v={seen}")
        answer = _ANSWER.fullmatch(body)
        assert status == 200 and answer, body
        if int(answer[1]) != seen:
            return int(answer[1])
    pytest.fail(f"no rebuild within {DEADLINE_SECONDS} s")


@contextmanager
def dev_server(project: Project) -> Iterator[DevServer]:
    """Serve a repository on 127.0.0.1 at a free port, its clock fixed at :data:`CLOCK`."""
    server = DevServer(load_config(project.root), host="127.0.0.1", port=0, clock=lambda: CLOCK)
    server.start()
    try:
        yield server
    finally:
        server.stop()
