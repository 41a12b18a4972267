"""Render the public status page: home, incidents, history, components, uptime and badges.

The view model comes from :mod:`statusbook.view.status`; this module only formats
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
import pickle
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from types import FunctionType, MethodType
from typing import TYPE_CHECKING
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, Template
from jinja2.runtime import Context
from markupsafe import Markup, escape

from statusbook.config import SiteConfig
from statusbook.core import urls
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident, Update
from statusbook.errors import BuildError
from statusbook.io.render_cache import folder_digest, inputs_key, package_digest
from statusbook.io.writer import Reused
from statusbook.render.markdown import render_markdown
from statusbook.view import status
from statusbook.view.status import N_

if TYPE_CHECKING:
    from statusbook.commands.build import BuildContext

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
        self._dates: dict[date, str] = {}

    def _(self, message: str, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        return self.catalog.ngettext(singular, plural, count) % values

    def datetime(self, moment: datetime) -> str:
        """Like '27 Nov 2026, 14:05 CET': absolute, in the site's zone, with the zone named.

        The same as Babel's ``format_datetime(local, "d MMM y, HH:mm")``, which
        costs more than the rest of an incident page: the date part comes from
        a per-day cache, and Babel writes hours and minutes as plain two-digit
        numbers in every locale (a test compares the two).
        """
        local = moment.astimezone(self.zone)
        name = local.tzname() or "UTC"
        return f"{self.date(local.date())}, {local.hour:02d}:{local.minute:02d} {f'UTC{name}' if name[:1] in '+-' else name}"

    def datetime_slowly(self, moment: datetime) -> str:
        """Babel's own formatting of :meth:`datetime` (tests compare the two)."""
        local = moment.astimezone(self.zone)
        text = format_datetime(local, "d MMM y, HH:mm", tzinfo=self.zone, locale=self.locale)
        return f"{text} {self.zone_name(moment)}"

    def zone_name(self, moment: datetime) -> str:
        name = moment.astimezone(self.zone).tzname() or "UTC"
        return f"UTC{name}" if name[:1] in "+-" else name

    def time(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        return f"{local.hour:02d}:{local.minute:02d}"

    def date(self, day: date) -> str:
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = format_date(day, "d MMM y", locale=self.locale)
        return text

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
    env.context_class = _DirectContext
    catalog = translations(config.language)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    # The same "newstyle" semantics (escaped %(name)s values, num for plurals) without the
    # extension's per-call context lookups: a page calls these dozens of times.
    cache: dict[str, Markup] = {}
    done: dict[str, Markup] = {}

    def gettext_(message: str, **variables: object) -> Markup:
        text = cache.get(message)
        if text is None:
            text = cache[message] = Markup(catalog.gettext(message))
        if variables:
            return Markup(str.__mod__(text, _escape_values(variables)))
        found = done.get(message)
        if found is None:
            found = done[message] = text % variables
        return found

    def ngettext_(singular: str, plural: str, num: int, **variables: object) -> Markup:
        variables.setdefault("num", num)
        return Markup(str.__mod__(catalog.ngettext(singular, plural, num), _escape_values(variables)))

    env.globals.update(gettext=gettext_, _=gettext_, ngettext=ngettext_)
    return env


def _escape_values(values: Mapping[str, object]) -> dict[str, object]:
    """Escape what ``Markup % values`` would escape, leaving numbers as they are for ``%d``.

    The same result as Markup's own ``%``, which wraps every value in a helper
    object and costs several times more; gettext is called dozens of times a page.
    """
    return {key: value if type(value) in _NUMBERS else escape(value) for key, value in values.items()}


_NUMBERS = frozenset({int, float, bool})
# Functions known to take no Jinja context, found once each instead of on every call.
_PLAIN_FUNCTIONS: dict[object, bool] = {}


class _DirectContext(Context):
    """A Jinja2 context that calls plain Python functions and methods straight away.

    Jinja routes every call in a template through :meth:`Context.call`, which
    asks each callable (twice) whether it wants the context passed in; a page
    makes about a hundred calls. A function or method without Jinja's
    ``pass_context``/``pass_environment`` marker is called directly, exactly as
    Context.call would; anything else (macros, marked functions) takes the
    usual way.
    """

    def call(__self, __obj: Callable[..., object], *args: object, **kwargs: object) -> object:
        kind = type(__obj)
        target = __obj if kind is FunctionType else __obj.__func__ if kind is MethodType else None  # type: ignore[attr-defined]
        if target is not None:
            plain = _PLAIN_FUNCTIONS.get(target)
            if plain is None:
                plain = _PLAIN_FUNCTIONS[target] = getattr(target, "jinja_pass_arg", None) is None
            if plain:
                if kwargs:
                    kwargs.pop("_loop_vars", None)
                    kwargs.pop("_block_vars", None)
                try:
                    return __obj(*args, **kwargs)
                except StopIteration:
                    return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")
        return Context.call(__self, __obj, *args, **kwargs)


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
        self.index = context.derived("incident index", lambda: status.index_incidents(context.incidents, self.handbook, self.now, self.zone))
        self.state = status.page_state(self.index, self.handbook, self.now, self.zone)
        self.window_start = status.window_start(self.now, self.zone)
        self.window = status.overlapping(self.index, self.handbook, self.now, self.window_start)
        self.uptime = status.all_uptime(self.index, self.handbook, self.now, self.zone, window=self.window)
        self.versions: Mapping[str, str] = context.handbook_versions
        self.css = _asset(self.config, "status.css")
        self.js = _asset(self.config, "localtime.js")
        self.css_url = f"{STYLESHEET}?v={_fingerprint(self.css)}"
        self.js_url = f"{SCRIPT}?v={_fingerprint(self.js)}"
        self.status_names = {s.id: s.name for s in (*self.handbook.incident_statuses, *self.handbook.maintenance_statuses)}
        self.component_status_names = {s.id: s.name for s in self.handbook.component_statuses}
        self._templates: dict[str, Template] = {}
        self._markup: dict[tuple[str, ...], Markup] = {}
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
            component_links=self.component_links,
            update_body=self.update_body,
            update_item=self.update_item,
            incident_row=self.incident_row,
            incident_status=self.incident_status,
            severity=self.severity,
            stamp=urls.stamp,
        )
        self.env.globals["icon_sprite"] = Markup(self.env.get_template("icons.svg").render())

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

    # The helpers below build their markup with f-strings of escaped values, the same text as
    # Markup's own "%" (which costs several times more), and remember what depends only on a
    # status or severity: a page calls each of them many times.

    def when(self, moment: datetime) -> Markup:
        """A moment as ``<time datetime="UTC">`` with its text in the site's zone."""
        return Markup(f'<time datetime="{escape(urls.stamp(moment))}">{escape(self.fmt.datetime(moment))}</time>')

    def component_status(self, status_id: str) -> Markup:
        """A component status as icon shape plus words, never colour alone."""
        key = ("component", status_id)
        found = self._markup.get(key)
        if found is None:
            found = self._markup[key] = self._status_markup(status_id, self.component_status_label(status_id))
        return found

    def incident_status(self, incident: Incident) -> Markup:
        """An incident's status now: its shape (check once over, else by impact) and the status's name."""
        key = ("incident", self.incident_icon(incident), self.latest(incident).status)
        found = self._markup.get(key)
        if found is None:
            found = self._markup[key] = self._status_markup(key[1], self.status_label(key[2]))
        return found

    @staticmethod
    def _status_markup(name: str, label: str) -> Markup:
        return Markup(f'<span class="status s-{escape(name)}">{icon_markup(name)}<span>{escape(label)}</span></span>')

    def severity(self, incident: Incident, page: str | None = None) -> Markup:
        """The severity, linked to its definition in the handbook version that governed the incident."""
        severity = self.handbook.severity_by_id.get(incident.severity or "")
        if severity is not None:
            href = self.severity_url(incident, self.page if page is None else page)
            key = ("severity", href, severity.id)
            found = self._markup.get(key)
            if found is None:
                found = self._markup[key] = Markup(f'<a class="severity" href="{escape(href)}">{escape(severity.id)} · {escape(self._(severity.name))}</a>')
            return found
        if incident.is_maintenance:
            return Markup(f'<span class="severity">{escape(self._("Maintenance"))}</span>')
        return Markup("")

    def component_links(self, ids: tuple[str, ...]) -> Markup:
        """Links to the components' pages, comma-separated."""
        key = ("links", str(self.page.count("/")), *ids)  # relative links depend only on the page's depth
        found = self._markup.get(key)
        if found is None:
            url = self.url
            found = self._markup[key] = Markup(", ".join(f'<a href="{escape(url(urls.component_page(cid)))}">{escape(self.component_name(cid))}</a>' for cid in ids))
        return found

    def update_body(self, incident: Incident, update: Update) -> Markup:
        """An update's message, and the note that it was corrected, if it was."""
        text = f'<div class="message">{self.update_html(update)}</div>\n'
        if update.correction:
            note = self.env.globals["_"]("Corrected %(time)s: %(reason)s", time=self.when(update.correction.at), reason=update.correction.reason)
            text += f'<p class="correction">{icon_markup("degraded_performance")}<span>{note}</span></p>\n'
        return Markup(text)

    def update_item(self, incident: Incident, update: Update) -> Markup:
        """One update in an incident's timeline: its status, time and message, and the component statuses it set."""
        anchor = escape(urls.update_anchor(incident, update))
        gettext = self.env.globals["_"]
        text = (
            f'<li class="update" id="{anchor}">\n'
            f'<h3 class="update-title">{escape(self.status_label(update.status))} <a class="anchor" href="#{anchor}" aria-label="{gettext("Link to this update")}">#</a></h3>\n'
            f'<p class="update-time">{self.when(update.at)}</p>\n'
            f"{self.update_body(incident, update)}\n"
        )
        if update.components:
            text += f'<ul class="update-components" aria-label="{gettext("Component status from this update")}">\n'
            text += "".join(f"<li>{escape(self.component_name(cid))}: {self.component_status(state)}</li>\n" for cid, state in update.components)
            text += "</ul>\n"
        return Markup(text + "</li>\n")

    def incident_row(self, incident: Incident, page: str) -> Markup:
        """One line of a list of incidents: title, status, severity, when and how long."""
        start, end, length = status.incident_duration(incident, self.handbook, self.now)
        tail = f" – {escape(self.fmt.duration(length))}" if end else f" · {self.env.globals['_']('ongoing')}"
        return Markup(
            f'<li class="row">\n<a class="row-title" href="{escape(self.url(urls.incident_page(incident.id)))}">{escape(incident.title)}</a>\n'
            f'<span class="row-meta">{self.incident_status(incident)} {self.severity(incident, page)}</span>\n'
            f'<span class="row-time">{self.when(start)}{tail}</span>\n</li>\n'
        )

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


@functools.lru_cache(maxsize=256)
def icon_markup(name: str, extra: str = "") -> Markup:
    """An inline icon using the page's sprite; decorative, since words always accompany it."""
    classes = f"icon {extra}" if extra else "icon"
    return Markup(f'<svg class="{escape(classes)}" aria-hidden="true" focusable="false"><use href="#i-{escape(name)}"/></svg>')


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


class PageKeys:
    """What each status page is rendered from, as a key (see :mod:`statusbook.io.render_cache`).

    Every page shows the banner's state (the favicon), the site's settings,
    the handbook and this package's templates: that is the base of every
    key. An incident's page adds the incident, the handbook version that
    governs it and, until it is settled, the clock; a history page adds the
    same for each incident it lists. The home, uptime and component pages show
    the site as it is now: the clock, how many incidents each component had,
    and every incident they may show or count in uptime (those not over yet,
    those that touch the uptime window, and each component's latest). A theme
    with its own templates may show anything anywhere, so then every key
    covers every incident and the clock.
    """

    def __init__(self, site: Site) -> None:
        config = site.config
        self.site = site
        self.now = site.now.isoformat()
        self.digests = site.context.incident_digests
        theme = config.root / config.theme_dir / "status"
        self.strict = theme.is_dir() and any(p.is_file() and p.name not in ("status.css", "localtime.js") for p in theme.rglob("*"))
        self.base = inputs_key(
            "status page", package_digest(), folder_digest(theme), repr(config), site.handbook.digest, site.favicon(), site.csp(), site.css_url, site.js_url
        )
        self._parts: dict[str, str] = {}
        self._everything: bytes | None = None
        self._current: bytes | None = None

    def _incident(self, incident: Incident) -> str:
        """One incident's share of a key: what it was read from, its handbook version, the clock unless settled."""
        found = self._parts.get(incident.id)
        if found is None:
            site = self.site
            digest = self.digests.get(incident.id) or hashlib.blake2b(pickle.dumps(incident), digest_size=16).hexdigest()
            clock = "settled" if status.is_settled(incident, site.handbook, site.now) else self.now
            found = self._parts[incident.id] = f"{incident.id}={digest}@{site.versions.get(incident.id, '')}/{clock}"
        return found

    def everything(self) -> bytes:
        if self._everything is None:
            self._everything = inputs_key(self.now, *(self._incident(i) for i in self.site.index.newest_first))
        return self._everything

    def _key(self, *parts: object) -> bytes:
        return inputs_key(self.base, *parts, self.everything()) if self.strict else inputs_key(self.base, *parts)

    def incident(self, incident: Incident) -> bytes:
        return self._key("incident", self._incident(incident))

    def history(self, history: status.HistoryPage) -> bytes:
        return self._key("history", history.number, history.count, *(self._incident(i) for _, incidents in history.months for i in incidents))

    def now_page(self, name: str) -> bytes:
        return inputs_key(self.base, name, self.everything() if self.strict else self.current())

    def current(self) -> bytes:
        """What the pages showing the site now are made of (see the class's description)."""
        if self._current is None:
            site = self.site
            index = site.index
            shown = {i.id for i in site.window}
            shown.update(i.id for i in index.newest_first if index.phase_of[i.id] != status.ENDED)
            for incident in index.newest_first:  # newest first: those that started in the window come first
                if incident.started_at < site.window_start:
                    break
                shown.add(incident.id)
            for found in index.by_component.values():
                shown.update(i.id for i in found[: site.config.history_page_size])
            counts = sorted((cid, len(found)) for cid, found in index.by_component.items())
            self._current = inputs_key(self.now, counts, *(self._incident(i) for i in index.newest_first if i.id in shown))
        return self._current

    def component(self, component_id: str) -> bytes:
        return self.now_page(f"component {component_id}")


def iter_status_site(context: BuildContext) -> Iterator[tuple[str, bytes | Reused]]:
    """Render every status page file (HTML, badges, assets), one at a time, skipping pages the site already holds."""
    site = Site(context)
    keys = PageKeys(site) if context.renders is not None else None
    seen: set[str] = set()

    def page(file: str, key: str, render: Callable[..., bytes], *args: object) -> tuple[str, bytes | Reused]:
        """One file; ``key`` names the PageKeys method for a tracked page, or is empty."""
        if file in seen:
            raise BuildError(f"the status page would write {file} twice; rename the component whose id makes it clash")
        seen.add(file)
        if not key or keys is None:
            return file, render(*args)
        return file, context.page(file, getattr(keys, key)(*args), lambda: render(*args))

    yield page(STYLESHEET, "", lambda: site.css)
    yield page(SCRIPT, "", lambda: site.js)
    yield page(urls.page_file(urls.HOME), "now_page", lambda _: site.home(), "home")
    yield page(urls.page_file(urls.UPTIME), "now_page", lambda _: site.uptime_page(), "uptime")
    context.progress(f"status page: {len(site.index.newest_first)} incidents")
    for incident in site.index.newest_first:
        yield page(urls.page_file(urls.incident_page(incident.id)), "incident", site.incident, incident)
    for history in status.history_pages(site.index, site.config.history_page_size):
        yield page(urls.page_file(urls.history_page(history.number)), "history", site.history, history)
    overall = site.state.overall
    yield page(urls.BADGE, "", site.badge, site._("status"), site._(overall.description), INDICATOR_ICON[overall.indicator])
    for component in site.handbook.components:
        yield page(urls.page_file(urls.component_page(component.id)), "component", site.component, component.id)
        state = site.state.components[component.id]
        yield page(urls.component_badge(component.id), "", site.badge, component.name, site.component_status_label(state.status), state.status)


def render_status_site(context: BuildContext) -> dict[str, bytes]:
    """Render every status page file (HTML, badges, assets) for the site."""
    files: dict[str, bytes] = {}
    for path, data in iter_status_site(context):
        assert not isinstance(data, Reused), "only a build with a render cache reuses pages"
        files[path] = data
    return files
