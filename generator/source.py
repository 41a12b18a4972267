"""Parse YAML safely into plain values that remember where each one came from.

The file is composed once with PyYAML (libyaml's C parser when present) and
plain values are built from that node tree, so positions cost nothing extra.
The conversion follows YAML 1.2's core schema rather than PyYAML's YAML 1.1:
only ``true``/``false`` are booleans and timestamps stay strings for the rules
to parse, so ``no`` never silently becomes ``False``. Anchors, aliases, tags,
merge keys and duplicate keys are reported, never expanded or kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from generator.problems import Mark, Problem, Reporter

try:  # libyaml makes parsing several times faster; fall back when it is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_SCALAR_CHARS = 64 * 1024

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MAP, _SEQ}
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z|[-+]?[0-9]+[eE][-+]?[0-9]+\Z")
_TRUTHY = {"yes", "no", "on", "off", "y", "n"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class MarkedDict(dict):
    """A mapping that knows the position of itself, its keys and its values."""

    __slots__ = ("key_marks", "mark", "value_marks")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}

    def key_mark(self, key: str) -> Mark:
        return self.key_marks.get(key, self.mark)

    def value_mark(self, key: str) -> Mark:
        return self.value_marks.get(key, self.mark)


class MarkedList(list):
    """A sequence that knows the position of itself and of each item."""

    __slots__ = ("item_marks", "mark")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.item_marks: list[Mark] = []

    def item_mark(self, index: int) -> Mark:
        return self.item_marks[index] if 0 <= index < len(self.item_marks) else self.mark


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome of reading one YAML file: a value (or None) and its problems."""

    value: object
    problems: tuple[Problem, ...]


def _mark(node_mark: yaml.Mark) -> Mark:
    return Mark(node_mark.line + 1, node_mark.column + 1)


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Turn file bytes into text, reporting size, encoding and binary problems once."""
    report = Reporter(path)
    start = Mark(1, 1)
    if len(data) > MAX_FILE_BYTES:
        report.error(start, "file-too-large", f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes (1 MiB)")
        return None, report.problems
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        report.error(start, "file-encoding", "file is UTF-16 or UTF-32; save it as UTF-8 without a byte order mark")
        return None, report.problems
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        report.error(Mark(line, column), "file-binary", "file contains a NUL byte; incident files must be UTF-8 text")
        return None, report.problems
    if data.startswith(b"\xef\xbb\xbf"):
        report.warning(start, "file-bom", "file starts with a UTF-8 byte order mark; save it without one")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(Mark(line, column), "file-encoding", f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")
        return None, report.problems
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        report.error(start, "file-empty", "file is empty or holds only comments; it must be a YAML mapping")
        return None, report.problems
    return text, report.problems


def _scan_events(text: str, report: Reporter) -> bool:
    """Report anchors, aliases and explicit tags; return True when an alias makes the tree unsafe."""
    has_alias = False
    try:
        for event in yaml.parse(text, Loader=_Loader):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent):
                has_alias = True
                report.error(_mark(event.start_mark), "yaml-alias", f"alias '*{anchor}' is not allowed; write the value out in full")
                continue
            if anchor:
                report.error(_mark(event.start_mark), "yaml-anchor", f"anchor '&{anchor}' is not allowed; incident files use plain values only")
            tag = getattr(event, "tag", None)
            implicit = getattr(event, "implicit", True)
            explicit = tag and (implicit is False or (isinstance(implicit, tuple) and not any(implicit)))
            if explicit:
                report.error(_mark(event.start_mark), "yaml-tag", f"tag {tag!r} is not allowed; remove it and write a plain value")
    except yaml.YAMLError:
        pass  # the composer reports the syntax error with its position
    return has_alias


class _Builder:
    """Build plain values from a composed node tree, reporting what YAML 1.1 would get wrong."""

    def __init__(self, report: Reporter) -> None:
        self.report = report

    def build(self, node: yaml.Node, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            self.report.error(_mark(node.start_mark), "yaml-nesting", f"nesting is deeper than {MAX_DEPTH} levels")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            result = MarkedList(_mark(node.start_mark))
            for item in node.value:
                result.item_marks.append(_mark(item.start_mark))
                result.append(self.build(item, depth + 1))
            return result
        mapping = MarkedDict(_mark(node.start_mark))
        for key_node, value_node in node.value:
            key_mark = _mark(key_node.start_mark)
            if key_node.tag == _MERGE:
                self.report.error(key_mark, "yaml-merge", "merge key '<<' is not allowed; write the keys out in full")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.report.error(key_mark, "yaml-key", "keys must be plain text, not lists or mappings")
                continue
            key = key_node.value
            if key in mapping.key_marks:
                first = mapping.key_marks[key]
                self.report.error(
                    key_mark,
                    "yaml-duplicate-key",
                    f"key {key!r} appears twice; the first is at line {first.line}, column {first.column} and YAML would silently keep only the last",
                )
                continue
            mapping.key_marks[key] = key_mark
            mapping.value_marks[key] = _mark(value_node.start_mark)
            mapping[key] = self.build(value_node, depth + 1)
        return mapping

    def scalar(self, node: yaml.ScalarNode) -> object:
        value = node.value
        tag = node.tag
        if len(value) > MAX_SCALAR_CHARS:
            self.report.error(_mark(node.start_mark), "yaml-scalar-size", f"value is {len(value):,} characters; the limit is {MAX_SCALAR_CHARS:,}")
            return value[:MAX_SCALAR_CHARS]
        if _CONTROL_RE.search(value):
            self.report.error(_mark(node.start_mark), "text-control-character", "value contains a control character; remove it")
        # Explicit tags were reported by the event scan; a tagged value is read as plain text.
        if tag == _STR or node.style or tag not in _PLAIN_TAGS:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            lowered = value.lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            if lowered in _TRUTHY:
                self.report.warning(
                    _mark(node.start_mark),
                    "yaml-truthy",
                    f"{value!r} is read as a boolean by YAML 1.1 tools; quote it ({value!r} as text) or write true/false",
                )
            return value
        if tag == _INT and _INT_RE.match(value):
            return int(value)
        if tag in (_INT, _FLOAT) and _FLOAT_RE.match(value):
            return float(value)
        return value


def parse_yaml(text: str, path: str) -> Parsed:
    """Parse one YAML document into marked plain values; never raises for bad input."""
    report = Reporter(path)
    if ("&" in text or "*" in text or "!" in text) and _scan_events(text, report):
        return Parsed(None, tuple(report.problems))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        rule = "yaml-documents" if "single document" in str(exc.context or "") else "yaml-syntax"
        report.error(where, rule, f"{problem}{context}")
        return Parsed(None, tuple(report.problems))
    except yaml.YAMLError as exc:
        report.error(Mark(1, 1), "yaml-syntax", str(exc).splitlines()[0])
        return Parsed(None, tuple(report.problems))
    except RecursionError:
        report.error(Mark(1, 1), "yaml-nesting", f"nesting is deeper than {MAX_DEPTH} levels")
        return Parsed(None, tuple(report.problems))
    finally:
        loader.dispose()
    if node is None:
        report.error(Mark(1, 1), "file-empty", "file holds no YAML document; it must be a mapping")
        return Parsed(None, tuple(report.problems))
    value = _Builder(report).build(node)
    return Parsed(value, tuple(report.problems))


def read_yaml(data: bytes, path: str) -> Parsed:
    """Decode and parse file bytes, reporting each kind of unreadable file once."""
    text, problems = decode(data, path)
    if text is None:
        return Parsed(None, tuple(problems))
    parsed = parse_yaml(text, path)
    return Parsed(parsed.value, tuple(problems) + parsed.problems)
