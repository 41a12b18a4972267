"""Declared shapes of YAML mappings: checked once, and documented from the same declaration."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from statusbook.core.problems import Mark, Reporter, did_you_mean, quote_list
from statusbook.core.yaml_source import MarkedDict, MarkedList

# Type names double as the words shown in messages and in the reference page.
TEXT = "text"
INTEGER = "integer"
NUMBER = "number"
BOOLEAN = "boolean"
TIMESTAMP = "timestamp"
TEXT_LIST = "list of text"
MAPPING = "mapping"
LIST = "list"
TEXT_MAPPING = "mapping of text"


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a mapping: its type, whether it is required, and what it means."""

    name: str
    type: str
    doc: str
    required: bool = False
    allowed: str = ""  # where the allowed values come from, for the reference page
    shape: Shape | None = None  # for a mapping, or the items of a list


@dataclass(frozen=True, slots=True)
class Shape:
    """The keys a mapping may hold."""

    name: str
    fields: tuple[Field, ...]
    doc: str = ""
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})


_TYPE_CHECKS: dict[str, Callable[[object], bool]] = {
    TEXT: lambda v: isinstance(v, str),
    TIMESTAMP: lambda v: isinstance(v, str),
    INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
    NUMBER: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    BOOLEAN: lambda v: isinstance(v, bool),
    TEXT_LIST: lambda v: isinstance(v, MarkedList) and all(isinstance(i, str) for i in v),
    MAPPING: lambda v: isinstance(v, MarkedDict),
    TEXT_MAPPING: lambda v: isinstance(v, MarkedDict),
    LIST: lambda v: isinstance(v, MarkedList),
}


def type_ok(value: object, type_name: str) -> bool:
    """Tell whether a parsed value has the declared type."""
    return _TYPE_CHECKS[type_name](value)


def describe(value: object) -> str:
    """Name a parsed value's type the way a YAML author thinks of it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) < 40 else "text"
    if isinstance(value, MarkedList):
        return "a list"
    if isinstance(value, MarkedDict):
        return "a mapping"
    return type(value).__name__


def check_shape(
    mapping: object, shape: Shape, report: Reporter, *, where: MarkedDict | MarkedList | None = None, key: object = None, skip: Collection[str] = ()
) -> MarkedDict | None:
    """Report unknown keys, missing keys and wrong types; return the mapping when it is one.

    Keys in ``skip`` are left alone: the caller reports them with a message of its own.
    """
    if not isinstance(mapping, MarkedDict):
        mark = _mark_of(where, key, mapping)
        report.error(mark, "type-mismatch", f"{shape.name} must be a mapping of keys to values, found {describe(mapping)}")
        return None
    for name in mapping:
        spec = shape.by_name.get(name)
        if spec is None:
            if name in skip:
                continue
            if not isinstance(name, str):
                report.error(mapping.key_mark(name), "key-unknown", f"key {name!r} in {shape.name} must be text")
                continue
            report.error(
                mapping.key_mark(name),
                "key-unknown",
                f"unknown key {name!r} in {shape.name}; expected one of {quote_list(shape.by_name)}{did_you_mean(name, shape.by_name)}",
            )
            continue
        value = mapping[name]
        if value is None and not spec.required:
            continue
        if not type_ok(value, spec.type):
            report.error(mapping.value_mark(name), "type-mismatch", f"{name!r} must be {_article(spec.type)}, found {describe(value)}")
    for spec in shape.fields:
        value = mapping.get(spec.name)
        if spec.required and (value is None or (isinstance(value, str) and not value.strip())):
            if spec.name in mapping:
                blank = " or only spaces" if value else ""
                report.error(mapping.value_mark(spec.name), "value-empty", f"{spec.name!r} in {shape.name} must not be empty{blank}")
            else:
                report.error(mapping.mark, "key-missing", f"{shape.name} is missing required key {spec.name!r} ({spec.doc})")
    return mapping


def _article(type_name: str) -> str:
    if type_name.startswith(("list", "mapping")):
        return f"a {type_name}"
    return {INTEGER: "an integer", TIMESTAMP: "a timestamp"}.get(type_name, f"a {type_name}" if type_name != TEXT else "text")


def _mark_of(where: MarkedDict | MarkedList | None, key: object, value: object) -> Mark:
    if isinstance(value, (MarkedDict, MarkedList)):
        return value.mark
    if isinstance(where, MarkedDict) and isinstance(key, str):
        return where.value_mark(key)
    if isinstance(where, MarkedList) and isinstance(key, int):
        return where.item_mark(key)
    if where is not None:
        return where.mark
    return Mark(1, 1)


def get(mapping: MarkedDict | None, name: str, type_name: str, default: object = None) -> object:
    """Read a key whose type check_shape already vetted, falling back when absent or mistyped."""
    if mapping is None:
        return default
    value = mapping.get(name)
    if value is None or not type_ok(value, type_name):
        return default
    return value
