"""A strict Content-Security-Policy for every page we publish, as a meta tag.

Static hosts rarely let us set headers, so the policy travels inside each
page, exactly once and first in ``<head>``, whatever the page's text says.
Inline scripts run only by their SHA-256 hash, and only scripts the caller
vouches for (the theme's own, our redirect script) get one, so a script that
arrives with content never runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)([^>]*)>(.*?)</script\s*>", re.S | re.I)
_NON_JS_TYPE = re.compile(r"""\btype\s*=\s*["']?(?!text/javascript|module|application/javascript)[a-z]""", re.I)
# A tag that could set a policy or a refresh: in content, only ours may stand.
HTTP_EQUIV = re.compile(r"<meta\b[^>]*\bhttp-equiv\s*=[^>]*>", re.I)
_POLICY_META = re.compile(r"<meta\b[^>]*\bhttp-equiv\s*=\s*[\"']?content-security-policy[^>]*>", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)

BASE_POLICY = (
    "default-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def is_code(attributes: str) -> bool:
    """Whether an inline ``<script>`` runs (data blocks such as type="application/json" never do)."""
    return not _NON_JS_TYPE.search(attributes)


def script_hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(hashes: Iterable[str]) -> str:
    scripts = " ".join(["'self'", *sorted(set(hashes))])
    return "; ".join([BASE_POLICY[0], f"script-src {scripts}", *BASE_POLICY[1:]])


def set_policy(page: str, content: str) -> str:
    """Drop every policy the page has and put one first in its ``<head>``."""
    page = _POLICY_META.sub("", page)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    match = _HEAD.search(page)
    if match is None:
        return f"<head>{meta}</head>\n{page}"
    return page[: match.end()] + "\n" + meta + page[match.end() :]


def with_own_scripts(page: str) -> str:
    """The policy for a page whose every inline script is ours (the handbook's redirect pages)."""
    hashes = [script_hash(body) for attributes, body in INLINE_SCRIPT.findall(page) if is_code(attributes)]
    return set_policy(page, policy(hashes))
