"""Postmortem documents: read their front matter, and tell where each incident's postmortem stands.

A postmortem is a Markdown file named after its incident
(``postmortems/<incident id>.md``) that starts with a little YAML front
matter::

    ---
    status: draft        # draft, review or approved
    owner: Daniel Kowalski
    ---

It is internal, like the incident file's ``internal:`` block: only the
internal site renders it. A required postmortem counts as written when the
file exists or the incident links a published one (``postmortem: <url>``),
and as finished when the file says ``status: approved`` or the link is set.
Problems in a postmortem file are warnings: an internal document never stops
the public page from being published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from statusbook.check.incident import ID_RE
from statusbook.core.handbook import Handbook
from statusbook.core.ids import PostmortemStatus
from statusbook.core.model import Incident, Postmortem
from statusbook.core.problems import Level, Mark, Problem, Reporter, expected
from statusbook.core.shape import TEXT, Field, Shape, check_shape, get
from statusbook.core.yaml_source import MarkedDict, decode, parse_yaml

POSTMORTEM_SUFFIX = ".md"
FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(?P<yaml>.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)

POSTMORTEM_SHAPE = Shape(
    "a postmortem's front matter",
    (
        Field("status", TEXT, "where the review stands: draft, review or approved (default draft)", allowed=", ".join(PostmortemStatus)),
        Field("owner", TEXT, "the postmortem owner: the person who sees it written, reviewed and followed up"),
    ),
    doc="The YAML between the two --- lines at the top of postmortems/<incident id>.md.",
)


def postmortem_id(path: str) -> str:
    """The incident a postmortem file belongs to: its file name without ``.md``."""
    return path.rsplit("/", 1)[-1].removesuffix(POSTMORTEM_SUFFIX)


def read_postmortem(data: bytes, path: str) -> tuple[Postmortem | None, list[Problem]]:
    """Read one postmortem file; every problem is a warning (a broken front matter reads as a draft)."""
    text, problems = decode(data, path)
    if text is None:
        return None, _as_warnings(problems)
    ident = postmortem_id(path)
    report = Reporter(path)
    if not ID_RE.match(ident):
        report.warning(Mark(1, 1), "postmortem-orphan", f"{ident!r} is not an incident id; name the file after its incident, like postmortems/2026-03-04-payments.md")
    status, owner, body = PostmortemStatus.DRAFT, "", text
    match = FRONT_MATTER.match(text)
    if match is not None:
        body = text[match.end() :]
    if match is not None and match["yaml"].strip():
        # A newline first, so the YAML's line numbers are the file's (its first line is the opening ---).
        parsed = parse_yaml("\n" + match["yaml"], path)
        problems = [*problems, *parsed.problems]
        front = check_shape(parsed.value, POSTMORTEM_SHAPE, report) if parsed.value is not None else None
        if isinstance(front, MarkedDict):
            value = get(front, "status", TEXT, PostmortemStatus.DRAFT)
            if value in tuple(PostmortemStatus):
                status = PostmortemStatus(value)
            else:
                report.warning(front.value_mark("status"), "postmortem-status-unknown", expected("a postmortem status", value, tuple(PostmortemStatus)) + "; it reads as a draft")
            owner = get(front, "owner", TEXT, "").strip()
    return Postmortem(ident, path, status, owner, body), _as_warnings([*problems, *report.problems])


def _as_warnings(problems: list[Problem]) -> list[Problem]:
    return sorted(replace(p, level=Level.WARNING) if p.level is Level.ERROR else p for p in problems)


def orphans(postmortems: tuple[Postmortem, ...], incident_ids: set[str]) -> list[Problem]:
    """Postmortem files whose name is an id no incident file has (a typo, or an incident renamed)."""
    return [
        Problem(p.path, 1, 1, "postmortem-orphan", Level.WARNING, f"no incident has the id {p.incident_id!r}; name the file after its incident's file name (without .yml)")
        for p in postmortems
        if ID_RE.match(p.incident_id) and p.incident_id not in incident_ids
    ]


# --- where an incident's postmortem stands ---------------------------------------------------------------


class Stage:
    """Where a postmortem stands, as the internal site and the metrics name it."""

    NOT_REQUIRED = "not required"
    OPEN = "incident open"
    MISSING = "missing"
    DRAFT = PostmortemStatus.DRAFT.value
    REVIEW = PostmortemStatus.REVIEW.value
    APPROVED = PostmortemStatus.APPROVED.value
    PUBLISHED = "published"


FINISHED = (Stage.APPROVED, Stage.PUBLISHED)


@dataclass(frozen=True, slots=True)
class Progress:
    """One incident's postmortem: whether its severity requires one, where it stands, when it is due."""

    required: bool
    stage: str
    due: datetime | None = None  # resolution + the grace days, for a resolved incident that requires one
    overdue: bool = False  # required, not finished, and past due

    @property
    def finished(self) -> bool:
        return self.stage in FINISHED


def postmortem_progress(incident: Incident, governing: Handbook, document: Postmortem | None, now: datetime) -> Progress:
    """Where the incident's postmortem stands at ``now``, by the policy of the handbook version that governs it.

    Published (``postmortem:`` links one) beats the file's own status; an
    incident that is not resolved has no postmortem due yet.
    """
    severity = governing.severity_by_id.get(incident.severity or "")
    required = severity is not None and severity.requires_postmortem and not incident.is_maintenance
    resolved = incident.is_final(governing.final_status(incident.kind))
    if incident.postmortem:
        stage = Stage.PUBLISHED
    elif document is not None:
        stage = document.status
    elif not required:
        stage = Stage.NOT_REQUIRED
    elif not resolved:
        stage = Stage.OPEN
    else:
        stage = Stage.MISSING
    due = incident.updated_at + timedelta(days=governing.postmortem_grace_days) if required and resolved else None
    overdue = due is not None and stage not in FINISHED and now > due
    return Progress(required, stage, due, overdue)
