"""A checked file as JSON values and back, for the result cache: lists, not objects (half the size, faster to read)."""

from __future__ import annotations

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


def _tuples(pairs: list) -> tuple[tuple[str, str], ...]:
    return tuple([(a, b) for a, b in pairs])


def _decode_correction(raw: list) -> Correction:
    at, reason, translations = raw
    return Correction(_when(at), reason, _tuples(translations))


def _decode_incident(raw: list) -> Incident:
    ident, path, title, kind, severity, type_id, components, updates, window, postmortem, handbook, summary, corrections, titles, summaries = raw
    decoded = tuple([
        Update(_when(at), status, message, _tuples(states), None if c is None else _decode_correction(c), _tuples(translations))
        for at, status, message, states, c, translations in updates
    ])
    scheduled = None if window is None else Window(_when(window[0]), _when(window[1]))
    fixes = tuple([_decode_correction(c) for c in corrections])
    return Incident(ident, path, title, kind, severity, type_id, tuple(components), decoded, scheduled, postmortem, handbook, summary, fixes, _tuples(titles), _tuples(summaries))


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
