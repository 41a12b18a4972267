"""Check one parsed incident file against the handbook and turn it into domain values.

Every check reports at the exact key or value it is about and never stops at
the first problem. Rules that need the clock or other files live in
:mod:`statusbook.check.collection`; everything here depends only on the file and the
handbook, so its result can be cached by content hash.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from statusbook.check.incident_format import CORRECTION_SHAPE, INCIDENT_SHAPE, INTERNAL_SHAPE, TIMELINE_SHAPE, TRANSLATABLE, UPDATE_SHAPE, WINDOW_SHAPE, translation_key
from statusbook.core.config import LANGUAGE_NAMES, LANGUAGES, base_language
from statusbook.core.handbook import Handbook
from statusbook.core.ids import MAINTENANCE_WORKING, ComponentStatusId, Kind
from statusbook.core.model import Correction, Incident, Internal, TimelineEntry, Translations, Update, Window
from statusbook.core.problems import Level, Mark, Problem, Reporter, expected
from statusbook.core.shape import TEXT, Shape, check_shape, describe, get
from statusbook.core.timestamps import TimestampError, parse_timestamp
from statusbook.core.yaml_source import MarkedDict, MarkedList, read_yaml

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
MAX_ID_LENGTH = 100
_SPACE_RE = re.compile(r"\s")  # the same characters as str.isspace
INCIDENT_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """What one file yields: the public incident and its internal record when usable, and its problems."""

    path: str
    id: str
    incident: Incident | None
    internal: Internal | None
    problems: tuple[Problem, ...]
    marks: tuple[tuple[str, int, int], ...] = ()  # (name, line, column) of named parts: "handbook", "last-update", "update-3"

    def mark(self, name: str) -> Mark:
        """Return where a named part of the file is (``handbook``, ``last-update``), or its start."""
        for found, line, column in self.marks:
            if found == name:
                return Mark(line, column)
        return Mark(1, 1)

    def without_marks(self) -> CheckedFile:
        """The same result without its marks, once the rules that read them have run: a hundred thousand files' marks need not stay."""
        return CheckedFile(self.path, self.id, self.incident, self.internal, self.problems) if self.marks else self


# A line of public text that starts like an ``internal:`` key: the block was indented into the text above it.
SWALLOWED_INTERNAL_RE = re.compile(r"^[ \t]*internal[ \t]*:(?=[ \t]|$)", re.MULTILINE)
# A key that reads as a translation (``message_de``): a text key, then what looks like a language code.
# Texts a file must give: an empty translation of one of them is a mistake, not "no translation".
REQUIRED_TEXTS = frozenset(f.name for shape in (INCIDENT_SHAPE, UPDATE_SHAPE, CORRECTION_SHAPE) for f in shape.fields if f.required and f.name in TRANSLATABLE)
TRANSLATION_KEY_RE = re.compile(rf"({'|'.join(TRANSLATABLE)})_([A-Za-z]{{2,3}}(?:[-_][A-Za-z0-9]{{2,8}})?)\Z")


def incident_id(path: str) -> str:
    """Derive an incident's id from its file path: the file name without its suffix."""
    name = path.rsplit("/", 1)[-1]
    for suffix in INCIDENT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_url(value: str) -> bool:
    """Tell an absolute http(s) URL; urlsplit raises on a malformed one (an unclosed IPv6 bracket)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and _SPACE_RE.search(value) is None


class _IncidentChecker:
    """Check one file into domain values.

    Ids the handbook defines (severities, statuses, components, roles) come out
    interned (sys.intern): they recur in every file, and a hundred thousand
    files would otherwise hold a copy each.
    """

    def __init__(self, path: str, handbook: Handbook) -> None:
        self.path = path
        self.handbook = handbook
        self.report = Reporter(path)
        self.marks: dict[str, Mark] = {}
        # Every public text of the file: the mapping it is in, its key, and the languages it has been translated into.
        self.texts: list[tuple[MarkedDict, str, frozenset[str]]] = []

    def shape(self, mapping: object, shape: Shape, *, where: MarkedDict | MarkedList | None = None, key: object = None) -> MarkedDict | None:
        """Check a mapping's keys (see check_shape), reporting a translation into a language statusbook does not ship as such."""
        foreign = []
        if isinstance(mapping, MarkedDict):
            for name in mapping:
                found = TRANSLATION_KEY_RE.match(name) if isinstance(name, str) and name not in shape.by_name else None
                if found is not None and found[1] in shape.by_name:
                    foreign.append(name)
                    allowed = ", ".join(f"{translation_key(found[1], code)} ({LANGUAGE_NAMES[code]})" for code in LANGUAGES)
                    self.report.error(
                        mapping.key_mark(name),
                        "language-unknown",
                        f"{name!r} names the language {found[2]!r}, which statusbook does not ship; a translation of {found[1]!r} is one of {allowed}",
                    )
        return check_shape(mapping, shape, self.report, where=where, key=key, skip=foreign)

    def translations(self, mapping: MarkedDict, name: str, *, strip: bool = False) -> Translations:
        """A text's translations (``message_nl`` beside ``message``), noted for the missing-translation check."""
        found = []
        for code in LANGUAGES:
            key = translation_key(name, code)
            value = mapping.get(key)
            if not isinstance(value, str):
                continue  # absent, null, or of a type check_shape reported
            if not value.strip():
                if name in REQUIRED_TEXTS:
                    self.report.error(mapping.value_mark(key), "value-empty", f"{key!r} must not be empty: give the {LANGUAGE_NAMES[code]} text, or leave the key out")
                continue
            if name in ("message", "postmortem_summary"):
                self.swallowed_internal(mapping, key, value)
            mark, first = mapping.key_mark(key), self.marks.get(f"language-{code}")
            if first is None or (mark.line, mark.column) < (first.line, first.column):
                self.marks[f"language-{code}"] = mark  # where the file first gives text in it
            found.append((code, value.strip() if strip else value))
        if name in mapping:
            self.texts.append((mapping, name, frozenset(code for code, _ in found)))
        return tuple(found)

    def missing_translations(self) -> None:
        """Warn at each text left untranslated into a language other texts of the incident are translated into."""
        languages = sorted(set().union(*(present for _, _, present in self.texts)))
        for mapping, name, present in self.texts:
            for code in languages:
                if code not in present:
                    key = translation_key(name, code)
                    self.report.warning(
                        mapping.value_mark(name),
                        "translation-missing",
                        f"this {name} has no {LANGUAGE_NAMES[code]} text ({key}) while other texts of this incident have one; "
                        f"the {code} page shows {name!r} instead, marked as not translated",
                    )

    def timestamp(self, mapping: MarkedDict, key: str) -> datetime | None:
        value = mapping.get(key)
        if not isinstance(value, str):
            return None
        try:
            return parse_timestamp(value)
        except TimestampError as exc:
            self.report.error(mapping.value_mark(key), exc.rule, str(exc))
            return None

    def check(self, value: object, file_id: str) -> tuple[Incident | None, Internal | None]:
        report, handbook = self.report, self.handbook
        if not ID_RE.match(file_id) or len(file_id) > MAX_ID_LENGTH:
            report.error(
                Mark(1, 1),
                "id-invalid",
                f"id {file_id!r} (from the file name) must be lower-case letters, digits and single hyphens, at most {MAX_ID_LENGTH} characters, like 2026-03-01-api-errors",
            )
        if not isinstance(value, MarkedDict):
            mark = getattr(value, "mark", Mark(1, 1))
            report.error(mark, "file-not-mapping", f"an incident file must be a mapping of keys (title, severity, components, updates, ...), found {describe(value)}")
            return None, None
        root = self.shape(value, INCIDENT_SHAPE)
        assert root is not None
        for key in ("handbook", "postmortem", "severity", "updates", "corrections"):
            if key in root:
                self.marks[key] = root.value_mark(key)
        if isinstance(root.get("updates"), MarkedList) and root["updates"]:
            items = root["updates"]
            self.marks["last-update"] = items.item_mark(len(items) - 1)
            self.marks.update((f"update-{index}", items.item_mark(index)) for index in range(len(items)))
        kind = get(root, "kind", TEXT, Kind.INCIDENT)
        if kind not in tuple(Kind):
            report.error(root.value_mark("kind"), "kind-unknown", expected("a kind", kind, tuple(Kind)))
            kind = Kind.INCIDENT
        kind = Kind(kind)
        severity = get(root, "severity", TEXT)
        if severity is not None and severity not in handbook.severity_by_id:
            report.error(root.value_mark("severity"), "severity-unknown", expected("a severity of the handbook", severity, handbook.severity_by_id))
            severity = None
        elif severity is None and kind == Kind.INCIDENT and "severity" not in root:
            report.error(root.mark, "severity-missing", f"an incident needs a severity; expected one of {', '.join(handbook.severity_by_id)}")
        type_id = get(root, "type", TEXT, "default")
        if type_id not in handbook.type_by_id:
            report.error(root.value_mark("type"), "type-unknown", expected("an incident type of the handbook", type_id, handbook.type_by_id))
            type_id = "default"
        components = self.components(root)
        window = self.window(root, kind)
        updates = self.updates(root, kind, components)
        postmortem = get(root, "postmortem", TEXT)
        if postmortem is not None and not is_url(postmortem):
            report.error(root.value_mark("postmortem"), "url-invalid", f"postmortem {postmortem!r} must be an absolute http(s) URL")
            postmortem = None
        summary = get(root, "postmortem_summary", TEXT)
        self.swallowed_internal(root, "postmortem_summary", summary)
        summary_translations = self.translations(root, "postmortem_summary", strip=True) if summary and summary.strip() else ()
        title_translations = self.translations(root, "title", strip=True)
        corrections = self.corrections(root, updates)
        self.missing_translations()
        internal = self.internal(root, file_id, type_id, severity)
        title = get(root, "title", TEXT, "")
        if not updates or not title.strip() or not components or (kind == Kind.MAINTENANCE and window is None):
            return None, internal
        incident = Incident(
            id=file_id,
            path=self.path,
            title=title.strip(),
            kind=kind,
            severity=None if severity is None else sys.intern(severity),
            type=sys.intern(type_id),
            components=components,
            updates=updates,
            scheduled=window,
            postmortem=postmortem,
            handbook=get(root, "handbook", TEXT),
            postmortem_summary=summary.strip() if summary and summary.strip() else None,
            corrections=corrections,
            title_translations=title_translations,
            postmortem_summary_translations=summary_translations,
        )
        return incident, internal

    def swallowed_internal(self, mapping: MarkedDict, key: str, text: str | None) -> None:
        """Warn when public text holds an ``internal:`` line: an indentation slip that would publish internal notes."""
        if text and (found := SWALLOWED_INTERNAL_RE.search(text)):
            line = text.count("\n", 0, found.start()) + 1
            self.report.warning(
                mapping.value_mark(key),
                "internal-in-public-text",
                f"line {line} of this public {key} reads {found.group().strip()!r}: an internal block indented into the text would be published; "
                "move it out to the incident's top level, or reword the line",
            )

    def corrections(self, root: MarkedDict, updates: tuple[Update, ...]) -> tuple[Correction, ...]:
        """Incident-level corrections: each a visible note, dated no earlier than the first update."""
        items = root.get("corrections")
        if not isinstance(items, MarkedList):
            return ()
        found = []
        for index, item in enumerate(items):
            mapping = self.shape(item, CORRECTION_SHAPE, where=items, key=index)
            if mapping is None:
                continue
            at, reason = self.timestamp(mapping, "at"), get(mapping, "reason", TEXT, "")
            translations = self.translations(mapping, "reason", strip=True)
            if at is not None and updates and at < updates[0].at:
                self.report.error(mapping.value_mark("at"), "correction-before-update", "a correction cannot be dated before the incident's first update")
            if at is not None and reason.strip():
                found.append(Correction(at, reason.strip(), translations))
        return tuple(sorted(found, key=lambda c: c.at))

    def components(self, root: MarkedDict) -> tuple[str, ...]:
        items = root.get("components")
        if not isinstance(items, MarkedList):
            return ()
        known = self.handbook.component_by_id
        result: list[str] = []
        for index, item in enumerate(items):
            if not isinstance(item, str):
                continue
            if item not in known:
                self.report.error(items.item_mark(index), "component-unknown", expected("a component of handbook/components.yml", item, known))
            elif item in result:
                self.report.error(items.item_mark(index), "component-duplicate", f"component {item!r} is listed twice")
            else:
                result.append(sys.intern(item))
        if not items:
            self.report.error(root.value_mark("components"), "value-empty", "'components' must list at least one affected component")
        return tuple(result)

    def window(self, root: MarkedDict, kind: str) -> Window | None:
        raw = root.get("scheduled")
        if raw is None:
            if kind == Kind.MAINTENANCE:
                self.report.error(root.mark, "maintenance-window-missing", "a maintenance needs a window: scheduled: {start: ..., end: ...}")
            return None
        if kind == Kind.INCIDENT:
            self.report.error(root.key_mark("scheduled"), "window-on-incident", "only maintenance has a 'scheduled' window; set 'kind: maintenance' or remove it")
        mapping = self.shape(raw, WINDOW_SHAPE, where=root, key="scheduled")
        if mapping is None:
            return None
        start, end = self.timestamp(mapping, "start"), self.timestamp(mapping, "end")
        if start is None or end is None:
            return None
        if end <= start:
            self.report.error(mapping.value_mark("end"), "maintenance-window", f"the window ends ({mapping['end']}) before or when it starts ({mapping['start']})")
            return None
        return Window(start, end)

    def updates(self, root: MarkedDict, kind: str, components: tuple[str, ...]) -> tuple[Update, ...]:
        items = root.get("updates")
        if not isinstance(items, MarkedList):
            return ()
        if not items:
            self.report.error(root.value_mark("updates"), "updates-empty", "'updates' must hold at least one public update")
            return ()
        handbook, report = self.handbook, self.report
        statuses = {s.id for s in handbook.statuses(kind)}
        final = handbook.final_status(kind)
        component_statuses = handbook.component_status_by_id
        state: dict[str, str] = {}
        result: list[Update] = []
        previous_at: datetime | None = None
        final_seen_at: Mark | None = None
        ok = True
        for index, item in enumerate(items):
            mapping = self.shape(item, UPDATE_SHAPE, where=items, key=index)
            if mapping is None:
                ok = False
                continue
            at = self.timestamp(mapping, "at")
            status = get(mapping, "status", TEXT)
            if status is not None and status not in statuses:
                report.error(mapping.value_mark("status"), "status-unknown", expected(f"a public status of {'a' if kind == Kind.MAINTENANCE else 'an'} {kind}", status, [s.id for s in handbook.statuses(kind)]))
                status = None
            message = get(mapping, "message", TEXT, "")
            self.swallowed_internal(mapping, "message", message)
            translations = self.translations(mapping, "message")
            # Reopening is appending a non-final update after the final one; published
            # updates are never edited (see statusbook.check.append_only), so a closed incident can
            # only be closed again after it has been reopened.
            if final_seen_at is not None and status == final:
                report.error(
                    mapping.value_mark("status"),
                    "update-after-final",
                    f"the incident was already closed by the {final!r} update at line {final_seen_at.line}; to reopen it, add a non-final update (such as {handbook.statuses(kind)[0].id!r}) before closing it again",
                )
            elif status is not None and status != final:
                final_seen_at = None
            if at is not None and previous_at is not None and at < previous_at:
                report.error(mapping.value_mark("at"), "update-order", f"this update ({mapping['at']}) is older than the one before it; list updates oldest first")
            if at is not None:
                previous_at = at
            raw_components = mapping.get("components")
            if isinstance(raw_components, MarkedDict):
                for cid, cstatus in raw_components.items():
                    if cid not in components:
                        if cid in handbook.component_by_id:
                            report.error(raw_components.key_mark(cid), "component-not-affected", f"component {cid!r} is not in this incident's 'components' ({', '.join(components)}); add it there first")
                        else:
                            report.error(raw_components.key_mark(cid), "component-unknown", expected("a component of handbook/components.yml", cid, handbook.component_by_id))
                        continue
                    if not isinstance(cstatus, str) or cstatus not in component_statuses:
                        report.error(raw_components.value_mark(cid), "component-status-unknown", expected("a component status", cstatus if isinstance(cstatus, str) else repr(cstatus), component_statuses))
                        continue
                    state[cid] = sys.intern(cstatus)
            elif kind == Kind.MAINTENANCE and status in MAINTENANCE_WORKING:
                for cid in components:
                    state.setdefault(cid, ComponentStatusId.UNDER_MAINTENANCE)
            if status == final:
                final_seen_at = items.item_mark(index)
                named = raw_components if isinstance(raw_components, MarkedDict) else {}
                down = [cid for cid in components if cid in named and state.get(cid) != ComponentStatusId.OPERATIONAL]
                for cid in down:
                    report.error(
                        named.value_mark(cid),
                        "final-components-down",
                        f"the final {final!r} update leaves {cid!r} {state[cid]}; set it to operational or use a non-final status",
                    )
                for cid in components:
                    state[cid] = ComponentStatusId.OPERATIONAL
            correction = None
            raw_correction = mapping.get("correction")
            if raw_correction is not None:
                cmap = self.shape(raw_correction, CORRECTION_SHAPE, where=mapping, key="correction")
                if cmap is not None:
                    cat = self.timestamp(cmap, "at")
                    reason = get(cmap, "reason", TEXT, "")
                    reasons = self.translations(cmap, "reason")
                    if cat is not None and at is not None and cat < at:
                        report.error(cmap.value_mark("at"), "correction-before-update", "a correction cannot be dated before the update it corrects")
                    if cat is not None and reason:
                        correction = Correction(cat, reason, reasons)
            if at is None or status is None or not message.strip():
                ok = False
                continue
            result.append(Update(at, sys.intern(status), message, tuple((cid, state[cid]) for cid in components if cid in state), correction, translations))
        return tuple(result) if ok else ()

    def internal(self, root: MarkedDict, file_id: str, type_id: str, severity: str | None) -> Internal | None:
        handbook, report = self.handbook, self.report
        raw = root.get("internal")
        block = check_shape(raw, INTERNAL_SHAPE, report, where=root, key="internal") if raw is not None else None
        roles: list[tuple[str, str]] = []
        if block is not None and isinstance(block.get("roles"), MarkedDict):
            for role_id, person in block["roles"].items():
                if role_id not in handbook.role_by_id:
                    report.error(block["roles"].key_mark(role_id), "role-unknown", expected("a role of the handbook", role_id, handbook.role_by_id))
                elif isinstance(person, str) and person.strip():
                    roles.append((sys.intern(role_id), person))
                else:
                    report.error(block["roles"].value_mark(role_id), "type-mismatch", f"role {role_id!r} must name a person as text")
        sev = handbook.severity_by_id.get(severity or "")
        if sev is not None and sev.major:
            filled = {r for r, _ in roles}
            for role in handbook.roles:
                if role.required_for_major and role.id not in filled:
                    where = block["roles"].mark if block is not None and isinstance(block.get("roles"), MarkedDict) else (block.mark if block is not None else root.value_mark("severity"))
                    report.error(where, "incident-manager-missing", f"{severity} is a major incident, so internal.roles.{role.id} must name the {role.name.lower()}")
        assessment: list[tuple[str, str]] = []
        if block is not None and isinstance(block.get("assessment"), MarkedDict):
            answers = block["assessment"]
            for qid, answer in answers.items():
                if qid not in handbook.question_by_id:
                    report.error(answers.key_mark(qid), "question-unknown", expected("an assessment question of the handbook", qid, handbook.question_by_id))
                elif not isinstance(answer, str):
                    report.error(answers.value_mark(qid), "type-mismatch", f"the answer to {qid!r} must be text")
                else:
                    assessment.append((sys.intern(qid), answer))
        timeline: list[TimelineEntry] = []
        if block is not None and isinstance(block.get("timeline"), MarkedList):
            phases = {p.id for p in handbook.phases_for(type_id)}
            entries = block["timeline"]
            for index, item in enumerate(entries):
                entry = check_shape(item, TIMELINE_SHAPE, report, where=entries, key=index)
                if entry is None:
                    continue
                at = self.timestamp(entry, "at")
                phase = get(entry, "phase", TEXT)
                if phase is not None and phase not in phases:
                    extra = "" if phase not in handbook.phase_by_id else f" (it applies only to incident types that add it; this incident's type is {type_id!r})"
                    report.error(entry.value_mark("phase"), "phase-unknown", expected(f"a phase of a {type_id!r} incident", phase, [p.id for p in handbook.phases_for(type_id)]) + extra)
                    phase = None
                if at is not None and phase is not None:
                    timeline.append(TimelineEntry(at, sys.intern(phase), get(entry, "note", TEXT, "")))
        call = get(block, "call", TEXT, "")
        if call and not is_url(call):
            report.error(block.value_mark("call"), "url-invalid", f"call {call!r} must be an absolute http(s) URL")
        return Internal(
            incident_id=file_id,
            roles=tuple(roles),
            chat=get(block, "chat", TEXT, ""),
            call=call,
            assessment=tuple(assessment),
            impact=get(block, "impact", TEXT, ""),
            timeline=tuple(timeline),
        )


def unpublished_translations(checked: CheckedFile, languages: tuple[str, ...]) -> list[Problem]:
    """Warn where a file gives text in a language the status page does not show it in.

    ``languages`` are the site's (``SiteConfig.languages``, the default first).
    A translation into the default language is never shown (its pages show
    the plain key), nor one into a language the site is not published in.
    The file's own check cannot know the site, so this runs beside it.
    """
    given = {name.removeprefix("language-"): Mark(line, column) for name, line, column in checked.marks if name.startswith("language-")}
    if not given:
        return []  # no translations in this file: nothing to warn about
    found = []
    default, others = base_language(languages[0]), {base_language(language) for language in languages[1:]}
    for code in LANGUAGES:
        if code in others or code not in given:
            continue
        mark = given[code]
        if code == default:
            why = f"{LANGUAGE_NAMES[code]} is this site's default language (theme.language), so its pages show the plain keys (message, title) and never this text; put it there, or remove it"
        else:
            why = f"the status page is not published in {LANGUAGE_NAMES[code]}, so nothing shows this text; add {code} to extra.statusbook.languages in mkdocs.yml, or remove it"
        found.append(Problem(checked.path, mark.line, mark.column, "translation-unpublished", Level.WARNING, f"this file gives text in {LANGUAGE_NAMES[code]} (*_{code} keys), but {why}"))
    return sorted(found)


def check_incident_file(data: bytes, path: str, handbook: Handbook) -> CheckedFile:
    """Read, parse and check one incident file; never raises for bad input."""
    file_id = incident_id(path)
    parsed = read_yaml(data, path)
    if parsed.value is None and any(p.is_error for p in parsed.problems):
        return CheckedFile(path, file_id, None, None, tuple(sorted(parsed.problems)))
    checker = _IncidentChecker(path, handbook)
    incident, internal = checker.check(parsed.value, file_id)
    problems = tuple(sorted(parsed.problems + tuple(checker.report.problems)))
    if any(p.is_error for p in problems):
        incident = None
    return CheckedFile(path, file_id, incident, internal, problems, tuple((name, mark.line, mark.column) for name, mark in sorted(checker.marks.items())))
