"""The status view: everything the public outputs show at one moment, computed once per build.

Every renderer (pages, feeds, calendars, API) takes this one value, so they
agree by construction: the same incidents, the same stage and status for
each, the same banner. It holds only what is public at ``now``: an update
dated later is not in it, and an incident with no update out yet is absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from statusbook.core.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.ids import Stage
from statusbook.core.model import Incident, Update
from statusbook.core.urls import update_anchors
from statusbook.view import lifecycle
from statusbook.view.pages import HistoryFilter, HistoryPage, IncidentIndex, PageState, by_year, history_filters, history_pages, index_incidents, page_state
from statusbook.view.uptime import Uptime, all_uptime, overlapping, window_start


@dataclass(frozen=True)
class StatusView:
    """The public state of the site at ``now``, with lookups the renderers share."""

    config: SiteConfig
    handbook: Handbook
    now: datetime
    index: IncidentIndex
    state: PageState
    uptime_start: datetime
    uptime_window: tuple[Incident, ...]
    uptime: Mapping[str, Uptime]
    history: tuple[HistoryPage, ...]
    # The history by component, severity and year (see view/pages.py: history_filters).
    filters: tuple[HistoryFilter, ...] = ()
    # Incident id -> the handbook version that governs it (severity links point there).
    handbook_versions: Mapping[str, str] = field(default_factory=dict)
    # Incident id -> digest of the file it was read from: renderers declare it as an input.
    fingerprints: Mapping[str, str] = field(default_factory=dict)
    # What renderers ask of an incident again for every page and language that shows it, worked out once: (what, id) -> answer.
    _known: dict[tuple[str, str], object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def incidents(self) -> tuple[Incident, ...]:
        """Every published incident and maintenance, newest first (by when customers were affected)."""
        return self.index.newest_first

    @property
    def search_shards(self) -> tuple[tuple[str, tuple[Incident, ...]], ...]:
        """The search index's bundles: incidents by the year they started, newest first.

        A site without incidents gets one empty bundle, "none", so its search page still works.
        """
        return by_year(self.index) or (("none", ()),)

    def stage(self, incident: Incident) -> Stage:
        return self.index.stage_of[incident.id]

    def status(self, incident: Incident) -> str:
        """The status it shows now; a maintenance left 'scheduled' follows its window."""
        return lifecycle.effective_status(incident, self.handbook, self.now)

    def latest(self, incident: Incident) -> Update:
        return incident.updates[-1]  # the view holds published updates only

    def anchors(self, incident: Incident) -> tuple[str, ...]:
        found = self._known.get(("anchors", incident.id))
        if found is None:
            found = self._known["anchors", incident.id] = update_anchors(incident)
        return found

    def is_settled(self, incident: Incident) -> bool:
        """Whether the incident reads the same at every later moment (over, and every update out)."""
        return lifecycle.is_settled(incident, self.handbook, self.now)

    def fingerprint(self, incident: Incident) -> str:
        """What an output that shows this incident depends on: its source, its version, and the clock until it is settled."""
        found = self._known.get(("fingerprint", incident.id))
        if found is None:
            clock = "settled" if self.is_settled(incident) else self.now.isoformat()
            found = f"{incident.id}={self.fingerprints.get(incident.id, '?')}@{self.handbook_versions.get(incident.id, '')}/{len(incident.updates)}/{clock}"
            self._known["fingerprint", incident.id] = found
        return found


def published(incidents: Iterable[Incident], now: datetime) -> list[Incident]:
    """Every incident with at least one update out by ``now``, as published then."""
    return [p for p in (lifecycle.posted(i, now) for i in incidents) if p is not None]


def build_status_view(
    config: SiteConfig,
    handbook: Handbook,
    incidents: Iterable[Incident],
    now: datetime,
    *,
    handbook_versions: Mapping[str, str] | None = None,
    fingerprints: Mapping[str, str] | None = None,
) -> StatusView:
    """Compute the view once: publish, index, banner, uptime and history pages."""
    zone = config.zone
    index = index_incidents(published(incidents, now), handbook, now, zone)
    start = window_start(now, zone)
    window = tuple(overlapping(index.newest_first, handbook, now, start))
    return StatusView(
        config=config,
        handbook=handbook,
        now=now,
        index=index,
        state=page_state(index, handbook, now, zone),
        uptime_start=start,
        uptime_window=window,
        uptime=all_uptime(index.newest_first, handbook, now, zone, window=window),
        history=history_pages(index, config.history_page_size),
        filters=history_filters(index, handbook, config.history_page_size),
        handbook_versions=dict(handbook_versions or {}),
        fingerprints=dict(fingerprints or {}),
    )
