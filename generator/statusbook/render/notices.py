"""Announcements as messages people read: a subject and a body, for mail, for chat, or as plain text.

Each message says what happened (a new incident, an update, the end of it, a
correction, a maintenance scheduled, started or ended), the incident's title,
the status it set and when, the update's own words, the components it affects
and a link to the update's anchor on the incident page, in the site's language
and time zone. Mail gets the update's Markdown as the status page renders it
(sanitised HTML); chat gets a short text and a link; everything else gets the
whole text. The words live in Jinja templates (``templates/notify/``), which a
theme can override in its ``notify/`` folder, as it can the status pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from statusbook.core.ids import ComponentStatusId, Stage
from statusbook.render.announcements import Announcement, AnnouncementKind
from statusbook.render.feeds import WINDOW_START
from statusbook.render.i18n import Formatter, translations
from statusbook.render.markdown import render_markdown
from statusbook.render.text import plain_text
from statusbook.view.banner import N_
from statusbook.view.lifecycle import component_status_at, stage
from statusbook.view.status_view import StatusView

TEMPLATES = Path(__file__).resolve().parent / "templates" / "notify"
CHAT_TEXT_LIMIT = 400  # characters of the update's text in a chat message; the link has the rest

KIND_LABELS = {
    AnnouncementKind.INCIDENT_NEW: N_("New incident"),
    AnnouncementKind.UPDATE: N_("Update"),
    AnnouncementKind.INCIDENT_RESOLVED: N_("Resolved"),
    AnnouncementKind.CORRECTION: N_("Correction"),
    AnnouncementKind.MAINTENANCE_SCHEDULED: N_("Maintenance scheduled"),
    AnnouncementKind.MAINTENANCE_STARTED: N_("Maintenance started"),
    AnnouncementKind.MAINTENANCE_ENDED: N_("Maintenance completed"),
}
WINDOW_OPENED = N_("The scheduled maintenance window has opened.")
WINDOW_CLOSED = N_("The scheduled maintenance window has closed.")
# Apprise's notify types, which chat tools show as colours: bad news, good news, and the rest.
SUCCESS_KINDS = (AnnouncementKind.INCIDENT_RESOLVED, AnnouncementKind.MAINTENANCE_ENDED)


@dataclass(frozen=True, slots=True)
class Notice:
    """One message: its title (the subject of a mail), its body, and how alarming it is (Apprise's notify type)."""

    title: str
    body: str
    severity: str


def shorten(text: str, limit: int) -> str:
    """Cut text at a word boundary before ``limit`` characters, marking the cut with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > 0 else text[:limit]).rstrip(" ,.;:\n") + " …"


def make_environment(theme: Path, language: str) -> Environment:
    """Jinja2 for notices: the theme's ``notify/`` templates first, then the defaults (also as ``!default/...``); HTML escaped, text not."""
    loaders = [FileSystemLoader(str(theme))] if theme.is_dir() else []
    defaults = FileSystemLoader(str(TEMPLATES))
    env = Environment(
        loader=ChoiceLoader([*loaders, defaults, PrefixLoader({"!default": defaults})]),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


class Notices:
    """Render the messages of one view's announcements; each on demand, in the site's language and zone."""

    def __init__(self, view: StatusView) -> None:
        self.view = view
        config, handbook = view.config, view.handbook
        self.fmt = Formatter(config.zone, config.language)
        self._ = self.fmt._
        self.env = make_environment(config.theme_path / "notify", config.language)
        self.env.globals.update(site=config)
        self.status_names = {s.id: s.name for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}
        self.component_status_names = {s.id: s.name for s in handbook.component_statuses}

    def edge_text(self, announcement: Announcement) -> str:
        """What a window edge says, where an update would have its message."""
        if not announcement.boundary:
            return ""
        return self._(WINDOW_OPENED if announcement.boundary == WINDOW_START else WINDOW_CLOSED)

    def components(self, announcement: Announcement) -> list[tuple[str, str]]:
        """Each affected component and the status the incident gave it then, as the status page showed it ("" before a maintenance starts).

        A correction shows the states of the update it corrects.
        """
        handbook = self.view.handbook
        incident = announcement.incident_then()
        update = announcement.update
        at = update.at if announcement.kind == AnnouncementKind.CORRECTION and update is not None else announcement.at
        upcoming = incident.is_maintenance and stage(incident, handbook, at) == Stage.UPCOMING
        listed = []
        for cid in incident.components:
            name = handbook.component_by_id[cid].name if cid in handbook.component_by_id else cid
            status = component_status_at(incident, cid, handbook, at) or ComponentStatusId.OPERATIONAL
            listed.append((name, "" if upcoming else self._(self.component_status_names.get(status, status)).lower()))
        return listed

    def affected(self, announcement: Announcement) -> str:
        """The components as one line: ``Public API (partial outage), Webhooks``."""
        return ", ".join(f"{name} ({state})" if state else name for name, state in self.components(announcement))

    def window(self, announcement: Announcement) -> str:
        scheduled = announcement.incident.scheduled
        if not announcement.incident.is_maintenance or scheduled is None:
            return ""
        return self._("%(start)s until %(end)s", start=self.fmt.datetime(scheduled.start), end=self.fmt.datetime(scheduled.end))

    def severity(self, announcement: Announcement) -> str:
        if announcement.kind in SUCCESS_KINDS:
            return "success"
        if announcement.incident.is_maintenance or announcement.kind == AnnouncementKind.CORRECTION:
            return "info"
        incident = announcement.incident_then()
        handbook = self.view.handbook
        states = {component_status_at(incident, cid, handbook, announcement.at) for cid in incident.components}
        return "failure" if ComponentStatusId.MAJOR_OUTAGE in states else "warning"

    def context(self, announcement: Announcement, style: str) -> dict[str, object]:
        config = self.view.config
        update = announcement.update
        message = update.message if update is not None else ""
        text = plain_text(message)
        correction = None
        if announcement.kind == AnnouncementKind.CORRECTION and update is not None and update.correction is not None:
            correction = {"when": self.fmt.datetime(update.correction.at), "reason": update.correction.reason}
        incident = announcement.incident
        return {
            "style": style,
            "announcement": announcement,
            "kind": str(announcement.kind),
            "kind_label": self._(KIND_LABELS[announcement.kind]),
            "incident": incident,
            "status": self._(self.status_names.get(announcement.status, announcement.status)),
            "when": self.fmt.datetime(announcement.at),
            "edge": self.edge_text(announcement),
            "message_text": text,
            "message_short": shorten(text, CHAT_TEXT_LIMIT),
            "message_html": Markup(render_markdown(message, allow_images=config.allow_remote_images)),
            "correction": correction,
            "window": self.window(announcement),
            "components": self.components(announcement),
            "affected": self.affected(announcement),
            "link": announcement.link(config.site_url),
        }

    def render(self, announcement: Announcement, style: str) -> Notice:
        """The message for one announcement in one style: ``html`` (mail), ``markdown`` (chat) or ``text``."""
        context = self.context(announcement, style)
        template = {"html": "message.html", "markdown": "message.md"}.get(style, "message.txt")
        title = " ".join(self.env.get_template("title.txt").render(context).split())
        body = self.env.get_template(template).render(context).strip() + "\n"
        return Notice(title, body, self.severity(announcement))
