"""Every public URL of the site in one place, so pages, feeds and the API link alike.

Paths are relative to the site root and end in ``/`` for pages (served as
``index.html``); :func:`absolute` joins them onto ``site_url`` for feeds and
the API. These URLs are permanent: an incident's page and its update anchors
never change once published.

A site in several languages publishes its default language's pages at these
paths and each other language's under the language's code (``nl/history/``);
:class:`LanguageUrls` gives the paths as one language's pages link them.
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
NOT_FOUND = "404.html"  # served by static hosts (GitHub Pages, GitLab Pages, Netlify) for any missing path
SEARCH = "search/"
SEARCH_INDEX = "pagefind/"  # Pagefind's bundles, one per year of incidents: pagefind.js, its WebAssembly and the index
WIDGET = "widget/"  # the current state, small enough for an iframe on another site
BRAND = "assets/brand/"


def brand_image(role: str, suffix: str) -> str:
    """Where a logo or favicon from the repository is published: ``assets/brand/logo-dark.svg``."""
    return f"{BRAND}{role.replace('_', '-')}{suffix}"


def history_filter(kind: str, key: str, number: int = 1) -> str:
    """A page of the history narrowed to one component, severity or year: ``history/severity/sev1/``."""
    base = f"{HISTORY}{kind}/{key.lower()}/"
    return base if number <= 1 else f"{base}page/{number}/"


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


def handbook_page(version: str, page: str) -> str:
    """A page of one handbook version (``page`` is one of the ``PAGE_*`` paths below, or any page's path)."""
    return f"{HANDBOOK}{version}/{page}"


# Handbook pages the responders' tools (statusbook brief, the internal site) link to, as paths under a version.
PAGE_TEMPLATES = "communication/templates/"
PAGE_INTERNAL_UPDATES = "communication/internal-updates/"
PAGE_SECURITY_BREACH = "communication/security-breach/"
PAGE_HANDOVER = "phases/handover/"
PAGE_CHANNELS = "phases/channels/"
PAGE_POSTMORTEMS = "postmortems/"
PAGE_METRICS = "postmortems/metrics/"


def severity_definition(version: str, severity_id: str, language_folder: str = "") -> str:
    """Where the handbook version defines a severity: its heading on the severity page (in the language under ``language_folder``, such as ``nl/``)."""
    return f"{HANDBOOK}{version}/{language_folder}severity/#severity-{severity_id.lower()}"


def language_root(language: str, default: str) -> str:
    """Where a language's status pages, feeds and calendars are: the default language's at the site's root, another's under its code (``nl/``)."""
    return "" if language == default else f"{language}/"


class LanguageUrls:
    """This module as the pages of one language link: their own pages, feeds, calendars and search index under ``root``.

    ``root`` is the language's folder (:func:`language_root`: ``""`` for the
    default language, so its paths are the module's own); ``handbook_folder``
    is the same language's folder inside a handbook version (``nl/``). Shared
    files (assets, badges, the JSON API's files, the schema) stay where they
    are, and every other name is the module's, so a template uses this object
    as it would the module.
    """

    def __init__(self, root: str = "", handbook_folder: str = "") -> None:
        self.root = root
        self.handbook_folder = handbook_folder
        self.HOME = root + HOME
        self.HISTORY = root + HISTORY
        self.UPTIME = root + UPTIME
        self.SEARCH = root + SEARCH
        self.SEARCH_INDEX = root + SEARCH_INDEX
        self.WIDGET = root + WIDGET
        self.NOT_FOUND = root + NOT_FOUND
        self.FEED_ATOM = root + FEED_ATOM
        self.FEED_RSS = root + FEED_RSS
        self.CALENDAR = root + CALENDAR
        self.API = root + API  # the page that lists the API; its JSON files are the site's, in the default language
        self.HANDBOOK = HANDBOOK + handbook_folder

    def __getattr__(self, name: str) -> object:
        """Any other name: the module's own (only called for names the object does not have)."""
        try:
            return globals()[name]
        except KeyError:
            raise AttributeError(name) from None

    def history_filter(self, kind: str, key: str, number: int = 1) -> str:
        return self.root + history_filter(kind, key, number)

    def history_page(self, number: int) -> str:
        return self.root + history_page(number)

    def incident_page(self, incident_id: str) -> str:
        return self.root + incident_page(incident_id)

    def component_page(self, component_id: str) -> str:
        return self.root + component_page(component_id)

    def component_feed(self, component_id: str, fmt: str) -> str:
        return self.root + component_feed(component_id, fmt)

    def component_calendar(self, component_id: str) -> str:
        return self.root + component_calendar(component_id)

    def search_shard(self, year: str) -> str:
        return self.root + search_shard(year)

    def handbook_version(self, version: str) -> str:
        return f"{handbook_version(version)}{self.handbook_folder}"

    def handbook_page(self, version: str, page: str) -> str:
        return handbook_page(version, self.handbook_folder + page)

    def severity_definition(self, version: str, severity_id: str) -> str:
        return severity_definition(version, severity_id, self.handbook_folder)


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def page_file(path: str) -> str:
    """The file that serves a page path: ``incidents/x/`` is ``incidents/x/index.html``."""
    return f"{path}index.html" if path.endswith("/") or path == "" else path


def relative(from_page: str, to_path: str) -> str:
    """A link from one page path to another path, relative so the site works under any prefix."""
    depth = from_page.count("/")  # "incidents/x/" and "incidents/x/index.html" both sit two folders down
    return "../" * depth + to_path if (depth or to_path) else "./"


def search_shard(year: str) -> str:
    """The Pagefind bundle of one year's incidents (the search page merges them all)."""
    return f"{SEARCH_INDEX}{year}/"
