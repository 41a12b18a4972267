"""Timestamps as incident files write them: ISO 8601 with a UTC offset, parsed to UTC and written back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

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


# A year outside this range is a typo (0206 for 2026), and calendars and feeds disagree about such years.
FIRST_YEAR, LAST_YEAR = 1970, 2999


def parse_timestamp(text: str, *, keep_offset: bool = False) -> datetime:
    """Parse an ISO 8601 timestamp that must carry a UTC offset; return it in UTC (or with the offset it was written with)."""
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
    # Years 1 and 9999 could overflow when moved to UTC: judge the written year first, then the UTC one.
    utc = moment.astimezone(UTC) if FIRST_YEAR <= moment.year <= LAST_YEAR else moment
    if not FIRST_YEAR <= utc.year <= LAST_YEAR:
        raise TimestampError("timestamp-invalid", f"{text!r} is in the year {utc.year}; statusbook shows times from {FIRST_YEAR} to {LAST_YEAR}")
    return moment if keep_offset else utc


def stamp(moment: datetime) -> str:
    """Write a moment in UTC as ``2026-03-01T13:05:00Z`` (feeds, ``<time datetime>``, anchors)."""
    utc = moment.astimezone(UTC)
    return f"{utc.year}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"  # strftime costs more


def format_time(moment: datetime) -> str:
    """Write a moment the way incident files carry it: ISO 8601 with its own offset, ``Z`` for UTC."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text
