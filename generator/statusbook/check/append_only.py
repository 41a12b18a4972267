"""Keep the public record append-only: compare incident files with their versions at a base ref.

Customers, feed readers and API clients have already seen what the base ref
published, so a pull request may add to it but not rewrite it:

- a published update's ``at`` never changes (it names the update's anchor and
  feed entry); its ``status`` and ``message`` change only together with a new
  ``correction: {at, reason}`` note, which the status page shows;
- the same holds in every language: a published translation (``message_nl``,
  ``title_nl``, ``reason_nl``) is as fixed as the text it translates. Adding a
  translation where there was none is not a rewrite (readers of that language
  saw the default text, marked as not translated, and now read it in their
  own), so it needs no correction note; changing or removing one does;
- a final update (``resolved``, ``completed``) is never edited or removed:
  reopening an incident means appending a non-final update after it, which
  :mod:`statusbook.check.incident` allows;
- new updates go after every published one, never between them;
- a published incident is never deleted, and never renamed to a new id
  (moving its file to another folder under the same name keeps the id).

Everything here is pure: it takes file contents, never reads git or disk
(:mod:`statusbook.io.git` reads the base ref).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime

from statusbook.check.incident import incident_id
from statusbook.check.incident_format import translation_key
from statusbook.core.config import LANGUAGE_NAMES, LANGUAGES
from statusbook.core.handbook import Handbook
from statusbook.core.ids import Kind
from statusbook.core.problems import Level, Mark, Problem
from statusbook.core.timestamps import TimestampError, parse_timestamp
from statusbook.core.yaml_source import MarkedDict, MarkedList, read_yaml

_START = Mark(1, 1)
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
    components: tuple[tuple[str, str], ...] = ()  # the per-component statuses it set, which make the uptime history
    translations: tuple[tuple[str, str], ...] = ()  # the message in other languages, by language
    correction_translations: tuple[tuple[str, str], ...] = ()  # the correction's reason in other languages

    def mark_of(self, key: str) -> Mark:
        return dict(self.marks).get(key, self.mark)


@dataclass(frozen=True, slots=True)
class Record:
    """The public record of one incident file: its kind, its incident-level fields and its updates in file order."""

    kind: str
    updates: tuple[RecordedUpdate, ...]
    updates_mark: Mark
    # Incident-level public fields as written (None when absent), each with where it is.
    fields: tuple[tuple[str, object, Mark], ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()  # incident-level (at, reason) notes
    mark: Mark = _START
    # Each incident-level correction's reason in other languages: ((at, reason), translations), with where the correction is.
    correction_translations: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...], Mark], ...] = ()

    def field(self, name: str) -> tuple[object, Mark]:
        for found, value, mark in self.fields:
            if found == name:
                return value, mark
        return None, self.mark


# Published incident-level fields: any change needs a new entry in the incident's `corrections`.
CORRECTABLE = ("title", "severity", "postmortem", "postmortem_summary", "scheduled", *(translation_key(n, c) for n in ("title", "postmortem_summary") for c in LANGUAGES))
# Fields that may be added after publishing without a note: a postmortem, and any translation.
ADDABLE = frozenset(name for name in CORRECTABLE if name in ("postmortem", "postmortem_summary") or name.rpartition("_")[2] in LANGUAGES)


def _translations(mapping: MarkedDict, name: str) -> tuple[tuple[str, str], ...]:
    """A text's translations as written (stripped), by language."""
    return tuple((code, _text(mapping.get(translation_key(name, code))).strip()) for code in LANGUAGES if _text(mapping.get(translation_key(name, code))).strip())


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def read_record(data: bytes, path: str) -> Record | None:
    """Read the updates of an incident file, or None when it is not a readable mapping."""
    parsed = read_yaml(data, path)
    root = parsed.value
    if not isinstance(root, MarkedDict):
        return None
    kind = Kind(root["kind"]) if root.get("kind") in tuple(Kind) else Kind.INCIDENT
    fields = tuple((name, _plain(root.get(name)), root.value_mark(name) if name in root else root.mark) for name in (*CORRECTABLE, "components"))
    raw_fixes = root.get("corrections")
    notes = [c for c in raw_fixes if isinstance(c, MarkedDict)] if isinstance(raw_fixes, MarkedList) else []
    fixes = tuple((_text(c.get("at")).strip(), _text(c.get("reason")).strip()) for c in notes)
    fix_texts = tuple((fix, _translations(c, "reason"), c.mark) for fix, c in zip(fixes, notes, strict=True))
    items = root.get("updates")
    if not isinstance(items, MarkedList):
        return Record(kind, (), root.key_mark("updates") if "updates" in root else root.mark, fields, fixes, root.mark, fix_texts)
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
        reasons = _translations(raw, "reason") if isinstance(raw, MarkedDict) else ()
        keys = ("at", "status", "message", "components", "correction", *(translation_key("message", code) for code in LANGUAGES))
        marks = tuple((key, item.value_mark(key)) for key in keys if key in item)
        states = item.get("components")
        components = tuple(sorted((_text(k), _text(v)) for k, v in states.items())) if isinstance(states, MarkedDict) else ()
        message = _text(item.get("message")).strip()
        updates.append(
            RecordedUpdate(at, at_text, _text(item.get("status")).strip(), message, correction, items.item_mark(index), marks, components, _translations(item, "message"), reasons)
        )
    return Record(kind, tuple(updates), root.key_mark("updates"), fields, fixes, root.mark, fix_texts)


def _plain(value: object) -> object:
    """A field's value in comparable form: text stripped, lists as tuples, mappings as sorted pairs."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, MarkedList):
        return tuple(_plain(v) for v in value)
    if isinstance(value, MarkedDict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    return value


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

    def compare_fields(self, old: Record, new: Record) -> None:
        """Incident-level fields: the kind never changes; the rest only with a new visible correction (a window also with a new update)."""
        if old.kind != new.kind:
            self.error(new.field("kind")[1] if new.field("kind")[0] else new.mark, "history-kind-changed", f"this was published at {self.ref} as a {old.kind}; an incident never becomes a maintenance or back: open a new file instead")
        fresh = set(new.corrections) - set(old.corrections)
        for gone in sorted(set(old.corrections) - set(new.corrections)):
            self.error(new.field("title")[1], "history-correction-removed", f"the incident's correction of {gone[0]} (published at {self.ref}) was removed; corrections stay visible")
        announced = len(new.updates) > len(old.updates)
        for name in CORRECTABLE:
            before, _ = old.field(name)
            after, mark = new.field(name)
            if before == after or (before is None and name in ADDABLE):
                continue  # unchanged, or a postmortem or a translation added for the first time
            if fresh or (name == "scheduled" and announced):
                continue
            what = "removed" if after is None else "changed"
            self.error(
                mark,
                "history-field-edited",
                f"{name!r} was published at {self.ref} and has been {what}; add a visible note to the incident's corrections: "
                "corrections: [{at: <now>, reason: <what changed and why>}]" + (" (or announce the new window in a new update)" if name == "scheduled" else ""),
            )
        old_components, _ = old.field("components")
        new_components, mark = new.field("components")
        removed = [c for c in (old_components or ()) if c not in (new_components or ())]
        if removed and not fresh:
            self.error(mark, "history-field-edited", f"component{'s' if len(removed) > 1 else ''} {', '.join(map(str, removed))} were published as affected at {self.ref}; adding components is fine, removing one needs a note in the incident's corrections")
        now_translated = {fix: (texts, where) for fix, texts, where in new.correction_translations}
        for fix, texts, _ in old.correction_translations:
            if fix in now_translated:
                for _, problem in _rewritten(texts, now_translated[fix][0], "reason"):
                    self.error(now_translated[fix][1], "history-field-edited", f"the incident's correction of {fix[0]}: its {problem.format(ref=self.ref)}; corrections stay as published")

    def compare(self, old: Record, new: Record) -> None:
        self.compare_fields(old, new)
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
        if old.components != new.components and not fresh_correction:
            self.error(
                new.mark_of("components"),
                "history-update-edited",
                f"the component statuses this update set were published at {ref} (they make the uptime history); to change them, add a correction note: correction: {{at: <now>, reason: <what changed and why>}}",
            )
        if old.message != new.message and not fresh_correction:
            stale = " (its correction note is unchanged since then; give it a new at and reason)" if new.correction is not None else ""
            self.error(
                new.mark_of("message"),
                "history-update-edited",
                f"this update's message differs from the one published at {ref}{stale}; to fix a published message, add a correction note: correction: {{at: <now>, reason: <what changed and why>}}",
            )
        if not fresh_correction:
            for code, problem in _rewritten(old.translations, new.translations, "message"):
                self.error(
                    new.mark_of(translation_key("message", code)),
                    "history-update-edited",
                    f"this update's {problem.format(ref=ref)}; adding a translation is fine, but changing or removing a published one needs a correction note: correction: {{at: <now>, reason: <what changed and why>}}",
                )
        if old.correction is not None and old.correction == new.correction:
            for _, problem in _rewritten(old.correction_translations, new.correction_translations, "reason"):
                self.error(new.mark_of("correction"), "history-update-edited", f"this update's correction note: its {problem.format(ref=ref)}; corrections stay as published")
        if old.correction is not None and new.correction is None:
            self.error(new.mark, "history-correction-removed", f"this update's correction note (published at {ref}) was removed; corrections stay visible")


def _rewritten(old: tuple[tuple[str, str], ...], new: tuple[tuple[str, str], ...], name: str) -> list[tuple[str, str]]:
    """Which published translations of a text were changed or removed (added ones are fine): (language, "message_nl (Dutch) ... changed")."""
    now = dict(new)
    found = []
    for code, text in old:
        if now.get(code) != text:
            found.append((code, f"{translation_key(name, code)} ({LANGUAGE_NAMES[code]}) was published at {{ref}} and has been {'removed' if code not in now else 'changed'}"))
    return found


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
