"""The domain: incidents, maintenances and their public updates, as frozen values.

Public and internal data are separate types on purpose: renderers receive
:class:`Incident` values only, which have no field that could hold internal
notes, so nothing internal can reach the public site by accident.

Public text (a title, a message, a postmortem summary, a correction's reason)
is written in the site's default language; its translations ride along as
(language, text) pairs, sorted by language, and ``*_in(language)`` asks for
one (None when there is none, so the caller decides how to fall back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from statusbook.core.ids import Kind

# A text's translations: (language, text) pairs, sorted by language.
Translations = tuple[tuple[str, str], ...]


def translated(translations: Translations, language: str) -> str | None:
    """The text in ``language``, or None when it has not been translated into it."""
    for code, text in translations:
        if code == language:
            return text
    return None


@dataclass(frozen=True, slots=True)
class Correction:
    """A visible note that a published update was edited after the fact."""

    at: datetime
    reason: str
    translations: Translations = ()  # the reason in other languages

    def reason_in(self, language: str) -> str | None:
        return translated(self.translations, language)


@dataclass(frozen=True, slots=True)
class Update:
    """One public update; ``components`` is every affected component's status from this moment on."""

    at: datetime
    status: str
    message: str
    components: tuple[tuple[str, str], ...]
    correction: Correction | None = None
    translations: Translations = ()  # the message in other languages

    def message_in(self, language: str) -> str | None:
        return translated(self.translations, language)

    def component_status(self, component_id: str) -> str | None:
        for cid, status in self.components:
            if cid == component_id:
                return status
        return None


@dataclass(frozen=True, slots=True)
class Window:
    """A maintenance's scheduled window."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident or a scheduled maintenance, public fields only."""

    id: str
    path: str
    title: str
    kind: str
    severity: str | None
    type: str
    components: tuple[str, ...]
    updates: tuple[Update, ...]
    scheduled: Window | None = None
    postmortem: str | None = None
    handbook: str | None = None
    # The postmortem's public summary (Markdown), written for customers; never read from the postmortem file.
    postmortem_summary: str | None = None
    # Visible notes that a published incident-level field (title, severity, ...) was changed after the fact.
    corrections: tuple[Correction, ...] = ()
    title_translations: Translations = ()
    postmortem_summary_translations: Translations = ()

    def title_in(self, language: str) -> str | None:
        return translated(self.title_translations, language)

    def postmortem_summary_in(self, language: str) -> str | None:
        return translated(self.postmortem_summary_translations, language)

    @property
    def is_maintenance(self) -> bool:
        return self.kind == Kind.MAINTENANCE

    @property
    def status(self) -> str:
        return self.updates[-1].status

    @property
    def started_at(self) -> datetime:
        """When customers were first affected: the window start for maintenance, else the first update."""
        if self.scheduled is not None:
            return self.scheduled.start
        return self.updates[0].at

    @property
    def created_at(self) -> datetime:
        return self.updates[0].at

    @property
    def updated_at(self) -> datetime:
        return self.updates[-1].at

    def is_final(self, final_status: str) -> bool:
        return self.updates[-1].status == final_status


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """An internal timeline entry, tagged with the response phase it belongs to."""

    at: datetime
    phase: str
    note: str


@dataclass(frozen=True, slots=True)
class Internal:
    """What responders record for themselves; never rendered anywhere public."""

    incident_id: str
    roles: tuple[tuple[str, str], ...] = ()
    chat: str = ""
    call: str = ""
    assessment: tuple[tuple[str, str], ...] = ()
    impact: str = ""
    timeline: tuple[TimelineEntry, ...] = ()

    def person(self, role_id: str) -> str:
        return dict(self.roles).get(role_id, "")


@dataclass(frozen=True, slots=True)
class Postmortem:
    """A postmortem document (``postmortems/<incident id>.md``): internal, like :class:`Internal`.

    ``status`` is where its review stands (draft, review, approved); ``body``
    is the Markdown after the front matter.
    """

    incident_id: str
    path: str
    status: str
    owner: str = ""
    body: str = ""
