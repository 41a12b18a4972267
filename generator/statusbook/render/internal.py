"""The internal site: every incident with its internal record, its postmortem, indexes and the response metrics.

It renders an :class:`~statusbook.view.internal.InternalView`, which holds what
the public renderers never see (roles, chat and call links, assessment,
impact notes, the phase timeline, postmortem documents). Pages are
server-rendered HTML with no script at all, carry ``noindex`` and the status
page's strict Content-Security-Policy, and say on every page that they are
internal. Charts are plain SVG drawn by a template macro from geometry
computed here, styled by the site's own stylesheet (so they follow dark
mode), each with a table of the same numbers beside it.

The internal site is in English, like the handbook; times are in the site's zone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from statusbook.core import urls
from statusbook.core.model import Incident, Update
from statusbook.core.timestamps import stamp
from statusbook.render.i18n import Formatter
from statusbook.render.look import colour_properties
from statusbook.render.markdown import render_document, render_markdown
from statusbook.render.output import Output, fixed
from statusbook.render.page_values import Link, Moment
from statusbook.view import lifecycle
from statusbook.view.internal import InternalView
from statusbook.view.metrics import Spread

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates" / "internal"
STYLESHEET = "assets/internal.css"
INDEX = ""
METRICS = "metrics/"
ROBOTS = b"# The internal incident log: not for any search engine.\nUser-agent: *\nDisallow: /\n"


def policy(allow_remote_images: bool) -> str:
    """The status page's strict policy, word for word (a test holds them equal): no inline script or style, nothing from elsewhere."""
    images = "'self' data: https:" if allow_remote_images else "'self' data:"
    return f"default-src 'none'; style-src 'self'; img-src {images}; script-src 'self'; base-uri 'none'; form-action 'none'"


def incident_page(incident_id: str) -> str:
    return f"incidents/{incident_id}/"


def postmortem_page(incident_id: str) -> str:
    return f"incidents/{incident_id}/postmortem/"


def severity_page(severity_id: str) -> str:
    return f"severities/{severity_id}/"


def component_page(component_id: str) -> str:
    return f"components/{component_id}/"


def team_page(team_id: str) -> str:
    return f"teams/{team_id}/"


# --- what templates get ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One incident in a list."""

    path: str
    title: str
    kind: str
    severity: Link | None
    status: str
    opened: Moment
    duration: str
    components: tuple[Link, ...]
    teams: tuple[Link, ...]
    manager: str
    postmortem: str
    overdue: bool


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the merged timeline: an internal note or a public update."""

    at: Moment
    public: bool
    label: str  # the phase's name, or the public status
    text: str = ""  # an internal note (plain text)
    html: Markup | None = None  # a public update's message
    future: bool = False  # a public update dated after now: not public yet


# Charts: geometry computed here, drawn by the ``chart`` macro. Coordinates are in the SVG's viewBox.


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    cls: str
    title: str


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    cls: str = "label"


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    cls: str = "axis"


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    shape: str  # circle (internal entry) or diamond (public update): shape, not colour alone
    cls: str
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    description: str
    width: float
    height: float
    rects: tuple[Rect, ...] = ()
    labels: tuple[Label, ...] = ()
    lines: tuple[Line, ...] = ()
    dots: tuple[Dot, ...] = ()
    legend: tuple[tuple[str, str], ...] = ()  # (css class, label)


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    segments: tuple[tuple[float, str, str], ...]  # (value, css class, tooltip), stacked left to right
    text: str  # the value in words, after the bar
    layered: bool = False  # draw segments over each other from zero (a median inside its 90th percentile)


def bar_chart(chart_id: str, title: str, description: str, rows: Sequence[BarRow], *, legend: tuple[tuple[str, str], ...] = (), label_width: float = 170) -> Chart:
    """Horizontal bars, one row per item, scaled to the largest; the value in words after each bar."""
    row_height, plot, text_width, top = 28.0, 340.0, 250.0, 8.0
    largest = max((sum(v for v, _, _ in r.segments) if not r.layered else max((v for v, _, _ in r.segments), default=0) for r in rows), default=0) or 1
    rects, labels, lines = [], [], []
    for index, row in enumerate(rows):
        y = top + index * row_height
        labels.append(Label(label_width - 8, y + row_height / 2 + 4, row.label, "end"))
        x = label_width
        end = label_width
        for number, (value, cls, tip) in enumerate(row.segments):
            width = plot * value / largest
            if row.layered:
                inset = 5.0 * number
                rects.append(Rect(label_width, y + 4 + inset, width, row_height - 8 - 2 * inset, cls, tip))
                end = max(end, label_width + width)
            else:
                rects.append(Rect(x, y + 4, width, row_height - 8, cls, tip))
                x += width
                end = x
        labels.append(Label(end + 6, y + row_height / 2 + 4, row.text))
    height = top * 2 + row_height * max(1, len(rows))
    lines.append(Line(label_width, top, label_width, height - top))
    return Chart(chart_id, title, description, label_width + plot + text_width, height, tuple(rects), tuple(labels), tuple(lines), legend=legend)


def _nice_step(largest: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if largest / step <= 5:
            return step
    return max(1, largest // 5)


class InternalSite:
    """Render the internal site of one view."""

    def __init__(self, view: InternalView) -> None:
        self.view = view
        config, handbook = view.config, view.handbook
        self.fmt = Formatter(config.zone, "en")
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.css = colour_properties().encode() + (PACKAGE / "static" / "internal.css").read_bytes()
        self.css_url = f"{STYLESHEET}?v={hashlib.blake2b(self.css, digest_size=5).hexdigest()}"
        self.status_names = {s.id: s.name for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}
        self.titles = {i.id: i.title for i in view.incidents}
        self.env.globals.update(
            site=config,
            handbook=handbook,
            csp=policy(config.allow_remote_images),
            css_url=self.css_url,
            built=self.moment(view.now),
            handbook_url=self.handbook_url,
            public_url=lambda path: urls.absolute(config.site_url, path),
            urls=urls,
            nav=((INDEX, "Incidents"), (METRICS, "Response metrics")),
        )

    # --- small pieces --------------------------------------------------------------------------------

    def moment(self, at: datetime) -> Moment:
        return Moment(stamp(at), self.fmt.datetime(at))

    def duration(self, length: timedelta | None) -> str:
        return "—" if length is None else self.fmt.duration(length)

    def handbook_url(self, page: str, version: str = "latest") -> str:
        return urls.absolute(self.view.config.site_url, urls.handbook_page(version, page))

    def status_label(self, status: str) -> str:
        return self.status_names.get(status, status)

    def severity_link(self, incident: Incident) -> Link | None:
        level = self.view.handbook.severity_by_id.get(incident.severity or "")
        if incident.severity is None:
            return None
        return Link(severity_page(incident.severity), f"{incident.severity} · {level.name}" if level else incident.severity)

    def component_link(self, component_id: str) -> Link:
        component = self.view.handbook.component_by_id.get(component_id)
        return Link(component_page(component_id), component.name if component else component_id)

    def team_link(self, team_id: str) -> Link:
        team = self.view.handbook.team_by_id.get(team_id)
        return Link(team_page(team_id), team.name if team else team_id)

    def postmortem_label(self, incident: Incident) -> str:
        progress = self.view.progress[incident.id]
        if progress.overdue:
            return f"{progress.stage}, overdue"
        if progress.due is not None and not progress.finished:
            return f"{progress.stage}, due {self.fmt.date(progress.due.astimezone(self.view.config.zone).date())}"
        return progress.stage

    def row(self, incident: Incident) -> Row:
        view = self.view
        times = view.times[incident.id]
        end = lifecycle.ended_at(incident, view.handbook, view.now)
        internal = view.internals.get(incident.id)
        return Row(
            path=incident_page(incident.id),
            title=incident.title,
            kind=view.handbook.type_by_id[incident.type].name if incident.type in view.handbook.type_by_id and not incident.is_maintenance else ("Maintenance" if incident.is_maintenance else incident.type),
            severity=self.severity_link(incident),
            status=self.status_label(incident.status),
            opened=self.moment(incident.started_at if incident.is_maintenance else times.opened),
            duration=self.duration((end - incident.started_at) if end else None),
            components=tuple(self.component_link(c) for c in incident.components),
            teams=tuple(self.team_link(t) for t in view.teams(incident)),
            manager=internal.person(view.handbook.roles[0].id) if internal is not None and view.handbook.roles else "",
            postmortem=self.postmortem_label(incident),
            overdue=view.progress[incident.id].overdue,
        )

    def months(self, incidents: Iterable[Incident]) -> list[tuple[str, list[Row]]]:
        """Incidents newest first, grouped by the month they opened in."""
        groups: dict[tuple[int, int], list[Row]] = {}
        for incident in incidents:
            groups.setdefault(self.view.month(incident), []).append(self.row(incident))
        return [(self.fmt.month(key), rows) for key, rows in sorted(groups.items(), reverse=True)]

    # --- pages ---------------------------------------------------------------------------------------

    def render(self, template: str, page: str, **values: object) -> bytes:
        root = "../" * page.count("/")
        return self.env.get_template(template).render(page=page, root=root, home=root or "./", **values).encode("utf-8")

    def listing(self, page: str, title: str, intro: str, incidents: Iterable[Incident]) -> bytes:
        view = self.view
        filters = (
            ("Severity", tuple(Link(severity_page(s.id), f"{s.id} · {s.name}") for s in view.handbook.severities)),
            ("Owning team", tuple(self.team_link(t.id) for t in view.handbook.teams)),
            ("Component", tuple(self.component_link(c.id) for c in view.handbook.components)),
        )
        return self.render("index.html", page, title=title, intro=intro, months=self.months(incidents), filters=filters)

    def index(self) -> bytes:
        count = len(self.view.incidents)
        return self.listing(INDEX, "Incident log", f"Every incident and maintenance ({count}), newest first, by the month it opened.", self.view.incidents)

    def incident(self, incident: Incident) -> bytes:
        view, handbook = self.view, self.view.handbook
        internal = view.internals.get(incident.id)
        version = view.versions.get(incident.id, "latest")
        times = view.times[incident.id]
        progress = view.progress[incident.id]
        anchors = urls.update_anchors(incident)
        updates = [self.update_entry(u, a) for u, a in zip(incident.updates, anchors, strict=True)]
        roles = [(handbook.role_by_id[r].name if r in handbook.role_by_id else r, person) for r, person in (internal.roles if internal else ())]
        questions = [(handbook.question_by_id[q].name if q in handbook.question_by_id else q, answer) for q, answer in (internal.assessment if internal else ())]
        contacts = [(self.team_link(t), handbook.team_by_id[t].escalation) for t in view.teams(incident)]
        moments = (
            ("Detected", times.detected, None),
            ("First public update", times.first_update, times.since_detection(times.first_update)),
            ("Mitigated", times.mitigated, times.since_detection(times.mitigated)),
            ("Resolved" if not incident.is_maintenance else "Completed", times.resolved, times.since_detection(times.resolved)),
        )
        response = [(name, self.moment(at) if at else None, self.duration(since) if since is not None else "") for name, at, since in moments]
        severity = handbook.severity_by_id.get(incident.severity or "")
        return self.render(
            "incident.html",
            incident_page(incident.id),
            incident=incident,
            row=self.row(incident),
            internal=internal,
            version=version,
            severity_url=urls.absolute(view.config.site_url, urls.severity_definition(version, severity.id)) if severity else "",
            updates=updates,
            roles=roles,
            questions=questions,
            contacts=contacts,
            response=response,
            reopened=times.reopened,
            progress=progress,
            due=self.moment(progress.due) if progress.due else None,
            has_document=incident.id in view.postmortems,
            timeline=self.timeline_chart(incident),
            entries=self.entries(incident),
            is_security=bool(handbook.type_by_id.get(incident.type) and handbook.type_by_id[incident.type].extra_phases),
            public_summary=Markup(render_markdown(incident.postmortem_summary, allow_images=view.config.allow_remote_images)) if incident.postmortem_summary else None,
        )

    def update_entry(self, update: Update, anchor: str) -> dict[str, object]:
        return {
            "anchor": anchor,
            "status": self.status_label(update.status),
            "at": self.moment(update.at),
            "html": Markup(render_markdown(update.message, allow_images=self.view.config.allow_remote_images)),
            "correction": (self.moment(update.correction.at), update.correction.reason) if update.correction else None,
            "components": tuple((self.component_link(c).name, self.view.handbook.component_status_by_id[s].name if s in self.view.handbook.component_status_by_id else s) for c, s in update.components),
            "future": update.at > self.view.now,
        }

    def entries(self, incident: Incident) -> list[Entry]:
        """Internal notes and public updates in one list, by time (a note before an update at the same minute)."""
        handbook = self.view.handbook
        internal = self.view.internals.get(incident.id)
        merged: list[tuple[datetime, int, Entry]] = []
        for entry in internal.timeline if internal else ():
            phase = handbook.phase_by_id.get(entry.phase)
            merged.append((entry.at, 0, Entry(self.moment(entry.at), False, phase.name if phase else entry.phase, text=entry.note)))
        for update in incident.updates:
            html = Markup(render_markdown(update.message, allow_images=self.view.config.allow_remote_images))
            merged.append((update.at, 1, Entry(self.moment(update.at), True, self.status_label(update.status), html=html, future=update.at > self.view.now)))
        merged.sort(key=lambda item: (item[0], item[1]))
        return [entry for *_, entry in merged]

    def timeline_chart(self, incident: Incident) -> Chart | None:
        """The phases on a time axis: a row per phase the timeline uses, a row of public updates; the closing review is left to the list."""
        view, handbook = self.view, self.view.handbook
        internal = view.internals.get(incident.id)
        phases = [p for p in handbook.phases_for(incident.type) if not p.closing]
        entries = [e for e in (internal.timeline if internal else ()) if e.phase in {p.id for p in phases}]
        updates = list(incident.updates)
        moments = [e.at for e in entries] + [u.at for u in updates]
        if not moments:
            return None
        start, end = min(moments), max(moments)
        span = (end - start).total_seconds() or 1.0
        used = [p for p in phases if any(e.phase == p.id for e in entries)]
        rows = [(p.name, [(e.at, e.note) for e in entries if e.phase == p.id], "circle", f"phase-{phases.index(p) % 8}") for p in used]
        rows.append(("Public updates", [(u.at, self.status_label(u.status)) for u in updates], "diamond", "public"))
        label_width, plot, row_height, top = 290.0, 430.0, 30.0, 10.0
        dots, labels, lines = [], [], []
        for index, (name, points, shape, cls) in enumerate(rows):
            y = top + index * row_height + row_height / 2
            labels.append(Label(label_width - 12, y + 4, name, "end"))
            lines.append(Line(label_width, y, label_width + plot, y, "guide"))
            for at, text in points:
                x = label_width + plot * (at - start).total_seconds() / span
                dots.append(Dot(round(x, 1), y, shape, cls, f"{self.fmt.time(at)} {name}: {text}"))
        axis = top + len(rows) * row_height + 4
        lines.append(Line(label_width, axis, label_width + plot, axis))
        labels.append(Label(label_width, axis + 16, self.fmt.datetime(start), "start", "tick"))
        labels.append(Label(label_width + plot, axis + 16, self.fmt.datetime(end) if start.date() != end.date() else self.fmt.time(end), "end", "tick"))
        later = len(internal.timeline if internal else ()) - len(entries)
        description = f"{len(entries)} internal timeline entries and {len(updates)} public updates between {self.fmt.datetime(start)} and {self.fmt.datetime(end)}"
        description += f"; {later} later entries (the review) are in the list below only." if later else "."
        return Chart(f"timeline-{incident.id}", "Response timeline by phase", description, label_width + plot + 30, axis + 26, labels=tuple(labels), lines=tuple(lines), dots=tuple(dots))

    def postmortem(self, incident: Incident) -> bytes:
        document = self.view.postmortems[incident.id]
        return self.render(
            "postmortem.html",
            postmortem_page(incident.id),
            incident=incident,
            document=document,
            body=Markup(render_document(document.body)),
            progress=self.view.progress[incident.id],
        )

    # --- metrics -------------------------------------------------------------------------------------

    def metrics_page(self) -> bytes:
        metrics = self.view.metrics
        severities = metrics.severities
        names = {s.id: s.name for s in self.view.handbook.severities}
        months = [(self.fmt.month(m.key), m.counts, m.total) for m in metrics.months]
        measures = (("first_update", "Time to first public update"), ("mitigation", "Time to mitigation"), ("resolution", "Time to resolution"))
        duration_tables = [(key, title, [(row.severity, row.incidents, getattr(row, key)) for row in metrics.durations]) for key, title in measures]
        tally = metrics.postmortems
        return self.render(
            "metrics.html",
            METRICS,
            metrics=metrics,
            severity_names=names,
            months=months,
            month_chart=self.month_chart(),
            duration_tables=duration_tables,
            duration_charts={key: self.duration_chart(key, title) for key, title in measures},
            spread_text=self.spread_text,
            component_chart=self.count_chart("components", "Incidents per component", [(self.component_link(c).name, n) for c, n in metrics.components]),
            team_chart=self.count_chart("teams", "Incidents per owning team", [(self.team_link(t).name, n) for t, n in metrics.teams]),
            component_rows=[(self.component_link(c), n) for c, n in metrics.components],
            team_rows=[(self.team_link(t), n) for t, n in metrics.teams],
            postmortem_chart=self.postmortem_chart(),
            completion=f"{tally.completion:.0%}" if tally.completion is not None else "—",
            overdue=[(Link(incident_page(r.incident_id), r.title), r.severity, r.stage, self.moment(r.due)) for r in tally.overdue],
            reopened=[Link(incident_page(i), self.view_title(i)) for i in metrics.reopened],
            not_measured=[Link(incident_page(i), self.view_title(i)) for i in metrics.not_measured],
            severities=severities,
        )

    def view_title(self, incident_id: str) -> str:
        return self.titles.get(incident_id, incident_id)

    def spread_text(self, spread: Spread) -> tuple[str, str]:
        return self.duration(spread.median), self.duration(spread.p90)

    def month_chart(self) -> Chart:
        metrics = self.view.metrics
        left, top, plot_height, slot = 40.0, 12.0, 160.0, 26.0
        largest = max((m.total for m in metrics.months), default=0)
        step = _nice_step(max(largest, 1))
        ceiling = max(step, -(-largest // step) * step)
        rects, labels, lines = [], [], []
        bottom = top + plot_height
        for value in range(0, ceiling + 1, step):
            y = bottom - plot_height * value / ceiling
            lines.append(Line(left, y, left + slot * len(metrics.months), y, "guide" if value else "axis"))
            labels.append(Label(left - 6, y + 4, str(value), "end", "tick"))
        for index, month in enumerate(metrics.months):
            x = left + index * slot + 4
            y = bottom
            for number, count in enumerate(month.counts):
                if not count:
                    continue
                height = plot_height * count / ceiling
                y -= height
                severity = metrics.severities[number]
                rects.append(Rect(x, round(y, 1), slot - 8, round(height, 1), f"sev-{min(number, 5)}", f"{self.fmt.month(month.key)}: {count} {severity}"))
            year, number_of_month = month.key
            labels.append(Label(x + (slot - 8) / 2, bottom + 14, self.fmt.month(month.key)[:3], "middle", "tick"))
            if number_of_month == 1 or index == 0:
                labels.append(Label(x + (slot - 8) / 2, bottom + 28, str(year), "middle", "tick"))
        legend = tuple((f"sev-{min(n, 5)}", s) for n, s in enumerate(metrics.severities))
        width = left + slot * max(1, len(metrics.months)) + 10
        description = f"Stacked columns: incidents opened per month, by severity, over {len(metrics.months)} months; the table beside it holds the same numbers."
        return Chart("months", "Incidents per month by severity", description, max(width, 300), bottom + 36, tuple(rects), tuple(labels), tuple(lines), legend=legend)

    def duration_chart(self, key: str, title: str) -> Chart:
        rows = []
        for row in self.view.metrics.durations:
            spread: Spread = getattr(row, key)
            if spread.count == 0:
                rows.append(BarRow(row.severity, (), "no measurements"))
                continue
            median, p90 = spread.median.total_seconds() / 60, spread.p90.total_seconds() / 60
            text = f"median {self.duration(spread.median)}, 90th {self.duration(spread.p90)}"
            rows.append(BarRow(row.severity, ((p90, "p90", f"{row.severity} 90th percentile: {self.duration(spread.p90)}"), (median, "median", f"{row.severity} median: {self.duration(spread.median)}")), text, layered=True))
        legend = (("median", "median"), ("p90", "90th percentile"))
        return bar_chart(f"duration-{key}", title, f"{title} per severity: the dark bar is the median, the light bar the 90th percentile; the table beside it holds the same numbers.", rows, legend=legend, label_width=90)

    def count_chart(self, chart_id: str, title: str, counts: Sequence[tuple[str, int]]) -> Chart:
        rows = [BarRow(name, ((count, "count", f"{name}: {count}"),), str(count)) for name, count in counts]
        return bar_chart(chart_id, title, f"{title}: one bar per item, most first; the table beside it holds the same numbers.", rows)

    def postmortem_chart(self) -> Chart:
        tally = self.view.metrics.postmortems
        parts = ((tally.finished, "finished", "finished"), (tally.in_progress, "in-progress", "draft or in review"), (tally.missing, "missing", "missing"))
        row = BarRow("Required", tuple((n, cls, f"{label}: {n}") for n, cls, label in parts if n), f"{tally.finished} of {tally.required} finished")
        legend = tuple((cls, label) for _, cls, label in parts)
        return bar_chart("postmortems", "Postmortem completion", "One stacked bar: required postmortems finished, in progress and missing; the table beside it holds the same numbers.", [row], legend=legend, label_width=90)

    # --- every file --------------------------------------------------------------------------------------

    def outputs(self) -> Iterator[Output]:
        view = self.view
        yield fixed(STYLESHEET, self.css)
        yield fixed("robots.txt", ROBOTS)
        yield Output(urls.page_file(INDEX), self.index)
        yield Output(urls.page_file(METRICS), self.metrics_page)
        for incident in view.incidents:
            yield Output(urls.page_file(incident_page(incident.id)), lambda i=incident: self.incident(i))
            if incident.id in view.postmortems:
                yield Output(urls.page_file(postmortem_page(incident.id)), lambda i=incident: self.postmortem(i))
        for severity in view.handbook.severities:
            chosen = [i for i in view.incidents if i.severity == severity.id]
            yield Output(urls.page_file(severity_page(severity.id)), lambda s=severity, c=chosen: self.listing(severity_page(s.id), f"{s.id} · {s.name}", f"Incidents of severity {s.id} ({len(c)}).", c))
        for team in view.handbook.teams:
            chosen = [i for i in view.incidents if team.id in view.teams(i)]
            yield Output(urls.page_file(team_page(team.id)), lambda t=team, c=chosen: self.listing(team_page(t.id), t.name, f"Incidents and maintenance touching a component the {t.name} owns ({len(c)}).", c))
        for component in view.handbook.components:
            chosen = [i for i in view.incidents if component.id in i.components]
            yield Output(
                urls.page_file(component_page(component.id)),
                lambda c=component, found=chosen: self.listing(component_page(c.id), c.name, f"Incidents and maintenance affecting {c.name} ({len(found)}).", found),
            )


def internal_pages(view: InternalView) -> Iterator[Output]:
    """Every file of the internal site (see :class:`InternalSite`)."""
    return InternalSite(view).outputs()

