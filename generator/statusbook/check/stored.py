"""A checked file as JSON values and back, for the result cache: lists, not objects (half the size, faster to read)."""

from __future__ import annotations

from datetime import datetime

from statusbook.check.incident import CheckedFile
from statusbook.core.model import Correction, Incident, Internal, TimelineEntry, Update, Window
from statusbook.core.problems import Level, Mark, Problem


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
        [[name, m.line, m.column] for name, m in checked.marks],
    ]


def _str(value: object) -> str:
    if type(value) is not str:
        raise TypeError("not text")
    return value


def _opt(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError("not a whole number")
    return value


_when = datetime.fromisoformat


def _pairs(items: list) -> tuple[tuple[str, str], ...]:
    return tuple((_str(a), _str(b)) for a, b in items)


def _decode_incident(raw: list) -> Incident:
    ident, path, title, kind, severity, type_id, components, updates, window, postmortem, handbook = raw
    decoded = tuple(
        Update(_when(_str(at)), _str(status), _str(message), _pairs(states), Correction(_when(_str(c[0])), _str(c[1])) if c is not None else None)
        for at, status, message, states, c in updates
    )
    return Incident(
        id=_str(ident),
        path=_str(path),
        title=_str(title),
        kind=_str(kind),
        severity=_opt(severity),
        type=_str(type_id),
        components=tuple(_str(c) for c in components),
        updates=decoded,
        scheduled=Window(_when(_str(window[0])), _when(_str(window[1]))) if window is not None else None,
        postmortem=_opt(postmortem),
        handbook=_opt(handbook),
    )


def _decode_internal(raw: list) -> Internal:
    ident, roles, chat, call, assessment, impact, timeline = raw
    return Internal(_str(ident), _pairs(roles), _str(chat), _str(call), _pairs(assessment), _str(impact), tuple(TimelineEntry(_when(_str(a)), _str(p), _str(n)) for a, p, n in timeline))


def decode(raw: list) -> CheckedFile:
    """Rebuild a result; raises (TypeError, ValueError, ...) on anything not of the expected shape."""
    path, ident, incident, internal, problems, marks = raw
    return CheckedFile(
        _str(path),
        _str(ident),
        _decode_incident(incident) if incident is not None else None,
        _decode_internal(internal) if internal is not None else None,
        tuple(Problem(_str(p), _int(line), _int(col), _str(rule), Level(_int(level)), _str(message)) for p, line, col, rule, level, message in problems),
        tuple((_str(name), Mark(_int(line), _int(col))) for name, line, col in marks),
    )
