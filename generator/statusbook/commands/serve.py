"""``statusbook serve``: the whole site from memory on localhost, rebuilt as you edit, with live reload.

The site is rendered into memory in two parts, the status side and the
handbook, so an edit re-renders only what it affects: an incident the status
side, a handbook page the handbook, and the schema, a template or
``mkdocs.yml`` everything. Nothing is written to the output folder.
The live-reload script is added to HTML responses as they are served, never to
built files. When an edit breaks validation, the last good site stays up with
the problems shown in a banner. The clock is the caller's (the command line
passes ``--now``, SOURCE_DATE_EPOCH or the wall clock), snapped like a build's,
so an incident opened a minute ago shows as it will once committed and built.
"""

from __future__ import annotations

import html
import mimetypes
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from statusbook.check.report import format_text
from statusbook.commands.build import handbook_part, site_clock, status_outputs, status_view
from statusbook.commands.validate import validate_repository
from statusbook.core import urls
from statusbook.core.config import CONFIG_FILE, SiteConfig
from statusbook.core.handbook import COMPONENTS_FILE, SCHEMA_FILE
from statusbook.errors import StatusbookError
from statusbook.io.cache import repository_cache
from statusbook.io.config_file import load_config
from statusbook.io.search_index import search_bundle
from statusbook.render.search import search_bundles, search_documents, search_key
from statusbook.view.status_view import StatusView

LONG_POLL_SECONDS = 25.0
QUIET_SECONDS = 0.15  # gather a burst of file events (an editor's save) into one rebuild
STOP_SECONDS = 5  # how long Ctrl+C waits for each background thread before leaving it (they are daemons)
# What a change affects.
STATUS = "status"
HANDBOOK = "handbook"
EVERYTHING = "everything"

CONTENT_TYPES = {
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".ics": "text/calendar; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}

# Pages may carry a strict Content-Security-Policy (the status page allows scripts and styles from
# 'self' only, and no fetch at all), so the live reload is a same-origin script file that
# long-polls by loading another script, and the problem banner is styled by a same-origin sheet.
SERVE_PREFIX = "/__serve/"
RELOAD_JS = """/* statusbook serve: live reload; not part of the built site */
(function () {
  var me = document.currentScript;
  var version = me ? me.getAttribute("data-version") : "";
  function poll() {
    var s = document.createElement("script");
    s.src = "/__serve/wait.js?v=" + encodeURIComponent(version) + "&t=" + Date.now();
    s.onload = function () { s.remove(); };
    s.onerror = function () { s.remove(); setTimeout(poll, 1000); };
    document.head.appendChild(s);
  }
  window.statusbookServe = function (latest) {
    if (String(latest) !== String(version)) { location.reload(); } else { poll(); }
  };
  // Start after "load": a pending script would hold the page's load event for the whole poll.
  if (document.readyState === "complete") { poll(); } else { window.addEventListener("load", poll); }
})();
"""
BANNER_CSS = """#statusbook-serve-problems{position:fixed;left:0;right:0;bottom:0;z-index:9999;max-height:40vh;overflow:auto;margin:0;padding:1em;
background:#7a0000;color:#fff;font:14px/1.4 monospace;white-space:pre-wrap}
"""


def change_scope(paths: Iterable[Path], config: SiteConfig) -> str | None:
    """What a set of changed paths affects: status parts, handbook parts, everything, or nothing."""
    scopes = set()
    for path in paths:
        path = Path(path)
        name = path.name
        if name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913":
            continue  # editors' scratch files
        if path == config.root / CONFIG_FILE:
            scopes.add(EVERYTHING)
        elif path.is_relative_to(config.incidents_path):
            scopes.add(STATUS)
        elif path.is_relative_to(config.root / config.theme_dir):
            scopes.add(EVERYTHING)
        elif path.is_relative_to(config.handbook_path):
            # The schema and components feed validation and every part; pages only the handbook.
            scopes.add(EVERYTHING if path.relative_to(config.handbook_path).as_posix() in (SCHEMA_FILE, COMPONENTS_FILE) else HANDBOOK)
    if EVERYTHING in scopes or {STATUS, HANDBOOK} <= scopes:
        return EVERYTHING
    return next(iter(scopes), None)


@dataclass
class SiteState:
    """The served site: files per part, the problems of the last rebuild, and a version that bumps on every rebuild."""

    parts: dict[str, dict[str, bytes]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    problems: str = ""
    version: int = 0
    rendered: tuple[str, ...] = ()  # the parts the last rebuild rendered


def inject_reload(body: bytes, version: int, problems: str) -> bytes:
    """Add the reload script (and a banner listing problems) before ``</body>``; served responses only."""
    extra = f'<script async src="{SERVE_PREFIX}reload.js" data-version="{version}"></script>'
    if problems:
        extra = (
            f'<link rel="stylesheet" href="{SERVE_PREFIX}serve.css"><pre id="statusbook-serve-problems" role="alert">'
            f"statusbook serve: the last edit did not build; showing the last good site.\n\n{html.escape(problems)}</pre>" + extra
        )
    data = ("<!-- added by statusbook serve -->" + extra).encode("utf-8")
    index = body.lower().rfind(b"</body>")
    return body + data if index < 0 else body[:index] + data + body[index:]


def not_found_page(files: Mapping[str, bytes], path: str) -> str | None:
    """The 404 page for a missing path: the language's own (``nl/404.html`` under ``/nl/``) when the site has it, else the site's."""
    first = path.lstrip("/").split("/", 1)[0]
    return next((page for page in (f"{first}/{urls.NOT_FOUND}", urls.NOT_FOUND) if page in files), None)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser that reloads drops its pending long-poll; nothing went wrong
        super().handle_error(request, client_address)


class DevServer:
    """Build the site into memory, serve it, and rebuild the affected parts when files change."""

    def __init__(self, config: SiteConfig, *, host: str = "127.0.0.1", port: int = 8000, clock: Callable[[], datetime], log: Callable[[str], None] = lambda text: None) -> None:
        self.config = config
        self.clock = clock
        self.log = log
        self.state = SiteState()
        self._changed = threading.Condition()
        self._pending: set[Path] = set()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._rebuild_lock = threading.Lock()
        self._search_bundles: dict[str, tuple[str, dict[str, bytes]]] = {}  # where a bundle is published -> (its key, its Pagefind bundle)
        self.httpd = _HTTPServer((host, port), _handler_for(self))
        self._threads: list[threading.Thread] = []
        self._observer: Observer | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    # --- building ----------------------------------------------------------------------------

    def rebuild(self, scope: str = EVERYTHING) -> None:
        """Re-render the parts a change affects; keep the last good files when validation fails."""
        with self._rebuild_lock:
            if scope == EVERYTHING:
                try:
                    self.config = load_config(self.config.root)
                except StatusbookError as exc:
                    self._publish(self.state.parts, str(exc), ())
                    return
            config = self.config
            wall = self.clock()
            validation = validate_repository(config, now=wall)
            if validation.has_errors():
                self._publish(self.state.parts, format_text(validation.problems, validation.file_count), ())
                return
            now = site_clock(config, validation.incidents, wall)  # as a build at this moment would show it
            parts = dict(self.state.parts)
            rendered = []
            try:
                if scope in (EVERYTHING, STATUS) or STATUS not in parts:
                    view = status_view(config, validation, now)
                    files = {o.path: o.render() for o in status_outputs(view)}
                    files.update(self._search(view))
                    parts[STATUS] = files
                    rendered.append(STATUS)
                if scope in (EVERYTHING, HANDBOOK) or HANDBOOK not in parts:
                    parts[HANDBOOK] = self._handbook(config, now)
                    rendered.append(HANDBOOK)
            except Exception as exc:  # a template error must not stop the server
                self._publish(self.state.parts, f"rendering failed: {type(exc).__name__}: {exc}", ())
                return
            self._publish(parts, "", tuple(rendered))

    def _search(self, view: StatusView) -> dict[str, bytes]:
        """The search page's bundles, one per year and language; a bundle whose incidents did not change is kept from the last rebuild."""
        files: dict[str, bytes] = {}
        kept: dict[str, tuple[str, dict[str, bytes]]] = {}
        for found in search_bundles(view):
            key = search_key(view, found.incidents, found.language)
            previous = self._search_bundles.get(found.prefix)
            bundle = previous[1] if previous and previous[0] == key else search_bundle(search_documents(view, found.incidents, found.language))
            kept[found.prefix] = (key, bundle)
            files.update({found.prefix + rel: data for rel, data in bundle.items()})
        self._search_bundles = kept
        return files

    def _handbook(self, config: SiteConfig, now: datetime) -> dict[str, bytes]:
        folder = repository_cache(config.root)
        if folder is not None:
            return {o.path: o.render() for o in handbook_part(config, now, self.log, folder / "handbook")}
        import tempfile

        with tempfile.TemporaryDirectory(prefix="statusbook-serve-") as scratch:
            return {o.path: o.render() for o in handbook_part(config, now, self.log, Path(scratch))}

    def _publish(self, parts: Mapping[str, dict[str, bytes]], problems: str, rendered: tuple[str, ...]) -> None:
        files: dict[str, bytes] = {}
        for name in (STATUS, HANDBOOK):
            files.update(parts.get(name, {}))
        with self._changed:
            self.state = SiteState(dict(parts), files, problems, self.state.version + 1, rendered)
            self._changed.notify_all()
        if problems:
            self.log(f"the site did not rebuild:\n{problems.rstrip()}")
        else:
            self.log(f"rebuilt {', '.join(rendered) or 'nothing'} (version {self.state.version})")

    def wait_for_version(self, seen: int, timeout: float) -> SiteState:
        """Block until the site's version differs from ``seen`` (or the timeout passes); return the state."""
        with self._changed:
            self._changed.wait_for(lambda: self.state.version != seen or self._stopping.is_set(), timeout=timeout)
            return self.state

    # --- watching ----------------------------------------------------------------------------

    def notice(self, path: Path) -> None:
        with self._changed:
            self._pending.add(path)
            self._changed.notify_all()

    def _watch_loop(self) -> None:
        while not self._stopping.is_set():
            with self._changed:
                self._changed.wait_for(lambda: bool(self._pending) or self._stopping.is_set())
                # Let a burst of events settle: wait until no new path arrives for a moment.
                while not self._stopping.is_set():
                    count = len(self._pending)
                    self._changed.wait(QUIET_SECONDS)
                    if len(self._pending) == count:
                        break
                changed, self._pending = self._pending, set()
            if self._stopping.is_set():
                break
            scope = change_scope(changed, self.config)
            if scope is not None:
                self.rebuild(scope)

    def _watched_folders(self) -> list[tuple[Path, bool]]:
        config = self.config
        folders = [(config.root, False)]
        for folder in (config.incidents_path, config.handbook_path, config.root / config.theme_dir):
            if folder.is_dir():
                folders.append((folder, True))
        return folders

    # --- running -----------------------------------------------------------------------------

    def start(self) -> None:
        """Build once, then start watching and serving in background threads."""
        self.rebuild(EVERYTHING)
        observer = Observer()
        handler = _Events(self)
        for folder, recursive in self._watched_folders():
            observer.schedule(handler, str(folder), recursive=recursive)
        observer.start()
        self._observer = observer
        for target in (self.httpd.serve_forever, self._watch_loop):
            thread = threading.Thread(target=target, daemon=True, name=f"statusbook-serve-{target.__name__}")
            thread.start()
            self._threads.append(thread)

    def wait(self) -> None:
        """Block until :meth:`stop` is called (or Ctrl+C)."""
        while not self._stopped.wait(1.0):
            pass

    def stop(self) -> None:
        """Stop watching and serving. Waits a few seconds at most for each thread (all are daemons): a rebuild in
        flight or a file watcher waiting for its next event never holds up Ctrl+C."""
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(STOP_SECONDS)
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(STOP_SECONDS)
        self._stopped.set()


class _Events(FileSystemEventHandler):
    def __init__(self, server: DevServer) -> None:
        self.server = server

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for attr in ("src_path", "dest_path"):
            path = getattr(event, attr, "")
            if path:
                self.server.notice(Path(path.decode() if isinstance(path, bytes) else path))


def resolve_path(files: Mapping[str, bytes], url_path: str) -> tuple[str | None, str | None]:
    """Map a URL path to a site file, or to a redirect target for a folder without its slash."""
    rel = unquote(url_path).lstrip("/")
    if ".." in PurePosixPath(rel).parts:
        return None, None
    if rel == "" or rel.endswith("/"):
        candidate = f"{rel}index.html"
        return (candidate, None) if candidate in files else (None, None)
    if rel in files:
        return rel, None
    if f"{rel}/index.html" in files:
        return None, f"/{rel}/"
    return None, None


def content_type(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def _handler_for(server: DevServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "statusbook-serve"

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the terminal for rebuild messages

        def do_HEAD(self) -> None:
            self.respond(head=True)

        def do_GET(self) -> None:
            self.respond(head=False)

        def send(self, status: int, body: bytes, kind: str, head: bool, extra: Mapping[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def respond(self, head: bool) -> None:
            try:
                self.answer(head)
            except (ConnectionError, TimeoutError):
                raise
            except Exception as exc:  # a malformed request gets an answer, never a dropped connection
                body = f"statusbook serve could not answer this request: {type(exc).__name__}".encode()
                self.send(HTTPStatus.BAD_REQUEST, body, "text/plain; charset=utf-8", head)

        def answer(self, head: bool) -> None:
            url = urlsplit(self.path)
            if url.path == f"{SERVE_PREFIX}wait.js":
                seen = parse_qs(url.query).get("v", ["-1"])[0]
                state = server.wait_for_version(int(seen) if seen.lstrip("-").isdigit() and len(seen) < 12 else -1, LONG_POLL_SECONDS)
                self.send(HTTPStatus.OK, f"statusbookServe({state.version});\n".encode(), "text/javascript; charset=utf-8", head)
                return
            if url.path == f"{SERVE_PREFIX}reload.js":
                self.send(HTTPStatus.OK, RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
                return
            if url.path == f"{SERVE_PREFIX}serve.css":
                self.send(HTTPStatus.OK, BANNER_CSS.encode(), "text/css; charset=utf-8", head)
                return
            state = server.state
            path, redirect = resolve_path(state.files, url.path)
            if redirect is not None:
                self.send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", head, {"Location": redirect + (f"?{url.query}" if url.query else "")})
                return
            status = HTTPStatus.OK
            if path is None:
                status = HTTPStatus.NOT_FOUND
                path = not_found_page(state.files, url.path)
            if path is None:
                body = b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>"
                if not state.files and state.problems:
                    body = b"<!doctype html><title>Build failed</title><body><h1>The site did not build</h1></body>"
                kind = "text/html; charset=utf-8"
            else:
                body, kind = state.files[path], content_type(path)
            if kind.startswith("text/html"):
                body = inject_reload(body, state.version, state.problems)
            self.send(status, body, kind, head)

    return Handler
