"""What the incident manager needs during the response, from the incident file and the handbook: pure.

``statusbook brief ID`` shows it: the chat room topic, a status line for
internal channels, when the next public update is due, and a draft customer
message from the handbook's communication templates for the current status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from statusbook.core import urls
from statusbook.core.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident, Internal

# A communication template: a heading that ends in {#template-<status id>}, then a ```text block.
_TEMPLATE_HEADING = re.compile(r"^#{2,6}[^\n]*\{#template-(?P<status>[a-z0-9_-]+)\}[ \t]*$", re.M)
_FENCE = re.compile(r"^```text[ \t]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_NEXT_HEADING = re.compile(r"^#{1,6} ", re.M)
TOPIC_ROLES = 3  # the chat topic names the first roles of the handbook that are filled, at most this many


def message_template(page: str, status_id: str) -> str | None:
    """The customer template for a status on the communication templates page, or None when it has none."""
    for heading in _TEMPLATE_HEADING.finditer(page):
        if heading["status"] != status_id:
            continue
        rest = page[heading.end() :]
        stop = _NEXT_HEADING.search(rest)
        fence = _FENCE.search(rest[: stop.start()] if stop else rest)
        return fence["body"].rstrip("\n") if fence else None
    return None


def initials(name: str) -> str:
    """A role's short name for a chat topic: 'Incident manager' is IM."""
    return "".join(word[0].upper() for word in name.split() if word[:1].isalpha()) or name


@dataclass(frozen=True, slots=True)
class Brief:
    """Everything ``statusbook brief`` prints, as values (times are formatted by the command)."""

    incident_id: str
    title: str
    severity: str
    severity_name: str
    status: str
    status_label: str
    version: str
    is_final: bool
    last_update: datetime
    next_update: datetime | None
    cadence_minutes: int
    overdue: timedelta | None  # how late the next update is at ``now``
    roles: tuple[tuple[str, str, str], ...]  # (role id, role name, person)
    chat: str
    call: str
    components: tuple[tuple[str, str], ...]  # (component name, its status name now)
    status_page: str
    draft: str | None
    links: tuple[tuple[str, str], ...] = field(default=())  # (what, url)


def compose_brief(
    incident: Incident,
    internal: Internal | None,
    governing: Handbook,
    config: SiteConfig,
    *,
    version: str,
    now: datetime,
    templates_page: str | None,
) -> Brief:
    """Put the brief together; the draft is the handbook's template for the current status, with what the file knows filled in."""
    severity = governing.severity_by_id.get(incident.severity or "")
    statuses = {s.id: s.name for s in governing.statuses(incident.kind)}
    final = incident.is_final(governing.final_status(incident.kind))
    last = incident.updates[-1]
    cadence = severity.update_every_minutes if severity is not None and not incident.is_maintenance else 0
    next_update = last.at + timedelta(minutes=cadence) if cadence and not final else None
    overdue = now - next_update if next_update is not None and now > next_update else None
    filled = dict(internal.roles) if internal is not None else {}
    roles = tuple((r.id, r.name, filled[r.id]) for r in governing.roles if r.id in filled)
    names = {s.id: s.name for s in governing.component_statuses}
    components = tuple(
        (governing.component_by_id[c].name if c in governing.component_by_id else c, names.get(last.component_status(c) or "", "no status given"))
        for c in incident.components
    )
    template = message_template(templates_page, last.status) if templates_page is not None else None
    draft = _fill(template, incident, governing, config, next_update) if template is not None else None
    links = [
        ("Customer templates", urls.handbook_page(version, urls.PAGE_TEMPLATES)),
        ("Internal and executive updates", urls.handbook_page(version, urls.PAGE_INTERNAL_UPDATES)),
        ("Shift hand-over checklist", urls.handbook_page(version, urls.PAGE_HANDOVER)),
    ]
    incident_type = governing.type_by_id.get(incident.type)
    if incident_type is not None and incident_type.extra_phases:
        links.append(("Security breach notice path", urls.handbook_page(version, urls.PAGE_SECURITY_BREACH)))
    if severity is not None:
        links.insert(0, (f"Severity {severity.id}", urls.severity_definition(version, severity.id)))
    return Brief(
        incident_id=incident.id,
        title=incident.title,
        severity=incident.severity or "",
        severity_name=severity.name if severity is not None else ("Maintenance" if incident.is_maintenance else ""),
        status=last.status,
        status_label=statuses.get(last.status, last.status),
        version=version,
        is_final=final,
        last_update=last.at,
        next_update=next_update,
        cadence_minutes=cadence,
        overdue=overdue,
        roles=roles,
        chat=internal.chat if internal is not None else "",
        call=internal.call if internal is not None else "",
        components=components,
        status_page=urls.absolute(config.site_url, urls.incident_page(incident.id)),
        draft=draft,
        links=tuple((what, urls.absolute(config.site_url, path)) for what, path in links),
    )


def _fill(template: str, incident: Incident, handbook: Handbook, config: SiteConfig, next_update: datetime | None) -> str:
    """Fill the placeholders the file answers (components, times); leave the rest in braces for the incident manager."""
    names = [handbook.component_by_id[c].name if c in handbook.component_by_id else c for c in incident.components]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    zone = config.zone

    def clock(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return f"{local:%H:%M} {local.tzname()}"

    values = {"{component}": joined, "{feature}": joined, "{Feature}": joined[:1].upper() + joined[1:], "{start time}": clock(incident.started_at)}
    last = incident.updates[-1]
    if next_update is not None:
        values["{time and time zone}"] = clock(next_update)  # "we will post another update by ..."
    elif incident.is_final(handbook.final_status(incident.kind)):
        values["{time and time zone}"] = values["{end time}"] = clock(last.at)  # "working normally since ..."
    if incident.scheduled is not None:
        local = incident.scheduled.start.astimezone(zone)
        values.update({"{date}": f"{local.day} {local:%B %Y}", "{start time}": f"{local:%H:%M}", "{end time}": f"{incident.scheduled.end.astimezone(zone):%H:%M}", "{time zone}": local.tzname() or ""})
        values["{end time and time zone}"] = clock(incident.scheduled.end)
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template
