"""Keep the public record append-only: compare incident files with their versions at a base ref.

Customers, feed readers and API clients have already seen what the base ref
published, so a pull request may add to it but not rewrite it:

- a published update's ``at`` never changes (it names the update's anchor and
  feed entry); its ``status`` and ``message`` change only together with a new
  ``correction: {at, reason}`` note, which the status page shows;
- a final update (``resolved``, ``completed``) is never edited or removed:
  reopening an incident means appending a non-final update after it, which
  :mod:`statusbook.check.incident` allows;
- new updates go after every published one, never between them;
- a published incident is never deleted, and never renamed to a new id
  (moving its file to another folder under the same name keeps the id).

Everything here is pure: it takes file contents, never reads git or disk
(:mod:`statusbook.io.gitops` reads the base ref).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime

from statusbook.check.incident import incident_id
from statusbook.core.handbook import Handbook
from statusbook.core.ids import Kind
from statusbook.core.problems import Level, Mark, Problem
from statusbook.core.timestamps import TimestampError, parse_timestamp
from statusbook.core.yaml_source import MarkedDict, MarkedList, read_yaml

# A new file counts as a renamed published one when this share of its updates matches.
RENAME_SIMILARITY = 0.5


@dataclass(frozen=True, slots=True)
class RecordedUpdate:
    """One update as written in a file, with where its parts are."""

    at: datetime | str  # the moment, or the raw text when it cannot be parsed
    at_text: str
    status: str
    message: str
    correction: tuple[str, str] | None
    mark: Mark
    marks: tuple[tuple[str, Mark], ...]

    def mark_of(self, key: str) -> Mark:
        return dict(self.marks).get(key, self.mark)


@dataclass(frozen=True, slots=True)
class Record:
    """The public record of one incident file: its kind and updates in file order."""

    kind: str
    updates: tuple[RecordedUpdate, ...]
    updates_mark: Mark


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def read_record(data: bytes, path: str) -> Record | None:
    """Read the updates of an incident file, or None when it is not a readable mapping."""
    parsed = read_yaml(data, path)
    root = parsed.value
    if not isinstance(root, MarkedDict):
        return None
    kind = Kind(root["kind"]) if root.get("kind") in tuple(Kind) else Kind.INCIDENT
    items = root.get("updates")
    if not isinstance(items, MarkedList):
        return Record(kind, (), root.key_mark("updates") if "updates" in root else root.mark)
    updates = []
    for index, item in enumerate(items):
        if not isinstance(item, MarkedDict):
            continue
        at_text = _text(item.get("at")).strip()
        try:
            at: datetime | str = parse_timestamp(at_text)
        except TimestampError:
            at = at_text
        raw = item.get("correction")
        correction = (_text(raw.get("at")).strip(), _text(raw.get("reason")).strip()) if isinstance(raw, MarkedDict) else None
        marks = tuple((key, item.value_mark(key)) for key in ("at", "status", "message") if key in item)
        updates.append(RecordedUpdate(at, at_text, _text(item.get("status")).strip(), _text(item.get("message")).strip(), correction, items.item_mark(index), marks))
    return Record(kind, tuple(updates), root.key_mark("updates"))


class _Comparison:
    """Compare one file's base record with its current record, collecting problems."""

    def __init__(self, path: str, ref: str, handbook: Handbook) -> None:
        self.path = path
        self.ref = ref
        self.handbook = handbook
        self.problems: list[Problem] = []

    def error(self, mark: Mark, rule: str, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.column, rule, Level.ERROR, message))

    def final(self, kind: str) -> str:
        return self.handbook.final_status(kind)

    def compare(self, old: Record, new: Record) -> None:
        old_keys = [u.at for u in old.updates]
        new_keys = [u.at for u in new.updates]
        matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        paired: list[tuple[int, int]] = []
        removed: list[int] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                paired.extend(zip(range(i1, i2), range(j1, j2)))
            elif tag == "replace":
                count = min(i2 - i1, j2 - j1)
                paired.extend(zip(range(i1, i1 + count), range(j1, j1 + count)))
                removed.extend(range(i1 + count, i2))
            elif tag == "delete":
                removed.extend(range(i1, i2))
        for i, j in paired:
            self.compare_update(old.updates[i], new.updates[j], old.kind, new.kind)
        for i in removed:
            self.report_removed(old, new, i, paired)
        last_published = max((j for _, j in paired), default=-1)
        kept = {j for _, j in paired}
        for j, update in enumerate(new.updates):
            if j < last_published and j not in kept:
                self.error(
                    update.mark,
                    "history-update-inserted",
                    f"this new update ({update.at_text}) sits before updates already published at {self.ref}; add new updates after the last one, with the current time",
                )

    def report_removed(self, old: Record, new: Record, index: int, paired: list[tuple[int, int]]) -> None:
        update = old.updates[index]
        # Point at the update that now stands where the removed one was, else at the list.
        after = sorted(j for i, j in paired if i > index)
        mark = new.updates[after[0]].mark if after else (new.updates[-1].mark if new.updates else new.updates_mark)
        if update.status == self.final(old.kind):
            self.error(
                mark,
                "history-reopened-by-edit",
                f"the {update.status!r} update of {update.at_text} (published at {self.ref}) was removed; to reopen the incident, put it back and append a new non-final update after it",
            )
            return
        self.error(
            mark,
            "history-update-removed",
            f"the {update.status!r} update of {update.at_text} (published at {self.ref}) was removed; put it back, with a 'correction: {{at, reason}}' note if it was wrong",
        )

    def compare_update(self, old: RecordedUpdate, new: RecordedUpdate, old_kind: str, new_kind: str) -> None:
        ref = self.ref
        if old.at != new.at:
            self.error(
                new.mark_of("at"),
                "history-update-edited",
                f"this update was published at {ref} with at: {old.at_text}; its time never changes because it names the update's link and feed entry; put it back and add a new update instead",
            )
        fresh_correction = new.correction is not None and new.correction != old.correction
        if old.status != new.status:
            old_final, new_final = old.status == self.final(old_kind), new.status == self.final(new_kind)
            if old_final and not new_final:
                self.error(
                    new.mark_of("status"),
                    "history-reopened-by-edit",
                    f"this update was published at {ref} as {old.status!r}; to reopen the incident, keep it and append a new {new.status or 'non-final'!r} update after it",
                )
            elif new_final and not old_final:
                self.error(
                    new.mark_of("status"),
                    "history-update-edited",
                    f"this update was published at {ref} as {old.status!r}; to close the incident, keep it and append a new {new.status!r} update",
                )
            elif not fresh_correction:
                self.error(
                    new.mark_of("status"),
                    "history-update-edited",
                    f"this update was published at {ref} as {old.status!r}; to change its status, add a correction note: correction: {{at: <now>, reason: <what changed and why>}}",
                )
        if old.message != new.message and not fresh_correction:
            stale = " (its correction note is unchanged since then; give it a new at and reason)" if new.correction is not None else ""
            self.error(
                new.mark_of("message"),
                "history-update-edited",
                f"this update's message differs from the one published at {ref}{stale}; to fix a published message, add a correction note: correction: {{at: <now>, reason: <what changed and why>}}",
            )
        if old.correction is not None and new.correction is None:
            self.error(new.mark, "history-correction-removed", f"this update's correction note (published at {ref}) was removed; corrections stay visible")


def _similarity(old: Record | None, new: Record | None, old_data: bytes, new_data: bytes) -> float:
    """How alike two files are: the share of the old file's update times found in the new one, or their text."""
    if old is not None and new is not None and old.updates:
        old_times = [u.at for u in old.updates]
        new_times = {u.at for u in new.updates}
        return sum(1 for t in old_times if t in new_times) / len(old_times)
    return difflib.SequenceMatcher(None, old_data, new_data, autojunk=False).ratio()


def check_history(
    base: Mapping[str, bytes], current: Mapping[str, bytes], handbook: Handbook, ref: str, *, base_ids: Set[str] | None = None, current_ids: Set[str] | None = None
) -> list[Problem]:
    """Report every way the current incident files rewrite what ``ref`` published.

    ``base`` and ``current`` map repository-relative paths to file contents.
    They may hold only the files that can differ when ``base_ids`` and
    ``current_ids`` name every incident on each side: a published id that
    still exists but whose file is not in ``current`` is unchanged.
    """
    problems: list[Problem] = []
    current_by_id: dict[str, str] = {}
    for path in sorted(current):
        current_by_id.setdefault(incident_id(path), path)
    base_ids = {incident_id(p) for p in base} if base_ids is None else base_ids
    still_there = set(current_by_id) if current_ids is None else current_ids
    unclaimed = {i: p for i, p in current_by_id.items() if i not in base_ids}
    records: dict[str, Record | None] = {}

    def record(files: Mapping[str, bytes], path: str, side: str) -> Record | None:
        key = f"{side}:{path}"
        if key not in records:
            records[key] = read_record(files[path], path)
        return records[key]

    for old_path in sorted(base):
        old = record(base, old_path, "base")
        if old is None:
            continue  # never a readable incident, so never published
        new_path = current_by_id.get(incident_id(old_path))
        if new_path is None and incident_id(old_path) in still_there:
            continue  # not changed since it was published
        if new_path is None:
            scored = sorted(((_similarity(old, record(current, p, "current"), base[old_path], current[p]), p) for p in unclaimed.values()), key=lambda s: (-s[0], s[1]))
            if scored and scored[0][0] >= RENAME_SIMILARITY:
                new_path = scored[0][1]
                del unclaimed[incident_id(new_path)]
                problems.append(
                    Problem(
                        new_path,
                        1,
                        1,
                        "history-incident-renamed",
                        Level.ERROR,
                        f"this file was published as {old_path} at {ref}; renaming it changes the incident's id from {incident_id(old_path)!r} to {incident_id(new_path)!r}, "
                        f"and with it its URL and feed ids; rename it back (moving it to another folder under the same name is fine)",
                    )
                )
            else:
                problems.append(
                    Problem(
                        old_path,
                        1,
                        1,
                        "history-incident-deleted",
                        Level.ERROR,
                        f"this incident was published at {ref} and has been deleted; its page and feed entries must live on, so restore the file from {ref}",
                    )
                )
                continue
        new = record(current, new_path, "current")
        if new is None:
            continue  # unreadable now: the file's own checks report why
        comparison = _Comparison(new_path, ref, handbook)
        comparison.compare(old, new)
        problems.extend(comparison.problems)
    return sorted(problems)
