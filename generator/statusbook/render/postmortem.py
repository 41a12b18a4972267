"""A new postmortem document from the handbook's template, filled in from the incident file: pure.

The handbook's ``postmortems/template.md`` holds the template below its first
``---`` line. Parts the incident file can answer are marked in it with
invisible comments, ``<!-- postmortem:NAME -->`` ... ``<!-- /postmortem:NAME -->``
(facts, impact, roles, timeline); each is replaced by what the file says,
and ``[Incident title]`` by the title. Everything else is copied as the team
wrote it, hints and all. A front matter with ``status: draft`` and the owner
comes first (see :mod:`statusbook.check.postmortem`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from statusbook.core.handbook import Handbook
from statusbook.core.ids import PostmortemStatus
from statusbook.core.model import Incident, Internal
from statusbook.view.metrics import ResponseTimes

_SECTION = re.compile(r"<!--\s*postmortem:(?P<name>[a-z-]+)\s*-->\n*(?P<body>.*?)\n*<!--\s*/postmortem:(?P=name)\s*-->", re.S)
_RULE = re.compile(r"^---[ \t]*$", re.M)
TITLE_PLACEHOLDER = "[Incident title]"


class TemplateError(ValueError):
    """The handbook's postmortem template has no ``---`` line to start from."""


def template_body(page: str) -> str:
    """The part of the template page below its first ``---`` line (the page's own introduction stays behind)."""
    match = _RULE.search(page)
    if match is None:
        raise TemplateError("the postmortem template page has no '---' line; the template is what follows it")
    return page[match.end() :].lstrip("\n")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


class _Filler:
    def __init__(self, incident: Incident, internal: Internal | None, handbook: Handbook, zone: ZoneInfo, version: str, times: ResponseTimes) -> None:
        self.incident, self.internal, self.handbook, self.zone, self.version, self.times = incident, internal, handbook, zone, version, times

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(self.zone)
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

    def length(self, value: timedelta | None) -> str:
        if value is None:
            return "—"
        minutes = int(value.total_seconds() // 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if hours else f"{minutes} min"

    def person(self, role_id: str) -> str:
        return self.internal.person(role_id) if self.internal is not None else ""

    def owner(self) -> str:
        """The incident manager (the handbook's first role, who names the owner and holds what is not handed out); change it in the front matter."""
        return self.person(self.handbook.roles[0].id) if self.handbook.roles else ""

    def component_names(self) -> str:
        return ", ".join(self.handbook.component_by_id[c].name if c in self.handbook.component_by_id else c for c in self.incident.components)

    def facts(self) -> str:
        incident, handbook, times = self.incident, self.handbook, self.times
        severity = handbook.severity_by_id.get(incident.severity or "")
        manager = self.owner()
        rows = [
            ("Incident id", incident.id),
            ("Severity", f"{severity.id} ({severity.name})" if severity else incident.severity or "maintenance"),
            ("Type", handbook.type_by_id[incident.type].name if incident.type in handbook.type_by_id else incident.type),
            ("Components", self.component_names()),
            ("Date", self.when(incident.started_at)),
            ("Duration", self.length(times.resolved - incident.started_at if times.resolved else None) + " (first public update to resolved)"),
            ("Incident manager", manager or "[name]"),
            ("Postmortem owner", f"{manager} (until named otherwise)" if manager else "[name]"),
            ("Handbook version", self.version),
            ("Status", "draft (change it in the front matter: draft, review, approved)"),
        ]
        return "| | |\n|---|---|\n" + "".join(f"| {name} | {_cell(value)} |\n" for name, value in rows)

    def impact(self) -> str:
        lines = []
        if self.internal is not None and self.internal.impact.strip():
            lines += [self.internal.impact.strip(), ""]
        answers = self.internal.assessment if self.internal is not None else ()
        if answers:
            lines.append("From the assessment during the incident:")
            lines.append("")
            for question_id, answer in answers:
                question = self.handbook.question_by_id.get(question_id)
                lines.append(f"- **{question.name if question else question_id}**: {' '.join(answer.split())}")
            lines.append("")
        lines += [
            f"- Features affected: {self.component_names()}",
            f"- Duration of impact: {self.when(self.incident.started_at)} to {self.when(self.times.resolved)}",
            "- Data loss or exposure: [none / describe]",
            "- Other: [missed SLAs, financial impact, press]",
        ]
        return "\n".join(lines)

    def roles(self) -> str:
        held = self.internal.roles if self.internal is not None else ()
        if not held:
            return "| Role | Person |\n|---|---|\n| [role] | [name] |\n"
        names = {r.id: r.name for r in self.handbook.roles}
        return "| Role | Person |\n|---|---|\n" + "".join(f"| {names.get(r, r)} | {_cell(p)} |\n" for r, p in held)

    def timeline(self) -> str:
        statuses = {s.id: s.name for s in self.handbook.statuses(self.incident.kind)}
        rows: list[tuple[datetime, int, str, str]] = [(e.at, 0, e.phase, e.note) for e in (self.internal.timeline if self.internal else ())]
        rows += [(u.at, 1, "public update", f"Status page: {statuses.get(u.status, u.status)}. {u.message}") for u in self.incident.updates]
        rows.sort(key=lambda row: (row[0], row[1]))
        table = "| Time | Phase | Event |\n|---|---|---|\n" + "".join(f"| {self.when(at)} | {phase} | {_cell(text)} |\n" for at, _, phase, text in rows)
        times = self.times
        summary = (
            f"\nFrom detection ({self.when(times.detected)}): first public update after {self.length(times.since_detection(times.first_update))}, "
            f"mitigated after {self.length(times.since_detection(times.mitigated))}, resolved after {self.length(times.since_detection(times.resolved))}"
            " (as the handbook's Response metrics page defines them)."
        )
        if times.detected is None:
            summary = "\nThe internal timeline has no detection entry, so the response times cannot be measured; add when and how the problem was noticed."
        return table + summary

    def fill(self, name: str, original: str) -> str:
        fillers: dict[str, Callable[[], str]] = {"facts": self.facts, "impact": self.impact, "roles": self.roles, "timeline": self.timeline}
        found = fillers.get(name)
        return found().rstrip("\n") if found is not None else original


def scaffold_postmortem(page: str, incident: Incident, internal: Internal | None, handbook: Handbook, *, zone: ZoneInfo, version: str, times: ResponseTimes) -> str:
    """The new postmortem document's text: front matter, then the template with what the incident file says filled in."""
    filler = _Filler(incident, internal, handbook, zone, version, times)
    body = _SECTION.sub(lambda m: filler.fill(m["name"], m["body"]), template_body(page))
    body = body.replace(TITLE_PLACEHOLDER, incident.title)
    owner = filler.owner()
    front = f"---\nstatus: {PostmortemStatus.DRAFT}\nowner: {_yaml_text(owner)}\n---\n\n" if owner else f"---\nstatus: {PostmortemStatus.DRAFT}\n---\n\n"
    return front + body.rstrip("\n") + "\n"


def _yaml_text(text: str) -> str:
    """A YAML double-quoted string (JSON's escaping is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)
