"""The status page's language: message catalogs, and dates, durations and numbers in the site's zone and locale.

Catalogs are the ``.po`` files under ``locale/``, compiled in memory (no
``.mo`` files to commit); English needs none. Dates go through Babel.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from statusbook.core.config import base_language
from statusbook.core.handbook import SOURCE_LANGUAGE, TRANSLATION_LANGUAGES, Entry
from statusbook.view.banner import N_

LOCALES = Path(__file__).resolve().parent / "locale"

# Names the default handbook gives statuses and severities, so catalogs can translate them; a
# renamed one simply shows its own name.
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


def _candidates(language: str) -> list[str]:
    normal = language.replace("-", "_")
    return [normal, normal.split("_")[0]] if "_" in normal else [normal]


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """Compile the language's catalog in memory; a language without one reads English."""
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


@functools.cache
def babel_locale(language: str) -> Locale:
    for candidate in _candidates(language):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def html_lang(language: str) -> str:
    """A language as ``lang`` and ``hreflang`` attributes write it (BCP 47): ``en-GB`` for ``en_GB``."""
    return language.replace("_", "-")


@functools.cache
def language_name(language: str, reader: str) -> str:
    """A language's name as a reader of ``reader`` writes it: "Engels" for English to a Dutch reader, "Nederlands" for Dutch to itself."""
    name = babel_locale(base_language(language)).get_display_name(babel_locale(reader)) or language
    return name[:1].upper() + name[1:]


def entry_name(entry: Entry, language: str) -> str:
    """A handbook entry's name (a status, a severity) in ``language``: the schema's translation, else the catalog's, else its own.

    The catalog knows the names the default handbook ships (see ``HANDBOOK_NAMES``),
    so a schema without translations still reads in the page's language.
    """
    name = entry.name_in(base_language(language))
    return name if name != entry.name else translations(language).gettext(entry.name)


def handbook_folder(language: str) -> str:
    """The language's folder inside a handbook version: ``""`` for the handbook's own English, ``nl/`` for a language it is translated into.

    The same layout as :func:`statusbook.handbook.languages.language_folder`
    (which this layer may not import); a language the handbook has no
    translation for reads the English pages.
    """
    code = base_language(language)
    return f"{code}/" if code != SOURCE_LANGUAGE and code in TRANSLATION_LANGUAGES else ""


class Formatter:
    """Dates, durations and numbers in one zone and language."""

    def __init__(self, zone: ZoneInfo, language: str) -> None:
        self.zone = zone
        self.locale = babel_locale(language)
        self.catalog = translations(language)
        self._dates: dict[date, str] = {}

    def _(self, message: str, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        return self.catalog.ngettext(singular, plural, count) % values

    def zone_name(self, moment: datetime) -> str:
        name = moment.astimezone(self.zone).tzname() or "UTC"
        return f"UTC{name}" if name[:1] in "+-" else name

    def datetime(self, moment: datetime) -> str:
        """Like '27 Nov 2026, 14:05 CET': absolute, in the site's zone, with the zone named.

        Babel's ``format_datetime(local, "d MMM y, HH:mm")`` gives the same text
        (a test compares them) but costs more than the rest of an incident
        page: the date comes from a per-day cache, hours and minutes are
        two-digit numbers in every locale.
        """
        local = moment.astimezone(self.zone)
        return f"{self.date(local.date())}, {local.hour:02d}:{local.minute:02d} {self.zone_name(local)}"

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


_NUMBERS = frozenset({int, float, bool})


def template_gettext(language: str) -> tuple[Callable[..., Markup], Callable[..., Markup]]:
    """``_``/``gettext`` and ``ngettext`` for templates: Jinja's "newstyle" behaviour, each message looked up once.

    As with Jinja's i18n extension in newstyle mode, ``%(name)s`` values are
    passed as keywords and escaped, and ``ngettext`` gets ``num``; a page calls
    these dozens of times, so translated text is kept, and a message without
    values is returned as it was the first time.
    """
    catalog = translations(language)
    plain: dict[str, Markup] = {}

    def gettext(message: str, **values: object) -> Markup:
        text = plain.get(message)
        if text is None:
            text = plain[message] = Markup(catalog.gettext(message))
        if not values:
            return text
        return Markup(str.__mod__(text, {k: v if type(v) in _NUMBERS else escape(v) for k, v in values.items()}))

    def ngettext(singular: str, plural: str, num: int, **values: object) -> Markup:
        values.setdefault("num", num)
        return Markup(str.__mod__(catalog.ngettext(singular, plural, num), {k: v if type(v) in _NUMBERS else escape(v) for k, v in values.items()}))

    return gettext, ngettext
