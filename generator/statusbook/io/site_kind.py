"""Which kind of site a built folder holds, so the public and the internal site never take each other's place.

The internal site carries a marker file at its root (besides the writer's own
marker, which every built site has). A build refuses to replace a folder of the
other kind, an internal build refuses to go inside a public site, and
``publish`` can tell an internal site it was handed.
"""

from __future__ import annotations

from pathlib import Path

from statusbook.errors import UsageError
from statusbook.io.site_folders import SITE_MARKER

INTERNAL_MARKER = ".statusbook-internal"
INTERNAL_MARKER_TEXT = b"The internal incident log built by statusbook build --internal. Never publish it with the public site.\n"


def is_internal_site(folder: Path) -> bool:
    return (folder / INTERNAL_MARKER).is_file()


def is_public_site(folder: Path) -> bool:
    return (folder / SITE_MARKER).is_file() and not is_internal_site(folder)


def check_internal_target(target: Path, public_default: Path) -> None:
    """Refuse an internal build into the public site, inside any built site, or in place of a public one."""
    target = target.resolve()
    public_default = public_default.resolve()
    if target == public_default or target.is_relative_to(public_default):
        raise UsageError(f"{target} is the public site's folder (or inside it); build the internal site into a folder of its own, such as site-internal/")
    for folder in (target, *target.parents):
        if is_public_site(folder):
            raise UsageError(f"{folder} holds a public site; the internal site never goes into (or over) it: choose another folder, such as site-internal/")


def check_public_target(target: Path) -> None:
    """Refuse a public build over an internal site (the two must never be mixed up)."""
    target = target.resolve()
    for folder in (target, *target.parents):
        if is_internal_site(folder):
            raise UsageError(f"{folder} holds the internal site; build the public site into another folder")


def check_internal_publish(branch: str, remote: str | None, *, public_branch: str = "gh-pages", public_remote: str = "origin") -> None:
    """An internal site is published only to a branch and a remote of its own, both named on purpose."""
    if branch == public_branch or remote is None or remote == public_remote:
        raise UsageError(
            f"this is the internal site: it is never published where the public site goes. Name a separate branch and a separate remote on purpose,"
            f" for example --branch internal-log --push internal (not {public_branch!r}, not {public_remote!r}, and not without a remote)"
        )
