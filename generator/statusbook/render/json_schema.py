"""A JSON Schema (draft 2020-12) of the incident file format, for editors' YAML language servers.

It is generated from the same declarations the validator uses
(:data:`statusbook.check.incident.SHAPES`) plus the handbook's own lists, so the
severities, components and statuses an editor suggests are exactly the ones
``statusbook validate`` accepts. The schema checks the shape; the validator
still owns the rules a schema cannot express (update order, final status,
postmortem deadlines).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from statusbook.check.incident_format import INCIDENT_SHAPE, SHAPES
from statusbook.core import urls
from statusbook.core.handbook import Entry, Handbook
from statusbook.core.ids import Kind
from statusbook.core.shape import BOOLEAN, INTEGER, LIST, MAPPING, NUMBER, TEXT, TEXT_LIST, TEXT_MAPPING, TIMESTAMP, Field, Shape
from statusbook.render.output import Output
from statusbook.view.status_view import StatusView

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# What statusbook.core.timestamps.parse_timestamp accepts, minus the forms it rejects: a time and a UTC offset are required.
TIMESTAMP_PATTERN = r"^\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t]+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?[ \t]*(?:Z|z|[-+]\d{2}(?::?\d{2})?)$"
URL_PATTERN = r"^https?://[^\s/]+\S*$"
URL_FIELDS = frozenset({"postmortem", "call"})


def _def_name(shape: Shape) -> str:
    words = [w for w in shape.name.split() if w not in ("a", "an", "the")]
    return "_".join(words)


def _describe(doc: str, entries: Sequence[Entry]) -> str:
    if not entries:
        return doc
    listed = "; ".join(f"{e.id}: {e.name}" for e in entries)
    return f"{doc}. One of: {listed}"


class _Builder:
    """Turn declared shapes into JSON Schema, filling enums from the handbook."""

    def __init__(self, handbook: Handbook) -> None:
        self.handbook = handbook
        kinds = (Entry(Kind.INCIDENT, "Incident (the default)", ""), Entry(Kind.MAINTENANCE, "Scheduled maintenance", ""))
        statuses = tuple({s.id: s for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}.values())
        # Field.allowed names a list of the handbook; these are its entries.
        self.lists: dict[str, Sequence[Entry]] = {
            "incident, maintenance": kinds,
            "severities": handbook.severities,
            "incident types": handbook.incident_types,
            "components": handbook.components,
            "incident or maintenance statuses": statuses,
            "component statuses": handbook.component_statuses,
            "roles": handbook.roles,
            "assessment questions": handbook.assessment_questions,
            "phases": handbook.phases,
        }
        self.defs: dict[str, dict[str, object]] = {}

    def shape(self, shape: Shape) -> dict[str, object]:
        """Return a reference to the shape's definition, defining it on first use."""
        name = _def_name(shape)
        if name not in self.defs:
            self.defs[name] = {}  # reserve the name first, so the order of $defs follows first use
            self.defs[name] = self.object(shape)
        return {"$ref": f"#/$defs/{name}"}

    def object(self, shape: Shape) -> dict[str, object]:
        result: dict[str, object] = {"type": "object", "title": shape.name}
        if shape.doc:
            result["description"] = shape.doc
        result["properties"] = {f.name: self.field(f) for f in shape.fields}
        required = [f.name for f in shape.fields if f.required]
        if required:
            result["required"] = required
        result["additionalProperties"] = False
        return result

    def field(self, field: Field) -> dict[str, object]:
        entries = self.lists.get(field.allowed, ())
        ids = [e.id for e in entries]
        schema: dict[str, object] = {"description": _describe(field.doc, entries) if field.type in (TEXT, TEXT_LIST) else field.doc}
        if field.type == TEXT:
            schema["type"] = "string"
            if ids:
                schema["enum"] = ids
            elif field.name in URL_FIELDS:
                schema["pattern"] = URL_PATTERN
            if field.required:
                schema["minLength"] = 1
        elif field.type == TIMESTAMP:
            schema["type"] = "string"
            schema["pattern"] = TIMESTAMP_PATTERN
        elif field.type in (INTEGER, NUMBER, BOOLEAN):
            schema["type"] = {INTEGER: "integer", NUMBER: "number", BOOLEAN: "boolean"}[field.type]
        elif field.type == TEXT_LIST:
            schema["type"] = "array"
            schema["items"] = {"type": "string", "enum": ids} if ids else {"type": "string"}
            if field.required:
                schema["minItems"] = 1
                schema["uniqueItems"] = True
        elif field.type == TEXT_MAPPING:
            schema.update(self.text_mapping(field, entries))
        elif field.type == MAPPING and field.shape is not None:
            schema.update(self.shape(field.shape))
        elif field.type == LIST and field.shape is not None:
            schema["type"] = "array"
            schema["items"] = self.shape(field.shape)
            if field.required:
                schema["minItems"] = 1
        elif field.type == LIST:
            schema["type"] = "array"
        else:
            schema["type"] = "object"
        if not field.required:
            # The validator treats an empty optional key (``postmortem:``) as absent.
            if "$ref" in schema:
                return {"description": schema.pop("description"), "anyOf": [schema, {"type": "null"}]}
            return _nullable(schema)
        return schema

    def text_mapping(self, field: Field, entries: Sequence[Entry]) -> dict[str, object]:
        """A mapping of text: component statuses are values keyed by component; roles and questions are keys."""
        if field.allowed == "component statuses":
            keys, values = self.handbook.components, entries
            doc = _describe(field.doc, entries)
        else:
            keys, values = entries, ()
            doc = _describe(field.doc, entries)
        result: dict[str, object] = {"description": doc, "type": "object"}
        if keys:
            result["propertyNames"] = {"enum": [e.id for e in keys]}
        result["additionalProperties"] = {"type": "string", "enum": [e.id for e in values]} if values else {"type": "string"}
        return result


def _nullable(schema: dict[str, object]) -> dict[str, object]:
    result = dict(schema)
    result["type"] = [schema["type"], "null"]
    if "enum" in result:
        result["enum"] = [*result["enum"], None]
    return result


def incident_schema(handbook: Handbook, site_url: str) -> dict[str, object]:
    """Return the JSON Schema of an incident file for this handbook."""
    builder = _Builder(handbook)
    root = builder.object(INCIDENT_SHAPE)
    for shape in SHAPES:
        builder.shape(shape)
    builder.defs.pop(_def_name(INCIDENT_SHAPE), None)

    def statuses(kind: str) -> dict[str, object]:
        ids = [s.id for s in handbook.statuses(kind)]
        return {"properties": {"updates": {"items": {"properties": {"status": {"enum": ids}}}}}}

    maintenance = statuses(Kind.MAINTENANCE)
    maintenance["required"] = ["scheduled"]
    incident = statuses(Kind.INCIDENT)
    incident["required"] = ["severity"]
    incident["not"] = {"required": ["scheduled"]}
    return {
        "$schema": DRAFT,
        "$id": urls.absolute(site_url, urls.INCIDENT_SCHEMA),
        **root,
        "allOf": [{"if": {"properties": {"kind": {"const": Kind.MAINTENANCE}}, "required": ["kind"]}, "then": maintenance, "else": incident}],
        "$defs": builder.defs,
    }


def schema_json(handbook: Handbook, site_url: str) -> bytes:
    """Serialise the incident schema deterministically."""
    return (json.dumps(incident_schema(handbook, site_url), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def schema_files(view: StatusView) -> Iterator[Output]:
    """Publish the incident file schema at its permanent URL."""
    yield Output(urls.INCIDENT_SCHEMA, lambda: schema_json(view.handbook, view.config.site_url))
