"""The handbook's generated tables, as Markdown, from the schema and the rule catalogue.

Pages hold placeholders such as ``<!-- statusbook:severities -->``; each is
replaced by what :data:`TABLES` renders for it, so the pages show exactly what
the validator enforces. Plain Markdown (pipe tables, headings with
``{#id}`` attributes) keeps this independent of any one site generator.
Text from the schema files is escaped (HTML and Markdown alike), so a name in
``components.yml`` shows as written and can never add markup to a page.

Every table also comes in the handbook's other languages: ``language`` picks
the schema's translated words (:meth:`~statusbook.core.handbook.Entry.name_in`
and friends: English where an entry has none) and the table's own words from
:data:`statusbook.handbook.languages.WORDS`. Ids and anchors are the same in every language, so a link to
``#severity-sev2`` works on the Dutch page too.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable, Iterable

from statusbook.check.catalogue import RULES
from statusbook.check.incident_format import SHAPES
from statusbook.core.config import STATUSBOOK_SHAPE
from statusbook.core.handbook import SOURCE_LANGUAGE, Entry, Handbook, Severity, Status, Team
from statusbook.core.shape import LIST, MAPPING, TEXT_MAPPING, Field, Shape
from statusbook.handbook.languages import say

PLACEHOLDER_RE = re.compile(r"<!--\s*statusbook:([a-z0-9-]+)\s*-->")


def severity_anchor(severity_id: str) -> str:
    """The fragment id of a severity's heading; the status page links to it (see urls.severity_definition)."""
    return f"severity-{severity_id.lower()}"


_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+!|])")  # what Python-Markdown lets a backslash escape
# What schema entries hold as free text; ids are checked slugs and need no escaping.
_FREE_TEXT = ("name", "description", "criteria", "examples", "escalation")
_ENTRY_LISTS = ("phases", "incident_types", "severities", "roles", "incident_statuses", "maintenance_statuses", "component_statuses", "assessment_questions", "groups", "components", "teams")


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
    return dataclasses.replace(handbook, **{name: tuple(_escaped_entry(e) for e in getattr(handbook, name)) for name in _ENTRY_LISTS})


def _localized_entry(entry: Entry, language: str) -> Entry:
    changes: dict[str, object] = {"name": entry.name_in(language), "description": entry.description_in(language)}
    if isinstance(entry, Severity):
        changes.update(criteria=entry.criteria_in(language), examples=entry.examples_in(language))
    if isinstance(entry, Team):
        changes["escalation"] = entry.escalation_in(language)
    return dataclasses.replace(entry, **changes)


def localized(handbook: Handbook, language: str) -> Handbook:
    """The handbook with every entry's words in ``language``, entry by entry and field by field falling back to English."""
    if language == SOURCE_LANGUAGE:
        return handbook
    return dataclasses.replace(handbook, **{name: tuple(_localized_entry(e, language) for e in getattr(handbook, name)) for name in _ENTRY_LISTS})


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(value: str) -> str:
    return f"`{value}`" if "`" not in value else f"`` {value} ``"


def _codes(values: Iterable[str]) -> str:
    return ", ".join(_code(v) for v in values)


def _table(header: Iterable[str], rows: Iterable[Iterable[object]], language: str = SOURCE_LANGUAGE) -> str:
    header = [say(language, title) for title in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _yes(flag: bool, language: str = SOURCE_LANGUAGE) -> str:
    return say(language, "yes" if flag else "no")


def _duration(minutes: int, language: str = SOURCE_LANGUAGE) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return say(language, "1 hour") if hours == 1 else say(language, "{n} hours", n=hours)
    return say(language, "{n} minutes", n=minutes)


def phases_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    adders: dict[str, list[str]] = {}
    for incident_type in handbook.incident_types:
        for phase_id in incident_type.extra_phases:
            adders.setdefault(phase_id, []).append(incident_type.id)
    rows = []
    for phase in handbook.phases:
        if phase.optional:
            if phase.id in adders:
                applies = say(language, "only {types} incidents", types=f" {say(language, 'and')} ".join(_code(t) for t in adders[phase.id]))
            else:
                applies = say(language, "no incident type yet")
        elif phase.closing:
            applies = say(language, "after resolution")
        else:
            applies = say(language, "every incident")
        rows.append((phase.name, _code(phase.id), phase.description, applies))
    return _table(("Phase", "Id", "What happens", "Applies to"), rows, language)


def incident_types_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    rows = [(t.name, _code(t.id), t.description, " → ".join(_code(p.id) for p in handbook.phases_for(t.id))) for t in handbook.incident_types]
    return _table(("Type", "Id", "Meaning", "Phases, in order"), rows, language)


def severities_section(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    rows = [
        (
            f"[{s.id}](#{severity_anchor(s.id)})",
            s.name,
            _yes(s.major, language),
            _yes(s.pages, language),
            _code(s.impact),
            _duration(s.update_every_minutes, language),
            say(language, s.postmortem),
        )
        for s in handbook.severities
    ]
    parts = [_table(("Severity", "Name", "Major incident", "Pages responders", "Public impact", "Public update at least every", "Postmortem"), rows, language)]
    for s in handbook.severities:
        # The anchor is explicit, so it is the same in every language (the status page links to it).
        parts.append(f"## {s.id} — {s.name} {{#{severity_anchor(s.id)}}}")
        parts.append(s.description)
        if s.criteria:
            parts.append(say(language, "**Choose it when:**") + "\n\n" + "\n".join(f"- {c}" for c in s.criteria))
        if s.examples:
            parts.append(say(language, "**Examples:**") + "\n\n" + "\n".join(f"- {e}" for e in s.examples))
        policy = {"required": "a postmortem is required", "optional": "a postmortem is optional", "none": "no postmortem"}.get(s.postmortem)
        facts = [
            say(language, "a major incident" if s.major else "not a major incident"),
            say(language, "responders are paged at any hour" if s.pages else "handled by the owning team, normally in working hours"),
            say(language, "public updates at least every {duration}", duration=_duration(s.update_every_minutes, language)),
            say(language, policy) if policy else f"postmortem: {s.postmortem}",
        ]
        parts.append(say(language, "In short: {facts}.", facts="; ".join(facts)))
    return "\n\n".join(parts)


def roles_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    rows = [(r.name, _code(r.id), r.description, say(language, "yes") if r.required_for_major else "") for r in handbook.roles]
    return _table(("Role", "Id", "Responsibilities", "Required for major incidents"), rows, language)


def _statuses_table(statuses: Iterable[Status], final_label: str, language: str = SOURCE_LANGUAGE) -> str:
    rows = [(s.name, _code(s.id), s.description, say(language, final_label) if s.final else "") for s in statuses]
    return _table(("Status", "Id", "Meaning", "Final"), rows, language)


def incident_statuses_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    return _statuses_table(handbook.incident_statuses, "closes the incident", language)


def maintenance_statuses_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    return _statuses_table(handbook.maintenance_statuses, "closes the maintenance", language)


def component_statuses_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    rows = [(s.name, _code(s.id), s.description, f"{s.downtime_weight:.0%}") for s in handbook.component_statuses]
    return _table(("Component status", "Id", "Meaning", "Counts as downtime"), rows, language)


def assessment_questions_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    rows = [(index, q.description, q.name, _code(q.id)) for index, q in enumerate(handbook.assessment_questions, 1)]
    return _table(("#", "Question", "Topic", "Id in `internal.assessment`"), rows, language)


def components_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    rows = []
    for group in handbook.groups:
        for cid in group.components:
            component = handbook.component_by_id[cid]
            team = handbook.team_by_id.get(component.team)
            rows.append((component.name, _code(component.id), component.description, group.name, team.name if team else component.team, team.escalation if team else ""))
    return _table(("Component", "Id", "What it is", "Group", "Owning team", "How to reach them"), rows, language)


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


def _shape_title(path: str, language: str = SOURCE_LANGUAGE) -> str:
    if not path:
        return say(language, "The file")
    if path.endswith("[]"):
        return say(language, "Each item of `{path}`", path=path[:-2])
    return f"`{path}`"


def incident_format_section(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    """The incident file's fields; their descriptions are the declarations' own (English) words in every language."""
    paths = _shape_paths(SHAPES[0])
    reachable = {id(shape) for _, shape in paths}
    paths += [(shape.name, shape) for shape in SHAPES if id(shape) not in reachable]
    parts = []
    for path, shape in paths:
        parts.append(f"### {_shape_title(path, language)} {{#{_shape_anchor(path)}}}")
        if shape.doc:
            parts.append(shape.doc)
        rows = []
        for spec in shape.fields:
            kind = spec.type
            if spec.shape is not None:
                child = f"{path}.{spec.name}" if path else spec.name
                child += "[]" if spec.type == LIST else ""
                kind = f"[{say(language, 'list of mappings') if spec.type == LIST else MAPPING}](#{_shape_anchor(child)})"
            rows.append((_code(spec.name), kind, _yes(spec.required, language), _allowed(spec, handbook), spec.doc))
        parts.append(_table(("Field", "Type", "Required", "Allowed values", "Description"), rows, language))
    return "\n\n".join(parts)


def _example(text: str) -> str:
    return "<br>".join(_code(line) for line in text.splitlines()) if text else ""


def rules_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    del handbook  # the rule catalogue does not depend on the schema
    rows = [(_code(r.id), r.level, r.summary, _example(r.fails), _example(r.passes)) for r in RULES]
    return _table(("Rule", "Level", "What it checks", "Fails", "Passes"), rows, language)


def settings_table(handbook: Handbook, language: str = SOURCE_LANGUAGE) -> str:
    """``extra.statusbook`` in mkdocs.yml, from the same declaration that checks it."""
    del handbook  # the settings do not depend on the schema
    rows = []
    for spec in STATUSBOOK_SHAPE.fields:
        kind = spec.type if spec.shape is None else f"list of mappings ({', '.join(_code(f.name) for f in spec.shape.fields)})"
        allowed = _codes(value.strip() for value in spec.allowed.split(",")) if spec.allowed else ""
        rows.append((_code(spec.name), kind, allowed, spec.doc))
    return _table(("Setting", "Type", "Allowed values", "What it does"), rows, language)


# Each renders a (localized, escaped) handbook in a language: render(handbook, language).
TABLES: dict[str, Callable[[Handbook, str], str]] = {
    "phases": phases_table,
    "incident-types": incident_types_table,
    "severities": severities_section,
    "roles": roles_table,
    "incident-statuses": incident_statuses_table,
    "maintenance-statuses": maintenance_statuses_table,
    "component-statuses": component_statuses_table,
    "assessment-questions": assessment_questions_table,
    "components": components_table,
    "incident-format": incident_format_section,
    "rules": rules_table,
    "settings": settings_table,
}


def expand_placeholders(markdown: str, handbook: Handbook, language: str = SOURCE_LANGUAGE) -> tuple[str, list[str]]:
    """Replace every known placeholder with its table in ``language``; return the text and the unknown names."""
    unknown: list[str] = []
    safe = escaped(localized(handbook, language))

    def replace(match: re.Match[str]) -> str:
        render = TABLES.get(match[1])
        if render is None:
            unknown.append(match[1])
            return match[0]
        return "\n" + render(safe, language) + "\n"

    return PLACEHOLDER_RE.sub(replace, markdown), unknown
