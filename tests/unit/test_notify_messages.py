"""What `statusbook notify` sends and to whom, in-process: target lists, message texts (English and Dutch), Statuspage's webhook JSON, signatures, the WebSub hub in the feeds, and the settings behind them."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree
from referencing import Registry, Resource
from statusbook.core.config import site_config
from statusbook.core.targets import NOTIFY_ENV, Target, merge_targets, parse_targets_file, target_digest, targets_from_environment
from statusbook.core.yaml_source import parse_yaml
from statusbook.io.senders import Style, check_url, label, scrub, signature, style_of
from statusbook.render.announcements import AnnouncementKind, announcements
from statusbook.render.notices import Notices, shorten
from statusbook.render.webhook import StatuspageWebhooks
from statusbook.view.status_view import StatusView
from support.announcements import CONFIG, NOW, make_view
from support.render import render
from support.repos import REPO

COMPONENTS = ["api", "email", "login", "webhooks"]
SCHEMAS = REPO / "tests" / "schemas" / "statuspage"


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> StatusView:
    return make_view(tmp_path_factory.mktemp("messages") / "repo")


@pytest.fixture(scope="module")
def dutch(tmp_path_factory: pytest.TempPathFactory) -> StatusView:
    return make_view(tmp_path_factory.mktemp("dutch") / "repo", config=CONFIG.replace("language: en", "language: nl"))


def find(view: StatusView, incident: str, kind: str):
    return next(a for a in announcements(view) if a.incident.id == incident and a.kind == kind)


# --- targets ------------------------------------------------------------------------------------------------


def test_the_environment_holds_whitespace_separated_urls_that_follow_everything() -> None:
    targets = targets_from_environment("  mailto://a:b@example.com\n\tjson://hooks.example.com/x  ")
    assert [t.url for t in targets] == ["mailto://a:b@example.com", "json://hooks.example.com/x"]
    assert all(t.components == () and t.follows(["anything"]) and t.path == NOTIFY_ENV for t in targets)
    assert targets_from_environment(None) == [] == targets_from_environment("   ")


def test_the_notify_file_chooses_components_and_reads_secrets_from_the_environment() -> None:
    text = b"- url: slack://${SLACK_TOKEN}/B/C\n  components: [email, login]\n  name: identity team\n- url: json://hooks.example.com/all\n"
    targets, problems = parse_targets_file(text, ".statusbook/notify.yml", COMPONENTS, {"SLACK_TOKEN": "T0KEN"})
    assert problems == []
    assert [(t.url, t.components, t.name, t.origin) for t in targets] == [
        ("slack://T0KEN/B/C", ("email", "login"), "identity team", ".statusbook/notify.yml:1:3"),
        ("json://hooks.example.com/all", (), "", ".statusbook/notify.yml:4:3"),
    ]
    assert targets[0].follows(["api", "login"]) and not targets[0].follows(["api"])


def test_every_problem_of_a_notify_file_is_located() -> None:
    text = b"- url: json://x/y\n  components: [emial]\n- url: ${NOPE}\n- components: []\n  url: 5\n- just text\n"
    _, problems = parse_targets_file(text, "notify.yml", COMPONENTS, {})
    assert [(p.line, p.column, p.rule) for p in problems] == [
        (2, 16, "component-unknown"),
        (3, 8, "config-value"),
        (5, 8, "type-mismatch"),
        (4, 15, "value-empty"),
        (6, 3, "type-mismatch"),
    ]
    assert "did you mean 'email'?" in problems[0].message
    assert "NOPE is not set" in problems[1].message
    _, problems = parse_targets_file(b"url: json://x/y\n", "notify.yml", COMPONENTS, {})
    assert [(p.line, p.column, p.rule) for p in problems] == [(1, 1, "type-mismatch")]
    assert "must be a list of targets" in problems[0].message


def test_a_url_listed_twice_is_one_target_following_what_either_follows() -> None:
    merged = merge_targets([Target("json://x/1", ("api",)), Target("json://x/2", ("email",)), Target("json://x/1", ("login",), "named")])
    assert [(t.url, t.components, t.name) for t in merged] == [("json://x/1", ("api", "login"), "named"), ("json://x/2", ("email",), "")]
    assert merge_targets([Target("json://x/1", ("api",)), Target("json://x/1")])[0].components == ()


def test_a_target_is_known_by_a_digest_that_does_not_give_its_url_away() -> None:
    url = "slack://T0KEN/B/C"
    assert target_digest(url) == target_digest(url) != target_digest(url + "x")
    assert "T0KEN" not in target_digest(url) and len(target_digest(url)) == 34
    assert target_digest(url) != "t-" + hashlib.sha256(url.encode()).hexdigest()[:32]


def test_reports_name_targets_without_their_secrets() -> None:
    assert label("statuspage+https://user:pw@hooks.example.com:8443/status?secret=abc&x=1") == "statuspage+https://hooks.example.com:8443/status"
    assert label("mailto://user:hunter2@smtp.example.com?to=ops@example.com") == "mailto://user:****@smtp.example.com/ops%40example.com"
    assert label("json://hooks.example.com/x", "named") == "named"
    slack = label("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ")
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in slack and slack.startswith("slack://")


def test_a_services_words_are_scrubbed_of_the_urls_secrets() -> None:
    url = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ?token=abcd1234"
    said = "Failed posting to slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ?token=abcd1234: 403"
    assert scrub(said, url) == "Failed posting to slack://****/A1BRTD4JD/****?token=****: 403"
    assert scrub("login failed for hunter2", "mailto://user:hunter2@smtp.example.com") == "login failed for ****"
    assert scrub("could not reach smtp.example.com", "mailto://user:hunter2@smtp.example.com") == "could not reach smtp.example.com"


def test_urls_are_checked_before_anything_is_sent() -> None:
    assert check_url("json://hooks.example.com/x") is None
    assert check_url("statuspage+https://hooks.example.com/x?secret=s") is None
    assert "Apprise cannot use this bogus:// URL" in check_url("bogus://secret-token")
    assert "secret-token" not in check_url("bogus://secret-token")
    assert "must continue with http:// or https://" in check_url("statuspage+ftp://x/y")
    assert "not a URL" in check_url("hooks.example.com")


def test_each_service_gets_the_style_it_reads_best() -> None:
    assert style_of("mailto://user:pw@example.com") == Style.HTML
    assert style_of("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ") == Style.MARKDOWN
    assert style_of("json://hooks.example.com/x") == Style.TEXT
    assert style_of("json://hooks.example.com/x?format=markdown") == Style.MARKDOWN, "Apprise's own ?format= chooses another"
    assert style_of("statuspage+https://hooks.example.com/x") == Style.WEBHOOK


def test_the_signature_is_an_hmac_sha256_of_the_exact_body() -> None:
    body = b'{"incident":{"name":"API errors"}}'
    assert signature("It's a Secret to Everybody", body) == "sha256=" + hmac.new(b"It's a Secret to Everybody", body, hashlib.sha256).hexdigest()
    # The value GitHub documents for its X-Hub-Signature-256 example, computed the same way.
    assert signature("It's a Secret to Everybody", b"Hello, World!") == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


# --- messages ---------------------------------------------------------------------------------------------


def test_a_plain_text_message_has_the_status_time_words_components_and_link(view: StatusView) -> None:
    notice = Notices(view).render(find(view, "2026-05-10-api-errors", AnnouncementKind.INCIDENT_NEW), "text")
    assert notice.title == "[Test status] New incident: API errors"
    assert notice.severity == "warning"
    assert notice.body == (
        "Investigating · 10 May 2026, 11:05 CEST\n\n"
        "Some API requests fail with 500 errors.\n\n"
        "Affected: Public API (partial outage), Webhooks (degraded performance)\n\n"
        "https://status.test.example/incidents/2026-05-10-api-errors/#update-20260510T090500Z\n"
    )


def test_mail_gets_the_update_as_the_status_page_renders_it_escaped(tmp_path: Path) -> None:
    hostile = {
        "incidents/2026/2026-05-10-hostile.yml": """
title: "<script>alert(1)</script> & co"
severity: SEV3
components: [api]
updates:
  - at: 2026-05-10T09:00:00Z
    status: investigating
    message: "**Bold** and <img src=x onerror=alert(1)> and [a link](javascript:alert(1))"
    components:
      api: major_outage
""",
    }
    view = make_view(tmp_path / "repo", incidents=hostile)
    notice = Notices(view).render(announcements(view)[0], "html")
    assert notice.title == "[Test status] New incident: <script>alert(1)</script> & co", "a subject is text, not markup"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in notice.body and "<script>" not in notice.body
    assert "<strong>Bold</strong>" in notice.body
    assert "<img" not in notice.body and "javascript:" not in notice.body
    assert notice.severity == "failure", "a major outage is bad news"


def test_chat_gets_a_short_message_with_a_link(view: StatusView) -> None:
    notice = Notices(view).render(find(view, "2026-05-25-email-provider", AnnouncementKind.MAINTENANCE_STARTED), "markdown")
    assert notice.title == "Maintenance started: Email provider switch"
    assert notice.body == (
        "**In progress** · 26 May 2026, 00:00 CEST\n"
        "The scheduled maintenance window has opened.\n"
        "Affected: Email notifications (under maintenance)\n"
        "[View on the status page](https://status.test.example/incidents/2026-05-25-email-provider/)\n"
    )
    assert notice.severity == "info"
    assert shorten("word " * 200, 40) == "word word word word word word word word …"
    assert shorten("short", 40) == "short"


def test_a_correction_says_what_changed_and_shows_the_corrected_update(view: StatusView) -> None:
    notice = Notices(view).render(find(view, "2026-05-10-api-errors", AnnouncementKind.CORRECTION), "text")
    assert notice.title == "[Test status] Correction: API errors"
    assert "A bad deploy; we are rolling it back." in notice.body
    assert "Corrected 10 May 2026, 13:00 CEST: The first version named the wrong deploy." in notice.body
    assert "Public API (partial outage)" in notice.body, "the components as the corrected update left them"
    assert "#update-20260510T094000Z" in notice.body


def test_a_scheduled_maintenance_names_its_window_and_no_status_for_components_yet(view: StatusView) -> None:
    notice = Notices(view).render(find(view, "2026-06-10-database-upgrade", AnnouncementKind.MAINTENANCE_SCHEDULED), "text")
    assert "Scheduled window: 10 Jun 2026, 04:00 CEST until 10 Jun 2026, 05:00 CEST" in notice.body
    assert "Affected: Public API\n" in notice.body


def test_messages_speak_the_sites_language(dutch: StatusView) -> None:
    notices = Notices(dutch)
    started = notices.render(find(dutch, "2026-05-25-email-provider", AnnouncementKind.MAINTENANCE_STARTED), "html")
    assert started.title == "[Test status] Onderhoud begonnen: Email provider switch"
    assert "Het geplande onderhoudsvenster is begonnen." in started.body
    assert "Getroffen: Email notifications (in onderhoud)" in started.body
    assert "Bekijk deze update op de statuspagina" in started.body
    assert "Je ontvangt dit bericht omdat dit adres Test status volgt." in started.body
    assert "26 mei 2026, 00:00 CEST" in started.body
    resolved = notices.render(find(dutch, "2026-05-10-api-errors", AnnouncementKind.INCIDENT_RESOLVED), "markdown")
    assert resolved.title == "Opgelost: API errors"
    assert resolved.body.startswith("**Opgelost** · 10 mei 2026, 12:30 CEST\n")
    assert "[Bekijk op de statuspagina](" in resolved.body


# --- Statuspage's webhook ------------------------------------------------------------------------------


def incident_validator(name: str) -> Draft202012Validator:
    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    return Draft202012Validator({"$ref": f"https://statusbook.invalid/statuspage/defs.json#/$defs/{name}"}, registry=registry)


def test_the_webhook_is_statuspages_incident_update_as_it_stood_then(view: StatusView) -> None:
    webhooks = StatuspageWebhooks(view)
    update = find(view, "2026-05-10-api-errors", AnnouncementKind.UPDATE)
    payload = webhooks.payload(update, datetime(2026, 6, 1, 12, 0, 5, tzinfo=UTC))
    assert list(payload) == ["meta", "page", "incident", "statusbook"]
    assert payload["meta"] == {"unsubscribe": "https://status.test.example/", "documentation": "https://status.test.example/handbook/", "generated_at": "2026-06-01T14:00:05.000+02:00"}
    assert set(payload["page"]) == {"id", "status_indicator", "status_description"}
    incident = payload["incident"]
    errors = [e.message for e in incident_validator("incident").iter_errors(incident)]
    assert not errors, errors
    assert (incident["status"], incident["resolved_at"]) == ("identified", None), "as it stood at the update, not as it stands now (resolved)"
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    assert incident["incident_updates"][0]["body"] == "A bad deploy; we are rolling it back."
    assert payload["statusbook"] == {
        "event": "update",
        "id": update.id,
        "incident_update_id": incident["incident_updates"][0]["id"],
        "url": "https://status.test.example/incidents/2026-05-10-api-errors/#update-20260510T094000Z",
    }
    body = webhooks.body(update, datetime(2026, 6, 1, 12, 0, 5, tzinfo=UTC))
    assert json.loads(body) == payload and b"\n" not in body


def test_a_window_that_opens_by_itself_gets_statuspages_automatic_update(view: StatusView) -> None:
    opened = find(view, "2026-05-25-email-provider", AnnouncementKind.MAINTENANCE_STARTED)
    incident = StatuspageWebhooks(view).payload(opened, NOW)["incident"]
    assert incident["status"] == "in_progress"
    assert (incident["scheduled_auto_in_progress"], incident["scheduled_auto_completed"]) == (True, False)
    assert [u["status"] for u in incident["incident_updates"]] == ["in_progress", "scheduled"]
    assert incident["incident_updates"][0]["body"] == "The scheduled maintenance window has opened."
    assert incident["incident_updates"][0]["created_at"] == "2026-05-26T00:00:00.000+02:00"
    plain = {k: v for k, v in incident.items() if not k.startswith("scheduled_auto_")}
    errors = [e.message for e in incident_validator("scheduled_maintenance").iter_errors(plain)]
    assert not errors, errors


# --- settings and feeds ---------------------------------------------------------------------------------------


def config_problems(statusbook_yaml: str, raw: dict[str, object] | None = None) -> list[tuple[int, int, str, str]]:
    marked = parse_yaml(statusbook_yaml, "mkdocs.yml").value
    config, problems = site_config(raw or {}, marked, Path("/repo"), "mkdocs.yml")
    return config, [(p.line, p.column, p.rule, p.message) for p in problems]


def test_the_notify_file_must_stay_out_of_what_the_site_is_built_from() -> None:
    config, problems = config_problems("notify_file: .statusbook/notify.yml\nwebsub_hub: https://hub.example.com/\n")
    assert problems == [] and config.notify_file == ".statusbook/notify.yml" and config.websub_hub == "https://hub.example.com/"
    for inside in ("handbook/notify.yml", "theme/notify.yml", "incidents/notify.yml"):
        config, problems = config_problems(f"notify_file: {inside}\n")
        assert [(line, column, rule) for line, column, rule, _ in problems] == [(1, 14, "config-value")], inside
        assert "which the site is built from" in problems[0][3] and config.notify_file == ""
    _, problems = config_problems("notify_file: notify.yml\n", {"docs_dir": "."})
    assert problems and "inside ./" in problems[0][3], "a handbook at the root would publish it"
    assert config_problems("notify_file: .notify.yml\n", {"docs_dir": "."})[1] == [], "hidden files never reach the site"
    _, problems = config_problems("notify_file: ../secrets/notify.yml\n")
    assert "a file inside the repository" in problems[0][3]


def test_the_websub_hub_must_be_an_http_url() -> None:
    config, problems = config_problems("websub_hub: pubsubhubbub.appspot.com\n")
    assert [(line, column, rule) for line, column, rule, _ in problems] == [(1, 13, "config-value")]
    assert config.websub_hub == ""


def test_feeds_declare_the_websub_hub_in_atom_and_rss(tmp_path: Path) -> None:
    hub = "https://hub.example.com/"
    view = make_view(tmp_path / "repo", config=CONFIG + f"    websub_hub: {hub}\n")
    files = render(view.config.root, view.now, parts=["feeds"])
    atom = etree.fromstring(files["history.atom"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("/a:feed/a:link[@rel='hub']/@href", namespaces=ns) == [hub]
    assert atom.xpath("/a:feed/a:link[@rel='self']/@href", namespaces=ns) == ["https://status.test.example/history.atom"]
    rss = etree.fromstring(files["components/api/history.rss"])
    assert rss.xpath("/rss/channel/a:link[@rel='hub']/@href", namespaces=ns) == [hub]
    assert rss.xpath("/rss/channel/a:link[@rel='self']/@href", namespaces=ns) == ["https://status.test.example/components/api/history.rss"]
    assert rss.xpath("/rss/channel/link/text()") == ["https://status.test.example/components/api/"], "the channel's link is still the page"
    plain = render(make_view(tmp_path / "plain").config.root, NOW, parts=["feeds"])
    assert b'rel="hub"' not in plain["history.atom"] and b'rel="hub"' not in plain["history.rss"]
