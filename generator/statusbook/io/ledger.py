"""What ``statusbook notify`` has announced, recorded on the published branch itself.

The record is ``.statusbook/announced.json`` in the tree of the branch that
holds the site (``gh-pages``), so every clone, however fresh, reads what
earlier runs sent, and it can never disagree with the site it describes: it
travels with it. ``statusbook publish`` carries it over into each new site
commit. It holds:

- ``announced``: the id of every announcement already handled (the feed entry
  ids of :mod:`statusbook.render.announcements`): sent to every target that
  follows it, or taken as the baseline on the first run;
- ``targets``: every known target, by the digest of its URL (never the URL,
  which holds secrets: this file is published with the site), with the
  announcements it has not received yet because sending failed;
- ``floor``: changes dated before it have scrolled out of the published
  site-wide feed; they are history and never announced, so ids older than it
  can be forgotten and the file stays small.

A write is one small commit on top of the published commit, made without a
checkout (the rest of the tree is shared, not rewritten). The local branch
moves compare-and-swap. With a remote, the commit is pushed by its sha,
without force, and only then does the local branch follow; when the remote
has moved on meanwhile (a publish ran), the record is merged into the one
there and committed again on top, so nothing anyone recorded is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from statusbook.core.timestamps import TimestampError, parse_timestamp, stamp
from statusbook.errors import GitOpsError, StatusbookError
from statusbook.io import git

LEDGER_PATH = ".statusbook/announced.json"
FORMAT = 1
ABOUT = "What statusbook notify has announced: feed entry ids; targets are known by a digest of their URL. Written by statusbook notify, kept by statusbook publish."
PUSH_ATTEMPTS = 5


class LedgerError(StatusbookError):
    """The record on the published branch cannot be read; the message says how to repair it."""


@dataclass(frozen=True)
class Ledger:
    """Announcements handled, and per target (by digest) those it still has to get."""

    announced: frozenset[str] = frozenset()
    pending: Mapping[str, frozenset[str]] = field(default_factory=dict)
    floor: datetime | None = None

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(self.pending)

    def knows(self, digest: str) -> bool:
        return digest in self.pending

    def with_targets(self, digests: Iterable[str]) -> Ledger:
        """Add targets seen for the first time: they get what is new from now on, nothing older."""
        pending = dict(self.pending)
        for digest in digests:
            pending.setdefault(digest, frozenset())
        return Ledger(self.announced, pending, self.floor)

    def handled(self, ids: Iterable[str], pending: Mapping[str, Iterable[str]]) -> Ledger:
        """Record announcements as handled; ``pending`` replaces what the targets it names still have to get."""
        lacking = dict(self.pending)
        lacking.update({digest: frozenset(ids_) for digest, ids_ in pending.items()})
        return Ledger(self.announced | frozenset(ids), lacking, self.floor)

    def delivered(self, digest: str, ident: str) -> Ledger:
        pending = dict(self.pending)
        pending[digest] = pending.get(digest, frozenset()) - {ident}
        return Ledger(self.announced, pending, self.floor)

    def pruned(self, floor: datetime | None, moments: Mapping[str, datetime], configured: Iterable[str]) -> Ledger:
        """Raise the floor and forget ids dated before it; drop targets no longer configured that lack nothing.

        ``moments`` gives the date of the ids it knows; an id it does not know
        (its incident is gone from the working tree) is kept, never re-announced.
        """
        floor = max((f for f in (self.floor, floor) if f is not None), default=None)
        keep = set(configured)

        def current(ident: str) -> bool:
            return floor is None or ident not in moments or moments[ident] >= floor

        announced = frozenset(i for i in self.announced if current(i))
        pending = {d: ids for d, ids in self.pending.items() if d in keep or ids}
        return Ledger(announced, pending, floor)

    def merged(self, other: Ledger) -> Ledger:
        """Combine two records of the same site (a concurrent run's and ours): whatever either delivered stays delivered."""
        announced = self.announced | other.announced
        pending: dict[str, frozenset[str]] = {}
        for digest in self.targets | other.targets:
            lacking = set()
            for ident in announced:
                sides = [side for side in (self, other) if ident in side.announced and side.knows(digest)]
                if sides and all(ident in side.pending[digest] for side in sides):
                    lacking.add(ident)
            pending[digest] = frozenset(lacking)
        floors = [f for f in (self.floor, other.floor) if f is not None]
        return Ledger(announced, pending, max(floors) if floors else None)

    def to_json(self, updated_at: datetime) -> bytes:
        document = {
            "about": ABOUT,
            "format": FORMAT,
            "updated_at": stamp(updated_at),
            "floor": stamp(self.floor) if self.floor is not None else None,
            "announced": sorted(self.announced),
            "targets": {digest: {"pending": sorted(self.pending[digest])} for digest in sorted(self.pending)},
        }
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes, where: str) -> Ledger:
        remedy = (
            "it is statusbook notify's record on the published branch; restore it from an earlier commit of that branch,"
            " or delete it (the next run then records a new baseline and sends nothing older)"
        )
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LedgerError(f"{where} is not valid JSON ({exc}); {remedy}") from None
        if not isinstance(document, dict):
            raise LedgerError(f"{where} must hold a JSON object; {remedy}")
        version = document.get("format")
        if isinstance(version, int) and version > FORMAT:
            raise LedgerError(f"{where} was written by a newer statusbook (format {version}); upgrade statusbook to announce from this site")
        if version != FORMAT:
            raise LedgerError(f"{where} has format {version!r}, expected {FORMAT}; {remedy}")
        announced = document.get("announced")
        targets = document.get("targets")
        if not isinstance(announced, list) or not all(isinstance(i, str) for i in announced):
            raise LedgerError(f"{where}: 'announced' must be a list of ids; {remedy}")
        if not isinstance(targets, dict):
            raise LedgerError(f"{where}: 'targets' must map target digests to their pending ids; {remedy}")
        pending = {}
        for digest, entry in targets.items():
            ids = entry.get("pending") if isinstance(entry, dict) else None
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise LedgerError(f"{where}: target {digest!r} must have a list of pending ids; {remedy}")
            pending[digest] = frozenset(ids)
        floor = document.get("floor")
        try:
            floor_at = parse_timestamp(floor) if isinstance(floor, str) else None
        except TimestampError:
            raise LedgerError(f"{where}: 'floor' is not a timestamp; {remedy}") from None
        return cls(frozenset(announced), pending, floor_at)


@dataclass
class PublishedBranch:
    """The branch that holds the published site, as notify reads and writes it: live is the remote's when there is one."""

    project: git.Project
    branch: str
    ref: str
    remote: str | None
    tip: str  # the published commit
    local: str | None  # where the local branch points
    recorded: Ledger | None = None  # the record as this run last read or wrote it

    @property
    def label(self) -> str:
        return f"{self.remote}/{self.branch}" if self.remote else self.branch

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        return git.read_blobs(self.project, self.tip, paths)

    def _ledger_at_tip(self) -> Ledger | None:
        data = git.read_blob(self.project, self.tip, LEDGER_PATH)
        return None if data is None else Ledger.from_json(data, f"{self.label}:{LEDGER_PATH}")

    def read_ledger(self) -> Ledger | None:
        """The record on the published commit (None before the first run)."""
        self.recorded = self._ledger_at_tip()
        return self.recorded

    def follow(self, commit: str) -> None:
        """Fast-forward the local branch to a pushed commit (so a later publish builds on it); leave it alone if it went elsewhere meanwhile."""
        local = git.ref_sha(self.project, self.ref)
        if local == commit:
            self.local = commit
        elif local is None or git.is_ancestor(self.project, local, commit):
            git.move_ref(self.project, self.ref, commit, local, command="notify")
            self.local = commit

    def record(self, ledger: Ledger, message: str, now: datetime) -> Ledger:
        """Commit the ledger on top of the published commit; return what was recorded.

        When the record there is no longer the one this run read or wrote
        (another run recorded meanwhile), the two are merged first; otherwise
        this run's record replaces it as it is, forgotten ids included.
        """
        for _ in range(PUSH_ATTEMPTS):
            current = self._ledger_at_tip()
            if current is not None and current != self.recorded:
                ledger = ledger.merged(current)
            if ledger == current:
                self.recorded = current
                return ledger
            tree = git.tree_with_file(self.project, git.tree_of(self.project, self.tip), LEDGER_PATH, ledger.to_json(now))
            commit = git.commit_tree(self.project, tree, self.tip, message)
            if self.remote is not None and not git.push_fast_forward(self.project, self.remote, commit, self.ref):
                fetched = git.fetch_branch(self.project, self.remote, self.branch)
                if fetched is None:
                    raise GitOpsError(f"{self.remote}/{self.branch} disappeared while statusbook notify was recording what it sent; publish again, then run notify")
                self.tip = fetched
                continue
            if self.remote is None:
                git.move_ref(self.project, self.ref, commit, self.local, command="notify")  # the record itself: compare-and-swap
                self.local = commit
            else:
                self.follow(commit)
            self.tip = commit
            self.recorded = ledger
            return ledger
        raise GitOpsError(
            f"{self.label} kept changing while statusbook notify recorded what it sent ({PUSH_ATTEMPTS} attempts); "
            "run one publish or notify at a time (a CI concurrency group), then run notify again"
        )


def open_published_branch(project: git.Project, branch: str, remote: str | None) -> PublishedBranch:
    """Find the published commit: the remote's branch (fetched now) with a remote, else the local branch; refuse what is not live."""
    ref = git.check_branch_name(project, branch)
    local = git.ref_sha(project, ref)
    if remote is None:
        if local is None:
            raise GitOpsError(f"there is no {branch} branch here, so nothing is published to announce; run statusbook publish first, or name the branch with --branch")
        return PublishedBranch(project, branch, ref, None, local, local)
    git.check_remote(project, remote)
    published = git.fetch_branch(project, remote, branch)
    if published is None:
        raise GitOpsError(f"{remote} has no {branch} branch, so nothing is published to announce; run statusbook publish --push first")
    if local is not None and local != published and not git.is_ancestor(project, local, published):
        ours, _ = git.divergence(project, local, published)
        raise GitOpsError(
            f"your local {branch} has {ours} commit{'s' if ours != 1 else ''} that {remote}/{branch} does not have, so it is not what readers see; "
            f"statusbook notify announces only what is live on {remote}.\n"
            f"  Push it with: statusbook publish --push {remote}\n"
            f"  Or drop it with: git branch -f {branch} {remote}/{branch}"
        )
    return PublishedBranch(project, branch, ref, remote, published, local)
