"""Rules that look across files or at the clock: duplicate ids, times in the future, the team's own process.

They run after every file has been checked (and possibly served from the cache),
with ``now`` passed in, so the per-file results stay cacheable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from statusbook.check.incident import CheckedFile
from statusbook.core.handbook import Handbook
from statusbook.core.ids import MaintenanceStatus
from statusbook.core.model import Incident
from statusbook.core.problems import Level, Problem
from statusbook.core.timestamps import stamp

# Clocks disagree a little: an update may say it was posted this far ahead of the machine checking it.
CLOCK_SKEW = timedelta(minutes=5)


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
    Rules about the team's process are notices: they never block publishing.
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
        problems += _future(checked, incident, now)
        problems += _process(checked, incident, handbook_for(incident) if handbook_for is not None else handbook, now)
    return problems


def _future(checked: CheckedFile, incident: Incident, now: datetime) -> list[Problem]:
    """Updates and corrections dated after now: they cannot have been posted yet."""
    found = []
    latest = now + CLOCK_SKEW
    if incident.updates[-1].at <= latest and all(u.correction is None or u.correction.at <= latest for u in incident.updates):
        return found  # nearly always: one pass, no lookups
    for index, update in enumerate(incident.updates):
        for what, moment in (("update", update.at), ("correction", update.correction.at if update.correction else None)):
            if moment is not None and moment > latest:
                mark = checked.mark(f"update-{index}")
                found.append(
                    Problem(
                        checked.path, mark.line, mark.column, "update-in-future", Level.ERROR,
                        f"this {what} is dated {stamp(moment)}, later than now ({stamp(now)}); write the time it was posted (the status page never shows the future)",
                    )
                )
    return found


def _process(checked: CheckedFile, incident: Incident, governing: Handbook, now: datetime) -> list[Problem]:
    """The team's own process: postmortems due, incidents left without updates, maintenance left 'scheduled'."""
    final = governing.final_status(incident.kind)
    severity = governing.severity_by_id.get(incident.severity or "")
    mark = checked.mark("last-update")
    found = []
    if incident.is_final(final):
        if severity is not None and severity.requires_postmortem and not incident.postmortem and not incident.is_maintenance:
            due = incident.updated_at + timedelta(days=governing.postmortem_grace_days)
            if now > due:
                rule, text = "postmortem-overdue", f"{severity.id} requires a postmortem and it was due {due:%Y-%m-%d}, {governing.postmortem_grace_days} days after resolution; add 'postmortem: <url>'"
            else:
                rule, text = "postmortem-missing", f"{severity.id} requires a postmortem; add 'postmortem: <url>' by {due:%Y-%m-%d} ({governing.postmortem_grace_days} days after resolution)"
            found.append(Problem(checked.path, mark.line, mark.column, rule, Level.NOTICE, text))
    elif incident.is_maintenance:
        if incident.scheduled is not None and incident.status == MaintenanceStatus.SCHEDULED and now > incident.scheduled.end:
            found.append(
                Problem(
                    checked.path, mark.line, mark.column, "maintenance-overdue", Level.NOTICE,
                    f"the window ended {stamp(incident.scheduled.end)} and the maintenance is still 'scheduled'; the page shows it completed, so post what really happened (completed, or a new window)",
                )
            )
    else:
        allowed = max(timedelta(minutes=severity.update_every_minutes if severity else 0), timedelta(days=1))
        if now - incident.updated_at > allowed:
            age = now - incident.updated_at
            found.append(
                Problem(checked.path, mark.line, mark.column, "stale-open", Level.NOTICE, f"the incident is still {incident.status!r} but its last public update is {age.days} days old; post an update or resolve it")
            )
    return found
