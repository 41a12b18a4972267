"""Every public URL of the site in one place, so pages, feeds and the API link alike.

Paths are relative to the site root and end in ``/`` for pages (served as
``index.html``); :func:`absolute` joins them onto ``site_url`` for feeds and
the API. These URLs are permanent: an incident's page and its update anchors
never change once published.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from statusbook.core.model import Incident
from statusbook.core.timestamps import stamp

HOME = ""
HISTORY = "history/"
UPTIME = "uptime/"
HANDBOOK = "handbook/"
FEED_ATOM = "history.atom"
FEED_RSS = "history.rss"
CALENDAR = "maintenance.ics"
BADGE = "badges/status.svg"
API = "api/v2/"
INCIDENT_SCHEMA = "schema/incident.schema.json"
API_SUMMARY = f"{API}summary.json"
API_STATUS = f"{API}status.json"
API_COMPONENTS = f"{API}components.json"
API_INCIDENTS = f"{API}incidents.json"
API_UNRESOLVED = f"{API}incidents/unresolved.json"
API_MAINTENANCES = f"{API}scheduled-maintenances.json"
API_UPCOMING = f"{API}scheduled-maintenances/upcoming.json"
API_ACTIVE = f"{API}scheduled-maintenances/active.json"


def history_page(number: int) -> str:
    return HISTORY if number <= 1 else f"{HISTORY}page/{number}/"


def incident_page(incident_id: str) -> str:
    return f"incidents/{incident_id}/"


def component_page(component_id: str) -> str:
    return f"components/{component_id}/"


def component_feed(component_id: str, fmt: str) -> str:
    return f"components/{component_id}/history.{fmt}"


def component_calendar(component_id: str) -> str:
    return f"components/{component_id}/{CALENDAR}"


def component_badge(component_id: str) -> str:
    return f"badges/{component_id}.svg"


def update_anchors(incident: Incident) -> tuple[str, ...]:
    """The fragment id of every update, in order: its time, numbered when several share it.

    One pass over the updates, so an incident with thousands of them costs
    what it holds (ask once per incident, not once per update).
    """
    counts = Counter(u.at for u in incident.updates)
    seen: Counter[datetime] = Counter()
    anchors = []
    for update in incident.updates:
        text = "update-" + stamp(update.at).replace("-", "").replace(":", "")
        if counts[update.at] > 1:
            seen[update.at] += 1
            text += f"-{seen[update.at]}"
        anchors.append(text)
    return tuple(anchors)


def handbook_version(version: str) -> str:
    return f"{HANDBOOK}{version}/"


def severity_definition(version: str, severity_id: str) -> str:
    """Where the handbook version defines a severity: its heading on the severity page."""
    return f"{HANDBOOK}{version}/severity/#severity-{severity_id.lower()}"


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def page_file(path: str) -> str:
    """The file that serves a page path: ``incidents/x/`` is ``incidents/x/index.html``."""
    return f"{path}index.html" if path.endswith("/") or path == "" else path


def relative(from_page: str, to_path: str) -> str:
    """A link from one page path to another path, relative so the site works under any prefix."""
    depth = from_page.count("/")  # "incidents/x/" and "incidents/x/index.html" both sit two folders down
    return "../" * depth + to_path if (depth or to_path) else "./"

