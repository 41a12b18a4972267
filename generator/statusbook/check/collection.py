"""Rules that look across files or at the clock: duplicate ids, times in the future, the team's own process.

They run beside each file's own check (whose result may come from the cache),
with ``now`` passed in, so the per-file results stay cacheable; duplicate ids
once every file is known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from statusbook.check.incident import CheckedFile
from statusbook.check.postmortem import Stage, postmortem_progress
from statusbook.core.handbook import Handbook
from statusbook.core.ids import MaintenanceStatus
from statusbook.core.model import Incident, Postmortem
from statusbook.core.problems import Level, Problem
from statusbook.core.timestamps import stamp

# Clocks disagree a little: an update may say it was posted this far ahead of the machine checking it.
CLOCK_SKEW = timedelta(minutes=5)


def duplicate_ids(files: Iterable[CheckedFile]) -> list[Problem]:
    """The one rule that needs every file: an id used twice, reported on each later path."""
    problems: list[Problem] = []
    first_path: dict[str, str] = {}
    for checked in sorted(files, key=lambda f: f.path):
        if checked.id in first_path:
            problems.append(
                Problem(checked.path, 1, 1, "id-duplicate", Level.ERROR, f"id {checked.id!r} is already used by {first_path[checked.id]}; incident ids must be unique across all folders")
            )
        else:
            first_path[checked.id] = checked.path
    return problems


@dataclass(frozen=True, slots=True)
class FileRules:
    """The rules that judge a file against the clock and the team's process, one file at a time.

    ``handbook_for`` gives the handbook version that governs an incident, so its
    postmortem policy and update cadence are the ones in force when it happened.
    Rules about the team's process are notices: they never block publishing.
    ``postmortems`` holds the postmortem documents by incident id (see
    :mod:`statusbook.check.postmortem`): a file counts as a postmortem written.
    The rules read a file's marks, which nothing needs afterwards: validation
    runs them as each file is checked, so a hundred thousand files' marks are
    never held at once.
    """

    handbook: Handbook
    now: datetime
    versions: frozenset[str] | None = None
    handbook_for: Callable[[Incident], Handbook] | None = None
    postmortems: Mapping[str, Postmortem] | None = None

    def check(self, checked: CheckedFile) -> list[Problem]:
        incident = checked.incident
        if incident is None:
            return []
        problems = []
        if self.versions is not None and incident.handbook and incident.handbook not in self.versions:
            allowed = ", ".join(sorted(self.versions)) or "(no tags yet)"
            mark = checked.mark("handbook")
            problems.append(Problem(checked.path, mark.line, mark.column, "handbook-version-unknown", Level.ERROR, f"handbook version {incident.handbook!r} is not a tag of this repository; expected one of {allowed}"))
        problems += _future(checked, incident, self.now)
        document = self.postmortems.get(incident.id) if self.postmortems else None
        problems += _process(checked, incident, self.handbook_for(incident) if self.handbook_for is not None else self.handbook, self.now, document)
        return problems


def _future(checked: CheckedFile, incident: Incident, now: datetime) -> list[Problem]:
    """Updates and corrections dated after now: they cannot have been posted yet."""
    found = []
    latest = now + CLOCK_SKEW
    for correction in incident.corrections:
        if correction.at > latest:
            mark = checked.mark("corrections")
            found.append(Problem(checked.path, mark.line, mark.column, "update-in-future", Level.ERROR, f"this correction is dated {stamp(correction.at)}, later than now ({stamp(now)}); write the time it was made"))
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


def _process(checked: CheckedFile, incident: Incident, governing: Handbook, now: datetime, document: Postmortem | None = None) -> list[Problem]:
    """The team's own process: postmortems due, incidents left without updates, maintenance left 'scheduled'."""
    final = governing.final_status(incident.kind)
    severity = governing.severity_by_id.get(incident.severity or "")
    mark = checked.mark("last-update")
    found = []
    if incident.is_final(final):
        progress = postmortem_progress(incident, governing, document, now)
        write = f"write it (statusbook postmortem {incident.id}) or add 'postmortem: <url>'"
        if progress.stage == Stage.MISSING and progress.due is not None:
            due = progress.due
            if progress.overdue:
                rule, text = "postmortem-overdue", f"{severity.id} requires a postmortem and it was due {due:%Y-%m-%d}, {governing.postmortem_grace_days} days after resolution; {write}"
            else:
                rule, text = "postmortem-missing", f"{severity.id} requires a postmortem; {write} by {due:%Y-%m-%d} ({governing.postmortem_grace_days} days after resolution)"
            found.append(Problem(checked.path, mark.line, mark.column, rule, Level.NOTICE, text))
        elif progress.overdue and progress.due is not None and document is not None:
            found.append(
                Problem(
                    checked.path, mark.line, mark.column, "postmortem-unapproved", Level.NOTICE,
                    f"the postmortem {document.path} is still {document.status!r} and was due {progress.due:%Y-%m-%d}; finish its review and set 'status: approved' in its front matter, or link the published one",
                )
            )
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
