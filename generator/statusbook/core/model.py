"""The domain: incidents, maintenances and their public updates, as frozen values.

Public and internal data are separate types on purpose: renderers receive
:class:`Incident` values only, which have no field that could hold internal
notes, so nothing internal can reach the public site by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

INCIDENT = "incident"
MAINTENANCE = "maintenance"
KINDS = (INCIDENT, MAINTENANCE)
OPERATIONAL = "operational"

_TIMESTAMP_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?"
    r"[ \t]*(?P<tz>Z|z|[-+]\d{2}(?::?\d{2})?)?)?\Z"
)


class TimestampError(ValueError):
    """A timestamp that cannot be used; the message says how to write it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that must carry a UTC offset; return it in UTC."""
    match = _TIMESTAMP_RE.match(text.strip())
    if not match:
        raise TimestampError("timestamp-invalid", f"{text!r} is not a timestamp; write it like 2026-03-01T14:05:00+01:00 or 2026-03-01T13:05:00Z")
    if match["h"] is None:
        raise TimestampError("timestamp-naive", f"{text!r} is a date without a time and UTC offset; write it like {text.strip()}T14:05:00Z")
    if match["tz"] is None:
        raise TimestampError(
            "timestamp-naive",
            f"{text!r} has no UTC offset, so readers in other zones would see the wrong time; add one, like {text.strip()}Z or {text.strip()}+01:00",
        )
    tz = match["tz"]
    if tz in ("Z", "z"):
        offset = timedelta(0)
    else:
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise TimestampError("timestamp-invalid", f"{text!r} has an impossible UTC offset {tz}")
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if tz[0] == "-" else 1)
    fraction = (match["f"] or "0")[:6].ljust(6, "0")
    try:
        moment = datetime(
            int(match["y"]), int(match["mo"]), int(match["d"]), int(match["h"]), int(match["mi"]), int(match["s"] or 0), int(fraction), tzinfo=timezone(offset)
        )
    except ValueError as exc:
        raise TimestampError("timestamp-invalid", f"{text!r} is not a real moment: {exc}") from None
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Correction:
    """A visible note that a published update was edited after the fact."""

    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Update:
    """One public update; ``components`` is every affected component's status from this moment on."""

    at: datetime
    status: str
    message: str
    components: tuple[tuple[str, str], ...]
    correction: Correction | None = None

    def component_status(self, component_id: str) -> str | None:
        for cid, status in self.components:
            if cid == component_id:
                return status
        return None


@dataclass(frozen=True, slots=True)
class Window:
    """A maintenance's scheduled window."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident or a scheduled maintenance, public fields only."""

    id: str
    path: str
    title: str
    kind: str
    severity: str | None
    type: str
    components: tuple[str, ...]
    updates: tuple[Update, ...]
    scheduled: Window | None = None
    postmortem: str | None = None
    handbook: str | None = None

    @property
    def is_maintenance(self) -> bool:
        return self.kind == MAINTENANCE

    @property
    def status(self) -> str:
        return self.updates[-1].status

    @property
    def started_at(self) -> datetime:
        """When customers were first affected: the window start for maintenance, else the first update."""
        if self.scheduled is not None:
            return self.scheduled.start
        return self.updates[0].at

    @property
    def created_at(self) -> datetime:
        return self.updates[0].at

    @property
    def updated_at(self) -> datetime:
        return self.updates[-1].at

    def is_final(self, final_status: str) -> bool:
        return self.updates[-1].status == final_status

    def component_status_at(self, component_id: str, moment: datetime) -> str | None:
        """Return the status this incident gave a component at a moment, or None when it said nothing yet."""
        current = None
        for update in self.updates:
            if update.at > moment:
                break
            current = update.component_status(component_id)
        return current


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """An internal timeline entry, tagged with the response phase it belongs to."""

    at: datetime
    phase: str
    note: str


@dataclass(frozen=True, slots=True)
class Internal:
    """What responders record for themselves; never rendered anywhere public."""

    incident_id: str
    roles: tuple[tuple[str, str], ...] = ()
    chat: str = ""
    call: str = ""
    assessment: tuple[tuple[str, str], ...] = ()
    impact: str = ""
    timeline: tuple[TimelineEntry, ...] = ()

    def person(self, role_id: str) -> str:
        return dict(self.roles).get(role_id, "")
