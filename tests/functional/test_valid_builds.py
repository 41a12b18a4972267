"""Whatever `validate` accepts, the build renders: generated incidents, any text, any year and UTC offset allowed.

Hypothesis writes incident files (through a YAML dumper, so every character can appear,
escaped or not), validates them as `statusbook validate` would, and renders every status
output of those that pass: pages, feeds, calendars, the API. Feeds and calendars must stay
parseable; nothing may raise. Files validation refuses are dropped, so the property is
exactly the promise: valid means it builds.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import icalendar
import yaml
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from statusbook.commands.validate import validate_repository
from statusbook.io.config_file import load_config
from support.render import render
from support.repos import schema_project

COMPONENTS = ["website", "api", "webhooks", "payments", "reports"]
COMPONENT_STATUSES = ["operational", "degraded_performance", "partial_outage", "major_outage"]
STATUSES = {"incident": ["investigating", "identified", "monitoring", "resolved"], "maintenance": ["scheduled", "in_progress", "verifying", "completed"]}
EARLIEST, LATEST = datetime(1970, 1, 2, tzinfo=UTC), datetime(2999, 12, 30, tzinfo=UTC)

# Mostly printable text of any script; sometimes anything but lone surrogates (which no UTF-8 file
# can hold), controls and U+FFFE included, which validate must refuse rather than pass to the build.
PRINTABLE = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=40)
TEXT = st.one_of(PRINTABLE, PRINTABLE, PRINTABLE, st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(lambda minutes: timezone(timedelta(minutes=minutes)))
MOMENTS = st.datetimes(min_value=EARLIEST.replace(tzinfo=None), max_value=LATEST.replace(tzinfo=None), timezones=st.just(UTC))


def written(moment: datetime, zone: timezone) -> str:
    """The moment as an author in ``zone`` would write it."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


@st.composite
def incidents(draw: st.DrawFn) -> tuple[dict[str, object], datetime]:
    kind = draw(st.sampled_from(["incident", "maintenance"]))
    components = draw(st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=3, unique=True))
    start = draw(MOMENTS)
    steps = draw(st.lists(st.integers(min_value=0, max_value=10 * 24 * 3600), min_size=1, max_size=4))
    moments = [start + timedelta(seconds=sum(steps[: i + 1])) for i in range(len(steps))]
    assume(moments[-1] < LATEST)
    statuses = STATUSES[kind]
    updates = []
    for index, moment in enumerate(moments):
        last = index == len(moments) - 1
        status = draw(st.sampled_from(statuses)) if not last else draw(st.sampled_from(statuses[-2:]))
        if status == statuses[-1] and not last:
            status = statuses[0]
        update: dict[str, object] = {"at": written(moment, draw(OFFSETS)), "status": status, "message": draw(TEXT)}
        if kind == "incident":
            final = status == statuses[-1]
            update["components"] = {c: "operational" if final else draw(st.sampled_from(COMPONENT_STATUSES)) for c in components}
        updates.append(update)
    body: dict[str, object] = {"title": draw(TEXT)}
    if kind == "maintenance":
        body["kind"] = "maintenance"
        body["scheduled"] = {"start": written(start, draw(OFFSETS)), "end": written(start + timedelta(hours=draw(st.integers(1, 48))), draw(OFFSETS))}
    else:
        body["severity"] = draw(st.sampled_from(["SEV3", "SEV2"]))
        body["internal"] = {"roles": {"incident_manager": "Someone"}}
    body["components"] = components
    body["updates"] = updates
    now = min(moments[-1] + timedelta(seconds=draw(st.integers(min_value=0, max_value=400 * 24 * 3600))), LATEST)
    return body, now


# Each example builds a whole status site; `make explore` (HYPOTHESIS_PROFILE=explore) tries many more.
EXAMPLES = 25 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 500


@settings(max_examples=EXAMPLES)
@given(case=incidents(), unicode_style=st.booleans())
def test_every_incident_validate_accepts_builds(case: tuple[dict[str, object], datetime], unicode_style: bool) -> None:
    body, now = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        project = schema_project(root)
        project.write_bytes("incidents/2026/2026-01-01-generated.yml", yaml.safe_dump(body, allow_unicode=unicode_style, sort_keys=False).encode())
        validation = validate_repository(load_config(root), now=now, use_cache=False)
        errors = [p for p in validation.problems if p.is_error]
        event("refused by validate" if errors else "valid")
        assume(not errors)
        files = render(root, now, parts=None)
    for path, data in files.items():
        if path.endswith((".atom", ".rss", ".xml", ".svg")):
            etree.fromstring(data)  # well-formed, or this raises
        if path.endswith((".atom", ".rss")):
            assert not feedparser.parse(data).bozo, path
        elif path.endswith(".ics"):
            icalendar.Calendar.from_ical(data)
        elif path.endswith(".json"):
            json.loads(data)
    assert any(path.startswith("incidents/2026-01-01-generated/") for path in files) or all(
        datetime.fromisoformat(str(u["at"])) > now for u in body["updates"]  # type: ignore[union-attr]
    )
