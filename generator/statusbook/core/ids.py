"""Every fixed id the code itself knows, defined once.

Statuspage's public API fixes the status enums (clients reject anything
else), so the handbook schema may name and describe these statuses but never
add to them. A ``StrEnum`` member equals its text, so values read from YAML
compare with these directly.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What an incident file describes."""

    INCIDENT = "incident"
    MAINTENANCE = "maintenance"


class IncidentStatus(StrEnum):
    """Public statuses of an incident (Statuspage's enum)."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceStatus(StrEnum):
    """Public statuses of a scheduled maintenance (Statuspage's enum)."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


class ComponentStatusId(StrEnum):
    """Statuses of a component, best first (Statuspage's enum)."""

    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"


class Impact(StrEnum):
    """Statuspage's impact of an incident; maintenance has its own."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


class Indicator(StrEnum):
    """Statuspage's page-level status indicator."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


class Stage(StrEnum):
    """Where an incident or maintenance stands at a moment (not the handbook's response phases)."""

    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDED = "ended"


class PostmortemPolicy(StrEnum):
    """Whether a severity asks for a postmortem."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


class PostmortemStatus(StrEnum):
    """Where a postmortem document's review stands (its front matter's ``status``)."""

    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"


# The statuses that keep a maintenance's components under maintenance without naming them.
MAINTENANCE_WORKING = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
# The status whose first update marks when a team started watching a fix, per kind.
WATCHING = {Kind.INCIDENT: IncidentStatus.MONITORING, Kind.MAINTENANCE: MaintenanceStatus.VERIFYING}
