"""Every public URL of the site in one place, so pages, feeds and the API link alike.

Paths are relative to the site root and end in ``/`` for pages (served as
``index.html``); :func:`absolute` joins them onto ``site_url`` for feeds and
the API. These URLs are permanent: an incident's page and its update anchors
never change once published.
"""

from __future__ import annotations

from datetime import UTC, datetime

from statusbook.core.model import Incident, Update

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


def update_anchor(incident: Incident, update: Update) -> str:
    """A fragment id for one update, from its time, unique within the incident."""
    utc = update.at.astimezone(UTC)
    stamp = utc.strftime("%Y%m%dT%H%M%SZ") if utc.year < 1000 else f"{utc.year}{utc.month:02d}{utc.day:02d}T{utc.hour:02d}{utc.minute:02d}{utc.second:02d}Z"
    same = [u for u in incident.updates if u.at == update.at]
    suffix = f"-{same.index(update) + 1}" if len(same) > 1 else ""
    return f"update-{stamp}{suffix}"


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


def stamp(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # strftime does not pad such years; keep its exact output
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{utc.year}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"  # strftime costs more
