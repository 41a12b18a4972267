"""Handbook versions: release tags, their order, which one governs an incident, and mike's files.

Pure functions over :class:`Release` values; reading tags from git is
:mod:`statusbook.io.git`'s job. The version selector of mkdocs-material reads
``versions.json`` in the format mike writes, so that format is reproduced here
exactly (a JSON list, newest first, ``indent=2``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident
from statusbook.core.timestamps import TimestampError, parse_timestamp
from statusbook.core.yaml_source import read_yaml

DEV = "dev"
LATEST = "latest"
RESERVED = frozenset({DEV, LATEST, "versions.json", "index.html"})
_PART_RE = re.compile(r"\d+|[A-Za-z]+")
# A version names a folder of the site: one safe path segment.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*\Z")


@dataclass(frozen=True, slots=True)
class Release:
    """A git tag that publishes a handbook version, and when its commit was made."""

    name: str
    commit: str
    at: datetime


def is_version_name(name: str) -> bool:
    """Tell whether a tag can name a handbook folder (no slashes, not ``dev`` or ``latest``)."""
    return bool(_NAME_RE.match(name)) and name not in RESERVED and ".." not in name


def version_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Order versions as people do: v1.10 after v1.9, and v1.0rc1 before v1.0.

    Numbers compare as numbers; a word (rc, beta) sorts below the end of the
    version, so a pre-release comes before its release.
    """
    parts = [(2, int(p), "") if p.isdigit() else (0, 0, p.lower()) for p in _PART_RE.findall(name)]
    return (*parts, (1, 0, ""))


def is_prerelease(name: str) -> bool:
    """Tell a pre-release (v2.0rc1, v2.0-beta, v3.0a2) from a release: a word after the version's first number."""
    parts = _PART_RE.findall(name)
    first = next((n for n, p in enumerate(parts) if p.isdigit()), None)
    return first is not None and any(not p.isdigit() for p in parts[first + 1 :])


def latest_release(releases: Sequence[Release]) -> Release | None:
    """The release ``latest`` stands for: the newest that is not a pre-release (``releases`` newest first)."""
    return next((r for r in releases if not is_prerelease(r.name)), None)


def newest_first(releases: Iterable[Release]) -> tuple[Release, ...]:
    """Sort releases by version, newest first (ties broken by name, for a stable order)."""
    by_name = sorted(releases, key=lambda r: r.name)
    return tuple(sorted(by_name, key=lambda r: version_key(r.name), reverse=True))


def governing_version_at(pin: str | None, started_at: datetime | None, releases: Sequence[Release]) -> str:
    """Return the pinned version, else the newest release made at or before the start, else the first release, else ``dev``.

    ``releases`` must be newest first. Without a start time the newest release
    governs, as it would for an incident opened now. An incident older than
    every release is governed by (and links customers to) the first release:
    once there is a release, nothing public points at the ``dev`` draft.
    """
    if pin:
        return pin
    for release in releases:
        if started_at is None or release.at <= started_at:
            return release.name
    return releases[-1].name if releases else DEV


def governing_version(incident: Incident, releases: Sequence[Release]) -> str:
    """Return the handbook version that governs an incident (see :func:`governing_version_at`)."""
    return governing_version_at(incident.handbook, incident.started_at, releases)


def scan_governing_fields(data: bytes, path: str) -> tuple[str | None, datetime | None]:
    """Read just what picks an incident file's handbook version: its ``handbook`` pin and when it started.

    This runs before the file is checked (which needs the version's schema), so
    it tolerates anything; the check itself reports what is wrong.
    """
    value = read_yaml(data, path).value
    if not isinstance(value, dict):
        return None, None
    pin = value.get("handbook") if isinstance(value.get("handbook"), str) else None
    candidates = []
    scheduled = value.get("scheduled")
    if isinstance(scheduled, dict):
        candidates.append(scheduled.get("start"))
    updates = value.get("updates")
    if isinstance(updates, list) and updates and isinstance(updates[0], dict):
        candidates.append(updates[0].get("at"))
    for text in candidates:
        if isinstance(text, str):
            try:
                return pin, parse_timestamp(text)
            except TimestampError:
                continue
    return pin, None


@dataclass(frozen=True)
class GoverningHandbooks:
    """The working tree's handbook and every release's, so each incident is checked against its own version.

    ``digest`` stands for all of them in per-file cache keys; while every
    release has the same schema as the working tree it is simply the working
    tree's digest, and no file needs to be scanned for its version.
    """

    current: Handbook
    releases: tuple[Release, ...] = ()
    by_version: Mapping[str, Handbook] = field(default_factory=dict)
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        if self.uniform:
            digest = self.current.digest
        else:
            parts = [self.current.digest] + [f"{r.name}@{r.at.isoformat()}={self.by_version[r.name].digest if r.name in self.by_version else ''}" for r in self.releases]
            digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
        object.__setattr__(self, "digest", digest)

    @property
    def uniform(self) -> bool:
        return all(h.digest == self.current.digest for h in self.by_version.values())

    @property
    def version_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.releases)

    def handbook_for(self, version: str) -> Handbook:
        """The handbook of a version; the working tree's for ``dev`` or a version that cannot be read."""
        return self.by_version.get(version, self.current)

    def for_file(self, data: bytes, path: str) -> Handbook:
        """The handbook an incident file is checked against."""
        if self.uniform:
            return self.current
        pin, started_at = scan_governing_fields(data, path)
        return self.handbook_for(governing_version_at(pin, started_at, self.releases))


def versions_json(releases: Sequence[Release], *, dev: bool = True) -> str:
    """Write mike's ``versions.json``: development version first, then releases newest first, ``latest`` on the newest that is not a pre-release."""
    latest = latest_release(releases)
    entries = []
    if dev:
        entries.append({"version": DEV, "title": DEV, "aliases": []})
    for release in releases:
        entries.append({"version": release.name, "title": release.name, "aliases": [LATEST] if release is latest else []})
    return json.dumps(entries, indent=2) + "\n"


def default_version(releases: Sequence[Release]) -> str:
    """The folder ``handbook/index.html`` sends readers to: ``latest``, else the newest pre-release, else ``dev``."""
    if latest_release(releases) is not None:
        return LATEST
    return releases[0].name if releases else DEV
