"""A static copy of Atlassian Statuspage's public API v2 under ``api/v2/``.

Status aggregators, chat bots and dashboards already parse Statuspage's JSON,
so we emit the same files with the same field names, field order, enums and
timestamp format, and they read our page unchanged. Ids are Statuspage-like
(12 lower-case base-36 characters) but derived from our ids by hashing, so they
never change between builds. Only public :class:`Incident` data is used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from statusbook.config import SiteConfig
from statusbook.core import urls
from statusbook.core.handbook import Handbook
from statusbook.core.model import OPERATIONAL, Incident
from statusbook.io.render_cache import inputs_key, package_digest
from statusbook.view import status

if TYPE_CHECKING:
    from statusbook.commands.build import BuildContext
    from statusbook.io.writer import Reused

INCIDENTS_LIMIT = 50  # Statuspage's incidents.json holds the 50 most recent incidents.
# status.py reports "maintenance" as the indicator during maintenance, as live Statuspage sometimes does;
# Statuspage's documented enum has four values and typed clients reject a fifth, so the API says "none"
# (the description still reads "Service Under Maintenance").
API_INDICATOR = {"maintenance": "none"}
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"

SUMMARY = f"{urls.API}summary.json"
STATUS = f"{urls.API}status.json"
COMPONENTS = f"{urls.API}components.json"
INCIDENTS = f"{urls.API}incidents.json"
UNRESOLVED = f"{urls.API}incidents/unresolved.json"
MAINTENANCES = f"{urls.API}scheduled-maintenances.json"
UPCOMING = f"{urls.API}scheduled-maintenances/upcoming.json"
ACTIVE = f"{urls.API}scheduled-maintenances/active.json"


def statuspage_id(kind: str, key: str) -> str:
    """Return a 12-character base-36 id for one of our ids: stable, and unlike any other kind's."""
    number = int.from_bytes(hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=8).digest(), "big") % 36**12
    chars = []
    for _ in range(12):
        number, digit = divmod(number, 36)
        chars.append(_BASE36[digit])
    return "".join(reversed(chars))


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    """Write a moment as Statuspage does: milliseconds and the page zone's offset, ``Z`` for UTC zones."""
    local = moment.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{local.microsecond // 1000:03d}"
    if local.tzname() in ("UTC", "UCT"):
        return text + "Z"
    return text + local.isoformat()[-6:]


def posted(incident: Incident, now: datetime) -> Incident | None:
    """Return the incident as published by ``now``: updates dated later are not public yet."""
    if incident.updates[-1].at <= now:
        return incident
    updates = tuple(u for u in incident.updates if u.at <= now)
    return replace(incident, updates=updates) if updates else None


def published(incidents: Iterable[Incident], now: datetime) -> list[Incident]:
    """Every incident with at least one update published by ``now``, as published."""
    return [p for p in (posted(i, now) for i in incidents) if p is not None]


def last_changed(incident: Incident) -> datetime:
    """When anything public about the incident last changed: its newest update or correction."""
    moments = [u.at for u in incident.updates] + [u.correction.at for u in incident.updates if u.correction is not None]
    return max(moments)


def effective_status(incident: Incident, handbook: Handbook, now: datetime) -> str:
    """The incident's status at ``now``; a maintenance left 'scheduled' moves with its window.

    Like Statuspage's automatic transitions, and like the status page
    (:func:`statusbook.view.status.phase`): still 'scheduled' once the window has
    opened reads 'in progress', and once it has closed reads as completed.
    """
    latest = incident.status
    if not incident.is_maintenance or latest != status.SCHEDULED:
        return latest
    phase = status.phase(incident, handbook, now)
    known = {s.id for s in handbook.maintenance_statuses}
    if phase == status.ACTIVE and status.IN_PROGRESS in known:
        return status.IN_PROGRESS
    if phase == status.ENDED:
        return handbook.final_status(incident.kind)
    return latest


class _Api:
    """Turn the handbook and the incidents published by ``now`` into Statuspage's JSON objects."""

    def __init__(self, config: SiteConfig, handbook: Handbook, incidents: Iterable[Incident], now: datetime,
                 public: tuple[list[Incident], status.IncidentIndex] | None = None) -> None:
        self.config = config
        self.handbook = handbook
        self.now = now
        self.zone = ZoneInfo(config.timezone)
        # The published incidents and their index, when the build has them already.
        self.incidents, self.index = public or _public(incidents, handbook, now, self.zone)
        self.active = [i for i in self.index.newest_first if self.index.phase_of[i.id] == status.ACTIVE]
        self.states = status.component_states(self.active, handbook, now)
        self.page_id = statuspage_id("page", config.site_url)
        # Components have no creation date in our files; the page's first known moment stands in for it.
        self.epoch = min((i.created_at for i in self.incidents), default=now)
        self.touched: dict[str, datetime] = {}
        touched = self.touched
        for incident in self.incidents:  # every update of every incident: kept to plain comparisons
            for update in incident.updates:
                if update.components:
                    at = update.at
                    for cid, _ in update.components:
                        seen = touched.get(cid)
                        if seen is None or at > seen:
                            touched[cid] = at
        self.components = self._components()
        self.component_by_id = {c["id"]: c for c in self.components}

    def time(self, moment: datetime | None) -> str | None:
        return None if moment is None else format_time(moment, self.zone)

    def page(self) -> dict[str, object]:
        updated = max((last_changed(i) for i in self.incidents), default=self.now)
        return {
            "id": self.page_id,
            "name": self.config.site_name,
            "url": self.config.site_url.rstrip("/"),
            "time_zone": self.config.timezone,
            "updated_at": self.time(updated),
        }

    def _component(self, cid: str, name: str, description: str, current: str, updated: datetime, position: int, group_id: str | None, *, group: bool) -> dict[str, object]:
        return {
            "id": cid,
            "name": name,
            "status": current,
            "created_at": self.time(self.epoch),
            "updated_at": self.time(max(updated, self.epoch)),
            "position": position,
            "description": description or None,
            "showcase": not group,  # every component has uptime bars on our page
            "start_date": None,
            "group_id": group_id,
            "page_id": self.page_id,
            "group": group,
            "only_show_if_degraded": False,
        }

    def _components(self) -> list[dict[str, object]]:
        """Every group followed by its components, in the handbook's order; groups list their children."""
        result = []
        for gpos, group in enumerate(self.handbook.groups, start=1):
            gid = statuspage_id("group", group.id)
            members = [self.handbook.component_by_id[c] for c in group.components if c in self.handbook.component_by_id]
            children = [
                self._component(statuspage_id("component", c.id), c.name, c.description, self.states[c.id].status, self.touched.get(c.id, self.epoch), pos, gid, group=False)
                for pos, c in enumerate(members, start=1)
            ]
            entry = self._component(
                gid,
                group.name,
                group.description,
                status.worst((self.states[c.id].status for c in members), self.handbook),
                max((self.touched.get(c.id, self.epoch) for c in members), default=self.epoch),
                gpos,
                None,
                group=True,
            )
            entry["components"] = [c["id"] for c in children]
            result.append(entry)
            result.extend(children)
        return result

    def _update(self, incident: Incident, index: int, incident_sp_id: str) -> dict[str, object]:
        update = incident.updates[index]
        before = dict(incident.updates[index - 1].components) if index else {}
        names = self.handbook.component_by_id
        affected = [
            {"code": statuspage_id("component", cid), "name": names[cid].name if cid in names else cid, "old_status": before.get(cid, OPERATIONAL), "new_status": new}
            for cid, new in update.components
        ]
        return {
            "id": statuspage_id("incident_update", f"{incident.id}#{urls.update_anchor(incident, update)}"),
            "status": update.status,
            "body": update.message,
            "incident_id": incident_sp_id,
            "created_at": self.time(update.at),
            "updated_at": self.time(update.correction.at if update.correction is not None else update.at),
            "display_at": self.time(update.at),
            "affected_components": affected or None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def incident(self, incident: Incident) -> dict[str, object]:
        sp_id = statuspage_id("incident", incident.id)
        watching = "verifying" if incident.is_maintenance else "monitoring"
        monitoring_at = next((u.at for u in incident.updates if u.status == watching), None)
        result: dict[str, object] = {
            "id": sp_id,
            "name": incident.title,
            "status": effective_status(incident, self.handbook, self.now),
            "created_at": self.time(incident.created_at),
            "updated_at": self.time(last_changed(incident)),
            "monitoring_at": self.time(monitoring_at),
            "resolved_at": self.time(status.ended_at(incident, self.handbook, self.now)),
            "impact": status.incident_impact(incident, self.handbook),
            "shortlink": urls.absolute(self.config.site_url, urls.incident_page(incident.id)),
            "started_at": self.time(incident.started_at),
            "page_id": self.page_id,
            # Newest first, as in every Statuspage capture.
            "incident_updates": [self._update(incident, index, sp_id) for index in reversed(range(len(incident.updates)))],
            "components": [self.component_by_id[statuspage_id("component", cid)] for cid in incident.components if cid in self.handbook.component_by_id],
        }
        if incident.is_maintenance and incident.scheduled is not None:
            result["scheduled_for"] = self.time(incident.scheduled.start)
            result["scheduled_until"] = self.time(incident.scheduled.end)
        return result

    def status(self) -> dict[str, str]:
        impacts = [status.incident_impact(i, self.handbook) for i in self.active if not i.is_maintenance]
        overall = status.overall([self.states[c.id].status for c in self.handbook.components], impacts)
        return {"indicator": API_INDICATOR.get(overall.indicator, overall.indicator), "description": overall.description}

    def files(self, keep: Callable[[str, bytes, Callable[[], bytes]], bytes | Reused] | None = None, digests: Mapping[str, str] | None = None) -> dict[str, bytes | Reused]:
        """Every API document; with ``keep`` (the build's render cache), unchanged ones are not serialised again.

        A document is a function of the page, component and status objects
        (computed here from every incident) and of the incidents it lists, each
        as published, and, until it is settled, at this moment.
        """
        phase_of = self.index.phase_of
        incidents = [i for i in self.index.newest_first if not i.is_maintenance and phase_of[i.id] != status.UPCOMING]
        unresolved = [i for i in incidents if phase_of[i.id] == status.ACTIVE]
        maintenances = sorted((i for i in self.incidents if i.is_maintenance and i.scheduled is not None), key=lambda i: (i.scheduled.start, i.id))
        upcoming = [m for m in maintenances if phase_of[m.id] == status.UPCOMING]
        active = [m for m in maintenances if phase_of[m.id] == status.ACTIVE]
        page, current = self.page(), self.status()
        lists = (incidents[:INCIDENTS_LIMIT], unresolved, maintenances[-INCIDENTS_LIMIT:], upcoming, active)
        found: dict[str, bytes] = {}

        def document(path: str) -> bytes:
            if not found:
                objects = {i.id: self.incident(i) for listed in lists for i in listed}
                documents: dict[str, Mapping[str, object]] = {
                    SUMMARY: {
                        "page": page,
                        "components": self.components,
                        "incidents": [objects[i.id] for i in unresolved],
                        "scheduled_maintenances": [objects[m.id] for m in (*active, *upcoming)],
                        "status": current,
                    },
                    STATUS: {"page": page, "status": current},
                    COMPONENTS: {"page": page, "components": self.components},
                    INCIDENTS: {"page": page, "incidents": [objects[i.id] for i in incidents[:INCIDENTS_LIMIT]]},
                    UNRESOLVED: {"page": page, "incidents": [objects[i.id] for i in unresolved]},
                    MAINTENANCES: {"page": page, "scheduled_maintenances": [objects[m.id] for m in reversed(maintenances[-INCIDENTS_LIMIT:])]},
                    UPCOMING: {"page": page, "scheduled_maintenances": [objects[m.id] for m in upcoming]},
                    ACTIVE: {"page": page, "scheduled_maintenances": [objects[m.id] for m in active]},
                }
                found.update((name, dump_json(doc)) for name, doc in documents.items())
            return found[path]

        paths = (SUMMARY, STATUS, COMPONENTS, INCIDENTS, UNRESOLVED, MAINTENANCES, UPCOMING, ACTIVE)
        digests = digests or {}
        if keep is None or not all(digests.get(i.id) for listed in lists for i in listed):
            return {path: document(path) for path in paths}
        now = self.now.isoformat()

        def listed(incident: Incident) -> str:
            clock = "settled" if status.is_settled(incident, self.handbook, self.now) else now
            return f"{incident.id}={digests[incident.id]}/{len(incident.updates)}/{clock}"

        key = inputs_key(
            "api", package_digest(), repr(self.config), self.handbook.digest, repr(page), repr(current), repr(self.components),
            *(f"{len(group)}:{','.join(listed(i) for i in group)}" for group in lists),
        )
        return {path: keep(path, inputs_key(key, path), lambda path=path: document(path)) for path in paths}


def dump_json(document: object) -> bytes:
    """Serialise deterministically: our key order, UTF-8, two-space indent, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _public(incidents: Iterable[Incident], handbook: Handbook, now: datetime, zone: ZoneInfo) -> tuple[list[Incident], status.IncidentIndex]:
    public = published(incidents, now)
    return public, status.index_incidents(public, handbook, now, zone)


def published_incidents(context: BuildContext) -> list[Incident]:
    """The incidents as published at the build's moment, computed once per build for every part."""
    return context.derived("published incidents", lambda: published(context.incidents, context.now))


def render_api(context: BuildContext) -> dict[str, bytes | Reused]:
    """Render ``api/v2/*.json`` in Statuspage's shapes from the build context."""
    config, handbook, now = context.config, context.handbook, context.now
    public = published_incidents(context)
    index = context.derived("incident index", lambda: status.index_incidents(context.incidents, handbook, now, config.zone))
    api = _Api(config, handbook, context.incidents, now, (public, status.published_index(index, public)))
    return api.files(context.page if context.renders is not None else None, context.incident_digests)
