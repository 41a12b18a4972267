"""A static copy of Atlassian Statuspage's public API v2 under ``api/v2/``.

Status aggregators, chat bots and dashboards already parse Statuspage's JSON,
so we emit the same files with the same field names, field order, enums and
timestamp format, and they read our page unchanged. Ids are Statuspage-like
(12 lower-case base-36 characters) but derived from our ids by hashing, so they
never change between builds. Only the public view is used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from statusbook.core import urls
from statusbook.core.ids import WATCHING, ComponentStatusId, Indicator, Stage
from statusbook.core.model import Incident
from statusbook.render.output import Output
from statusbook.view.banner import incident_impact
from statusbook.view.lifecycle import ended_at, last_changed
from statusbook.view.pages import worst
from statusbook.view.status_view import StatusView

INCIDENTS_LIMIT = 50  # Statuspage's incidents.json holds the 50 most recent incidents.
# The banner reports "maintenance" as the indicator during maintenance, as live Statuspage sometimes does;
# Statuspage's documented enum has four values and typed clients reject a fifth, so the API says "none"
# (the description still reads "Service Under Maintenance").
API_INDICATOR = {Indicator.MAINTENANCE: Indicator.NONE}
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


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


class StatuspageApi:
    """Turn the view into Statuspage's JSON objects."""

    def __init__(self, view: StatusView) -> None:
        self.view = view
        self.config = view.config
        self.handbook = view.handbook
        self.now = view.now
        self.zone = view.config.zone
        self.incidents = view.incidents
        self.active = [i for i in self.incidents if view.stage(i) == Stage.ACTIVE]
        self.states = view.state.components
        self.page_id = statuspage_id("page", self.config.site_url)
        # Components have no creation date in our files; the page's first known moment stands in for it.
        self.epoch = min((i.created_at for i in self.incidents), default=self.now)
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
                worst((self.states[c.id].status for c in members), self.handbook),
                max((self.touched.get(c.id, self.epoch) for c in members), default=self.epoch),
                gpos,
                None,
                group=True,
            )
            entry["components"] = [c["id"] for c in children]
            result.append(entry)
            result.extend(children)
        return result

    def _update(self, incident: Incident, index: int, anchor: str, incident_sp_id: str) -> dict[str, object]:
        update = incident.updates[index]
        before = dict(incident.updates[index - 1].components) if index else {}
        names = self.handbook.component_by_id
        affected = [
            {"code": statuspage_id("component", cid), "name": names[cid].name if cid in names else cid, "old_status": before.get(cid, ComponentStatusId.OPERATIONAL), "new_status": new}
            for cid, new in update.components
        ]
        return {
            "id": statuspage_id("incident_update", f"{incident.id}#{anchor}"),
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
        watching = WATCHING[incident.kind]
        monitoring_at = next((u.at for u in incident.updates if u.status == watching), None)
        anchors = self.view.anchors(incident)
        result: dict[str, object] = {
            "id": sp_id,
            "name": incident.title,
            "status": self.view.status(incident),
            "created_at": self.time(incident.created_at),
            "updated_at": self.time(last_changed(incident)),
            "monitoring_at": self.time(monitoring_at),
            "resolved_at": self.time(ended_at(incident, self.handbook, self.now)),
            "impact": incident_impact(incident, self.handbook),
            "shortlink": urls.absolute(self.config.site_url, urls.incident_page(incident.id)),
            "started_at": self.time(incident.started_at),
            "page_id": self.page_id,
            # Newest first, as in every Statuspage capture.
            "incident_updates": [self._update(incident, index, anchors[index], sp_id) for index in reversed(range(len(incident.updates)))],
            "components": [self.component_by_id[statuspage_id("component", cid)] for cid in incident.components if cid in self.handbook.component_by_id],
        }
        if incident.is_maintenance and incident.scheduled is not None:
            result["scheduled_for"] = self.time(incident.scheduled.start)
            result["scheduled_until"] = self.time(incident.scheduled.end)
        return result

    def status(self) -> dict[str, str]:
        overall = self.view.state.overall
        return {"indicator": API_INDICATOR.get(overall.indicator, overall.indicator), "description": overall.description}

    def documents(self) -> dict[str, Mapping[str, object]]:
        """Every API document, by its path."""
        view = self.view
        incidents = [i for i in self.incidents if not i.is_maintenance and view.stage(i) != Stage.UPCOMING]
        unresolved = [i for i in incidents if view.stage(i) == Stage.ACTIVE]
        maintenances = sorted((i for i in self.incidents if i.is_maintenance and i.scheduled is not None), key=lambda i: (i.scheduled.start, i.id))
        upcoming = [m for m in maintenances if view.stage(m) == Stage.UPCOMING]
        active = [m for m in maintenances if view.stage(m) == Stage.ACTIVE]
        page, current = self.page(), self.status()
        objects = {i.id: self.incident(i) for listed in (incidents[:INCIDENTS_LIMIT], unresolved, maintenances[-INCIDENTS_LIMIT:], upcoming, active) for i in listed}
        return {
            urls.API_SUMMARY: {
                "page": page,
                "components": self.components,
                "incidents": [objects[i.id] for i in unresolved],
                "scheduled_maintenances": [objects[m.id] for m in (*active, *upcoming)],
                "status": current,
            },
            urls.API_STATUS: {"page": page, "status": current},
            urls.API_COMPONENTS: {"page": page, "components": self.components},
            urls.API_INCIDENTS: {"page": page, "incidents": [objects[i.id] for i in incidents[:INCIDENTS_LIMIT]]},
            urls.API_UNRESOLVED: {"page": page, "incidents": [objects[i.id] for i in unresolved]},
            urls.API_MAINTENANCES: {"page": page, "scheduled_maintenances": [objects[m.id] for m in reversed(maintenances[-INCIDENTS_LIMIT:])]},
            urls.API_UPCOMING: {"page": page, "scheduled_maintenances": [objects[m.id] for m in upcoming]},
            urls.API_ACTIVE: {"page": page, "scheduled_maintenances": [objects[m.id] for m in active]},
        }


def dump_json(document: object) -> bytes:
    """Serialise deterministically: our key order, UTF-8, two-space indent, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def api_files(view: StatusView) -> Iterator[Output]:
    """``api/v2/*.json`` in Statuspage's shapes: a few documents, rendered together on every build."""
    documents = StatuspageApi(view).documents()
    for path, document in documents.items():
        yield Output(path, lambda d=document: dump_json(d))
