"""``statusbook brief ID``: what the incident manager needs now, from the incident file and the handbook that governs it.

The chat room topic, a status line for internal channels, when the next
public update is due by the severity's cadence, and a draft customer message
from the handbook's communication templates (``communication/templates.md``,
the template whose heading carries ``{#template-<status>}``) for the current
status. ``--format json`` gives the same as JSON for bots.
"""

from __future__ import annotations

import json
from datetime import datetime

from statusbook.check.incident import incident_id as id_of
from statusbook.check.validation import Validation
from statusbook.commands.validate import read_governing_handbooks, validate_repository
from statusbook.core.config import SiteConfig
from statusbook.core.timestamps import stamp
from statusbook.core.versions import DEV, governing_version
from statusbook.errors import UsageError, ValidationFailed
from statusbook.io import git
from statusbook.io.files import find_incident_files, read_source
from statusbook.render.i18n import Formatter
from statusbook.view.brief import TOPIC_ROLES, Brief, compose_brief, initials

TEMPLATES_PAGE = "communication/templates.md"


def find_incident(config: SiteConfig, incident_id: str) -> str:
    """The path of the incident file with this id, or a usage error that says where it looked."""
    paths, _ = find_incident_files(config.incidents_path, config.root)
    found = [p for p in paths if id_of(p) == incident_id]
    if not found:
        raise UsageError(f"no incident file has the id {incident_id!r} under {config.incidents_dir}/; the id is the file name without .yml")
    return found[0]


def checked_incident(config: SiteConfig, incident_id: str, now: datetime) -> Validation:
    """Validate just this incident's file; raise with the problems when it has errors."""
    validation = validate_repository(config, now=now, only=[find_incident(config, incident_id)])
    if validation.has_errors() or not validation.incidents:
        raise ValidationFailed(validation, f"{incident_id} has problems; fix them first")
    return validation


def templates_page(config: SiteConfig, version: str) -> str | None:
    """The communication templates of the handbook version that governs the incident (the working tree's for dev)."""
    rel = f"{config.handbook_dir}/{TEMPLATES_PAGE}"
    if version != DEV:
        with git.open_repository(config.root) as project:
            if project is not None:
                data = git.read_files_at(project, version, [rel]).get(rel)
                if data is not None:
                    return data.decode("utf-8", "replace")
    data, problem = read_source(config.root, rel)
    return data.decode("utf-8", "replace") if data is not None and problem is None else None


def make_brief(config: SiteConfig, incident_id: str, now: datetime) -> Brief:
    validation = checked_incident(config, incident_id, now)
    assert validation.handbook is not None
    incident = validation.incidents[0]
    internal = next((i for i in validation.internals if i.incident_id == incident.id), None)
    governing, _ = read_governing_handbooks(config, validation.handbook)
    version = governing_version(incident, governing.releases)
    handbook = governing.handbook_for(version)
    return compose_brief(incident, internal, handbook, config, version=version, now=now, templates_page=templates_page(config, version))


# --- output ----------------------------------------------------------------------------------------------


def topic_line(brief: Brief) -> str:
    """The chat room topic, as the Channels page shows it: severity and title, who leads, the links."""
    head = " · ".join(part for part in (brief.severity, brief.status_label) if part)
    parts = [f"{head}: {brief.title}"]
    parts += [f"{initials(name)}: {person}" for _, name, person in brief.roles[:TOPIC_ROLES]]
    if brief.call:
        parts.append(f"Call: {brief.call}")
    parts.append(f"Status page: {brief.status_page}")
    return " | ".join(parts)


def status_line(brief: Brief, fmt: Formatter) -> str:
    """One line for the general incidents channel and support: where it stands and when customers hear next."""
    label = " ".join(part for part in (brief.severity, brief.status_label) if part)
    states = "; ".join(f"{name}: {state.lower()}" for name, state in brief.components)
    text = f"[{label}] {brief.title}. {states}. Last public update {fmt.datetime(brief.last_update)}"
    if brief.next_update is not None:
        text += f", next due by {fmt.datetime(brief.next_update)}"
    lead = next((person for _, _, person in brief.roles), "")
    if lead:
        text += f". Lead: {lead}"
    if brief.chat:
        text += f". Questions in {brief.chat}"
    return text + "."


def next_update_text(brief: Brief, fmt: Formatter) -> str:
    if brief.is_final:
        return "none: the incident is closed (post again only if it comes back, as a new update)"
    if brief.next_update is None:
        return "no fixed cadence (maintenance): post when the work starts, ends or changes"
    text = f"due by {fmt.datetime(brief.next_update)} ({brief.severity} asks for an update at least every {brief.cadence_minutes} minutes)"
    if brief.overdue is not None:
        text += f"; OVERDUE by {fmt.duration(brief.overdue)}"
    return text


def brief_text(brief: Brief, fmt: Formatter) -> str:
    lines = [
        f"{brief.title} ({brief.incident_id})",
        f"{brief.severity} {brief.severity_name} · {brief.status_label} · handbook {brief.version}".strip(),
        "",
        "Chat room topic:",
        f"  {topic_line(brief)}",
        "",
        "Status line for internal channels:",
        f"  {status_line(brief, fmt)}",
        "",
        f"Next public update: {next_update_text(brief, fmt)}",
        "",
        f"Draft customer message ({brief.status_label} template; fill what is in braces):",
    ]
    lines += [f"  {line}" if line else "" for line in (brief.draft or "(the handbook has no template for this status)").splitlines()]
    lines += ["", "Handbook:"]
    lines += [f"  {what}: {url}" for what, url in brief.links]
    return "\n".join(lines) + "\n"


def brief_json(brief: Brief, fmt: Formatter) -> str:
    data = {
        "incident": brief.incident_id,
        "title": brief.title,
        "severity": brief.severity or None,
        "status": brief.status,
        "status_label": brief.status_label,
        "handbook_version": brief.version,
        "closed": brief.is_final,
        "topic": topic_line(brief),
        "status_line": status_line(brief, fmt),
        "last_update": stamp(brief.last_update),
        "next_update_due": stamp(brief.next_update) if brief.next_update is not None else None,
        "next_update_overdue_minutes": int(brief.overdue.total_seconds() // 60) if brief.overdue is not None else None,
        "cadence_minutes": brief.cadence_minutes or None,
        "roles": {role_id: person for role_id, _, person in brief.roles},
        "chat": brief.chat or None,
        "call": brief.call or None,
        "status_page": brief.status_page,
        "draft": brief.draft,
        "links": {what: url for what, url in brief.links},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def brief(config: SiteConfig, incident_id: str, now: datetime, *, fmt: str = "text") -> str:
    """The brief for one incident at ``now``, as text or JSON."""
    formatter = Formatter(config.zone, "en")
    found = make_brief(config, incident_id, now)
    return brief_json(found, formatter) if fmt == "json" else brief_text(found, formatter)
