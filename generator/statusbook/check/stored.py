"""A checked file as JSON values and back, for the result cache: lists, not objects (half the size, faster to read)."""

from __future__ import annotations

import sys
from datetime import datetime

from statusbook.check.incident import CheckedFile
from statusbook.core.model import Correction, Incident, Internal, TimelineEntry, Update, Window
from statusbook.core.problems import Level, Problem


def _time(moment: datetime) -> str:
    return moment.isoformat()


def _pairs(pairs: tuple[tuple[str, str], ...]) -> list:
    return [list(p) for p in pairs]


def _encode_correction(c: Correction) -> list:
    return [_time(c.at), c.reason, _pairs(c.translations)]


def _encode_incident(i: Incident) -> list:
    updates = [[_time(u.at), u.status, u.message, _pairs(u.components), _encode_correction(u.correction) if u.correction else None, _pairs(u.translations)] for u in i.updates]
    window = [_time(i.scheduled.start), _time(i.scheduled.end)] if i.scheduled else None
    corrections = [_encode_correction(c) for c in i.corrections]
    texts = [_pairs(i.title_translations), _pairs(i.postmortem_summary_translations)]
    return [i.id, i.path, i.title, i.kind, i.severity, i.type, list(i.components), updates, window, i.postmortem, i.handbook, i.postmortem_summary, corrections, *texts]


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


# Ids the handbook defines (severities, statuses, components, languages, roles) come back interned, as
# checking a file makes them: they recur in every result, and a hundred thousand results would otherwise hold a copy each.
_id = sys.intern


def _id_pairs(pairs: list) -> tuple[tuple[str, str], ...]:
    """(id, text) pairs: a translation's language, a role, an assessment's question."""
    return tuple([(_id(a), b) for a, b in pairs])


def _decode_correction(raw: list) -> Correction:
    at, reason, translations = raw
    return Correction(_when(at), reason, _id_pairs(translations))


def _decode_incident(raw: list, path: str, ident: str) -> Incident:
    """An incident; ``path`` and ``ident`` are its file's, one string each for both."""
    raw_ident, raw_path, title, kind, severity, type_id, components, updates, window, postmortem, handbook, summary, corrections, titles, summaries = raw
    ident = ident if raw_ident == ident else raw_ident
    path = path if raw_path == path else raw_path
    decoded = tuple([
        Update(_when(at), _id(status), message, tuple([(_id(a), _id(b)) for a, b in states]), None if c is None else _decode_correction(c), _id_pairs(translations))
        for at, status, message, states, c, translations in updates
    ])
    scheduled = None if window is None else Window(_when(window[0]), _when(window[1]))
    fixes = tuple([_decode_correction(c) for c in corrections])
    return Incident(
        ident, path, title, _id(kind), None if severity is None else _id(severity), _id(type_id), tuple([_id(c) for c in components]),
        decoded, scheduled, postmortem, handbook, summary, fixes, _id_pairs(titles), _id_pairs(summaries),
    )


def _decode_internal(raw: list, ident: str) -> Internal:
    raw_ident, roles, chat, call, assessment, impact, timeline = raw
    entries = tuple([TimelineEntry(_when(a), _id(p), n) for a, p, n in timeline])
    return Internal(ident if raw_ident == ident else raw_ident, _id_pairs(roles), chat, call, _id_pairs(assessment), impact, entries)


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
        None if incident is None else _decode_incident(incident, path, ident),
        None if internal is None else _decode_internal(internal, ident),
        tuple([Problem(p, line, col, rule, _LEVELS[level], message) for p, line, col, rule, level, message in problems]),
        tuple([(name, line, col) for name, line, col in marks]),
    )
    if type(path) is not str or type(ident) is not str:
        raise TypeError("not a checked file")
    return checked


_LEVELS = {int(level): level for level in Level}
