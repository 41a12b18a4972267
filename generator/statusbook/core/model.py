"""The domain: incidents, maintenances and their public updates, as frozen values.

Public and internal data are separate types on purpose: renderers receive
:class:`Incident` values only, which have no field that could hold internal
notes, so nothing internal can reach the public site by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from statusbook.core.ids import Kind


@dataclass(frozen=True, slots=True)
class Correction:
    """A visible note that a published update was edited after the fact."""

    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Update:
    """One public update; ``components`` is every affected component's status from this moment on."""

    at: datetime
    status: str
    message: str
    components: tuple[tuple[str, str], ...]
    correction: Correction | None = None

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
