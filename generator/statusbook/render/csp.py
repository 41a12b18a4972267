"""A strict Content-Security-Policy for every page we publish, as a meta tag.

Static hosts rarely let us set headers, so the policy travels inside each page.
Inline scripts (MkDocs Material has a few, our redirect pages one) are allowed
by their SHA-256 hashes only, so an injected script can never run.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)([^>]*)>(.*?)</script>", re.S | re.I)
_NON_JS_TYPE = re.compile(r"""\btype\s*=\s*["']?(?!text/javascript|module|application/javascript)[a-z]""", re.I)
_HEAD_ANCHOR = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.I)

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


def script_hashes(page: str) -> list[str]:
    """The CSP source expressions for the inline scripts of a page."""
    hashes = set()
    for attributes, body in _INLINE_SCRIPT.findall(page):
        if _NON_JS_TYPE.search(attributes):
            continue  # data blocks such as type="application/json" never run
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        hashes.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(hashes)


def policy_for(page: str) -> str:
    scripts = " ".join(["'self'", *script_hashes(page)])
    return "; ".join([BASE_POLICY[0], f"script-src {scripts}", *BASE_POLICY[1:]])


def add_policy(page: str) -> str:
    """Insert the policy right after the charset declaration, before any script can run."""
    if 'http-equiv="Content-Security-Policy"' in page:
        return page
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(page)}">'
    match = _HEAD_ANCHOR.search(page)
    if match is None:
        return page.replace("<head>", f"<head>\n{meta}", 1)
    return page[: match.end()] + "\n" + meta + page[match.end() :]
