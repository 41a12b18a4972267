"""Real receivers on 127.0.0.1 for what `statusbook notify` sends: an SMTP server (aiosmtpd) and an HTTP server that records every request."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port nothing listens on right now (aiosmtpd cannot be asked for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpInbox:
    """An SMTP server on 127.0.0.1 that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def url(self, to: str = "ops@example.com") -> str:
        """An Apprise mailto:// URL that delivers here."""
        return f"mailto://127.0.0.1:{self.port}?from=status@example.com&to={to}"

    def __enter__(self) -> SmtpInbox:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@dataclass
class Request:
    """One request the HTTP receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 200  # what the receiver answered

    @property
    def form(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode("ascii"))


@dataclass
class HttpReceiver:
    """An HTTP server on 127.0.0.1 that records every POST; ``answers`` sets the status a path answers with (200 by default)."""

    requests: list[Request] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                status = receiver.answers.get(path, 200)
                receiver.requests.append(Request(self.path, dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, scheme: str, path: str, query: str = "") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}{'?' + query if query else ''}"

    def at(self, path: str) -> list[Request]:
        """The requests one path accepted (answered 2xx): what was delivered there."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path and 200 <= r.status < 300]

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
