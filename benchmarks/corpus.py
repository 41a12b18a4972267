"""Generate N realistic, valid synthetic incident files for benchmarks (deterministic for a seed).

Each file looks like what people write by hand: 1-2 KB, 2-6 public updates
with Markdown, UTC offsets of several zones, an internal block with roles,
assessment answers and a phase-tagged timeline, and now and then a comment.
Components and severities come from the real handbook in this repository.

    python benchmarks/corpus.py 1000 /tmp/corpus-1000   # writes a repository there
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMPONENTS = ["website", "dashboard", "checkout-web", "api", "webhooks", "payments", "reports", "login", "email"]
SEVERITIES = ["SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3", "SEV3"]
OFFSETS = [timedelta(0), timedelta(hours=1), timedelta(hours=2), timedelta(hours=-5), timedelta(hours=5, minutes=30)]
PEOPLE = ["Priya Natarajan", "Joost de Vries", "Amara Okafor", "Lena Fischer", "Tomás Ribeiro", "Mei Chen", "Daniel Kowalski", "Sofia Lindqvist", "Kwame Mensah", "Hannah Becker"]
PROBLEMS = [
    ("Elevated error rates on {name}", "Some requests to {name} are failing with errors."),
    ("{name} slower than usual", "{name} is responding more slowly than usual for some customers."),
    ("{name} unavailable for some customers", "Some customers cannot use {name}."),
    ("Delays in {name}", "Work handled by {name} is taking longer than usual to complete."),
]
CAUSES = [
    "a configuration change rolled out this morning",
    "a database that ran out of connections",
    "an expired certificate on an internal service",
    "a full disk on a queue server",
    "a slow query introduced by a recent release",
    "a failing network link between two data centres",
]
FIXES = [
    "We have rolled back the change and error rates are falling.",
    "We have added capacity and the backlog is shrinking.",
    "A fix is deployed to all servers.",
    "Traffic has been moved away from the affected servers.",
]
DOWN = {"SEV1": "major_outage", "SEV2": "partial_outage", "SEV3": "degraded_performance"}
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_MINUTES = int(5.8 * 365 * 24 * 60)  # up to October 2026: every update is in the past of the benchmarks' clock


def _stamp(moment: datetime, offset: timedelta) -> str:
    text = moment.astimezone(timezone(offset)).isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _message(rng: random.Random, text: str) -> list[str]:
    """A public message: plain, emphasised, or a short Markdown list with a link or code."""
    style = rng.random()
    if style < 0.5:
        return [f"    message: {text}"]
    if style < 0.8:
        return ["    message: |-", f"      {text}", "      Other services are **not affected**."]
    return [
        "    message: |-",
        f"      {text}",
        "",
        "      - retry after a few minutes;",
        "      - see [the docs](https://docs.example.com/errors) for `503`.",
    ]


def incident_text(rng: random.Random, index: int) -> tuple[str, str]:
    """Return (id, text) of one synthetic incident."""
    severity = rng.choice(SEVERITIES)
    components = rng.sample(COMPONENTS, rng.choice((1, 1, 2, 2, 3)))
    offset = rng.choice(OFFSETS)
    start = START + timedelta(minutes=rng.randrange(SPAN_MINUTES))
    title_form, first = rng.choice(PROBLEMS)
    name = components[0].replace("-", " ")
    incident_id = f"{start:%Y-%m-%d}-synthetic-{index:05d}"
    count = rng.randint(2, 6)
    statuses = ["investigating", *rng.sample(["identified", "identified", "monitoring"], k=min(count - 2, 3))]
    statuses += ["monitoring"] * (count - 1 - len(statuses)) + ["resolved"]
    lines = []
    if rng.random() < 0.3:
        lines.append(f"# Synthetic incident {index} for benchmarks.")
    lines += [f"title: {title_form.format(name=name.capitalize())}", "kind: incident", f"severity: {severity}", f"components: [{', '.join(components)}]"]
    if severity != "SEV3":
        lines.append(f"postmortem: https://example.com/postmortems/{incident_id}")
    lines.append("updates:")
    moment = start
    for number, status in enumerate(statuses):
        lines += [f"  - at: {_stamp(moment, offset)}", f"    status: {status}"]
        if number == 0:
            lines += _message(rng, first.format(name=name.capitalize()))
            lines += ["    components:", *(f"      {cid}: {DOWN[severity]}" for cid in components)]
        elif status == "identified":
            lines += _message(rng, f"The cause is {rng.choice(CAUSES)}. We are working on a fix.")
        elif status == "monitoring":
            lines += _message(rng, rng.choice(FIXES) + " We are monitoring the results.")
            lines += ["    components:", *(f"      {cid}: operational" for cid in components)]
        else:
            lines += ["    message: The service is working normally again. We are sorry for the disruption."]
            lines += ["    components:", *(f"      {cid}: operational" for cid in components)]
        moment += timedelta(minutes=rng.randint(10, 90))
    manager, lead, comms = rng.sample(PEOPLE, 3)
    lines += [
        "internal:",
        "  roles:",
        f"    incident_manager: {manager}",
        f"    tech_lead: {lead}",
        f"    communications_manager: {comms}",
        f'  chat: "#inc-{incident_id}"',
        f"  call: https://meet.example.com/{incident_id}",
        "  assessment:",
        f"    customer_impact: {first.format(name=name.capitalize())}",
        f"    affected_customers: About {rng.randint(1, 60)}% of customers.",
        f'    support_cases: "{rng.randint(0, 80)}"',
        f"  impact: Roughly {rng.randint(100, 90000):,} failed requests.",
        "  timeline:",
    ]
    detected = start - timedelta(minutes=rng.randint(2, 15))
    steps = (("detect", 0), ("assess", 3), ("resolve", 60)) if count < 5 else (("detect", 0), ("resolve", 60))
    for phase, after in steps:
        lines += [f"    - at: {_stamp(detected + timedelta(minutes=after), offset)}", f"      phase: {phase}", f"      note: {phase.capitalize()} step for incident {index}."]
    return incident_id, "\n".join(lines) + "\n"


def maintenance_text(rng: random.Random, index: int) -> tuple[str, str]:
    """Return (id, text) of one synthetic scheduled maintenance: announced, carried out, completed."""
    components = rng.sample(COMPONENTS, rng.choice((1, 1, 2)))
    offset = rng.choice(OFFSETS)
    start = START + timedelta(minutes=rng.randrange(SPAN_MINUTES))
    start -= timedelta(minutes=start.minute % 30)
    end = start + timedelta(minutes=rng.choice((30, 60, 120)))
    announced = start - timedelta(days=rng.randint(3, 14))
    name = components[0].replace("-", " ")
    incident_id = f"{start:%Y-%m-%d}-maintenance-{index:05d}"
    lines = [
        f"title: Planned maintenance of {name}",
        "kind: maintenance",
        f"components: [{', '.join(components)}]",
        "scheduled:",
        f"  start: {_stamp(start, offset)}",
        f"  end: {_stamp(end, offset)}",
        "updates:",
        f"  - at: {_stamp(announced, offset)}",
        "    status: scheduled",
        f"    message: We will upgrade {name}; it may be *briefly unavailable* during the window.",
        f"  - at: {_stamp(start, offset)}",
        "    status: in_progress",
        "    message: The maintenance has started.",
        "    components:",
        *(f"      {cid}: under_maintenance" for cid in components),
        f"  - at: {_stamp(end - timedelta(minutes=5), offset)}",
        "    status: completed",
        "    message: The maintenance is complete.",
        "    components:",
        *(f"      {cid}: operational" for cid in components),
        "internal:",
        f'  chat: "#maint-{incident_id}"',
    ]
    return incident_id, "\n".join(lines) + "\n"


def generate(count: int, seed: int = 42, maintenance: float = 0.0) -> dict[str, str]:
    """Return {relative path: text} for count incidents; the same seed gives the same files.

    A share ``maintenance`` of them (0 by default, as the validation and status
    benchmarks were measured) are scheduled maintenances instead.
    """
    rng = random.Random(seed)
    chooser = random.Random(seed + 1)  # a separate stream: with no share, the corpus is the one measured before
    files = {}
    for index in range(count):
        if maintenance and chooser.random() < maintenance:
            incident_id, text = maintenance_text(chooser, index)
        else:
            incident_id, text = incident_text(rng, index)
        files[f"incidents/{incident_id[:4]}/{incident_id}.yml"] = text
    return files


def write_repository(root: Path, count: int, seed: int = 42, maintenance: float = 0.0) -> list[str]:
    """Create a repository at root with the real handbook schema and count incidents; return their paths."""
    if root.exists():
        shutil.rmtree(root)
    (root / "handbook").mkdir(parents=True)
    for name in ("schema.yml", "components.yml"):
        shutil.copy(REPO / "handbook" / name, root / "handbook" / name)
    files = generate(count, seed, maintenance)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4, 5):
        sys.exit("usage: python benchmarks/corpus.py N DIR [SEED [MAINTENANCE_SHARE]]")
    paths = write_repository(Path(sys.argv[2]), int(sys.argv[1]), int(sys.argv[3]) if len(sys.argv) >= 4 else 42, float(sys.argv[4]) if len(sys.argv) == 5 else 0.0)
    print(f"wrote {len(paths)} incidents under {sys.argv[2]}/incidents")
