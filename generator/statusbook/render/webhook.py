"""Announcements as Statuspage's incident webhooks, so receivers written for Statuspage work unchanged.

Statuspage POSTs one JSON object per incident update: ``meta`` (``unsubscribe``,
``documentation``, ``generated_at``), ``page`` (``id``, ``status_indicator``,
``status_description``) and ``incident``, the incident as the API shows it,
with ``incident_updates`` newest first, so ``incident_updates[0]`` is the
update the webhook is about. The incident object here is the one our static
API publishes (:class:`~statusbook.render.api.StatuspageApi`), as it stood at
the announcement: only the updates up to it, its status and resolution then.

A maintenance window that opens or closes on its own gets the update
Statuspage itself writes for its automatic transitions (and the
``scheduled_auto_in_progress``/``scheduled_auto_completed`` flags). One key
Statuspage does not send is added at the top level, where Statuspage
receivers ignore it: ``statusbook`` names the kind of change, its permanent id
and the update's link, so a receiver can tell a correction from a new update.
"""

from __future__ import annotations

import json
from datetime import datetime

from statusbook.core import urls
from statusbook.render.announcements import Announcement
from statusbook.render.api import StatuspageApi, statuspage_id
from statusbook.render.feeds import WINDOW_START
from statusbook.render.i18n import translations
from statusbook.render.notices import WINDOW_CLOSED, WINDOW_OPENED
from statusbook.view.lifecycle import ended_at
from statusbook.view.status_view import StatusView


class StatuspageWebhooks:
    """Build the webhook body of each announcement of one view."""

    def __init__(self, view: StatusView) -> None:
        self.view = view
        self.api = StatuspageApi(view)
        self.catalog = translations(view.config.language)
        # The handbook's root always exists (it sends readers to the newest version); its Communication section documents the webhooks.
        self.documentation = urls.absolute(view.config.site_url, urls.HANDBOOK)

    def payload(self, announcement: Announcement, generated_at: datetime) -> dict[str, object]:
        api, handbook, config = self.api, self.view.handbook, self.view.config
        then = announcement.incident_then()
        incident = api.incident(then)
        incident["status"] = announcement.status
        incident["updated_at"] = api.time(announcement.at)
        incident["resolved_at"] = api.time(ended_at(then, handbook, announcement.at))
        update_id = statuspage_id("incident_update", f"{then.id}#{announcement.anchor}") if announcement.anchor else None
        if announcement.boundary:
            opens = announcement.boundary == WINDOW_START
            update_id = statuspage_id("incident_update", f"{then.id}#{announcement.boundary}")
            moment = api.time(announcement.at)
            automatic = {
                "id": update_id,
                "status": announcement.status,
                "body": self.catalog.gettext(WINDOW_OPENED if opens else WINDOW_CLOSED),
                "incident_id": incident["id"],
                "created_at": moment,
                "updated_at": moment,
                "display_at": moment,
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
            incident["incident_updates"] = [automatic, *incident["incident_updates"]]
            incident["scheduled_auto_in_progress"] = opens
            incident["scheduled_auto_completed"] = not opens
        status = api.status()
        return {
            "meta": {"unsubscribe": config.site_url, "documentation": self.documentation, "generated_at": api.time(generated_at)},
            "page": {"id": api.page_id, "status_indicator": status["indicator"], "status_description": status["description"]},
            "incident": incident,
            "statusbook": {"event": str(announcement.kind), "id": announcement.id, "incident_update_id": update_id, "url": announcement.link(config.site_url)},
        }

    def body(self, announcement: Announcement, generated_at: datetime) -> bytes:
        """The exact bytes to POST (and to sign): compact UTF-8 JSON."""
        return json.dumps(self.payload(announcement, generated_at), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
