"""The incident the append-only tests publish and then rewrite (unit table and functional runs share it)."""

from __future__ import annotations

PATH = "incidents/2026/2026-03-01-api-errors.yml"

# The expected positions in the tests refer to the line numbers in the comment after BASE.
BASE = """\
title: API errors
severity: SEV3
components: [api]
updates:
  - at: 2026-03-01T10:00:00Z
    status: investigating
    message: We are looking into API errors.
    components:
      api: partial_outage
  - at: 2026-03-01T10:30:00Z
    status: identified
    message: We found the cause.
  - at: 2026-03-01T11:00:00Z
    status: resolved
    message: Fixed.
    components:
      api: operational
"""
# line: 5-9 first update / 10-12 second (identified) / 13-17 final (resolved)

OPEN = BASE[: BASE.index("  - at: 2026-03-01T11:00:00Z")]

REOPEN = """\
  - at: 2026-03-01T12:00:00Z
    status: investigating
    message: The errors are back.
    components:
      api: partial_outage
"""

MAINTENANCE = """\
title: Database upgrade
kind: maintenance
components: [api]
scheduled: {start: 2026-03-02T01:00:00Z, end: 2026-03-02T02:00:00Z}
updates:
  - at: 2026-02-25T10:00:00Z
    status: scheduled
    message: We will upgrade the database.
  - at: 2026-03-02T01:40:00Z
    status: completed
    message: Done.
"""


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)
