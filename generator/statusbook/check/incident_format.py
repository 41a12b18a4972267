"""The incident file format, declared once: the validator checks it, the reference page and the JSON Schema document it.

Public text is written in the site's default language (``theme.language``);
a translation sits beside it under the same key with the language's code
appended (``message_nl`` beside ``message``), so adding one is adding a line,
and the key names a language statusbook ships. See :func:`translated`.
"""

from __future__ import annotations

from statusbook.core.config import LANGUAGE_NAMES, LANGUAGES
from statusbook.core.shape import LIST, MAPPING, TEXT, TEXT_LIST, TEXT_MAPPING, TIMESTAMP, Field, Shape

# The keys whose text may be given in several languages.
TRANSLATABLE = ("title", "message", "postmortem_summary", "reason")


def translation_key(name: str, language: str) -> str:
    """The key of a text's translation: ``message_nl``."""
    return f"{name}_{language}"


def with_translations(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """The fields, then a field for each translatable text's translation into each language statusbook ships.

    Translations come last, so a "did you mean" list starts with the keys people type most.
    """
    translations = tuple(
        Field(
            translation_key(spec.name, code),
            TEXT,
            f"the {spec.name} in {LANGUAGE_NAMES[code]}, for the {LANGUAGE_NAMES[code]} status page when {LANGUAGE_NAMES[code]} is not the site's default language;"
            f" without it, that page shows {spec.name}, marked as not translated",
        )
        for spec in fields
        if spec.name in TRANSLATABLE
        for code in LANGUAGES
    )
    return (*fields, *translations)


CORRECTION_SHAPE = Shape(
    "a correction",
    with_translations(
        (
            Field("at", TIMESTAMP, "when the update was corrected", required=True),
            Field("reason", TEXT, "what was changed and why, shown on the status page", required=True),
        )
    ),
    doc="Marks a published update as edited after the fact; the status page shows the note.",
)
UPDATE_SHAPE = Shape(
    "an update",
    with_translations(
        (
            Field("at", TIMESTAMP, "when the update was posted, with a UTC offset", required=True),
            Field("status", TEXT, "public status from this moment on", required=True, allowed="incident or maintenance statuses"),
            Field("message", TEXT, "what customers read, in Markdown", required=True),
            Field(
                "components",
                TEXT_MAPPING,
                "status of each affected component from this moment on; components not named keep their previous status, and the final update sets all of them to operational",
                allowed="component statuses",
            ),
            Field("correction", MAPPING, "a visible note that this published update was edited", shape=CORRECTION_SHAPE),
        )
    ),
    doc="One public update. Updates are listed oldest first.",
)
WINDOW_SHAPE = Shape(
    "a maintenance window",
    (
        Field("start", TIMESTAMP, "when the work starts", required=True),
        Field("end", TIMESTAMP, "when the work is planned to end", required=True),
    ),
    doc="The planned window of a maintenance.",
)
TIMELINE_SHAPE = Shape(
    "a timeline entry",
    (
        Field("at", TIMESTAMP, "when it happened", required=True),
        Field("phase", TEXT, "the response phase it belongs to", required=True, allowed="phases"),
        Field("note", TEXT, "what happened", required=True),
    ),
    doc="An internal timeline entry.",
)
INTERNAL_SHAPE = Shape(
    "the internal block",
    (
        Field("roles", TEXT_MAPPING, "who holds each response role", allowed="roles"),
        Field("chat", TEXT, "the incident's chat room"),
        Field("call", TEXT, "the video call link"),
        Field("assessment", TEXT_MAPPING, "answers to the assessment questions", allowed="assessment questions"),
        Field("impact", TEXT, "internal notes on impact"),
        Field("timeline", LIST, "internal timeline, each entry tagged with a phase", shape=TIMELINE_SHAPE),
    ),
    doc="Never published: only responders read this block.",
)
INCIDENT_SHAPE = Shape(
    "an incident file",
    with_translations(
        (
            Field("title", TEXT, "short public title", required=True),
            Field("kind", TEXT, "incident (default) or maintenance", allowed="incident, maintenance"),
            Field("severity", TEXT, "severity level; required for incidents", allowed="severities"),
            Field("type", TEXT, "incident type (default: default)", allowed="incident types"),
            Field("components", TEXT_LIST, "ids of the affected components", required=True, allowed="components"),
            Field("handbook", TEXT, "handbook version that governs this incident (default: newest release tagged before it started)"),
            Field("postmortem", TEXT, "link to the public postmortem"),
            Field(
                "postmortem_summary",
                TEXT,
                "public summary of the postmortem, in Markdown, written for customers; shown on the incident page (the postmortem document itself stays internal)",
            ),
            Field("scheduled", MAPPING, "maintenance window; maintenance only", shape=WINDOW_SHAPE),
            Field("updates", LIST, "public updates, oldest first", required=True, shape=UPDATE_SHAPE),
            Field(
                "corrections",
                LIST,
                "visible notes that a published incident-level field was changed (the title, the severity, a component removed, the window, the postmortem link or summary); the incident page shows them",
                shape=CORRECTION_SHAPE,
            ),
            Field("internal", MAPPING, "internal fields, never published", shape=INTERNAL_SHAPE),
        )
    ),
    doc="One file per incident or maintenance, under incidents/ (a year folder is fine). Its id is the file name without .yml.",
)
SHAPES = (INCIDENT_SHAPE, UPDATE_SHAPE, CORRECTION_SHAPE, WINDOW_SHAPE, INTERNAL_SHAPE, TIMELINE_SHAPE)
