"""A checked file as JSON values and back, for the result cache: lists, not objects (half the size, faster to read)."""

from __future__ import annotations

from datetime import datetime

from statusbook.check.incident import CheckedFile
from statusbook.core.model import Correction, Incident, Internal, TimelineEntry, Update, Window
from statusbook.core.problems import Level, Problem


def _time(moment: datetime) -> str:
    return moment.isoformat()


def _encode_incident(i: Incident) -> list:
    updates = [[_time(u.at), u.status, u.message, [list(c) for c in u.components], [_time(u.correction.at), u.correction.reason] if u.correction else None] for u in i.updates]
    window = [_time(i.scheduled.start), _time(i.scheduled.end)] if i.scheduled else None
    return [i.id, i.path, i.title, i.kind, i.severity, i.type, list(i.components), updates, window, i.postmortem, i.handbook]


def _encode_internal(i: Internal) -> list:
    return [i.incident_id, [list(r) for r in i.roles], i.chat, i.call, [list(a) for a in i.assessment], i.impact, [[_time(e.at), e.phase, e.note] for e in i.timeline]]


def encode(checked: CheckedFile) -> list:
    return [
        checked.path,
        checked.id,
        _encode_incident(checked.incident) if checked.incident else None,
        _encode_internal(checked.internal) if checked.internal else None,
        [[p.path, p.line, p.column, p.rule, int(p.level), p.message] for p in checked.problems],
        [list(mark) for mark in checked.marks],
    ]


_when = datetime.fromisoformat


def _decode_incident(raw: list) -> Incident:
    ident, path, title, kind, severity, type_id, components, updates, window, postmortem, handbook = raw
    decoded = tuple([
        Update(_when(at), status, message, tuple([(a, b) for a, b in states]), None if c is None else Correction(_when(c[0]), c[1]))
        for at, status, message, states, c in updates
    ])
    scheduled = None if window is None else Window(_when(window[0]), _when(window[1]))
    return Incident(ident, path, title, kind, severity, type_id, tuple(components), decoded, scheduled, postmortem, handbook)


def _decode_internal(raw: list) -> Internal:
    ident, roles, chat, call, assessment, impact, timeline = raw
    entries = tuple([TimelineEntry(_when(a), p, n) for a, p, n in timeline])
    return Internal(ident, tuple([(a, b) for a, b in roles]), chat, call, tuple([(a, b) for a, b in assessment]), impact, entries)


def decode(raw: list) -> CheckedFile:
    """Rebuild a result from what :func:`encode` wrote; raises (TypeError, ValueError, ...) on anything of another shape.

    The cache is this machine's own (outside the working tree) and keyed by
    the source's bytes, so decoding checks the shape, not every value's type:
    at ten thousand files, checking each string costs more than reading them.
    """
    path, ident, incident, internal, problems, marks = raw
    checked = CheckedFile(
        path,
        ident,
        None if incident is None else _decode_incident(incident),
        None if internal is None else _decode_internal(internal),
        tuple([Problem(p, line, col, rule, _LEVELS[level], message) for p, line, col, rule, level, message in problems]),
        tuple([(name, line, col) for name, line, col in marks]),
    )
    if type(path) is not str or type(ident) is not str:
        raise TypeError("not a checked file")
    return checked


_LEVELS = {int(level): level for level in Level}
