"""Rules that look across files or at the clock: duplicate ids, overdue postmortems, stale incidents.

They run after every file has been checked (and possibly served from the cache),
with ``now`` passed in, so the per-file results stay cacheable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from statusbook.check.incident import CheckedFile
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident
from statusbook.core.problems import Level, Problem


def check_collection(
    files: Sequence[CheckedFile],
    handbook: Handbook,
    *,
    now: datetime,
    versions: Iterable[str] | None = None,
    handbook_for: Callable[[Incident], Handbook] | None = None,
) -> list[Problem]:
    """Return the problems that only show when files are seen together or against the clock.

    ``handbook_for`` gives the handbook version that governs an incident, so its
    postmortem policy and update cadence are the ones in force when it happened.
    """
    problems: list[Problem] = []
    first_path: dict[str, str] = {}
    for checked in sorted(files, key=lambda f: f.path):
        if checked.id in first_path:
            problems.append(
                Problem(checked.path, 1, 1, "id-duplicate", Level.ERROR, f"id {checked.id!r} is already used by {first_path[checked.id]}; incident ids must be unique across all folders")
            )
        else:
            first_path[checked.id] = checked.path
    known_versions = set(versions) if versions is not None else None
    for checked in files:
        incident = checked.incident
        if incident is None:
            continue
        if known_versions is not None and incident.handbook and incident.handbook not in known_versions:
            allowed = ", ".join(sorted(known_versions)) or "(no tags yet)"
            mark = checked.mark("handbook")
            problems.append(Problem(checked.path, mark.line, mark.column, "handbook-version-unknown", Level.ERROR, f"handbook version {incident.handbook!r} is not a tag of this repository; expected one of {allowed}"))
        governing = handbook_for(incident) if handbook_for is not None else handbook
        final = governing.final_status(incident.kind)
        severity = governing.severity_by_id.get(incident.severity or "")
        if incident.is_final(final):
            if severity is not None and severity.requires_postmortem and not incident.postmortem and not incident.is_maintenance:
                due = incident.updated_at + timedelta(days=governing.postmortem_grace_days)
                level = Level.ERROR if now > due else Level.WARNING
                when = f"was due {due:%Y-%m-%d}" if level is Level.ERROR else f"is due by {due:%Y-%m-%d}"
                mark = checked.mark("last-update")
                problems.append(
                    Problem(checked.path, mark.line, mark.column, "postmortem-missing", level, f"{severity.id} requires a postmortem; add 'postmortem: <url>' (it {when}, {governing.postmortem_grace_days} days after resolution)")
                )
        elif not incident.is_maintenance:
            allowed = timedelta(minutes=severity.update_every_minutes if severity else 0)
            allowed = max(allowed, timedelta(days=1))
            if now - incident.updated_at > allowed:
                age = now - incident.updated_at
                mark = checked.mark("last-update")
                problems.append(
                    Problem(checked.path, mark.line, mark.column, "stale-open", Level.WARNING, f"the incident is still {incident.status!r} but its last public update is {age.days} days old; post an update or resolve it")
                )
    return problems


