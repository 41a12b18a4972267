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

from statusbook.core.problems import Mark, Problem, Reporter

try:  # libyaml makes parsing several times faster; fall back when it is missing.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

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
# Characters no page, feed or calendar can carry: C0/C1 controls (XML 1.0 forbids most of them)
# and the non-characters U+FFFE/U+FFFF; libyaml already refuses escaped surrogates.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# A node carries an anchor or a tag exactly when its first character is one of these: plain
# scalars cannot start with them, and an alias re-uses its anchored node, which starts with '&'.
_PROPERTY_CHARS = frozenset("&!")
# Placeholder tag for plain scalars: the builder resolves the few that can be anything but text.
_PLAIN = "?plain"
# PyYAML's own implicit resolvers, by first character, keeping the tags the builder treats apart
# from text (timestamps and '=' stay text either way); the rules stay exactly PyYAML's.
_WILDCARD = tuple(yaml.resolver.Resolver.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {
    first: kept + _WILDCARD
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    if first is not None and (kept := tuple((tag, rx) for tag, rx in resolvers if tag in (_NULL, _BOOL, _INT, _FLOAT, _MERGE)))
}
# First characters a merge key ('<<') can start with: only keys starting so need resolving.
_MERGE_FIRST = frozenset(first for first, resolvers in _IMPLICIT.items() if any(tag == _MERGE for tag, _ in resolvers))


class _Loader(_BaseLoader):
    """libyaml's composer with a resolver that leaves plain scalars to the builder.

    PyYAML calls the resolver in Python for every node, which costs more than
    libyaml's parsing; most values are text and need no regular expression.
    """

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR  # type: ignore[index]
        return _SEQ if kind is yaml.SequenceNode else _MAP


def _plain_tag(value: str) -> str:
    """Resolve a plain scalar's tag the way PyYAML's SafeLoader does (for the tags we use)."""
    for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
        if regexp.match(value):
            return tag
    return _STR


def _as_mark(mark: Mark | yaml.Mark) -> Mark:
    """Turn a parser's 0-based mark into ours; marks are converted only when someone asks for them."""
    return mark if type(mark) is Mark else Mark(mark.line + 1, mark.column + 1)


class MarkedDict(dict):
    """A mapping that knows the position of itself, its keys and its values."""

    __slots__ = ("_mark", "key_marks", "value_marks")

    def __init__(self, mark: Mark | yaml.Mark) -> None:
        super().__init__()
        self._mark = mark
        self.key_marks: dict[str, Mark | yaml.Mark] = {}
        self.value_marks: dict[str, Mark | yaml.Mark] = {}

    @property
    def mark(self) -> Mark:
        return _as_mark(self._mark)

    def key_mark(self, key: str) -> Mark:
        return _as_mark(self.key_marks.get(key, self._mark))

    def value_mark(self, key: str) -> Mark:
        return _as_mark(self.value_marks.get(key, self._mark))


class MarkedList(list):
    """A sequence that knows the position of itself and of each item."""

    __slots__ = ("_mark", "item_marks")

    def __init__(self, mark: Mark | yaml.Mark) -> None:
        super().__init__()
        self._mark = mark
        self.item_marks: list[Mark | yaml.Mark] = []

    @property
    def mark(self) -> Mark:
        return _as_mark(self._mark)

    def item_mark(self, index: int) -> Mark:
        return _as_mark(self.item_marks[index] if 0 <= index < len(self.item_marks) else self._mark)


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome of reading one YAML file: a value (or None) and its problems."""

    value: object
    problems: tuple[Problem, ...]


def _mark(node_mark: yaml.Mark) -> Mark:
    return Mark(node_mark.line + 1, node_mark.column + 1)


def _looks_like_utf16(data: bytes) -> bool:
    """Tell UTF-16/32 text without a byte order mark (mostly ASCII, NULs between) from other binary data."""
    head = data[:64]
    if len(head) < 4 or b"\x00" not in head[:4]:
        return False
    odd, even = head[1::2], head[0::2]
    return odd.count(0) == len(odd) or even.count(0) == len(even)


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
    if _looks_like_utf16(data):
        report.error(start, "file-encoding", "file looks like UTF-16 or UTF-32 without a byte order mark (NUL bytes between the characters); save it as UTF-8")
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


class _HasProperties(Exception):
    """A node carries an anchor or a tag: the exact event scan must report them."""


class _Builder:
    """Build plain values from a composed node tree, reporting what YAML 1.1 would get wrong."""

    def __init__(self, report: Reporter, text: str, *, check_properties: bool = True) -> None:
        self.report = report
        self.text = text
        self.check_properties = check_properties
        # A value can only be over-long or hold a control character if the text can produce one.
        self.check_scalars = len(text) > MAX_SCALAR_CHARS or "\\" in text or _CONTROL_RE.search(text) is not None

    def has_property(self, node: yaml.Node) -> bool:
        index = node.start_mark.index
        return self.text[index : index + 1] in _PROPERTY_CHARS

    def walk(self, node: yaml.Node) -> None:
        """Look for anchors and tags in a subtree that is not built (each shared node once)."""
        if not self.check_properties:
            return
        stack, seen = [node], set()
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if self.has_property(current):
                raise _HasProperties
            if isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)
            elif isinstance(current, yaml.MappingNode):
                for pair in current.value:
                    stack.extend(pair)

    def build(self, node: yaml.Node, depth: int = 0) -> object:
        if self.check_properties and self.has_property(node):
            raise _HasProperties
        if depth > MAX_DEPTH:
            self.walk(node)
            self.report.error(_mark(node.start_mark), "yaml-nesting", f"nesting is deeper than {MAX_DEPTH} levels")
            return None
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self.scalar(node)
        shallow = depth < MAX_DEPTH
        check = self.check_properties
        if kind is yaml.SequenceNode:
            result = MarkedList(node.start_mark)
            marks = result.item_marks
            for item in node.value:
                marks.append(item.start_mark)
                if shallow and type(item) is yaml.ScalarNode and not (check and self.has_property(item)):
                    result.append(self.scalar(item))
                else:
                    result.append(self.build(item, depth + 1))
            return result
        mapping = MarkedDict(node.start_mark)
        key_marks, value_marks = mapping.key_marks, mapping.value_marks
        for key_node, value_node in node.value:
            if check and self.has_property(key_node):
                raise _HasProperties
            key_tag = key_node.tag
            if key_tag == _MERGE or (key_tag == _PLAIN and (_WILDCARD or key_node.value[:1] in _MERGE_FIRST) and _plain_tag(key_node.value) == _MERGE):
                self.walk(value_node)
                self.report.error(_mark(key_node.start_mark), "yaml-merge", "merge key '<<' is not allowed; write the keys out in full")
                continue
            if type(key_node) is not yaml.ScalarNode:
                self.walk(key_node)
                self.walk(value_node)
                self.report.error(_mark(key_node.start_mark), "yaml-key", "keys must be plain text, not lists or mappings")
                continue
            key = key_node.value
            if key in key_marks:
                self.walk(value_node)
                first = _as_mark(key_marks[key])
                self.report.error(
                    _mark(key_node.start_mark),
                    "yaml-duplicate-key",
                    f"key {key!r} appears twice; the first is at line {first.line}, column {first.column} and YAML would silently keep only the last",
                )
                continue
            key_marks[key] = key_node.start_mark
            value_marks[key] = value_node.start_mark
            if shallow and type(value_node) is yaml.ScalarNode and not (check and self.has_property(value_node)):
                mapping[key] = self.scalar(value_node)
            else:
                mapping[key] = self.build(value_node, depth + 1)
        return mapping

    def scalar(self, node: yaml.ScalarNode) -> object:
        value = node.value
        if self.check_scalars:
            if len(value) > MAX_SCALAR_CHARS:
                self.report.error(_mark(node.start_mark), "yaml-scalar-size", f"value is {len(value):,} characters; the limit is {MAX_SCALAR_CHARS:,}")
                return value[:MAX_SCALAR_CHARS]
            if found := _CONTROL_RE.search(value):
                self.report.error(
                    _mark(node.start_mark), "text-control-character", f"value contains the control character U+{ord(found.group()):04X}; remove it"
                )
        tag = node.tag
        if tag == _PLAIN:
            if value[:1] not in _IMPLICIT and not _WILDCARD:
                return value  # most values: text that cannot be read as anything else
            tag = _plain_tag(value)
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


def _may_have_properties(text: str) -> bool:
    return "&" in text or "*" in text or "!" in text


def parse_yaml(text: str, path: str) -> Parsed:
    """Parse one YAML document into marked plain values; never raises for bad input.

    Anchors, aliases and tags are rare, so the exact (and slower) event scan
    that reports them runs only when the composed tree shows one, or when
    composing failed and the text could hold one; the result is the same as
    scanning every file first. An alias never gets expanded: the scan runs
    before the builder could reach it.
    """
    report = Reporter(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        if _may_have_properties(text) and _scan_events(text, report):
            return Parsed(None, tuple(report.problems))
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        rule = "yaml-documents" if "single document" in str(exc.context or "") else "yaml-syntax"
        report.error(where, rule, f"{problem}{context}")
        return Parsed(None, tuple(report.problems))
    except yaml.YAMLError as exc:
        if _may_have_properties(text) and _scan_events(text, report):
            return Parsed(None, tuple(report.problems))
        report.error(Mark(1, 1), "yaml-syntax", str(exc).splitlines()[0])
        return Parsed(None, tuple(report.problems))
    except RecursionError:
        if _may_have_properties(text) and _scan_events(text, report):
            return Parsed(None, tuple(report.problems))
        report.error(Mark(1, 1), "yaml-nesting", f"nesting is deeper than {MAX_DEPTH} levels")
        return Parsed(None, tuple(report.problems))
    finally:
        loader.dispose()
    if node is None:
        if _may_have_properties(text):
            _scan_events(text, report)
        report.error(Mark(1, 1), "file-empty", "file holds no YAML document; it must be a mapping")
        return Parsed(None, tuple(report.problems))
    try:
        value = _Builder(report, text).build(node)
    except _HasProperties:
        report = Reporter(path)
        if _scan_events(text, report):
            return Parsed(None, tuple(report.problems))
        value = _Builder(report, text, check_properties=False).build(node)
    return Parsed(value, tuple(report.problems))


def read_yaml(data: bytes, path: str) -> Parsed:
    """Decode and parse file bytes, reporting each kind of unreadable file once."""
    text, problems = decode(data, path)
    if text is None:
        return Parsed(None, tuple(problems))
    parsed = parse_yaml(text, path)
    return Parsed(parsed.value, tuple(problems) + parsed.problems)
