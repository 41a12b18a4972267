"""Where caches live, and the digest of the code that fills them.

Caches are a speed-up, never a source: they live outside the working tree
(so a pull request cannot commit one), in a per-user folder with one
subfolder per repository, and hold data (JSON and built files), never code.
Every entry is keyed by a digest of what it was made from, recomputed from the
source each time. Without a usable cache folder everything still works, only
slower.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib import metadata
from pathlib import Path

import click

import statusbook

ENV_CACHE = "STATUSBOOK_CACHE_DIR"
# Libraries whose upgrade can change a result or the bytes of a page.
LIBRARIES = ("PyYAML", "Jinja2", "MarkupSafe", "Babel", "Markdown", "nh3", "feedgen", "icalendar", "lxml", "mkdocs", "mkdocs-material", "mkdocs-static-i18n", "pymdown-extensions", "Pygments", "pagefind", "pagefind-bin")


def cache_home() -> Path:
    """``$STATUSBOOK_CACHE_DIR``, else ``$XDG_CACHE_HOME/statusbook``, else ``~/.cache/statusbook``."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "statusbook"


def repository_cache(root: Path) -> Path | None:
    """This repository's cache folder (made private on first use), or None when none can be had."""
    root = root.resolve()
    folder = cache_home() / f"{root.name[:40] or 'root'}-{hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        return _without(folder, exc.strerror or str(exc))
    if not folder.is_dir() or folder.is_symlink():
        return _without(folder, "not a folder")
    try:
        folder.relative_to(root)
    except ValueError:
        return folder
    return None  # a cache inside the working tree could be committed: do without


def _without(folder: Path, reason: str) -> None:
    """Say why there is no cache: the command still works, only slower."""
    click.echo(f"statusbook: warning: cannot use the cache folder {folder} ({reason}); working without a cache, which is slower", err=True)


@functools.cache
def code_digest() -> str:
    """This package's files (code, templates, catalogs), the libraries that shape output, and Python's version."""
    digest = hashlib.blake2b(statusbook.__version__.encode(), digest_size=16)
    package = Path(statusbook.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=\0".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()
