"""Sending announcements: Apprise for people and chat, a signed POST for machines, a ping for WebSub hubs.

People's targets are Apprise URLs (``mailto://``, ``slack://``, ``workflows://``
for Teams, ``json://``, ``ntfy://``...): Apprise knows each service's API, and we keep
one Apprise object per target for a run so its rate limits (one email every
few seconds, Slack's per-second limit) are honoured across messages. A
target gets the style of message its service reads best: HTML for mail,
short Markdown for chat, plain text for the rest (Apprise's ``?format=``
URL option chooses another).

Machines that already read Statuspage's webhooks get ``statuspage+https://``
targets. That POST is made here with the standard library, not through
Apprise's ``json://``: the receiver must get exactly Statuspage's JSON (Apprise
wraps the body in its own envelope), the signature must be computed over the
exact bytes sent (Apprise has no per-message header), and a redirect must
count as a failure, as Statuspage's webhooks treat it, rather than be
followed. The optional ``secret`` query parameter never leaves this machine:
it is removed from the URL and used as the HMAC-SHA256 key of the
``X-Statusbook-Signature-256: sha256=<hex>`` header, computed like GitHub's
``X-Hub-Signature-256`` over the raw body.

Nothing here ever writes a target's URL into a message or an error: reports
name a target by :func:`label`, with passwords, tokens and query strings left out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from statusbook import __version__
from statusbook.core.targets import WEBHOOK_SCHEME_PREFIX

TIMEOUT = 15.0  # seconds, for each webhook POST and hub ping
SIGNATURE_HEADER = "X-Statusbook-Signature-256"
EVENT_HEADER = "X-Statusbook-Event"
DELIVERY_HEADER = "X-Statusbook-Delivery"
USER_AGENT = f"statusbook/{__version__}"


class Style(StrEnum):
    """The kind of message a target reads best."""

    HTML = "html"  # mail: a full message with the update's formatting
    MARKDOWN = "markdown"  # chat: short, with a link
    TEXT = "text"  # everything else: plain text
    WEBHOOK = "webhook"  # Statuspage's JSON


@dataclass(frozen=True, slots=True)
class Sent:
    """How one attempt went; ``detail`` says why it failed, in words that hold no secret."""

    ok: bool
    detail: str = ""


def is_webhook(url: str) -> bool:
    return url.lower().startswith(WEBHOOK_SCHEME_PREFIX)


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else ""


@contextmanager
def _apprise_log() -> Iterator[list[str]]:
    """Collect what Apprise logs (warnings and errors) instead of letting it print; the caller reports it."""
    logger = logging.getLogger("apprise")
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect(logging.WARNING)
    propagate, level = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = propagate, level


def _instantiate(url: str) -> object | None:
    import apprise

    with _apprise_log():
        return apprise.Apprise.instantiate(url, suppress_exceptions=True)


def _webhook_parts(url: str) -> tuple[str, str, tuple[str, str] | None]:
    """Split a ``statuspage+https://`` URL into the URL to POST to, the signing secret and basic-auth credentials."""
    parts = urlsplit(url[len(WEBHOOK_SCHEME_PREFIX) :])
    query = parse_qsl(parts.query, keep_blank_values=True)
    secret = next((value for key, value in query if key == "secret"), "")
    kept = urlencode([(key, value) for key, value in query if key != "secret"])
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    auth = (parts.username or "", parts.password or "") if parts.username else None
    return urlunsplit((parts.scheme, netloc, parts.path or "/", kept, "")), secret, auth


def check_url(url: str) -> str | None:
    """Why a target URL cannot be used, in words without its secrets; None when it can."""
    if is_webhook(url):
        try:
            post_url, _, _ = _webhook_parts(url)
            parts = urlsplit(post_url)
        except ValueError:
            return "this statuspage+ URL is malformed; write it like statuspage+https://hooks.example.com/status?secret=..."
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "a statuspage+ URL must continue with http:// or https:// and a host, like statuspage+https://hooks.example.com/status"
        return None
    scheme = _scheme(url)
    if not scheme:
        return "this is not a URL; write an Apprise URL such as mailto://user:password@example.com or slack://TokenA/TokenB/TokenC"
    if _instantiate(url) is None:
        return (
            f"Apprise cannot use this {scheme}:// URL (an unknown scheme, or a URL its service does not accept);"
            " check it against https://github.com/caronc/apprise/wiki, or use statuspage+https:// for a Statuspage-style webhook"
        )
    return None


def label(url: str, name: str = "") -> str:
    """How reports name a target: its name, else its scheme and host (no user, password, token or query)."""
    if name:
        return name
    if is_webhook(url):
        try:
            post_url, _, _ = _webhook_parts(url)
        except ValueError:
            return "statuspage+ (malformed)"
        parts = urlsplit(post_url)
        return f"{WEBHOOK_SCHEME_PREFIX}{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"
    plugin = _instantiate(url)
    if plugin is None:
        return f"{_scheme(url)}://…"
    private = plugin.url(privacy=True)
    return private.split("?", 1)[0]


def style_of(url: str) -> Style:
    """The message style a target gets: what its service reads best, or what ``?format=`` in its URL asks for."""
    if is_webhook(url):
        return Style.WEBHOOK
    import apprise

    plugin = _instantiate(url)
    if plugin is None:
        return Style.TEXT
    resolve = getattr(plugin, "resolve_format", None)
    chosen = resolve(None) if resolve is not None else plugin.notify_format
    if isinstance(chosen, tuple):
        chosen = chosen[0]
    return {apprise.NotifyFormat.HTML: Style.HTML, apprise.NotifyFormat.MARKDOWN: Style.MARKDOWN}.get(chosen, Style.TEXT)


def scrub(text: str, url: str) -> str:
    """Blank out what looks secret in a URL (password, query values, long tokens) wherever a service's words repeat it.

    Apprise's own messages name hosts, not credentials; this is a second line
    of defence, since reports end up in CI logs.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return text
    secrets = [parts.password or "", *(value for _, value in parse_qsl(parts.query) if len(value) >= 4)]
    secrets += [segment for segment in parts.path.split("/") if len(segment) >= 16]
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if "." not in host and len(host) >= 8:  # a token in the host's place (slack://TokenA/...), not a domain
        secrets.append(netloc.split(":", 1)[0])
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "****")
    return text


class AppriseTarget:
    """One Apprise target for the length of a run (so its service's rate limits hold across messages)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._plugin: object | None = None

    def send(self, title: str, body: str, style: Style, severity: str) -> Sent:
        """Send one message; ``severity`` is Apprise's notify type (info, success, warning, failure)."""
        import apprise

        if self._plugin is None:
            self._plugin = _instantiate(self.url)
        if self._plugin is None:
            return Sent(False, "Apprise cannot use this URL")
        body_format = {Style.HTML: apprise.NotifyFormat.HTML, Style.MARKDOWN: apprise.NotifyFormat.MARKDOWN}.get(style, apprise.NotifyFormat.TEXT)
        with _apprise_log() as logged:
            try:
                ok = bool(self._plugin.notify(body=body, title=title, notify_type=apprise.NotifyType(severity), body_format=body_format))
            except Exception as exc:  # a plugin's own bug must not stop the other targets
                return Sent(False, f"Apprise failed: {type(exc).__name__}")
        return Sent(True) if ok else Sent(False, scrub("; ".join(logged[-2:]), self.url) or "the service refused the message")


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: ``sha256=`` and the hex HMAC-SHA256 of the exact body, keyed with the secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure (as for Statuspage's webhooks), never followed with the body or the signature."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Sent:
    request = urllib.request.Request(url, data=body, method="POST", headers={"User-Agent": USER_AGENT, **headers})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return Sent(False, f"the receiver answered HTTP {exc.code} {exc.reason}".rstrip())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Sent(False, f"could not reach the receiver: {reason}")
    return Sent(True) if 200 <= status < 300 else Sent(False, f"the receiver answered HTTP {status}")


def post_webhook(url: str, body: bytes, event: str, delivery: str, *, timeout: float = TIMEOUT) -> Sent:
    """POST a Statuspage-style JSON body, signed when the URL carries a secret; success is any 2xx answer."""
    post_url, secret, auth = _webhook_parts(url)
    headers = {"Content-Type": "application/json; charset=utf-8", EVENT_HEADER: event, DELIVERY_HEADER: delivery}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
    return _post(post_url, body, headers, timeout)


def ping_hub(hub: str, feeds: Iterable[str], *, timeout: float = TIMEOUT) -> Sent:
    """Tell a WebSub hub that feeds changed (``hub.mode=publish``, one request per feed); it then fetches them itself."""
    for feed in feeds:
        body = urlencode({"hub.mode": "publish", "hub.url": feed}).encode("ascii")
        sent = _post(hub, body, {"Content-Type": "application/x-www-form-urlencoded"}, timeout)
        if not sent.ok:
            return Sent(False, f"{sent.detail} (for {feed})")
    return Sent(True)
