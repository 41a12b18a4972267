"""The public status pages: home, incidents, history, components, uptime, badges and their assets.

Everything shown comes from the :class:`~statusbook.view.status_view.StatusView`;
this module formats it (Babel, in the site's zone and language) and fills
Jinja2 templates. Markup lives in the templates (``macros.html`` holds the
pieces), and a theme's ``status/`` folder is searched first, with the defaults
reachable as ``!default/<name>`` so an override can extend them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, Template
from markupsafe import Markup

from statusbook.core import urls
from statusbook.core.ids import Impact, Stage
from statusbook.core.model import Incident, Update
from statusbook.core.timestamps import stamp
from statusbook.errors import BuildError
from statusbook.render.i18n import Formatter, template_gettext
from statusbook.render.look import INDICATOR_LOOK, LOOKS, colour_properties, favicon
from statusbook.render.markdown import render_markdown
from statusbook.render.output import Output
from statusbook.view.banner import incident_impact
from statusbook.view.lifecycle import incident_duration
from statusbook.view.status_view import StatusView
from statusbook.view.uptime import Day

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates" / "status"
STATIC = PACKAGE / "static"
STYLESHEET = "assets/status.css"
SCRIPT = "assets/localtime.js"
# Files a theme may put in its status/ folder that are not templates: changing them changes no page's text.
ASSETS = ("status.css", "localtime.js")
TEMPLATE_SUFFIXES = (".html", ".svg", ".xml", ".txt", ".j2", ".jinja")


def theme_folder(view: StatusView) -> Path:
    return view.config.theme_path / "status"


def has_own_templates(folder: Path) -> bool:
    """Whether a theme replaces any template: then a page may show anything, and depends on everything."""
    return folder.is_dir() and any(p.is_file() and p.suffix in TEMPLATE_SUFFIXES for p in folder.rglob("*"))


def make_environment(theme: Path, language: str) -> Environment:
    """A Jinja2 environment: the theme's templates first, then the defaults (also as ``!default/...``).

    ``_``, ``gettext`` and ``ngettext`` are plain globals with the i18n
    extension's newstyle behaviour (see :func:`template_gettext`).
    """
    loaders = [FileSystemLoader(str(theme))] if theme.is_dir() else []
    defaults = FileSystemLoader(str(TEMPLATES))
    env = Environment(
        loader=ChoiceLoader([*loaders, defaults, PrefixLoader({"!default": defaults})]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates cannot change during a build: skip a stat() per page
        cache_size=-1,
    )
    gettext, ngettext = template_gettext(language)
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    return env


@dataclass(frozen=True, slots=True)
class Moment:
    """A time as pages show it: ``iso`` for ``<time datetime>``, ``text`` in the site's zone and language."""

    iso: str
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    path: str  # relative to the site root; templates put the page's ``root`` before it
    name: str


@dataclass(frozen=True, slots=True)
class SeverityLink:
    id: str
    label: str
    path: str


@dataclass(frozen=True, slots=True)
class UpdateItem:
    """One update as the timeline shows it."""

    anchor: str
    status_label: str
    at: Moment
    html: Markup
    correction: tuple[Moment, str] | None
    components: tuple[tuple[str, Markup], ...]  # component name, status pill


@dataclass(frozen=True, slots=True)
class Summary:
    """An incident as lists and cards show it, computed once per build however many pages show it."""

    id: str
    path: str
    title: str
    is_maintenance: bool
    pill: Markup
    status_label: str
    severity: SeverityLink | None
    window: tuple[Moment, Moment] | None
    start: Moment
    end: Moment | None
    duration: str
    active: bool
    latest: UpdateItem
    components: tuple[Link, ...]
    postmortem: str | None


def _asset(theme: Path, name: str) -> bytes:
    """A static file: the theme's status/<name> when present, else the package default."""
    own = theme / name
    return own.read_bytes() if own.is_file() else (STATIC / name).read_bytes()


def pager_numbers(current: int, count: int) -> list[int]:
    """Page numbers to link: first, last and two either side of the current one; 0 marks a gap."""
    shown = sorted({1, count, *range(max(1, current - 2), min(count, current + 2) + 1)})
    result: list[int] = []
    for number in shown:
        if result and number - result[-1] > 1:
            result.append(0)
        result.append(number)
    return result


# Approximate advance widths (px) of 11px Verdana/DejaVu Sans, as shields-style badges use.
_NARROW = set("fijlrt.,:;!'|()[] ")
_WIDE = set("mwMW@%")


def text_width(text: str) -> int:
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 3.9
        elif char in _WIDE:
            width += 10.5
        elif char.isupper() or char.isdigit():
            width += 7.6
        else:
            width += 6.7
    return math.ceil(width)


class StatusPages:
    """Render the status pages of one view; each page on demand.

    Templates get their data ready-made (times formatted, labels translated,
    links as site paths), so a page makes few calls into Python: at ten
    thousand incident pages, every call counts. The markup itself is in the
    templates' macros; a pill the macros draw is drawn once per status.
    """

    def __init__(self, view: StatusView) -> None:
        self.view = view
        config, handbook = view.config, view.handbook
        self.theme = theme_folder(view)
        self.env = make_environment(self.theme, config.language)
        self.fmt = Formatter(config.zone, config.language)
        self._ = self.fmt._
        self.css = colour_properties().encode() + _asset(self.theme, "status.css")
        self.js = _asset(self.theme, "localtime.js")
        self.css_url = f"{STYLESHEET}?v={hashlib.blake2b(self.css, digest_size=5).hexdigest()}"
        self.js_url = f"{SCRIPT}?v={hashlib.blake2b(self.js, digest_size=5).hexdigest()}"
        self.status_names = {s.id: s.name for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}
        self.component_status_names = {s.id: s.name for s in handbook.component_statuses}
        self.overall = view.state.overall
        self.favicon = favicon(INDICATOR_LOOK[self.overall.indicator])
        self._templates: dict[str, Template] = {}
        self._moments: dict[datetime, Moment] = {}
        self._pills: dict[tuple[str, str], Markup] = {}
        self._summaries: dict[str, Summary] = {}
        self.env.globals.update(
            site=config,
            handbook=handbook,
            fmt=self.fmt,
            urls=urls,
            now=self.moment(view.now),
            overall=self.overall,
            looks=LOOKS,
            indicator_look=INDICATOR_LOOK,
            csp=self.csp(),
            favicon=self.favicon,
            css_url=self.css_url,
            js_url=self.js_url,
            link=urls.relative,
            pages=pager_numbers,
            component_status_label=self.component_status_label,
            day_text=self.day_text,
            day_summary=self.day_summary,
            day_percent=lambda day: math.floor(day.uptime * 10000 + 1e-9) / 100,
        )
        self.env.globals["icon_sprite"] = Markup(self.env.get_template("icons.svg").render())
        self.macros = self.env.get_template("macros.html").module
        # A theme with its own templates may show anything on any page: then every page depends on the whole view.
        self.everything = ("everything", view.now.isoformat(), *(view.fingerprint(i) for i in view.incidents)) if has_own_templates(self.theme) else ()

    def csp(self) -> str:
        images = "'self' data: https:" if self.view.config.allow_remote_images else "'self' data:"
        return f"default-src 'none'; style-src 'self'; img-src {images}; script-src 'self'; base-uri 'none'; form-action 'none'"

    # --- data for the templates ------------------------------------------------------------------

    def status_label(self, status_id: str) -> str:
        return self._(self.status_names.get(status_id, status_id))

    def component_status_label(self, status_id: str) -> str:
        return self._(self.component_status_names.get(status_id, status_id))

    def component_name(self, component_id: str) -> str:
        component = self.view.handbook.component_by_id.get(component_id)
        return component.name if component is not None else component_id

    def moment(self, at: datetime) -> Moment:
        found = self._moments.get(at)
        if found is None:
            found = self._moments[at] = Moment(stamp(at), self.fmt.datetime(at))
        return found

    def pill(self, look: str, label: str) -> Markup:
        """A status as the theme's ``status_pill`` macro draws it: shape and words, never colour alone."""
        found = self._pills.get((look, label))
        if found is None:
            found = self._pills[(look, label)] = Markup(self.macros.status_pill(look, label))
        return found

    def incident_look(self, incident: Incident) -> str:
        """The status shape for an incident: a check once over, the clock for maintenance, else by impact."""
        if self.view.stage(incident) == Stage.ENDED:
            return "operational"
        if incident.is_maintenance:
            return "under_maintenance"
        impact = incident_impact(incident, self.view.handbook)
        return {Impact.CRITICAL: "major_outage", Impact.MAJOR: "partial_outage"}.get(impact, "degraded_performance")

    def update_item(self, update: Update, anchor: str) -> UpdateItem:
        correction = (self.moment(update.correction.at), update.correction.reason) if update.correction else None
        components = tuple((self.component_name(cid), self.pill(state, self.component_status_label(state))) for cid, state in update.components)
        html = Markup(render_markdown(update.message, allow_images=self.view.config.allow_remote_images))
        return UpdateItem(anchor, self.status_label(update.status), self.moment(update.at), html, correction, components)

    def summary(self, incident: Incident) -> Summary:
        """What lists, cards and the incident page show of an incident (once per build)."""
        found = self._summaries.get(incident.id)
        if found is not None:
            return found
        view = self.view
        start, end, length = incident_duration(incident, view.handbook, view.now)
        status_label = self.status_label(view.status(incident))
        level = view.handbook.severity_by_id.get(incident.severity or "")
        severity = None
        if level is not None:
            path = urls.severity_definition(view.handbook_versions.get(incident.id, "latest"), level.id)
            severity = SeverityLink(level.id, self._(level.name), path)
        window = (self.moment(incident.scheduled.start), self.moment(incident.scheduled.end)) if incident.scheduled else None
        latest = incident.updates[-1]
        found = self._summaries[incident.id] = Summary(
            id=incident.id,
            path=urls.incident_page(incident.id),
            title=incident.title,
            is_maintenance=incident.is_maintenance,
            pill=self.pill(self.incident_look(incident), status_label),
            status_label=status_label,
            severity=severity,
            window=window,
            start=self.moment(start),
            end=self.moment(end) if end is not None else None,
            duration=self.fmt.duration(length),
            active=view.stage(incident) == Stage.ACTIVE,
            latest=self.update_item(latest, view.anchors(incident)[-1]),
            components=tuple(Link(urls.component_page(cid), self.component_name(cid)) for cid in incident.components),
            postmortem=incident.postmortem,
        )
        return found

    def summaries(self, incidents: Iterable[Incident]) -> list[Summary]:
        return [self.summary(i) for i in incidents]

    def day_summary(self, day: Day) -> str:
        """What happened to a component on one day, in words: time per status and the incidents."""
        if not day.durations:
            return self._("No incidents.")
        parts = [self._("%(status)s for %(duration)s", status=self.component_status_label(s), duration=self.fmt.duration(length)) for s, length in day.durations]
        text = "; ".join(parts) + "."
        titles = [self.view.index.by_id[i].title for i in day.incident_ids if i in self.view.index.by_id]
        if titles:
            text += " " + self._("Incidents: %(titles)s.", titles="; ".join(titles))
        return text

    def day_text(self, day: Day) -> str:
        return f"{self.fmt.date(day.date)}: {self.day_summary(day)}"

    # --- pages -----------------------------------------------------------------------------------

    def render(self, template: str, page: str, **values: object) -> bytes:
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = self.env.get_template(template)
        root = "../" * page.count("/")
        canonical = urls.absolute(self.view.config.site_url, page)
        return compiled.render(page=page, root=root, home=root or "./", canonical=canonical, **values).encode("utf-8")

    def home(self) -> bytes:
        state = self.view.state
        sections = (
            ("active", self._("Active incidents"), self.summaries(state.active_incidents)),
            ("maintenance-now", self._("Maintenance in progress"), self.summaries(state.maintenance_in_progress)),
            ("maintenance-next", self._("Upcoming maintenance"), self.summaries(state.maintenance_upcoming)),
        )
        days = [(self.fmt.weekday(day), self.summaries(incidents)) for day, incidents in state.recent_days]
        pills = {s.id: self.pill(s.id, self.component_status_label(s.id)) for s in self.view.handbook.component_statuses}
        return self.render("home.html", urls.HOME, state=state, sections=sections, days=days, uptime=self.view.uptime, pills=pills)

    def incident(self, incident: Incident) -> bytes:
        timeline = [self.update_item(update, anchor) for update, anchor in zip(incident.updates, self.view.anchors(incident), strict=True)][::-1]
        return self.render("incident.html", urls.incident_page(incident.id), incident=self.summary(incident), timeline=timeline)

    def history(self, number: int) -> bytes:
        history = self.view.history[number - 1]
        months = [(key, self.fmt.month(key), self.summaries(incidents)) for key, incidents in history.months]
        return self.render("history.html", urls.history_page(number), history=history, months=months)

    def component(self, component_id: str) -> bytes:
        view = self.view
        mine = view.index.by_component.get(component_id, ())
        start = view.uptime[component_id].days[0].start
        recent = [i for i in mine if i.started_at >= start or view.stage(i) == Stage.ACTIVE]
        if len(recent) < view.config.history_page_size:
            recent = list(mine[: view.config.history_page_size])
        state = view.state.components[component_id]
        return self.render(
            "component.html",
            urls.component_page(component_id),
            component=view.handbook.component_by_id[component_id],
            state=state,
            pill=self.pill(state.status, self.component_status_label(state.status)),
            uptime=view.uptime[component_id],
            incidents=self.summaries(recent),
            total=len(mine),
            active=self.summaries(view.index.by_id[i] for i in state.incident_ids),
        )

    def uptime_page(self) -> bytes:
        pills = {s.id: self.pill(s.id, self.component_status_label(s.id)) for s in self.view.handbook.component_statuses}
        return self.render("uptime.html", urls.UPTIME, state=self.view.state, uptime=self.view.uptime, pills=pills)

    def badge(self, label: str, message: str, look: str) -> bytes:
        left = text_width(label) + 12
        right = text_width(message) + 12 + 16
        return self.env.get_template("badge.svg").render(label=label, message=message, icon=look, left=left, right=right, width=left + right).encode("utf-8")

    # --- inputs ------------------------------------------------------------------------------------

    def now_inputs(self) -> tuple[str, ...]:
        """What the pages that show the site now (home, uptime, components) are made of.

        The clock, how many incidents each component had, and every incident
        they may show or count: those not over yet, those that touch the
        uptime window, and each component's latest.
        """
        view = self.view
        shown = {i.id for i in view.uptime_window}
        shown.update(i.id for i in view.incidents if view.stage(i) != Stage.ENDED)
        for incident in view.incidents:  # newest first: those that started in the window come first
            if incident.started_at < view.uptime_start:
                break
            shown.add(incident.id)
        for found in view.index.by_component.values():
            shown.update(i.id for i in found[: view.config.history_page_size])
        counts = ",".join(f"{cid}:{len(found)}" for cid, found in sorted(view.index.by_component.items()))
        return (view.now.isoformat(), counts, *(view.fingerprint(i) for i in view.incidents if i.id in shown))

    def base_inputs(self) -> tuple[str, ...]:
        """What every page shows besides its own content: the banner (favicon), assets and theme."""
        return (self.favicon, self.css_url, self.js_url, *self.everything)

    def outputs(self) -> Iterator[Output]:
        """Every status page file (HTML, badges, assets), each with the inputs it is rendered from."""
        view = self.view
        seen: set[str] = set()
        base = self.base_inputs()

        def output(path: str, render, inputs: tuple[str, ...] | None = None) -> Output:
            if path in seen:
                raise BuildError(f"the status page would write {path} twice; rename the component whose id makes it clash")
            seen.add(path)
            return Output(path, render, None if inputs is None else (*base, *inputs))

        now = self.now_inputs()
        yield output(STYLESHEET, lambda: self.css)
        yield output(SCRIPT, lambda: self.js)
        yield output(urls.page_file(urls.HOME), self.home, ("home", *now))
        yield output(urls.page_file(urls.UPTIME), self.uptime_page, ("uptime", *now))
        for incident in view.incidents:
            yield output(urls.page_file(urls.incident_page(incident.id)), lambda i=incident: self.incident(i), ("incident", view.fingerprint(incident)))
        for history in view.history:
            listed = (view.fingerprint(i) for _, incidents in history.months for i in incidents)
            yield output(urls.page_file(urls.history_page(history.number)), lambda n=history.number: self.history(n), ("history", str(history.number), str(history.count), *listed))
        overall = self.overall
        yield output(urls.BADGE, lambda: self.badge(self._("status"), self._(overall.description), INDICATOR_LOOK[overall.indicator]))
        for component in view.handbook.components:
            yield output(urls.page_file(urls.component_page(component.id)), lambda c=component.id: self.component(c), (f"component {component.id}", *now))
            state = view.state.components[component.id]
            yield output(urls.component_badge(component.id), lambda c=component, s=state.status: self.badge(c.name, self.component_status_label(s), s))


def status_pages(view: StatusView) -> Iterator[Output]:
    """Render the status pages of a view (see :class:`StatusPages`)."""
    return StatusPages(view).outputs()
