"""The responders' view: every incident with its internal record, postmortem and governing handbook, and the metrics.

Unlike :class:`~statusbook.view.status_view.StatusView`, which holds only what
is public, this holds everything the incident files and postmortem documents
say; only the internal site (:mod:`statusbook.render.internal`) renders it.
Pure: the clock and the governing handbooks are parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from statusbook.check.postmortem import Progress, postmortem_progress
from statusbook.core.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident, Internal, Postmortem
from statusbook.view.metrics import Metrics, ResponseTimes, compute_metrics, month_of, response_times


@dataclass(frozen=True)
class InternalView:
    """What the internal site shows at ``now``."""

    config: SiteConfig
    handbook: Handbook
    now: datetime
    incidents: tuple[Incident, ...]  # newest first, maintenance included
    internals: Mapping[str, Internal]
    postmortems: Mapping[str, Postmortem]
    progress: Mapping[str, Progress]
    times: Mapping[str, ResponseTimes]
    versions: Mapping[str, str]  # incident id -> the handbook version that governs it
    metrics: Metrics

    def month(self, incident: Incident) -> tuple[int, int]:
        """The month an incident is listed under: when it opened (see :mod:`statusbook.view.metrics`); a maintenance's window start."""
        times = self.times.get(incident.id)
        return month_of(times.opened if times is not None and not incident.is_maintenance else incident.started_at, self.config.zone)

    def teams(self, incident: Incident) -> tuple[str, ...]:
        """The teams that own the affected components, in the handbook's order."""
        owners = {self.handbook.component_by_id[c].team for c in incident.components if c in self.handbook.component_by_id}
        return tuple(t.id for t in self.handbook.teams if t.id in owners)


def build_internal_view(
    config: SiteConfig,
    handbook: Handbook,
    incidents: Iterable[Incident],
    internals: Iterable[Internal],
    postmortems: Iterable[Postmortem],
    now: datetime,
    *,
    governing: Callable[[Incident], Handbook],
    versions: Mapping[str, str],
) -> InternalView:
    """Index the records, find where each postmortem stands, and compute the metrics once."""
    ordered = tuple(sorted(incidents, key=lambda i: (i.started_at, i.id), reverse=True))
    by_id = {i.incident_id: i for i in internals}
    documents = {p.incident_id: p for p in postmortems}
    progress = {i.id: postmortem_progress(i, governing(i), documents.get(i.id), now) for i in ordered}
    times = {i.id: response_times(i, by_id.get(i.id), handbook) for i in ordered}
    metrics = compute_metrics(ordered, by_id, handbook, progress, now=now, zone=config.zone)
    return InternalView(config, handbook, now, ordered, by_id, documents, progress, times, dict(versions), metrics)
