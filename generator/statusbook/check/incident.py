"""Check one parsed incident file against the handbook and turn it into domain values.

Every check reports at the exact key or value it is about and never stops at
the first problem. Rules that need the clock or other files live in
:mod:`statusbook.check.collection`; everything here depends only on the file and the
handbook, so its result can be cached by content hash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from statusbook.core.handbook import Handbook
from statusbook.core.model import (
    INCIDENT,
    KINDS,
    MAINTENANCE,
    OPERATIONAL,
    Correction,
    Incident,
    Internal,
    TimelineEntry,
    TimestampError,
    Update,
    Window,
    parse_timestamp,
)
from statusbook.core.problems import Level, Mark, Problem, Reporter, expected
from statusbook.core.shape import LIST, MAPPING, TEXT, TEXT_LIST, TEXT_MAPPING, TIMESTAMP, Field, Shape, check_shape, describe, get
from statusbook.core.yaml_source import MarkedDict, MarkedList, read_yaml

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
MAX_ID_LENGTH = 100
_SPACE_RE = re.compile(r"\s")  # the same characters as str.isspace
INCIDENT_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """What a rule checks, shown in the handbook's reference page."""

    id: str
    level: str
    summary: str
    fails: str = ""
    passes: str = ""


# The catalogue of every rule id any check can report, in reference-page order.
RULES: tuple[RuleDoc, ...] = (
    RuleDoc("file-empty", "error", "The file is empty, holds only comments, or holds no YAML document."),
    RuleDoc("file-binary", "error", "The file contains a NUL byte, so it is not text."),
    RuleDoc("file-too-large", "error", "The file is larger than 1 MiB."),
    RuleDoc("file-encoding", "error", "The file is not UTF-8 (for example UTF-16, or Latin-1 bytes)."),
    RuleDoc("file-bom", "warning", "The file starts with a UTF-8 byte order mark."),
    RuleDoc("file-not-mapping", "error", "The document is a list or a single value instead of a mapping of keys.", "- title: Outage", "title: Outage"),
    RuleDoc("file-unreadable", "error", "The file cannot be read (a broken link, or no permission)."),
    RuleDoc("file-name", "error", "The file name is not `<id>.yml` or `<id>.yaml`."),
    RuleDoc("yaml-syntax", "error", "The YAML cannot be parsed.", "title: [unclosed", "title: Closed"),
    RuleDoc("yaml-documents", "error", "The file holds more than one YAML document (`---`)."),
    RuleDoc("yaml-duplicate-key", "error", "A key appears twice in one mapping; YAML would silently keep the last.", "title: A\ntitle: B", "title: A"),
    RuleDoc("yaml-anchor", "error", "An anchor (`&name`) is used; anchors and aliases are how YAML bombs work.", "a: &x [1]", "a: [1]"),
    RuleDoc("yaml-alias", "error", "An alias (`*name`) is used.", "b: *x", "b: [1]"),
    RuleDoc("yaml-tag", "error", "An explicit or custom tag (`!!python/object`, `!foo`, `!!str`) is used.", "title: !!str 12", "title: '12'"),
    RuleDoc("yaml-merge", "error", "A merge key (`<<`) is used."),
    RuleDoc("yaml-key", "error", "A key is a list or a mapping instead of text."),
    RuleDoc("yaml-nesting", "error", "Values are nested deeper than 32 levels."),
    RuleDoc("yaml-scalar-size", "error", "A single value is longer than 65,536 characters."),
    RuleDoc("yaml-truthy", "warning", "A plain `yes`, `no`, `on` or `off`, which YAML 1.1 tools read as a boolean.", "title: no", "title: 'no'"),
    RuleDoc("text-control-character", "error", "A value contains a control character."),
    RuleDoc("key-unknown", "error", "A key is not part of the format; the message suggests the closest known key.", "titel: Outage", "title: Outage"),
    RuleDoc("key-missing", "error", "A required key is missing."),
    RuleDoc("value-empty", "error", "A required key is present but empty."),
    RuleDoc("type-mismatch", "error", "A value has the wrong type, for example a list where text belongs.", "title: [a, b]", "title: a and b"),
    RuleDoc("id-invalid", "error", "The id (the file name without `.yml`) is not a safe slug: lower-case letters, digits and single hyphens, at most 100 characters.", "2026-03-01 API.yml", "2026-03-01-api.yml"),
    RuleDoc("id-duplicate", "error", "Two files have the same id (for example `x.yml` and `x.yaml`, or the same name in two year folders)."),
    RuleDoc("kind-unknown", "error", "`kind` is neither `incident` nor `maintenance`."),
    RuleDoc("severity-unknown", "error", "`severity` is not a severity of the handbook.", "severity: SEV5", "severity: SEV2"),
    RuleDoc("severity-missing", "error", "An incident has no `severity` (maintenance may omit it)."),
    RuleDoc("type-unknown", "error", "`type` is not an incident type of the handbook."),
    RuleDoc("component-unknown", "error", "A component id is not defined in `handbook/components.yml`.", "components: [apii]", "components: [api]"),
    RuleDoc("component-duplicate", "error", "A component is listed twice in `components`."),
    RuleDoc("component-not-affected", "error", "An update sets the status of a component the incident does not list in `components`."),
    RuleDoc("component-status-unknown", "error", "A component status is not one of the handbook's component statuses.", "api: down", "api: major_outage"),
    RuleDoc("status-unknown", "error", "An update's `status` is not a public status for this kind (incident or maintenance).", "status: fixed", "status: resolved"),
    RuleDoc("timestamp-invalid", "error", "A timestamp cannot be read or names an impossible moment (February 30th, 25:00).", "at: 2026-02-30T10:00:00Z", "at: 2026-02-28T10:00:00Z"),
    RuleDoc("timestamp-naive", "error", "A timestamp has no UTC offset, so its moment depends on the reader's zone.", "at: 2026-03-01 10:00", "at: 2026-03-01T10:00:00+01:00"),
    RuleDoc("updates-empty", "error", "An incident has no public update; the first one says it started."),
    RuleDoc("update-order", "error", "Updates are not in chronological order (oldest first)."),
    RuleDoc(
        "update-after-final",
        "error",
        "A final update (`resolved` or `completed`) follows another final one. To reopen a closed incident, append a non-final update; published updates are never edited.",
        "- status: resolved\n- status: resolved",
        "- status: resolved\n- status: investigating",
    ),
    RuleDoc("final-components-down", "error", "The final update leaves a component in a status other than operational."),
    RuleDoc("maintenance-window", "error", "A maintenance window ends before (or when) it starts.", "scheduled: {start: 2026-03-02T02:00Z, end: 2026-03-02T01:00Z}", "scheduled: {start: 2026-03-02T01:00Z, end: 2026-03-02T02:00Z}"),
    RuleDoc("maintenance-window-missing", "error", "A maintenance has no `scheduled` window."),
    RuleDoc("window-on-incident", "error", "An incident has a `scheduled` window, which only maintenance has."),
    RuleDoc("url-invalid", "error", "A link (`postmortem`, `internal.call`) is not an absolute http(s) URL."),
    RuleDoc("correction-before-update", "error", "A correction is dated before the update it corrects."),
    RuleDoc("role-unknown", "error", "`internal.roles` names a role the handbook does not define."),
    RuleDoc("phase-unknown", "error", "An internal timeline entry names a phase that does not apply to this incident's type."),
    RuleDoc("question-unknown", "error", "`internal.assessment` answers a question the handbook does not ask."),
    RuleDoc("incident-manager-missing", "error", "A major incident (by its severity) has no person in a role the handbook requires for major incidents."),
    RuleDoc("postmortem-missing", "warning", "A resolved incident whose severity requires a postmortem has no `postmortem` link; an error once the grace period after resolution has passed."),
    RuleDoc("stale-open", "warning", "An unresolved incident has had no public update for longer than its severity's update cadence allows (at least a day)."),
    RuleDoc("handbook-version-unknown", "error", "`handbook` pins a version that is not a tag of this repository."),
    # Reported by `statusbook validate --base REF` (generator/history.py): the public record is append-only.
    RuleDoc(
        "history-update-edited",
        "error",
        "A published update's time or status was changed, or its message was changed without a new `correction: {at, reason}` note. The time is never editable: it names the update's anchor and feed entry.",
        "- at: 2026-03-01T10:00:00Z\n  message: Fixed typo",
        "- at: 2026-03-01T10:00:00Z\n  message: Fixed typo\n  correction: {at: 2026-03-01T11:00:00Z, reason: Named the wrong region}",
    ),
    RuleDoc("history-update-removed", "error", "A published update was removed; put it back (add a correction note to it if it was wrong)."),
    RuleDoc("history-update-inserted", "error", "A new update was inserted before an already published one; new updates go after every published update."),
    RuleDoc("history-correction-removed", "error", "The correction note of a published update was removed; corrections stay visible."),
    RuleDoc("history-incident-deleted", "error", "A published incident file was deleted; its page and feed entries must live on."),
    RuleDoc("history-incident-renamed", "error", "A published incident file was renamed to a new id, which would change its URL and feed ids; moving it to another folder under the same file name is fine."),
    RuleDoc(
        "history-reopened-by-edit",
        "error",
        "A published final update (`resolved`, `completed`) was edited or removed to reopen the incident; reopen it by appending a non-final update instead.",
        "- status: investigating  # was: resolved",
        "- status: resolved\n- status: investigating",
    ),
    RuleDoc("schema-*", "error", "Problems in the handbook's own schema files, reported with the same precision."),
)
RULE_IDS = frozenset(r.id for r in RULES)

CORRECTION_SHAPE = Shape(
    "a correction",
    (
        Field("at", TIMESTAMP, "when the update was corrected", required=True),
        Field("reason", TEXT, "what was changed and why, shown on the status page", required=True),
    ),
    doc="Marks a published update as edited after the fact; the status page shows the note.",
)
UPDATE_SHAPE = Shape(
    "an update",
    (
        Field("at", TIMESTAMP, "when the update was posted, with a UTC offset", required=True),
        Field("status", TEXT, "public status from this moment on", required=True, allowed="incident or maintenance statuses"),
        Field("message", TEXT, "what customers read, in Markdown", required=True),
        Field(
            "components",
            TEXT_MAPPING,
            "status of each affected component from this moment on; components not named keep their previous status, and the final update sets all of them to operational",
            allowed="component statuses",
        ),
        Field("correction", MAPPING, "a visible note that this published update was edited", shape=CORRECTION_SHAPE),
    ),
    doc="One public update. Updates are listed oldest first.",
)
WINDOW_SHAPE = Shape(
    "a maintenance window",
    (
        Field("start", TIMESTAMP, "when the work starts", required=True),
        Field("end", TIMESTAMP, "when the work is planned to end", required=True),
    ),
    doc="The planned window of a maintenance.",
)
TIMELINE_SHAPE = Shape(
    "a timeline entry",
    (
        Field("at", TIMESTAMP, "when it happened", required=True),
        Field("phase", TEXT, "the response phase it belongs to", required=True, allowed="phases"),
        Field("note", TEXT, "what happened", required=True),
    ),
    doc="An internal timeline entry.",
)
INTERNAL_SHAPE = Shape(
    "the internal block",
    (
        Field("roles", TEXT_MAPPING, "who holds each response role", allowed="roles"),
        Field("chat", TEXT, "the incident's chat room"),
        Field("call", TEXT, "the video call link"),
        Field("assessment", TEXT_MAPPING, "answers to the assessment questions", allowed="assessment questions"),
        Field("impact", TEXT, "internal notes on impact"),
        Field("timeline", LIST, "internal timeline, each entry tagged with a phase", shape=TIMELINE_SHAPE),
    ),
    doc="Never published: only responders read this block.",
)
INCIDENT_SHAPE = Shape(
    "an incident file",
    (
        Field("title", TEXT, "short public title", required=True),
        Field("kind", TEXT, "incident (default) or maintenance", allowed="incident, maintenance"),
        Field("severity", TEXT, "severity level; required for incidents", allowed="severities"),
        Field("type", TEXT, "incident type (default: default)", allowed="incident types"),
        Field("components", TEXT_LIST, "ids of the affected components", required=True, allowed="components"),
        Field("handbook", TEXT, "handbook version that governs this incident (default: newest release tagged before it started)"),
        Field("postmortem", TEXT, "link to the public postmortem"),
        Field("scheduled", MAPPING, "maintenance window; maintenance only", shape=WINDOW_SHAPE),
        Field("updates", LIST, "public updates, oldest first", required=True, shape=UPDATE_SHAPE),
        Field("internal", MAPPING, "internal fields, never published", shape=INTERNAL_SHAPE),
    ),
    doc="One file per incident or maintenance, under incidents/ (a year folder is fine). Its id is the file name without .yml.",
)
SHAPES = (INCIDENT_SHAPE, UPDATE_SHAPE, CORRECTION_SHAPE, WINDOW_SHAPE, INTERNAL_SHAPE, TIMELINE_SHAPE)


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """What one file yields: the public incident and its internal record when usable, and its problems."""

    path: str
    id: str
    incident: Incident | None
    internal: Internal | None
    problems: tuple[Problem, ...]
    marks: tuple[tuple[str, Mark], ...] = ()

    def mark(self, name: str) -> Mark:
        """Return where a named part of the file is (``handbook``, ``last-update``), or its start."""
        return dict(self.marks).get(name, Mark(1, 1))


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
    def __init__(self, path: str, handbook: Handbook) -> None:
        self.path = path
        self.handbook = handbook
        self.report = Reporter(path)
        self.marks: dict[str, Mark] = {}

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
        root = check_shape(value, INCIDENT_SHAPE, report)
        assert root is not None
        for key in ("handbook", "postmortem", "severity", "updates"):
            if key in root:
                self.marks[key] = root.value_mark(key)
        if isinstance(root.get("updates"), MarkedList) and root["updates"]:
            self.marks["last-update"] = root["updates"].item_mark(len(root["updates"]) - 1)
        kind = get(root, "kind", TEXT, INCIDENT)
        if kind not in KINDS:
            report.error(root.value_mark("kind"), "kind-unknown", expected("a kind", kind, KINDS))
            kind = INCIDENT
        severity = get(root, "severity", TEXT)
        if severity is not None and severity not in handbook.severity_by_id:
            report.error(root.value_mark("severity"), "severity-unknown", expected("a severity of the handbook", severity, handbook.severity_by_id))
            severity = None
        elif severity is None and kind == INCIDENT and "severity" not in root:
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
        internal = self.internal(root, file_id, type_id, severity)
        title = get(root, "title", TEXT, "")
        if not updates or not title.strip() or not components or (kind == MAINTENANCE and window is None):
            return None, internal
        incident = Incident(
            id=file_id,
            path=self.path,
            title=title.strip(),
            kind=kind,
            severity=severity,
            type=type_id,
            components=components,
            updates=updates,
            scheduled=window,
            postmortem=postmortem,
            handbook=get(root, "handbook", TEXT),
        )
        return incident, internal

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
                result.append(item)
        if not items:
            self.report.error(root.value_mark("components"), "value-empty", "'components' must list at least one affected component")
        return tuple(result)

    def window(self, root: MarkedDict, kind: str) -> Window | None:
        raw = root.get("scheduled")
        if raw is None:
            if kind == MAINTENANCE:
                self.report.error(root.mark, "maintenance-window-missing", "a maintenance needs a window: scheduled: {start: ..., end: ...}")
            return None
        if kind == INCIDENT:
            self.report.error(root.key_mark("scheduled"), "window-on-incident", "only maintenance has a 'scheduled' window; set 'kind: maintenance' or remove it")
        mapping = check_shape(raw, WINDOW_SHAPE, self.report, where=root, key="scheduled")
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
            mapping = check_shape(item, UPDATE_SHAPE, report, where=items, key=index)
            if mapping is None:
                ok = False
                continue
            at = self.timestamp(mapping, "at")
            status = get(mapping, "status", TEXT)
            if status is not None and status not in statuses:
                report.error(mapping.value_mark("status"), "status-unknown", expected(f"a public status of {'a' if kind == MAINTENANCE else 'an'} {kind}", status, [s.id for s in handbook.statuses(kind)]))
                status = None
            message = get(mapping, "message", TEXT, "")
            # Reopening is appending a non-final update after the final one; published
            # updates are never edited (see generator/history.py), so a closed incident can
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
                    state[cid] = cstatus
            elif kind == MAINTENANCE and status in ("in_progress", "verifying"):
                for cid in components:
                    state.setdefault(cid, "under_maintenance")
            if status == final:
                final_seen_at = items.item_mark(index)
                named = raw_components if isinstance(raw_components, MarkedDict) else {}
                down = [cid for cid in components if cid in named and state.get(cid) != OPERATIONAL]
                for cid in down:
                    report.error(
                        named.value_mark(cid),
                        "final-components-down",
                        f"the final {final!r} update leaves {cid!r} {state[cid]}; set it to operational or use a non-final status",
                    )
                for cid in components:
                    state[cid] = OPERATIONAL
            correction = None
            raw_correction = mapping.get("correction")
            if raw_correction is not None:
                cmap = check_shape(raw_correction, CORRECTION_SHAPE, report, where=mapping, key="correction")
                if cmap is not None:
                    cat = self.timestamp(cmap, "at")
                    reason = get(cmap, "reason", TEXT, "")
                    if cat is not None and at is not None and cat < at:
                        report.error(cmap.value_mark("at"), "correction-before-update", "a correction cannot be dated before the update it corrects")
                    if cat is not None and reason:
                        correction = Correction(cat, reason)
            if at is None or status is None or not message.strip():
                ok = False
                continue
            result.append(Update(at, status, message, tuple((cid, state[cid]) for cid in components if cid in state), correction))
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
                    roles.append((role_id, person))
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
                    assessment.append((qid, answer))
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
                    timeline.append(TimelineEntry(at, phase, get(entry, "note", TEXT, "")))
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


def check_incident_file(data: bytes, path: str, handbook: Handbook) -> CheckedFile:
    """Read, parse and check one incident file; never raises for bad input."""
    file_id = incident_id(path)
    parsed = read_yaml(data, path)
    if parsed.value is None and any(p.level is Level.ERROR for p in parsed.problems):
        return CheckedFile(path, file_id, None, None, tuple(sorted(parsed.problems)))
    checker = _IncidentChecker(path, handbook)
    incident, internal = checker.check(parsed.value, file_id)
    problems = tuple(sorted(parsed.problems + tuple(checker.report.problems)))
    if any(p.level is Level.ERROR for p in problems):
        incident = None
    return CheckedFile(path, file_id, incident, internal, problems, tuple(sorted(checker.marks.items())))
