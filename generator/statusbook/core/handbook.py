"""The handbook's schema: phases, severities, roles, statuses and components.

One YAML file (``handbook/schema.yml``) and a components file
(``handbook/components.yml``) define everything the validator checks against
and the handbook's tables show. This module turns their parsed values into a
frozen :class:`Handbook`, reporting problems with the same precision as for
incident files.

Every entry may carry its words in other languages, beside the English ones::

    - id: SEV2
      name: Major
      description: A major incident with significant impact on some customers.
      translations:
        nl:
          name: Groot
          description: Een groot incident met flinke impact op een deel van de klanten.

Ask an entry for its words with :meth:`Entry.name_in` and
:meth:`Entry.description_in` (and :meth:`Severity.criteria_in`,
:meth:`Severity.examples_in`, :meth:`Team.escalation_in`); a language or a
field without a translation falls back to English, so English callers never
see a difference.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from statusbook.core.ids import ComponentStatusId, Impact, IncidentStatus, Kind, MaintenanceStatus, PostmortemPolicy
from statusbook.core.problems import Problem, Reporter, expected
from statusbook.core.shape import BOOLEAN, INTEGER, LIST, MAPPING, NUMBER, TEXT, TEXT_LIST, Field, Shape, check_shape, get
from statusbook.core.urls import BADGE
from statusbook.core.yaml_source import MarkedDict, MarkedList, read_yaml

SCHEMA_FILE = "schema.yml"
COMPONENTS_FILE = "components.yml"
SLUG_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
# A component's badge is badges/<id>.svg, beside the page's own badges/status.svg.
RESERVED_COMPONENT_IDS = frozenset({BADGE.removeprefix("badges/").removesuffix(".svg")})
SEVERITY_ID_RE = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\Z")
# The schema is written in English; these are the languages it may be translated into (the site's other languages).
SOURCE_LANGUAGE = "en"
TRANSLATION_LANGUAGES = ("nl",)

# Statuspage's public API fixes these enums; clients break on anything else.
STATUSPAGE_INCIDENT_STATUSES = tuple(IncidentStatus)
STATUSPAGE_MAINTENANCE_STATUSES = tuple(MaintenanceStatus)
STATUSPAGE_COMPONENT_STATUSES = tuple(ComponentStatusId)
IMPACTS = (Impact.NONE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL)
POSTMORTEM_POLICIES = tuple(PostmortemPolicy)


@dataclass(frozen=True, slots=True)
class Translation:
    """An entry's words in one language; an empty field means "use the English one"."""

    name: str = ""
    description: str = ""
    criteria: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    escalation: str = ""


_NO_TRANSLATION = Translation()


@dataclass(frozen=True, slots=True)
class Entry:
    """Anything the handbook defines: an id people type, a name people read, and why it exists.

    ``name`` and ``description`` are English; ``translations`` holds the same
    words in other languages as (language, :class:`Translation`) pairs. Read
    them with :meth:`name_in` and :meth:`description_in`, which fall back to
    English field by field, so ``entry.name_in("nl")`` is always something to show.
    """

    id: str
    name: str
    description: str
    translations: tuple[tuple[str, Translation], ...] = ()

    def translation(self, language: str) -> Translation:
        """The entry's words in ``language`` (all empty when there are none, or for English)."""
        for code, words in self.translations:
            if code == language:
                return words
        return _NO_TRANSLATION

    def name_in(self, language: str) -> str:
        """The name in ``language``, or the English name when it has not been translated."""
        return self.translation(language).name or self.name

    def description_in(self, language: str) -> str:
        """The description in ``language``, or the English one when it has not been translated."""
        return self.translation(language).description or self.description


@dataclass(frozen=True, slots=True)
class Phase(Entry):
    """A phase of incident response; optional ones only apply to types that add them."""

    closing: bool = False
    optional: bool = False


@dataclass(frozen=True, slots=True)
class IncidentType(Entry):
    """A kind of incident, which may pass through extra phases (security: contain, eradicate, recover)."""

    extra_phases: tuple[str, ...] = ()
    insert_after: str = ""


@dataclass(frozen=True, slots=True)
class Severity(Entry):
    """A severity level; its rank orders levels, 0 being the most severe."""

    rank: int = 0
    criteria: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    major: bool = False
    pages: bool = False
    impact: str = Impact.NONE
    postmortem: str = PostmortemPolicy.OPTIONAL
    update_every_minutes: int = 0

    @property
    def requires_postmortem(self) -> bool:
        return self.postmortem == PostmortemPolicy.REQUIRED

    def criteria_in(self, language: str) -> tuple[str, ...]:
        """When to choose this level, in ``language`` (the English list when it has not been translated)."""
        return self.translation(language).criteria or self.criteria

    def examples_in(self, language: str) -> tuple[str, ...]:
        """Typical incidents at this level, in ``language`` (the English list when it has not been translated)."""
        return self.translation(language).examples or self.examples


@dataclass(frozen=True, slots=True)
class Role(Entry):
    """A response role; some must be filled for major incidents."""

    required_for_major: bool = False


@dataclass(frozen=True, slots=True)
class Status(Entry):
    """A public status of an incident or maintenance; a final one closes it."""

    final: bool = False


@dataclass(frozen=True, slots=True)
class ComponentStatus(Entry):
    """A component's status, with how much of its time counts as downtime."""

    rank: int = 0
    downtime_weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Team(Entry):
    """A team that owns components and is escalated to."""

    escalation: str = ""

    def escalation_in(self, language: str) -> str:
        """How to reach the team, in ``language`` (the English text when it has not been translated)."""
        return self.translation(language).escalation or self.escalation


@dataclass(frozen=True, slots=True)
class Component(Entry):
    """A service shown on the status page."""

    group: str = ""
    team: str = ""


@dataclass(frozen=True, slots=True)
class Group(Entry):
    """A group of components on the status page."""

    components: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Handbook:
    """Everything the schema defines, with lookups by id."""

    phases: tuple[Phase, ...]
    incident_types: tuple[IncidentType, ...]
    severities: tuple[Severity, ...]
    roles: tuple[Role, ...]
    incident_statuses: tuple[Status, ...]
    maintenance_statuses: tuple[Status, ...]
    component_statuses: tuple[ComponentStatus, ...]
    assessment_questions: tuple[Entry, ...]
    groups: tuple[Group, ...]
    components: tuple[Component, ...]
    teams: tuple[Team, ...]
    postmortem_grace_days: int = 14
    digest: str = ""
    version: str = ""
    phase_by_id: dict[str, Phase] = field(init=False, repr=False, compare=False)
    type_by_id: dict[str, IncidentType] = field(init=False, repr=False, compare=False)
    severity_by_id: dict[str, Severity] = field(init=False, repr=False, compare=False)
    role_by_id: dict[str, Role] = field(init=False, repr=False, compare=False)
    component_by_id: dict[str, Component] = field(init=False, repr=False, compare=False)
    component_status_by_id: dict[str, ComponentStatus] = field(init=False, repr=False, compare=False)
    question_by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    team_by_id: dict[str, Team] = field(init=False, repr=False, compare=False)
    group_by_id: dict[str, Group] = field(init=False, repr=False, compare=False)
    _finals: dict[str, str] = field(init=False, repr=False, compare=False)  # final_status() per kind, as asked

    def __post_init__(self) -> None:
        object.__setattr__(self, "_finals", {})
        for name, entries in (
            ("phase_by_id", self.phases),
            ("type_by_id", self.incident_types),
            ("severity_by_id", self.severities),
            ("role_by_id", self.roles),
            ("component_by_id", self.components),
            ("component_status_by_id", self.component_statuses),
            ("question_by_id", self.assessment_questions),
            ("team_by_id", self.teams),
            ("group_by_id", self.groups),
        ):
            object.__setattr__(self, name, {e.id: e for e in entries})

    def statuses(self, kind: str) -> tuple[Status, ...]:
        """Return the public statuses of an incident or a maintenance."""
        return self.maintenance_statuses if kind == Kind.MAINTENANCE else self.incident_statuses

    def final_status(self, kind: str) -> str:
        found = self._finals.get(kind)
        if found is None:  # asked about every incident on every build: look it up once per kind
            found = self._finals[kind] = next(s.id for s in self.statuses(kind) if s.final)
        return found

    def phases_for(self, type_id: str) -> tuple[Phase, ...]:
        """Return the phases an incident of this type passes through, in order."""
        incident_type = self.type_by_id.get(type_id)
        core = [p for p in self.phases if not p.optional]
        if incident_type is None or not incident_type.extra_phases:
            return tuple(core)
        extra = [self.phase_by_id[p] for p in incident_type.extra_phases if p in self.phase_by_id]
        ids = [p.id for p in core]
        at = ids.index(incident_type.insert_after) + 1 if incident_type.insert_after in ids else len(core)
        return tuple(core[:at] + extra + core[at:])

    def with_version(self, version: str) -> Handbook:
        return replace(self, version=version)


_TRANSLATED_TEXTS = (
    Field("name", TEXT, "the name in this language"),
    Field("description", TEXT, "the description in this language"),
)


def _entry_shape(name: str, extra: tuple[Field, ...], translated: tuple[Field, ...] = ()) -> Shape:
    """An entry's keys; ``translated`` are the keys besides name and description that a translation may give."""
    words = Shape(f"a translation of {name}", (*_TRANSLATED_TEXTS, *translated))
    return Shape(
        name,
        (
            Field("id", TEXT, "identifier used in incident files", required=True),
            Field("name", TEXT, "name shown to readers", required=True),
            Field("description", TEXT, "what it means", required=True),
            *extra,
            Field("translations", MAPPING, "the entry's words in other languages, by language code: " + ", ".join(TRANSLATION_LANGUAGES), shape=words),
        ),
    )


PHASE_SHAPE = _entry_shape(
    "a phase",
    (
        Field("closing", BOOLEAN, "true for the review that follows resolution"),
        Field("optional", BOOLEAN, "true for phases only incident types that list them use"),
    ),
)
TYPE_SHAPE = _entry_shape(
    "an incident type",
    (
        Field("extra_phases", TEXT_LIST, "optional phases this type adds"),
        Field("insert_after", TEXT, "the phase after which the extra phases come"),
    ),
)
SEVERITY_SHAPE = _entry_shape(
    "a severity",
    (
        Field("criteria", TEXT_LIST, "when to choose this level", required=True),
        Field("examples", TEXT_LIST, "typical incidents at this level", required=True),
        Field("major", BOOLEAN, "whether it is a major incident", required=True),
        Field("pages", BOOLEAN, "whether responders are paged", required=True),
        Field("impact", TEXT, "public impact: " + ", ".join(IMPACTS), required=True),
        Field("postmortem", TEXT, "postmortem policy: " + ", ".join(POSTMORTEM_POLICIES), required=True),
        Field("update_every_minutes", INTEGER, "longest gap between public updates", required=True),
    ),
    (Field("criteria", TEXT_LIST, "when to choose this level, in this language"), Field("examples", TEXT_LIST, "typical incidents, in this language")),
)
ROLE_SHAPE = _entry_shape("a role", (Field("required_for_major", BOOLEAN, "must be filled for major incidents"),))
STATUS_SHAPE = _entry_shape("a status", (Field("final", BOOLEAN, "true for the status that closes it"),))
COMPONENT_STATUS_SHAPE = _entry_shape(
    "a component status", (Field("downtime_weight", NUMBER, "share of the time counted as downtime, 0 to 1", required=True),)
)
QUESTION_SHAPE = _entry_shape("an assessment question", ())
TEAM_SHAPE = _entry_shape("a team", (Field("escalation", TEXT, "how to reach the team"),), (Field("escalation", TEXT, "how to reach the team, in this language"),))
COMPONENT_SHAPE = _entry_shape("a component", (Field("team", TEXT, "owning team", required=True),))
GROUP_SHAPE = _entry_shape("a group", (Field("components", LIST, "the group's components", required=True),))

SCHEMA_SHAPE = Shape(
    "the handbook schema",
    (
        Field("schema_version", INTEGER, "format version of this file, 1", required=True),
        Field("phases", LIST, "phases of incident response, in order", required=True),
        Field("incident_types", LIST, "kinds of incident and the phases they add", required=True),
        Field("severities", LIST, "severity levels, most severe first", required=True),
        Field("postmortem_grace_days", INTEGER, "days after resolution before a missing postmortem is an error"),
        Field("roles", LIST, "response roles", required=True),
        Field("incident_statuses", LIST, "public statuses of an incident", required=True),
        Field("maintenance_statuses", LIST, "public statuses of a maintenance", required=True),
        Field("component_statuses", LIST, "statuses of a component", required=True),
        Field("assessment_questions", LIST, "questions asked to assess impact", required=True),
    ),
)
COMPONENTS_SHAPE = Shape(
    "the components file",
    (
        Field("groups", LIST, "groups of components shown on the status page", required=True),
        Field("teams", LIST, "teams that own components", required=True),
    ),
)


class _Reader:
    """Turn one list of entries into frozen values, checking ids."""

    def __init__(self, report: Reporter) -> None:
        self.report = report

    def entries(self, parent: MarkedDict, key: str, shape: Shape, *, id_re: re.Pattern[str] = SLUG_RE) -> list[MarkedDict]:
        items = parent.get(key)
        if not isinstance(items, MarkedList):
            return []
        if not items:
            self.report.error(parent.value_mark(key), "schema-empty", f"{key!r} must define at least one entry")
        seen: dict[str, int] = {}
        result = []
        for index, item in enumerate(items):
            mapping = check_shape(item, shape, self.report, where=items, key=index)
            if mapping is None:
                continue
            entry_id = mapping.get("id")
            if not isinstance(entry_id, str) or not entry_id:
                continue
            if not id_re.match(entry_id):
                self.report.error(mapping.value_mark("id"), "schema-id-invalid", f"id {entry_id!r} must be lower-case letters, digits, '-' or '_'")
                continue
            if entry_id in seen:
                self.report.error(mapping.value_mark("id"), "schema-id-duplicate", f"id {entry_id!r} is defined twice in {key!r}; the first is entry {seen[entry_id] + 1}")
                continue
            seen[entry_id] = index
            result.append(mapping)
        return result


def _translations(m: MarkedDict, shape: Shape, report: Reporter) -> tuple[tuple[str, Translation], ...]:
    """Check an entry's ``translations`` (languages, then each language's keys and types) and read them."""
    spec = shape.by_name["translations"]
    languages = m.get("translations")
    if not isinstance(languages, MarkedDict) or spec.shape is None:
        return ()  # absent, or mistyped (check_shape said so)
    found = []
    for language, words in languages.items():
        if language not in TRANSLATION_LANGUAGES:
            report.error(languages.key_mark(language), "key-unknown", f"translations: {expected('a language the site is translated into', language, TRANSLATION_LANGUAGES)}")
            continue
        words = check_shape(words, spec.shape, report, where=languages, key=language)
        if words is None:
            continue
        found.append(
            (
                language,
                Translation(
                    name=get(words, "name", TEXT, ""),
                    description=get(words, "description", TEXT, ""),
                    criteria=_texts(words, "criteria"),
                    examples=_texts(words, "examples"),
                    escalation=get(words, "escalation", TEXT, ""),
                ),
            )
        )
    return tuple(found)


def _base(m: MarkedDict, shape: Shape, report: Reporter) -> dict[str, object]:
    return {
        "id": m["id"],
        "name": get(m, "name", TEXT, ""),
        "description": get(m, "description", TEXT, ""),
        "translations": _translations(m, shape, report),
    }


def _texts(m: MarkedDict, key: str) -> tuple[str, ...]:
    return tuple(get(m, key, TEXT_LIST, ()))


def _check_enum(report: Reporter, m: MarkedDict, key: str, allowed: tuple[str, ...], rule: str, kind: str) -> None:
    value = m.get(key)
    if isinstance(value, str) and value not in allowed:
        report.error(m.value_mark(key), rule, expected(kind, value, allowed))


def _statuses(reader: _Reader, root: MarkedDict, key: str, known: tuple[str, ...]) -> tuple[Status, ...]:
    result = []
    for m in reader.entries(root, key, STATUS_SHAPE):
        if m["id"] not in known:
            reader.report.error(
                m.value_mark("id"), "schema-status-unknown", f"{expected('a status Statuspage clients understand', m['id'], known)}"
            )
        result.append(Status(**_base(m, STATUS_SHAPE, reader.report), final=bool(get(m, "final", BOOLEAN, False))))
    finals = [s for s in result if s.final]
    if result and len(finals) != 1:
        reader.report.error(root.value_mark(key), "schema-final-status", f"{key!r} must mark exactly one status 'final: true', found {len(finals)}")
    return tuple(result)


def parse_handbook(schema_bytes: bytes, components_bytes: bytes, *, schema_path: str, components_path: str) -> tuple[Handbook | None, list[Problem]]:
    """Read the schema and components files into a Handbook, or report why not."""
    schema_parsed = read_yaml(schema_bytes, schema_path)
    components_parsed = read_yaml(components_bytes, components_path)
    problems = list(schema_parsed.problems) + list(components_parsed.problems)
    report = Reporter(schema_path)
    creport = Reporter(components_path)
    root = check_shape(schema_parsed.value, SCHEMA_SHAPE, report) if schema_parsed.value is not None else None
    croot = check_shape(components_parsed.value, COMPONENTS_SHAPE, creport) if components_parsed.value is not None else None
    if root is None or croot is None:
        return None, sorted(problems + report.problems + creport.problems)
    reader = _Reader(report)
    if root.get("schema_version") not in (None, 1):
        report.error(root.value_mark("schema_version"), "schema-version", f"schema_version {root.get('schema_version')!r} is not supported; expected 1")

    phases = tuple(
        Phase(**_base(m, PHASE_SHAPE, report), closing=bool(get(m, "closing", BOOLEAN, False)), optional=bool(get(m, "optional", BOOLEAN, False)))
        for m in reader.entries(root, "phases", PHASE_SHAPE)
    )
    phase_ids = {p.id for p in phases}
    optional_ids = [p.id for p in phases if p.optional]
    types = []
    for m in reader.entries(root, "incident_types", TYPE_SHAPE):
        extra = _texts(m, "extra_phases")
        for index, phase_id in enumerate(extra):
            if phase_id not in optional_ids:
                report.error(m["extra_phases"].item_mark(index), "schema-phase-unknown", expected("an optional phase", phase_id, optional_ids))
        after = get(m, "insert_after", TEXT, "")
        if after and after not in phase_ids:
            report.error(m.value_mark("insert_after"), "schema-phase-unknown", expected("a phase", after, sorted(phase_ids)))
        types.append(IncidentType(**_base(m, TYPE_SHAPE, report), extra_phases=extra, insert_after=after))
    if types and "default" not in {t.id for t in types}:
        report.error(root.value_mark("incident_types"), "schema-default-type", "incident_types must define the type 'default', used when an incident names none")

    severities = []
    for rank, m in enumerate(reader.entries(root, "severities", SEVERITY_SHAPE, id_re=SEVERITY_ID_RE)):
        _check_enum(report, m, "impact", IMPACTS, "schema-impact-unknown", "an impact")
        _check_enum(report, m, "postmortem", POSTMORTEM_POLICIES, "schema-postmortem-policy", "a postmortem policy")
        minutes = get(m, "update_every_minutes", INTEGER, 0)
        if minutes <= 0 and "update_every_minutes" in m and isinstance(m["update_every_minutes"], int):
            report.error(m.value_mark("update_every_minutes"), "schema-cadence", "update_every_minutes must be a positive number of minutes")
        severities.append(
            Severity(
                **_base(m, SEVERITY_SHAPE, report),
                rank=rank,
                criteria=_texts(m, "criteria"),
                examples=_texts(m, "examples"),
                major=bool(get(m, "major", BOOLEAN, False)),
                pages=bool(get(m, "pages", BOOLEAN, False)),
                impact=get(m, "impact", TEXT, Impact.NONE),
                postmortem=get(m, "postmortem", TEXT, PostmortemPolicy.OPTIONAL),
                update_every_minutes=minutes,
            )
        )
    roles = tuple(Role(**_base(m, ROLE_SHAPE, report), required_for_major=bool(get(m, "required_for_major", BOOLEAN, False))) for m in reader.entries(root, "roles", ROLE_SHAPE))
    incident_statuses = _statuses(reader, root, "incident_statuses", STATUSPAGE_INCIDENT_STATUSES)
    maintenance_statuses = _statuses(reader, root, "maintenance_statuses", STATUSPAGE_MAINTENANCE_STATUSES)
    component_statuses = []
    for rank, m in enumerate(reader.entries(root, "component_statuses", COMPONENT_STATUS_SHAPE)):
        if m["id"] not in STATUSPAGE_COMPONENT_STATUSES:
            report.error(m.value_mark("id"), "schema-status-unknown", expected("a component status Statuspage clients understand", m["id"], STATUSPAGE_COMPONENT_STATUSES))
        weight = get(m, "downtime_weight", NUMBER, 0)
        if not 0 <= weight <= 1:
            report.error(m.value_mark("downtime_weight"), "schema-weight", f"downtime_weight must be between 0 and 1, found {weight!r}")
        component_statuses.append(ComponentStatus(**_base(m, COMPONENT_STATUS_SHAPE, report), rank=rank, downtime_weight=float(weight)))
    if component_statuses and component_statuses[0].id != ComponentStatusId.OPERATIONAL:
        report.error(root.value_mark("component_statuses"), "schema-operational-first", "component_statuses must list 'operational' first, then worse statuses")
    questions = tuple(Entry(**_base(m, QUESTION_SHAPE, report)) for m in reader.entries(root, "assessment_questions", QUESTION_SHAPE))
    grace = get(root, "postmortem_grace_days", INTEGER, 14)

    creader = _Reader(creport)
    teams = tuple(Team(**_base(m, TEAM_SHAPE, creport), escalation=get(m, "escalation", TEXT, "")) for m in creader.entries(croot, "teams", TEAM_SHAPE))
    team_ids = [t.id for t in teams]
    groups: list[Group] = []
    components: list[Component] = []
    seen_components: set[str] = set()
    for g in creader.entries(croot, "groups", GROUP_SHAPE):
        members = []
        for m in creader.entries(g, "components", COMPONENT_SHAPE):
            if m["id"] in seen_components:
                creport.error(m.value_mark("id"), "schema-id-duplicate", f"component {m['id']!r} is defined in two groups")
                continue
            if m["id"] in RESERVED_COMPONENT_IDS:
                creport.error(m.value_mark("id"), "schema-id-reserved", f"component id {m['id']!r} names a file the status page needs ({BADGE}); choose another id")
                continue
            seen_components.add(m["id"])
            team = get(m, "team", TEXT, "")
            if team and team not in team_ids:
                creport.error(m.value_mark("team"), "schema-team-unknown", expected("a team", team, team_ids))
            components.append(Component(**_base(m, COMPONENT_SHAPE, creport), group=g["id"], team=team))
            members.append(m["id"])
        groups.append(Group(**_base(g, GROUP_SHAPE, creport), components=tuple(members)))

    problems += report.problems + creport.problems
    digest = hashlib.blake2b(schema_bytes + b"\0" + components_bytes, digest_size=16).hexdigest()
    handbook = Handbook(
        phases=phases,
        incident_types=tuple(types),
        severities=tuple(severities),
        roles=roles,
        incident_statuses=incident_statuses,
        maintenance_statuses=maintenance_statuses,
        component_statuses=tuple(component_statuses),
        assessment_questions=questions,
        groups=tuple(groups),
        components=tuple(components),
        teams=teams,
        postmortem_grace_days=grace,
        digest=digest,
    )
    return handbook, sorted(problems)
