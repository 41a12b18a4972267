"""The handbook's generated tables, as Markdown, from the schema and the rule catalogue.

Pages hold placeholders such as ``<!-- statusbook:severities -->``; each is
replaced by what :data:`TABLES` renders for it, so the pages show exactly what
the validator enforces. Plain Markdown (pipe tables, headings with
``{#id}`` attributes) keeps this independent of any one site generator.
Text from the schema files is escaped (HTML and Markdown alike), so a name in
``components.yml`` shows as written and can never add markup to a page.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable, Iterable

from statusbook.check.catalogue import RULES
from statusbook.check.incident_format import SHAPES
from statusbook.core.handbook import Entry, Handbook, Status
from statusbook.core.shape import LIST, MAPPING, TEXT_MAPPING, Field, Shape

PLACEHOLDER_RE = re.compile(r"<!--\s*statusbook:([a-z0-9-]+)\s*-->")


def severity_anchor(severity_id: str) -> str:
    """The fragment id of a severity's heading; the status page links to it (see urls.severity_definition)."""
    return f"severity-{severity_id.lower()}"


_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+!|])")  # what Python-Markdown lets a backslash escape
# What schema entries hold as free text; ids are checked slugs and need no escaping.
_FREE_TEXT = ("name", "description", "criteria", "examples", "escalation")


def escape_text(text: str) -> str:
    """Make schema text literal in Markdown: no HTML, no emphasis, no links, no table breaks."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def _escaped_entry(entry: Entry) -> Entry:
    changes = {}
    for name in _FREE_TEXT:
        value = getattr(entry, name, None)
        if isinstance(value, str):
            changes[name] = escape_text(value)
        elif isinstance(value, tuple):
            changes[name] = tuple(escape_text(v) for v in value)
    return dataclasses.replace(entry, **changes)


def escaped(handbook: Handbook) -> Handbook:
    """The handbook with every free text escaped for Markdown (what the tables are rendered from)."""
    lists = ("phases", "incident_types", "severities", "roles", "incident_statuses", "maintenance_statuses", "component_statuses", "assessment_questions", "groups", "components", "teams")
    return dataclasses.replace(handbook, **{name: tuple(_escaped_entry(e) for e in getattr(handbook, name)) for name in lists})


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(value: str) -> str:
    return f"`{value}`" if "`" not in value else f"`` {value} ``"


def _codes(values: Iterable[str]) -> str:
    return ", ".join(_code(v) for v in values)


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


def phases_table(handbook: Handbook) -> str:
    adders: dict[str, list[str]] = {}
    for incident_type in handbook.incident_types:
        for phase_id in incident_type.extra_phases:
            adders.setdefault(phase_id, []).append(incident_type.id)
    rows = []
    for phase in handbook.phases:
        if phase.optional:
            applies = f"only {' and '.join(_code(t) for t in adders[phase.id])} incidents" if phase.id in adders else "no incident type yet"
        elif phase.closing:
            applies = "after resolution"
        else:
            applies = "every incident"
        rows.append((phase.name, _code(phase.id), phase.description, applies))
    return _table(("Phase", "Id", "What happens", "Applies to"), rows)


def incident_types_table(handbook: Handbook) -> str:
    rows = [(t.name, _code(t.id), t.description, " → ".join(_code(p.id) for p in handbook.phases_for(t.id))) for t in handbook.incident_types]
    return _table(("Type", "Id", "Meaning", "Phases, in order"), rows)


def severities_section(handbook: Handbook) -> str:
    rows = [
        (
            f"[{s.id}](#{severity_anchor(s.id)})",
            s.name,
            _yes(s.major),
            _yes(s.pages),
            _code(s.impact),
            _duration(s.update_every_minutes),
            s.postmortem,
        )
        for s in handbook.severities
    ]
    parts = [_table(("Severity", "Name", "Major incident", "Pages responders", "Public impact", "Public update at least every", "Postmortem"), rows)]
    for s in handbook.severities:
        parts.append(f"## {s.id} — {s.name} {{#{severity_anchor(s.id)}}}")
        parts.append(s.description)
        if s.criteria:
            parts.append("**Choose it when:**\n\n" + "\n".join(f"- {c}" for c in s.criteria))
        if s.examples:
            parts.append("**Examples:**\n\n" + "\n".join(f"- {e}" for e in s.examples))
        facts = [
            "a major incident" if s.major else "not a major incident",
            "responders are paged at any hour" if s.pages else "handled by the owning team, normally in working hours",
            f"public updates at least every {_duration(s.update_every_minutes)}",
            {"required": "a postmortem is required", "optional": "a postmortem is optional", "none": "no postmortem"}.get(s.postmortem, f"postmortem: {s.postmortem}"),
        ]
        parts.append(f"In short: {'; '.join(facts)}.")
    return "\n\n".join(parts)


def roles_table(handbook: Handbook) -> str:
    rows = [(r.name, _code(r.id), r.description, "yes" if r.required_for_major else "") for r in handbook.roles]
    return _table(("Role", "Id", "Responsibilities", "Required for major incidents"), rows)


def _statuses_table(statuses: Iterable[Status], final_label: str) -> str:
    rows = [(s.name, _code(s.id), s.description, final_label if s.final else "") for s in statuses]
    return _table(("Status", "Id", "Meaning", "Final"), rows)


def component_statuses_table(handbook: Handbook) -> str:
    rows = [(s.name, _code(s.id), s.description, f"{s.downtime_weight:.0%}") for s in handbook.component_statuses]
    return _table(("Component status", "Id", "Meaning", "Counts as downtime"), rows)


def assessment_questions_table(handbook: Handbook) -> str:
    rows = [(index, q.description, q.name, _code(q.id)) for index, q in enumerate(handbook.assessment_questions, 1)]
    return _table(("#", "Question", "Topic", "Id in `internal.assessment`"), rows)


def components_table(handbook: Handbook) -> str:
    rows = []
    for group in handbook.groups:
        for cid in group.components:
            component = handbook.component_by_id[cid]
            team = handbook.team_by_id.get(component.team)
            rows.append((component.name, _code(component.id), component.description, group.name, team.name if team else component.team, team.escalation if team else ""))
    return _table(("Component", "Id", "What it is", "Group", "Owning team", "How to reach them"), rows)


# Where a field's allowed values come from (rules.py names them in words), resolved from the handbook.
_VOCABULARY: dict[str, Callable[[Handbook], str]] = {
    "severities": lambda h: _codes(s.id for s in h.severities),
    "incident types": lambda h: _codes(t.id for t in h.incident_types),
    "components": lambda h: _codes(c.id for c in h.components),
    "component statuses": lambda h: _codes(s.id for s in h.component_statuses),
    "incident or maintenance statuses": lambda h: f"incident: {_codes(s.id for s in h.incident_statuses)}; maintenance: {_codes(s.id for s in h.maintenance_statuses)}",
    "phases": lambda h: _codes(p.id for p in h.phases),
    "roles": lambda h: _codes(r.id for r in h.roles),
    "assessment questions": lambda h: _codes(q.id for q in h.assessment_questions),
}
# For these mappings the allowed values are the keys; for the others, the values.
_KEYED = {"roles", "assessment questions"}


def _allowed(spec: Field, handbook: Handbook) -> str:
    if not spec.allowed:
        return ""
    render = _VOCABULARY.get(spec.allowed)
    text = render(handbook) if render else _codes(v.strip() for v in spec.allowed.split(","))
    if spec.type == TEXT_MAPPING:
        return f"keys: {text}" if spec.allowed in _KEYED else f"values: {text}"
    return text


def _shape_paths(shape: Shape, path: str = "") -> list[tuple[str, Shape]]:
    """Every shape reachable from the incident file, with where it sits (``updates[]``, ``internal.timeline[]``)."""
    found = [(path, shape)]
    for spec in shape.fields:
        if spec.shape is not None:
            child = f"{path}.{spec.name}" if path else spec.name
            found += _shape_paths(spec.shape, child + ("[]" if spec.type == LIST else ""))
    return found


def _shape_anchor(path: str) -> str:
    return "fields-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "file")


def _shape_title(path: str) -> str:
    if not path:
        return "The file"
    if path.endswith("[]"):
        return f"Each item of `{path[:-2]}`"
    return f"`{path}`"


def incident_format_section(handbook: Handbook) -> str:
    paths = _shape_paths(SHAPES[0])
    reachable = {id(shape) for _, shape in paths}
    paths += [(shape.name, shape) for shape in SHAPES if id(shape) not in reachable]
    parts = []
    for path, shape in paths:
        parts.append(f"### {_shape_title(path)} {{#{_shape_anchor(path)}}}")
        if shape.doc:
            parts.append(shape.doc)
        rows = []
        for spec in shape.fields:
            kind = spec.type
            if spec.shape is not None:
                child = f"{path}.{spec.name}" if path else spec.name
                child += "[]" if spec.type == LIST else ""
                kind = f"[{'list of mappings' if spec.type == LIST else MAPPING}](#{_shape_anchor(child)})"
            rows.append((_code(spec.name), kind, _yes(spec.required), _allowed(spec, handbook), spec.doc))
        parts.append(_table(("Field", "Type", "Required", "Allowed values", "Description"), rows))
    return "\n\n".join(parts)


def _example(text: str) -> str:
    return "<br>".join(_code(line) for line in text.splitlines()) if text else ""


def rules_table(handbook: Handbook) -> str:
    del handbook  # the rule catalogue does not depend on the schema
    rows = [(_code(r.id), r.level, r.summary, _example(r.fails), _example(r.passes)) for r in RULES]
    return _table(("Rule", "Level", "What it checks", "Fails", "Passes"), rows)


TABLES: dict[str, Callable[[Handbook], str]] = {
    "phases": phases_table,
    "incident-types": incident_types_table,
    "severities": severities_section,
    "roles": roles_table,
    "incident-statuses": lambda h: _statuses_table(h.incident_statuses, "closes the incident"),
    "maintenance-statuses": lambda h: _statuses_table(h.maintenance_statuses, "closes the maintenance"),
    "component-statuses": component_statuses_table,
    "assessment-questions": assessment_questions_table,
    "components": components_table,
    "incident-format": incident_format_section,
    "rules": rules_table,
}


def expand_placeholders(markdown: str, handbook: Handbook) -> tuple[str, list[str]]:
    """Replace every known placeholder with its table; return the text and the unknown names."""
    unknown: list[str] = []
    safe = escaped(handbook)

    def replace(match: re.Match[str]) -> str:
        render = TABLES.get(match[1])
        if render is None:
            unknown.append(match[1])
            return match[0]
        return "\n" + render(safe) + "\n"

    return PLACEHOLDER_RE.sub(replace, markdown), unknown
