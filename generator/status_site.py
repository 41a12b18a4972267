"""Render the public status page: home, incidents, history, components, uptime and badges.

The view model comes from :mod:`generator.status`; this module only formats
(Babel, in the site's zone and language) and fills Jinja2 templates. A
user's ``theme/status/`` folder is searched before the package's templates,
and the defaults stay reachable as ``!default/<name>`` so an override can
extend them instead of copying them.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import io
import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, Template
from markupsafe import Markup

from generator import status, urls
from generator.config import SiteConfig
from generator.errors import BuildError
from generator.markdown_render import render_markdown
from generator.model import Incident, Update
from generator.schema import Handbook
from generator.status import N_

if TYPE_CHECKING:
    from generator.build import BuildContext

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates" / "status"
STATIC = PACKAGE / "static"
LOCALES = PACKAGE / "locale"
STYLESHEET = "assets/status.css"
SCRIPT = "assets/localtime.js"

# Names the default handbook gives statuses, so catalogs can translate them; a renamed status
# simply shows its own name.
HANDBOOK_NAMES = (
    N_("Operational"),
    N_("Degraded performance"),
    N_("Partial outage"),
    N_("Major outage"),
    N_("Under maintenance"),
    N_("Investigating"),
    N_("Identified"),
    N_("Monitoring"),
    N_("Resolved"),
    N_("Scheduled"),
    N_("In progress"),
    N_("Verifying"),
    N_("Completed"),
    N_("Critical"),
    N_("Major"),
    N_("Minor"),
)
# One shape per component status, so status never depends on colour alone (16x16, even-odd cut-outs).
ICON_PATHS = {
    "operational": "M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0Zm3.7 5.3-4.6 5.9-3-2.9 1.1-1.1 1.8 1.7 3.5-4.5Z",
    "degraded_performance": "M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0ZM4 7h8v2H4Z",
    "partial_outage": "M8 .5 15.8 15H.2ZM7 5.5h2v5H7Zm0 6.5h2v2H7Z",
    "major_outage": "M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0ZM4.5 5.9l1.4-1.4L8 6.6l2.1-2.1 1.4 1.4L9.4 8l2.1 2.1-1.4 1.4L8 9.4l-2.1 2.1-1.4-1.4L6.6 8Z",
    "under_maintenance": "M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0ZM7 3h2v4.4l3 1.8-1 1.7-4-2.4Z",
}
# Badge backgrounds: each keeps white 11px text above WCAG AA's 4.5:1.
BADGE_COLOURS = {
    "operational": "#1a7f37",
    "degraded_performance": "#8a5a00",
    "partial_outage": "#b04a00",
    "major_outage": "#c21f2c",
    "under_maintenance": "#0b62c4",
}
# Which status icon stands for each banner indicator.
INDICATOR_ICON = {"none": "operational", "maintenance": "under_maintenance", "minor": "degraded_performance", "major": "partial_outage", "critical": "major_outage"}


# --- language -----------------------------------------------------------------------------------


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """Compile the language's catalog in memory (no .mo files to commit); English needs none."""
    for candidate in _candidates(language):
        po = LOCALES / candidate / "LC_MESSAGES" / "messages.po"
        if po.is_file():
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=candidate)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


def _candidates(language: str) -> list[str]:
    normal = language.replace("-", "_")
    return [normal, normal.split("_")[0]] if "_" in normal else [normal]


@functools.cache
def babel_locale(language: str) -> Locale:
    for candidate in _candidates(language):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


class Formatter:
    """Dates, durations and numbers in the site's zone and language."""

    def __init__(self, config: SiteConfig, catalog: gettext.NullTranslations) -> None:
        self.zone = config.zone
        self.locale = babel_locale(config.language)
        self.catalog = catalog

    def _(self, message: str, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        return self.catalog.ngettext(singular, plural, count) % values

    def datetime(self, moment: datetime) -> str:
        """Like '27 Nov 2026, 14:05 CET': absolute, in the site's zone, with the zone named."""
        local = moment.astimezone(self.zone)
        text = format_datetime(local, "d MMM y, HH:mm", tzinfo=self.zone, locale=self.locale)
        return f"{text} {self.zone_name(moment)}"

    def zone_name(self, moment: datetime) -> str:
        name = moment.astimezone(self.zone).tzname() or "UTC"
        return f"UTC{name}" if name[:1] in "+-" else name

    def time(self, moment: datetime) -> str:
        return format_datetime(moment.astimezone(self.zone), "HH:mm", tzinfo=self.zone, locale=self.locale)

    def date(self, day: date) -> str:
        return format_date(day, "d MMM y", locale=self.locale)

    def weekday(self, day: date) -> str:
        return format_date(day, "EEEE d MMMM y", locale=self.locale)

    def month(self, key: tuple[int, int]) -> str:
        return format_date(date(key[0], key[1], 1), "MMMM y", locale=self.locale)

    def duration(self, length: timedelta) -> str:
        """A duration in days, hours and minutes ('2 h 5 min'); under a minute says so."""
        minutes = int(length.total_seconds() // 60)
        if minutes < 1:
            return self._("under 1 min")
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        parts = []
        if days:
            parts.append(self.ngettext("%(num)d day", "%(num)d days", days, num=days))
        if hours:
            parts.append(self._("%(num)d h", num=hours))
        if minutes:
            parts.append(self._("%(num)d min", num=minutes))
        return " ".join(parts)

    def percent(self, value: float) -> str:
        return format_decimal(value, "0.00", locale=self.locale) + "%"

    def weight(self, value: float) -> str:
        return format_decimal(value * 100, "0.#", locale=self.locale) + "%"


# --- templates ----------------------------------------------------------------------------------


def make_environment(config: SiteConfig) -> Environment:
    """A Jinja2 environment: the user's theme first, then the defaults (also as ``!default/...``)."""
    user = config.root / config.theme_dir / "status"
    loaders = [FileSystemLoader(str(user))] if user.is_dir() else []
    defaults = FileSystemLoader(str(TEMPLATES))
    env = Environment(
        loader=ChoiceLoader([*loaders, defaults, PrefixLoader({"!default": defaults})]),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates cannot change during a build: skip a stat() per page
        cache_size=-1,
    )
    catalog = translations(config.language)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    # The same "newstyle" semantics (escaped %(name)s values, num for plurals) without the
    # extension's per-call context lookups: a page calls these dozens of times.
    cache: dict[str, Markup] = {}

    def gettext_(message: str, **variables: object) -> Markup:
        text = cache.get(message)
        if text is None:
            text = cache[message] = Markup(catalog.gettext(message))
        return text % variables

    def ngettext_(singular: str, plural: str, num: int, **variables: object) -> Markup:
        variables.setdefault("num", num)
        return Markup(catalog.ngettext(singular, plural, num)) % variables

    env.globals.update(gettext=gettext_, _=gettext_, ngettext=ngettext_)
    return env


def _asset(config: SiteConfig, name: str) -> bytes:
    """A static file: the user's theme/status/<name> when present, else the package default."""
    user = config.root / config.theme_dir / "status" / name
    return user.read_bytes() if user.is_file() else (STATIC / name).read_bytes()


def _fingerprint(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=5).hexdigest()


class Site:
    """Everything shared by the pages of one build, and one method per page."""

    def __init__(self, context: BuildContext) -> None:
        self.context = context
        self.config: SiteConfig = context.config
        self.handbook: Handbook = context.handbook
        self.now = context.now
        self.zone = self.config.zone
        self.env = make_environment(self.config)
        self.fmt = Formatter(self.config, translations(self.config.language))
        self._ = self.fmt._
        self.index = status.index_incidents(context.incidents, self.handbook, self.now, self.zone)
        self.state = status.page_state(self.index, self.handbook, self.now, self.zone)
        self.uptime = status.all_uptime(self.index, self.handbook, self.now, self.zone)
        self.versions: Mapping[str, str] = context.handbook_versions
        self.css = _asset(self.config, "status.css")
        self.js = _asset(self.config, "localtime.js")
        self.css_url = f"{STYLESHEET}?v={_fingerprint(self.css)}"
        self.js_url = f"{SCRIPT}?v={_fingerprint(self.js)}"
        self.status_names = {s.id: s.name for s in (*self.handbook.incident_statuses, *self.handbook.maintenance_statuses)}
        self.component_status_names = {s.id: s.name for s in self.handbook.component_statuses}
        self._templates: dict[str, Template] = {}
        self.page = urls.HOME
        self.env.globals.update(
            site=self.config,
            handbook=self.handbook,
            fmt=self.fmt,
            urls=urls,
            now=self.now,
            overall=self.state.overall,
            indicator_icon=INDICATOR_ICON,
            status_label=self.status_label,
            component_status_label=self.component_status_label,
            component_name=self.component_name,
            severity_of=self.severity_of,
            severity_url=self.severity_url,
            update_html=self.update_html,
            update_anchor=urls.update_anchor,
            incident_latest=self.latest,
            incident_duration=lambda i: status.incident_duration(i, self.handbook, self.now),
            incident_phase=lambda i: self.index.phase_of[i.id],
            incident_by_id=self.index.by_id,
            csp=self.csp(),
            url=self.url,
            favicon=self.favicon(),
            icon_paths=ICON_PATHS,
            badge_colour=BADGE_COLOURS,
            incident_icon=self.incident_icon,
            day_text=self.day_text,
            day_summary=self.day_summary,
            day_percent=lambda day: math.floor(day.uptime * 10000 + 1e-9) / 100,
            pages=pager_numbers,
            icon=icon_markup,
            when=self.when,
            component_status=self.component_status,
            incident_status=self.incident_status,
            severity=self.severity,
            stamp=urls.stamp,
        )

    def csp(self) -> str:
        images = "'self' data: https:" if self.config.allow_remote_images else "'self' data:"
        return f"default-src 'none'; style-src 'self'; img-src {images}; script-src 'self'; base-uri 'none'; form-action 'none'"

    def favicon(self) -> str:
        """A data: URL icon in the banner's colour and shape: no extra request, and it shows in the tab."""
        name = INDICATOR_ICON[self.state.overall.indicator]
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><path fill='{BADGE_COLOURS[name]}' fill-rule='evenodd' d='{ICON_PATHS[name]}'/></svg>"
        return "data:image/svg+xml," + quote(svg, safe=" =:/'")

    # helpers the templates call

    def incident_icon(self, incident: Incident) -> str:
        """The status shape for an incident: a check once over, the clock for maintenance, else by impact."""
        if self.index.phase_of[incident.id] == status.ENDED:
            return "operational"
        if incident.is_maintenance:
            return "under_maintenance"
        impact = status.incident_impact(incident, self.handbook)
        return {"critical": "major_outage", "major": "partial_outage"}.get(impact, "degraded_performance")

    def day_summary(self, day: status.Day) -> str:
        """What happened to a component on one day, in words: time per status and the incidents."""
        if not day.durations:
            return self._("No incidents.")
        parts = [self._("%(status)s for %(duration)s", status=self.component_status_label(s), duration=self.fmt.duration(length)) for s, length in day.durations]
        text = "; ".join(parts) + "."
        titles = [self.index.by_id[i].title for i in day.incident_ids if i in self.index.by_id]
        if titles:
            text += " " + self._("Incidents: %(titles)s.", titles="; ".join(titles))
        return text

    def day_text(self, day: status.Day) -> str:
        return f"{self.fmt.date(day.date)}: {self.day_summary(day)}"

    def status_label(self, status_id: str) -> str:
        return self._(self.status_names.get(status_id, status_id))

    def component_status_label(self, status_id: str) -> str:
        return self._(self.component_status_names.get(status_id, status_id))

    def component_name(self, component_id: str) -> str:
        component = self.handbook.component_by_id.get(component_id)
        return component.name if component is not None else component_id

    def severity_of(self, incident: Incident) -> object:
        return self.handbook.severity_by_id.get(incident.severity or "")

    def severity_url(self, incident: Incident, page: str) -> str:
        version = self.versions.get(incident.id, "latest")
        return urls.relative(page, urls.severity_definition(version, incident.severity or ""))

    def update_html(self, update: Update) -> Markup:
        return Markup(render_markdown(update.message, allow_images=self.config.allow_remote_images))

    def when(self, moment: datetime) -> Markup:
        """A moment as ``<time datetime="UTC">`` with its text in the site's zone."""
        return Markup('<time datetime="%s">%s</time>') % (urls.stamp(moment), self.fmt.datetime(moment))

    def component_status(self, status_id: str) -> Markup:
        """A component status as icon shape plus words, never colour alone."""
        return Markup('<span class="status s-%s">%s<span>%s</span></span>') % (status_id, icon_markup(status_id), self.component_status_label(status_id))

    def incident_status(self, incident: Incident) -> Markup:
        """An incident's status now: its shape (check once over, else by impact) and the status's name."""
        name = self.incident_icon(incident)
        return Markup('<span class="status s-%s">%s<span>%s</span></span>') % (name, icon_markup(name), self.status_label(self.latest(incident).status))

    def severity(self, incident: Incident, page: str | None = None) -> Markup:
        """The severity, linked to its definition in the handbook version that governed the incident."""
        severity = self.handbook.severity_by_id.get(incident.severity or "")
        if severity is not None:
            href = self.severity_url(incident, self.page if page is None else page)
            return Markup('<a class="severity" href="%s">%s · %s</a>') % (href, severity.id, self._(severity.name))
        if incident.is_maintenance:
            return Markup('<span class="severity">%s</span>') % self._("Maintenance")
        return Markup("")

    def latest(self, incident: Incident) -> Update:
        return status.latest_update(incident, self.now) or incident.updates[-1]

    # rendering

    def render(self, template: str, page: str, **values: object) -> bytes:
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = self.env.get_template(template)

        # Macros are imported without context (much faster), so the page being rendered is
        # held here for the global url() they call.
        self.page = page
        url = self.url
        text = compiled.render(page=page, canonical=urls.absolute(self.config.site_url, page), css_url=url(self.css_url), js_url=url(self.js_url), **values)
        return text.encode("utf-8")

    def url(self, path: str) -> str:
        """A link from the page being rendered to a site path, relative so the site works under any prefix."""
        return urls.relative(self.page, path)

    def home(self) -> bytes:
        return self.render("home.html", urls.HOME, state=self.state, uptime=self.uptime)

    def incident(self, incident: Incident) -> bytes:
        page = urls.incident_page(incident.id)
        return self.render("incident.html", page, incident=incident)

    def history(self, history: status.HistoryPage) -> bytes:
        page = urls.history_page(history.number)
        return self.render("history.html", page, history=history)

    def component(self, component_id: str) -> bytes:
        page = urls.component_page(component_id)
        component = self.handbook.component_by_id[component_id]
        mine = self.index.by_component.get(component_id, ())
        window_start = self.uptime[component_id].days[0].start
        recent = [i for i in mine if i.started_at >= window_start or self.index.phase_of[i.id] == status.ACTIVE]
        if len(recent) < self.config.history_page_size:
            recent = list(mine[: self.config.history_page_size])
        active = [self.index.by_id[i] for i in self.state.components[component_id].incident_ids]
        return self.render(
            "component.html",
            page,
            component=component,
            state=self.state.components[component_id],
            uptime=self.uptime[component_id],
            incidents=recent,
            total=len(mine),
            active=active,
        )

    def uptime_page(self) -> bytes:
        return self.render("uptime.html", urls.UPTIME, state=self.state, uptime=self.uptime)

    def badge(self, label: str, message: str, icon: str) -> bytes:
        compiled = self._templates.get("badge.svg")
        if compiled is None:
            compiled = self._templates["badge.svg"] = self.env.get_template("badge.svg")
        left = _text_width(label) + 12
        right = _text_width(message) + 12 + 16
        return compiled.render(label=label, message=message, icon=icon, left=left, right=right, width=left + right).encode("utf-8")


def icon_markup(name: str, extra: str = "") -> Markup:
    """An inline icon using the page's sprite; decorative, since words always accompany it."""
    classes = f"icon {extra}" if extra else "icon"
    return Markup('<svg class="%s" aria-hidden="true" focusable="false"><use href="#i-%s"/></svg>') % (classes, name)


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


def _text_width(text: str) -> int:
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


def render_status_site(context: BuildContext) -> dict[str, bytes]:
    """Render every status page file (HTML, badges, assets) for the site."""
    site = Site(context)
    files: dict[str, bytes] = {}

    def add(path: str, data: bytes) -> None:
        if path in files:
            raise BuildError(f"the status page would write {path} twice; rename the component whose id makes it clash")
        files[path] = data

    add(STYLESHEET, site.css)
    add(SCRIPT, site.js)
    add(urls.page_file(urls.HOME), site.home())
    add(urls.page_file(urls.UPTIME), site.uptime_page())
    context.progress(f"status page: {len(site.index.newest_first)} incidents")
    for incident in site.index.newest_first:
        add(urls.page_file(urls.incident_page(incident.id)), site.incident(incident))
    for history in status.history_pages(site.index, site.config.history_page_size):
        add(urls.page_file(urls.history_page(history.number)), site.history(history))
    overall = site.state.overall
    add(urls.BADGE, site.badge(site._("status"), site._(overall.description), INDICATOR_ICON[overall.indicator]))
    for component in site.handbook.components:
        add(urls.page_file(urls.component_page(component.id)), site.component(component.id))
        state = site.state.components[component.id]
        add(urls.component_badge(component.id), site.badge(component.name, site.component_status_label(state.status), state.status))
    return files
