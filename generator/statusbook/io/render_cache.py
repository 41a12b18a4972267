"""Skip rendering pages whose inputs did not change since the build that wrote them.

A tracked page has a key: a digest of everything it is rendered from (this
package's code, templates and catalogs, the site's settings and theme, the
handbook, the incidents it shows, and the clock only where the page depends
on it). The writer records each page's key beside the file it wrote; when the
next build computes the same key, the page is not rendered at all and the
writer takes the file the previous build left (:class:`statusbook.io.writer.Reused`).
So a rebuild after editing one incident renders that incident's page, the
history page that lists it, and the few pages that show the whole site now.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path

from statusbook.commands.validate import CODE_DIGEST
from statusbook.io.writer import Reused

PACKAGE = Path(__file__).resolve().parent.parent / "render"
# Package data that shapes output besides the Python code (which CODE_DIGEST covers).
_DATA_FOLDERS = ("templates", "static", "locale")
# Libraries whose upgrade can change the bytes of a page.
_LIBRARIES = ("Jinja2", "MarkupSafe", "Babel", "Markdown", "nh3", "feedgen", "icalendar", "lxml")


def inputs_key(*parts: object) -> bytes:
    """Digest the text of some inputs, in order, into a page key."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


def folder_digest(folder: Path) -> str:
    """Digest every file under a folder (names and contents), in a fixed order; empty when there is no folder."""
    digest = hashlib.blake2b(digest_size=16)
    if not folder.is_dir():
        return ""
    for base, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(base) / name
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


def _library_versions() -> str:
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=")
    return ",".join(found)


_PACKAGE_DIGEST: str | None = None


def package_digest() -> str:
    """This package's code, templates, assets and catalogs, the libraries that render them, and Python's version."""
    global _PACKAGE_DIGEST
    if _PACKAGE_DIGEST is None:
        _PACKAGE_DIGEST = inputs_key(CODE_DIGEST, *(folder_digest(PACKAGE / name) for name in _DATA_FOLDERS), _library_versions(), sys.version).hex()
    return _PACKAGE_DIGEST


class RenderCache:
    """Which pages the site on disk holds, by inputs key; counts what was rendered and what reused."""

    def __init__(self, previous: Mapping[str, bytes]) -> None:
        self.previous = previous
        self.keys: dict[str, bytes] = {}
        self.rendered = 0
        self.reused = 0

    def page(self, path: str, key: bytes, render: Callable[[], bytes]) -> bytes | Reused:
        """Render the page, unless the site on disk holds it from the same inputs."""
        self.keys[path] = key
        if self.previous.get(path) == key:
            self.reused += 1
            return Reused(key)
        self.rendered += 1
        return render()
