"""The public status pages: home, incidents, history, components, uptime, badges and their assets.

Everything shown comes from the :class:`~statusbook.view.status_view.StatusView`;
this module formats it (Babel, in the site's zone and language) and fills
Jinja2 templates. Markup lives in the templates (``macros.html`` holds the
pieces), and a theme's ``status/`` folder is searched first, with the defaults
reachable as ``!default/<name>`` so an override can extend them.

A site in several languages (``extra.statusbook.languages``) gets every page
once per language from the same view: the default language's at the site's
root, each other's under its code (``nl/``), linked to each other by
``hreflang`` and a language switch. Badges and assets are shared. Text an
incident file does not give in a page's language is shown in the default
language, marked with its ``lang`` and a note.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, Template
from jinja2.bccache import Bucket
from markupsafe import Markup

from statusbook.core import urls
from statusbook.core.config import base_language
from statusbook.core.handbook import Entry
from statusbook.core.ids import ComponentStatusId, Impact, Stage
from statusbook.core.model import Correction, Incident, Update
from statusbook.core.timestamps import stamp
from statusbook.errors import BuildError
from statusbook.render.i18n import Formatter, entry_name, handbook_folder, html_lang, language_name, template_gettext
from statusbook.render.look import INDICATOR_LOOK, LOOKS, brand_properties, colour_properties, favicon
from statusbook.render.markdown import render_markdown
from statusbook.render.output import Output
from statusbook.render.page_values import (
    Alternate,
    FilterLink,
    GroupSummary,
    Link,
    Moment,
    Note,
    PagerItem,
    SeverityLink,
    Summary,
    UpdateItem,
    pager_numbers,
    text_width,
)
from statusbook.view.banner import incident_impact
from statusbook.view.lifecycle import incident_duration
from statusbook.view.pages import GroupState, HistoryPage, worst
from statusbook.view.status_view import StatusView
from statusbook.view.uptime import Day

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates" / "status"
STATIC = PACKAGE / "static"
STYLESHEET = "assets/status.css"
SCRIPT = "assets/localtime.js"
SEARCH_SCRIPT = "assets/search.js"
# Files a theme may put in its status/ folder that are not templates: changing them changes no page's text.
ASSETS = ("status.css", "localtime.js", "search.js")
TEMPLATE_SUFFIXES = (".html", ".svg", ".xml", ".txt", ".j2", ".jinja")


def theme_folder(view: StatusView) -> Path:
    return view.config.theme_path / "status"


def has_own_templates(folder: Path) -> bool:
    """Whether a theme replaces any template: then a page may show anything, and depends on everything."""
    return folder.is_dir() and any(p.is_file() and p.suffix in TEMPLATE_SUFFIXES for p in folder.rglob("*"))


class _CompiledTemplates(BytecodeCache):
    """Compiled templates, kept in memory for every environment of this process: a site's languages compile each template once.

    Each language needs an environment of its own (its words are globals), and
    compiling the templates costs more than rendering a page of a small site.
    A template is known by its name and file and reused only while its source
    is the same (Jinja's checksum), so an edited theme is compiled afresh.
    """

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.codes.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


COMPILED = _CompiledTemplates()


def make_environment(theme: Path, language: str) -> Environment:
    """A Jinja2 environment: the theme's templates first, then the defaults (also as ``!default/...``).

    ``_``, ``gettext`` and ``ngettext`` are plain globals with the i18n
    extension's newstyle behaviour (see :func:`template_gettext`). Compiled
    templates are shared with every other environment (see :data:`COMPILED`).
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
        bytecode_cache=COMPILED,
    )
    gettext, ngettext = template_gettext(language)
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    return env


def _asset(theme: Path, name: str) -> bytes:
    """A static file: the theme's status/<name> when present, else the package default."""
    own = theme / name
    return own.read_bytes() if own.is_file() else (STATIC / name).read_bytes()


class StatusPages:
    """Render the status pages of one view in one language; each page on demand.

    Templates get their data ready-made (times formatted, labels translated,
    links as site paths), so a page makes few calls into Python: at ten
    thousand incident pages, every call counts. The markup itself is in the
    templates' macros; a pill the macros draw is drawn once per status.
    ``language`` is one of the site's languages (the default when None);
    ``shared`` is what every language's pages are made of, computed once.
    """

    def __init__(self, view: StatusView, language: str | None = None, *, shared: SharedInputs | None = None) -> None:
        self.view = view
        config, handbook = view.config, view.handbook
        self.language = language or config.language
        self.is_default = self.language == config.language
        self.code = base_language(self.language)  # what the handbook's translations and incident files call it
        self.folder = urls.language_root(self.language, config.language)  # "" for the default language, "nl/" for Dutch
        self.urls = urls.LanguageUrls(self.folder, handbook_folder(self.language))
        # The default language's code as incident files and pages name it (a text not translated is in it).
        self.source = base_language(config.language)
        self.site = config if self.is_default else dataclasses.replace(config, language=self.language)
        self.theme = theme_folder(view)
        self.env = make_environment(self.theme, self.language)
        self.fmt = Formatter(config.zone, self.language)
        self._ = self.fmt._
        self.shared = shared or SharedInputs.of(view)
        self.css, self.js, self.search_js = self.shared.css, self.shared.js, self.shared.search_js
        self.css_url, self.js_url, self.search_js_url = self.shared.css_url, self.shared.js_url, self.shared.search_js_url
        brand = config.brand
        # The brand's images at fixed URLs; the digest in the query makes a changed logo show at once.
        self.brand_images = {image.role: (image, f"{urls.brand_image(image.role, image.suffix)}?v={image.digest}") for image in brand.images}
        self.status_names = {s.id: self.entry_name(s) for s in (*handbook.incident_statuses, *handbook.maintenance_statuses)}
        self.component_status_names = {s.id: self.entry_name(s) for s in handbook.component_statuses}
        self.overall = view.state.overall
        self.favicon = favicon(INDICATOR_LOOK[self.overall.indicator])
        self._templates: dict[str, Template] = {}
        self._moments: dict[datetime, Moment] = {}
        self._pills: dict[tuple[str, str], Markup] = {}
        self._summaries: dict[str, Summary] = {}
        self._charts: dict[str, Markup] = {}
        self.site_root = urlsplit(config.site_url).path or "/"  # where the site starts on its host: the 404 page's links start here
        self.filter_links = self._filter_links()
        self.env.globals.update(
            site=self.site,
            handbook=handbook,
            fmt=self.fmt,
            urls=self.urls,
            now=self.moment(view.now),
            overall=self.overall,
            looks=LOOKS,
            indicator_look=INDICATOR_LOOK,
            csp=self.csp(),
            favicon=self.favicon,
            css_url=self.css_url,
            js_url=self.js_url,
            brand=brand,
            logo=self.brand_images.get("logo", (None, ""))[1],
            logo_dark=self.brand_images.get("logo_dark", (None, ""))[1],
            brand_favicon=self.brand_images.get("favicon"),
            chart=self.chart,
            link=urls.relative,
            pages=pager_numbers,
            component_status_label=self.component_status_label,
            day_text=self.day_text,
            day_summary=self.day_summary,
            day_percent=lambda day: math.floor(day.uptime * 10000 + 1e-9) / 100,
            entry_name=self.entry_name,
            entry_description=self.entry_description,
            # Said next to a text shown in the default language because it was not translated into the page's.
            untranslated_note=self._("This text has not been translated yet; it is shown in %(language)s.", language=language_name(self.source, self.language)),
            untranslated_tag=self._("in %(language)s", language=language_name(self.source, self.language)),
            untranslated_incident_note=self._("This notice has not been translated yet; it is shown in %(language)s.", language=language_name(self.source, self.language)),
        )
        self.env.globals["icon_sprite"] = Markup(self.env.get_template("icons.svg").render())
        self.macros = self.env.get_template("macros.html").module
        self.everything = self.shared.everything

    def csp(self, *, search: bool = False) -> str:
        """The policy every page carries; the search page's also lets Pagefind fetch its index and compile its WebAssembly."""
        images = "'self' data: https:" if self.view.config.allow_remote_images else "'self' data:"
        scripts = "'self' 'wasm-unsafe-eval'; connect-src 'self'" if search else "'self'"
        return f"default-src 'none'; style-src 'self'; img-src {images}; script-src {scripts}; base-uri 'none'; form-action 'none'"

    # --- data for the templates ------------------------------------------------------------------

    def entry_name(self, entry: Entry) -> str:
        """A handbook entry's name in the page's language: the schema's translation, else the catalog's, else its own."""
        return entry_name(entry, self.language)

    def entry_description(self, entry: Entry) -> str:
        return entry.description_in(self.code)

    def status_label(self, status_id: str) -> str:
        return self.status_names.get(status_id, status_id)

    def component_status_label(self, status_id: str) -> str:
        return self.component_status_names.get(status_id, status_id)

    def component_name(self, component_id: str) -> str:
        component = self.view.handbook.component_by_id.get(component_id)
        return component.name_in(self.code) if component is not None else component_id

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

    def text(self, default: str, translated: str | None) -> tuple[str, str]:
        """A text in the page's language, and "" as its language; or the default language's text, and that language's code."""
        if self.is_default:
            return default, ""
        return (translated, "") if translated is not None else (default, self.source)

    def is_untranslated(self, incident: Incident) -> bool:
        """Whether nothing of the incident is in the page's language (then pages say so once, not at every text)."""
        code = self.code
        return (
            not self.is_default
            and incident.title_in(code) is None
            and all(u.message_in(code) is None for u in incident.updates)
            and incident.postmortem_summary_in(code) is None
        )

    def note(self, correction: Correction) -> Note:
        reason, lang = self.text(correction.reason, correction.reason_in(self.code))
        return Note(self.moment(correction.at), reason, lang)

    def update_item(self, update: Update, anchor: str, *, untranslated: bool = False) -> UpdateItem:
        correction = self.note(update.correction) if update.correction else None
        components = tuple((self.component_name(cid), self.pill(state, self.component_status_label(state))) for cid, state in update.components)
        message, lang = self.text(update.message, update.message_in(self.code))
        html = Markup(render_markdown(message, allow_images=self.view.config.allow_remote_images))
        return UpdateItem(anchor, self.status_label(update.status), self.moment(update.at), html, correction, components, lang, bool(lang) and not untranslated)

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
            path = self.urls.severity_definition(view.handbook_versions.get(incident.id, "latest"), level.id)
            severity = SeverityLink(level.id, self.entry_name(level), path)
        window = (self.moment(incident.scheduled.start), self.moment(incident.scheduled.end)) if incident.scheduled else None
        latest = incident.updates[-1]
        title, title_lang = self.text(incident.title, incident.title_in(self.code))
        untranslated = self.is_untranslated(incident)
        found = self._summaries[incident.id] = Summary(
            id=incident.id,
            path=self.urls.incident_page(incident.id),
            title=title,
            is_maintenance=incident.is_maintenance,
            pill=self.pill(self.incident_look(incident), status_label),
            status_label=status_label,
            severity=severity,
            window=window,
            start=self.moment(start),
            end=self.moment(end) if end is not None else None,
            duration=self.fmt.duration(length),
            active=view.stage(incident) == Stage.ACTIVE,
            latest=self.update_item(latest, view.anchors(incident)[-1], untranslated=untranslated),
            components=tuple(Link(self.urls.component_page(cid), self.component_name(cid)) for cid in incident.components),
            postmortem=incident.postmortem,
            title_lang=title_lang,
            untranslated=untranslated,
        )
        return found

    def summaries(self, incidents: Iterable[Incident]) -> list[Summary]:
        return [self.summary(i) for i in incidents]

    def chart(self, component_id: str) -> Markup:
        """A component's 90 daily bars with a text for each day, drawn once per build by the ``bars`` macro however many pages show it."""
        found = self._charts.get(component_id)
        if found is None:
            name = self.component_name(component_id)
            found = self._charts[component_id] = Markup(self.macros.bars(self.view.uptime[component_id], name))
        return found

    def groups(self, groups: Iterable[GroupState]) -> list[GroupSummary]:
        """Each group with its own status: the worst of its members'."""
        handbook = self.view.handbook
        summaries = []
        for group in groups:
            # An outage among the members says more than a maintenance beside it: maintenance shows only when nothing is wrong.
            statuses = [c.status for c in group.components]
            trouble = [s for s in statuses if s not in (ComponentStatusId.OPERATIONAL, ComponentStatusId.UNDER_MAINTENANCE)]
            status = worst(trouble or statuses, handbook)
            summaries.append(
                GroupSummary(
                    group.group.id,
                    group.group.name_in(self.code),
                    group.components,
                    status,
                    self.pill(status, self.component_status_label(status)),
                    all(c.status == ComponentStatusId.OPERATIONAL for c in group.components),
                )
            )
        return summaries

    def _filter_links(self) -> list[tuple[str, str, list[FilterLink]]]:
        """The history's filters as links, by kind: every component, every severity, every year with incidents."""
        handbook = self.view.handbook
        labels = {
            "component": lambda key: self.component_name(key),
            "severity": lambda key: f"{key} · {self.entry_name(handbook.severity_by_id[key])}" if key in handbook.severity_by_id else key,
            "year": str,
        }
        headings = {"component": self._("By component"), "severity": self._("By severity"), "year": self._("By year")}
        kinds: dict[str, list[FilterLink]] = {kind: [] for kind in headings}
        for found in self.view.filters:
            kinds[found.kind].append(FilterLink(found.kind, found.key, labels[found.kind](found.key), self.urls.history_filter(found.kind, found.key)))
        kinds["year"].sort(key=lambda link: link.key, reverse=True)
        return [(kind, headings[kind], links) for kind, links in kinds.items() if links]

    def pager(self, current: int, count: int, path: Callable[[int], str]) -> list[PagerItem]:
        return [PagerItem(number, path(number) if number else "") for number in pager_numbers(current, count)]

    def day_summary(self, day: Day) -> str:
        """What happened to a component on one day, in words: time per status and the incidents."""
        if not day.durations:
            return self._("No incidents.")
        parts = [self._("%(status)s for %(duration)s", status=self.component_status_label(s), duration=self.fmt.duration(length)) for s, length in day.durations]
        text = "; ".join(parts) + "."
        found = (self.view.index.by_id[i] for i in day.incident_ids if i in self.view.index.by_id)
        titles = [self.text(i.title, i.title_in(self.code))[0] for i in found]
        if titles:
            text += " " + self._("Incidents: %(titles)s.", titles="; ".join(titles))
        return text

    def day_text(self, day: Day) -> str:
        return f"{self.fmt.date(day.date)}: {self.day_summary(day)}"

    def alternates(self, page: str) -> list[Alternate]:
        """The page in each of the site's languages (none for a site in one language)."""
        config = self.view.config
        if not config.other_languages:
            return []
        found = []
        for language in config.languages:
            path = urls.language_root(language, config.language) + page
            found.append(Alternate(html_lang(language), language_name(language, language), path, urls.absolute(config.site_url, path), language == self.language))
        return found

    # --- pages -----------------------------------------------------------------------------------

    def render(self, template: str, page: str, *, root: str | None = None, **values: object) -> bytes:
        """Fill a template for the page at ``page`` (a path in any language: this one's is under its folder).

        Links start with ``root``, the way back to the site root (relative unless given).
        """
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = self.env.get_template(template)
        path = self.folder + page
        root = "../" * path.count("/") if root is None else root
        canonical = urls.absolute(self.view.config.site_url, path)
        home = root + self.folder or "./"
        return compiled.render(page=path, root=root, home=home, canonical=canonical, alternates=self.alternates(page), **values).encode("utf-8")

    def home(self) -> bytes:
        state = self.view.state
        sections = (
            ("active", self._("Active incidents"), self.summaries(state.active_incidents)),
            ("maintenance-now", self._("Maintenance in progress"), self.summaries(state.maintenance_in_progress)),
            ("maintenance-next", self._("Upcoming maintenance"), self.summaries(state.maintenance_upcoming)),
        )
        days = [(self.fmt.weekday(day), self.summaries(incidents)) for day, incidents in state.recent_days]
        pills = {s.id: self.pill(s.id, self.component_status_label(s.id)) for s in self.view.handbook.component_statuses}
        groups = self.groups(state.groups)
        return self.render("home.html", urls.HOME, state=state, sections=sections, days=days, uptime=self.view.uptime, pills=pills, groups=groups)

    def incident(self, incident: Incident) -> bytes:
        summary = self.summary(incident)
        timeline = [self.update_item(update, anchor, untranslated=summary.untranslated) for update, anchor in zip(incident.updates, self.view.anchors(incident), strict=True)][::-1]
        # The postmortem's public summary comes from the incident file's public field, never from the postmortem document.
        text, summary_lang = self.text(incident.postmortem_summary or "", incident.postmortem_summary_in(self.code))
        postmortem = Markup(render_markdown(text, allow_images=self.view.config.allow_remote_images)) if incident.postmortem_summary else None
        corrections = [self.note(c) for c in incident.corrections]
        values = {"summary_lang": summary_lang} if summary_lang else {}
        return self.render(
            "incident.html", urls.incident_page(incident.id), incident=summary, timeline=timeline, postmortem_summary=postmortem, corrections=corrections, **values
        )

    def history(self, number: int) -> bytes:
        return self.history_page(self.view.history[number - 1], urls.history_page)

    def history_page(self, history: HistoryPage, path: Callable[[int], str], chosen: FilterLink | None = None) -> bytes:
        """One page of the history, or of the history narrowed by ``chosen``; ``path(number)`` is where page ``number`` lives (in any language)."""
        months = [(key, self.fmt.month(key), self.summaries(incidents)) for key, incidents in history.months]

        def here(number: int) -> str:
            return self.folder + path(number)

        pager = self.pager(history.number, history.count, here)
        return self.render("history.html", path(history.number), history=history, months=months, pager=pager, page_path=here, chosen=chosen, filters=self.filter_links)

    def filtered_pages(self) -> Iterator[tuple[str, Callable[[], bytes], tuple[str, ...]]]:
        """Every page of the history by component, severity and year (path, render, inputs), each from its slice of the view's index."""
        view = self.view
        links = {(link.kind, link.key): link for _, _, found in self.filter_links for link in found}
        for found in view.filters:
            link = links[(found.kind, found.key)]
            path = functools.partial(urls.history_filter, found.kind, found.key)
            for history in found.pages:
                listed = (view.fingerprint(i) for _, incidents in history.months for i in incidents)
                inputs = ("history filter", found.kind, found.key, str(history.number), str(history.count), *listed)
                yield urls.page_file(self.folder + path(history.number)), functools.partial(self.history_page, history, path, link), inputs

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
            all_path=self.urls.history_filter("component", component_id),
            active=self.summaries(view.index.by_id[i] for i in state.incident_ids),
        )

    def uptime_page(self) -> bytes:
        pills = {s.id: self.pill(s.id, self.component_status_label(s.id)) for s in self.view.handbook.component_statuses}
        return self.render("uptime.html", urls.UPTIME, state=self.view.state, uptime=self.view.uptime, pills=pills)

    def not_found(self) -> bytes:
        """The site's 404 page: served for any missing path, so its links start at the site's root, not where it was asked for."""
        return self.render("404.html", urls.NOT_FOUND, root=self.site_root)

    def api_index(self) -> bytes:
        return self.render("api.html", urls.API)

    def search(self) -> bytes:
        indexes = [self.urls.search_shard(year) for year, _ in self.view.search_shards]
        return self.render("search.html", urls.SEARCH, csp=self.csp(search=True), search_js_url=self.search_js_url, indexes=indexes)

    def widget(self) -> bytes:
        state = self.view.state
        return self.render("widget.html", urls.WIDGET, active=self.summaries(state.active_incidents), maintenance=self.summaries(state.maintenance_in_progress))

    def badge(self, label: str, message: str, look: str) -> bytes:
        left = text_width(label) + 12
        right = text_width(message) + 12 + 16
        return self.env.get_template("badge.svg").render(label=label, message=message, icon=look, left=left, right=right, width=left + right).encode("utf-8")

    # --- inputs ------------------------------------------------------------------------------------

    def base_inputs(self) -> tuple[str, ...]:
        """What every page shows besides its own content: the banner (favicon), assets and theme."""
        return (self.favicon, self.css_url, self.js_url, repr(self.view.config.brand), *self.everything)

    def outputs(self) -> Iterator[Output]:
        """Every status page file of this language (HTML; badges and assets with the default language's), each with the inputs it is rendered from."""
        view = self.view
        seen: set[str] = set()
        base = self.base_inputs()

        def output(path: str, render, inputs: tuple[str, ...] | None = None) -> Output:
            if path in seen:
                raise BuildError(f"the status page would write {path} twice; rename the component whose id makes it clash")
            seen.add(path)
            return Output(path, render, None if inputs is None else (*base, *inputs))

        def page(path: str) -> str:
            return urls.page_file(self.folder + path)

        now = self.shared.now
        if self.is_default:
            yield output(STYLESHEET, lambda: self.css)
            yield output(SCRIPT, lambda: self.js)
            yield output(SEARCH_SCRIPT, lambda: self.search_js)
            for image, url in self.brand_images.values():
                yield output(url.partition("?")[0], lambda data=image.data: data)
        yield output(page(urls.HOME), self.home, ("home", *now))
        yield output(page(urls.UPTIME), self.uptime_page, ("uptime", *now))
        yield output(self.folder + urls.NOT_FOUND, self.not_found, ("404", self.site_root))
        yield output(page(urls.API), self.api_index, ("api index",))
        yield output(page(urls.SEARCH), self.search, ("search", self.search_js_url, *(year for year, _ in self.view.search_shards)))
        yield output(page(urls.WIDGET), self.widget, ("widget", *now))
        for incident in view.incidents:
            yield output(page(urls.incident_page(incident.id)), lambda i=incident: self.incident(i), ("incident", view.fingerprint(incident)))
        filters = self.shared.filters  # every history page lists them
        for history in view.history:
            listed = (view.fingerprint(i) for _, incidents in history.months for i in incidents)
            yield output(page(urls.history_page(history.number)), lambda n=history.number: self.history(n), ("history", filters, str(history.number), str(history.count), *listed))
        for path, render, inputs in self.filtered_pages():
            yield output(path, render, (filters, *inputs))
        overall = self.overall
        if self.is_default:
            yield output(urls.BADGE, lambda: self.badge(self._("status"), self._(overall.description), INDICATOR_LOOK[overall.indicator]))
        for component in view.handbook.components:
            yield output(page(urls.component_page(component.id)), lambda c=component.id: self.component(c), (f"component {component.id}", *now))
            if self.is_default:
                state = view.state.components[component.id]
                yield output(urls.component_badge(component.id), lambda c=component, s=state.status: self.badge(c.name, self.component_status_label(s), s))


@dataclass(frozen=True)
class SharedInputs:
    """What the pages of every language are made of and depends on: assets, and the inputs of pages that show the site now."""

    css: bytes
    js: bytes
    search_js: bytes
    css_url: str
    js_url: str
    search_js_url: str
    now: tuple[str, ...]
    filters: str
    everything: tuple[str, ...]

    @classmethod
    def of(cls, view: StatusView) -> SharedInputs:
        theme = theme_folder(view)
        css = colour_properties().encode() + _asset(theme, "status.css") + brand_properties(view.config.brand.color).encode()
        js, search_js = _asset(theme, "localtime.js"), _asset(theme, "search.js")

        def versioned(path: str, data: bytes) -> str:
            return f"{path}?v={hashlib.blake2b(data, digest_size=5).hexdigest()}"

        # A theme with its own templates may show anything on any page: then every page depends on the whole view.
        everything = ("everything", view.now.isoformat(), *(view.fingerprint(i) for i in view.incidents)) if has_own_templates(theme) else ()
        filters = ",".join(f"{f.kind}:{f.key}" for f in view.filters)
        return cls(css, js, search_js, versioned(STYLESHEET, css), versioned(SCRIPT, js), versioned(SEARCH_SCRIPT, search_js), now_inputs(view), filters, everything)


def now_inputs(view: StatusView) -> tuple[str, ...]:
    """What the pages that show the site now (home, uptime, components) are made of, in any language.

    The clock, how many incidents each component had, and every incident
    they may show or count: those not over yet, those that touch the
    uptime window, and each component's latest.
    """
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


def status_pages(view: StatusView) -> Iterator[Output]:
    """Render the status pages of a view in each of the site's languages (see :class:`StatusPages`)."""
    shared = SharedInputs.of(view)
    for language in view.config.languages:
        yield from StatusPages(view, language, shared=shared).outputs()
