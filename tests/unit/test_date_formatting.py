"""The status page's fast date formatting writes exactly what Babel's own ``format_datetime`` writes, in every zone and language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from hypothesis import given, settings
from hypothesis import strategies as st
from statusbook.render.i18n import Formatter, babel_locale

ZONES = ("UTC", "Europe/Amsterdam", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe")
LANGUAGES = ("en", "nl", "de", "fr", "ja", "ar", "fa_IR")


def babel_datetime(fmt: Formatter, moment: datetime, zone: ZoneInfo, language: str) -> str:
    """What Formatter.datetime promises, written by Babel itself."""
    text = format_datetime(moment.astimezone(zone), "d MMM y, HH:mm", tzinfo=zone, locale=babel_locale(language))
    return f"{text} {fmt.zone_name(moment)}"


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(ZONES),
    language=st.sampled_from(LANGUAGES),
)
def test_fast_date_formatting_matches_babel(moment: datetime, zone: str, language: str) -> None:
    fmt = Formatter(ZoneInfo(zone), language)
    assert fmt.datetime(moment) == babel_datetime(fmt, moment, ZoneInfo(zone), language)
    assert fmt.time(moment).isascii()
    assert fmt.date(moment.astimezone(ZoneInfo(zone)).date()) in fmt.datetime(moment)
