"""For the browser tests: a built folder served on 127.0.0.1, pages opened with every request recorded, and axe-core's serious findings."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve a folder as a static host would, at a free port of 127.0.0.1; yields the base URL, without a trailing slash."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def outside_requests(requested: list[str]) -> list[str]:
    """The recorded requests that went to another host than 127.0.0.1 (``data:`` URLs are not requests)."""
    return [u for u in requested if urlsplit(u).hostname != "127.0.0.1" and not u.startswith("data:")]


def open_page(browser, base: str, requested: list[str], path: str = "", **options):
    """A new browser context (``options`` such as a colour scheme or viewport) with ``path`` loaded; every request goes into ``requested``."""
    context = browser.new_context(**options)
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    response = page.goto(base + path, wait_until="load")
    assert response is not None and response.status == 200
    return context, page


def serious_violations(page) -> list[tuple[str, str, list[object]]]:
    """axe-core's serious and critical findings on the page: (rule, impact, the first three places)."""
    violations = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")]
