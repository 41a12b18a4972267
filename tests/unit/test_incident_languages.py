"""Incident text in several languages: the format, its rules with exact positions, the append-only record, the cache, the editing commands.

A translation is the text's key with a language code appended (``message_nl``
beside ``message``); see statusbook.check.incident_format.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from statusbook.check.append_only import check_history
from statusbook.check.incident import check_incident_file, unpublished_translations
from statusbook.check.incident_format import INCIDENT_SHAPE, UPDATE_SHAPE
from statusbook.check.stored import decode, encode
from statusbook.commands.scaffold import NewIncident, append_update_text, new_incident, new_incident_text
from statusbook.commands.validate import read_handbook
from statusbook.core.config import LANGUAGES
from statusbook.core.model import Correction, Update
from statusbook.core.problems import Level
from statusbook.errors import UsageError
from statusbook.io.config_file import load_config
from statusbook.render.json_schema import incident_schema
from support.append_only import BASE, PATH, edit
from support.repos import REPO, schema_project

REF = "main"
HANDBOOK, _ = read_handbook(load_config(REPO))

# Line numbers in the comment below are what the expected positions refer to.
TRANSLATED = """\
title: API errors
title_nl: API-fouten
severity: SEV3
components: [api]
postmortem_summary: A bad deploy.
postmortem_summary_nl: Een foute uitrol.
updates:
  - at: 2026-03-01T10:00:00Z
    status: investigating
    message: We are looking into API errors.
    message_nl: We onderzoeken API-fouten.
    components:
      api: partial_outage
  - at: 2026-03-01T10:30:00Z
    status: resolved
    message: Fixed.
    message_nl: Opgelost.
    correction:
      at: 2026-03-01T11:00:00Z
      reason: Reworded.
      reason_nl: Anders verwoord.
    components:
      api: operational
corrections:
  - at: 2026-03-01T12:00:00Z
    reason: Title changed.
    reason_nl: Titel aangepast.
"""
# line: 1 title / 2 title_nl / 5-6 summary / 8-13 first update / 14-23 second (16 message, 17 message_nl, 18-21 correction) / 24-27 corrections


def problems(text: str) -> list[tuple[int, int, str, Level]]:
    return [(p.line, p.column, p.rule, p.level) for p in check_incident_file(text.encode(), PATH, HANDBOOK).problems]


def test_translations_are_read_into_the_domain() -> None:
    checked = check_incident_file(TRANSLATED.encode(), PATH, HANDBOOK)
    assert checked.problems == ()
    incident = checked.incident
    assert incident is not None
    assert (incident.title, incident.title_in("nl"), incident.title_in("en")) == ("API errors", "API-fouten", None)
    assert incident.postmortem_summary_in("nl") == "Een foute uitrol."
    first, second = incident.updates
    assert (first.message_in("nl"), second.message_in("nl")) == ("We onderzoeken API-fouten.", "Opgelost.")
    assert second.correction is not None and second.correction.reason_in("nl") == "Anders verwoord."
    assert incident.corrections[0].reason_in("nl") == "Titel aangepast."
    # The result cache keeps every translation.
    assert decode(json.loads(json.dumps(encode(checked)))) == checked


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title_nl: API-fouten\n", "title_nl: API-fouten\ntitle_fr: Erreurs API\n", [(3, 1, "language-unknown", Level.ERROR)]),
        ("    message_nl: Opgelost.\n", "    message_nl: Opgelost.\n    message_NL: Opgelost.\n", [(18, 5, "language-unknown", Level.ERROR)]),
        ("      reason_nl: Anders verwoord.\n", "      reason_nl: Anders verwoord.\n      reason_de: Umformuliert.\n", [(22, 7, "language-unknown", Level.ERROR)]),
        # Not a language code: an ordinary unknown key, with a suggestion.
        ("    message_nl: Opgelost.\n", "    message_nl: Opgelost.\n    message_text: Opgelost.\n", [(18, 5, "key-unknown", Level.ERROR)]),
        ("    message_nl: Opgelost.\n", '    message_nl: " "\n', [(16, 14, "translation-missing", Level.WARNING), (17, 17, "value-empty", Level.ERROR)]),
        ("    message_nl: Opgelost.\n", "    message_nl: [Opgelost]\n", [(16, 14, "translation-missing", Level.WARNING), (17, 17, "type-mismatch", Level.ERROR)]),
    ],
    ids=["title in a language not shipped", "a code in capitals", "a correction's reason", "not a language", "empty", "a list"],
)
def test_translation_problems_are_located(old: str, new: str, expected: list[tuple[int, int, str, Level]]) -> None:
    assert problems(edit(TRANSLATED, old, new)) == sorted(expected)


def test_an_unknown_language_says_which_ones_there_are() -> None:
    found = check_incident_file(edit(TRANSLATED, "    message_nl: Opgelost.\n", "    message_de: Behoben.\n").encode(), PATH, HANDBOOK).problems
    (problem,) = [p for p in found if p.rule == "language-unknown"]
    assert problem.message == "'message_de' names the language 'de', which statusbook does not ship; a translation of 'message' is one of message_en (English), message_nl (Dutch)"


def test_every_text_left_untranslated_in_a_translated_incident_is_a_warning() -> None:
    untranslated = TRANSLATED
    for line in ("title_nl: API-fouten\n", "postmortem_summary_nl: Een foute uitrol.\n", "    message_nl: Opgelost.\n", "      reason_nl: Anders verwoord.\n", "    reason_nl: Titel aangepast.\n"):
        untranslated = edit(untranslated, line, "")
    found = check_incident_file(untranslated.encode(), PATH, HANDBOOK).problems
    # line: 1 title / 4 summary / 14 the second update's message / 17 its correction's reason / 22 the incident's correction
    assert [(p.line, p.column, p.rule, p.level) for p in found] == [
        (1, 8, "translation-missing", Level.WARNING),
        (4, 21, "translation-missing", Level.WARNING),
        (14, 14, "translation-missing", Level.WARNING),
        (17, 15, "translation-missing", Level.WARNING),
        (22, 13, "translation-missing", Level.WARNING),
    ]
    assert "no Dutch text (message_nl)" in found[2].message
    # An incident with no translation at all is fine: nothing is missing.
    assert problems(BASE) == []
    # Warnings do not stop the incident from being published.
    assert check_incident_file(untranslated.encode(), PATH, HANDBOOK).incident is not None


def test_the_schema_for_editors_knows_the_translations() -> None:
    schema = incident_schema(HANDBOOK, "https://status.example.com/")
    update = schema["$defs"]["update"]
    assert {f"message_{code}" for code in LANGUAGES} <= set(update["properties"]) and update["additionalProperties"] is False
    assert {"title_nl", "postmortem_summary_nl"} <= set(schema["properties"])
    # Translations come after the keys people type most, so "expected one of" lists start with those.
    assert [f.name for f in UPDATE_SHAPE.fields][:5] == ["at", "status", "message", "components", "correction"]
    assert [f.name for f in INCIDENT_SHAPE.fields][-1] == "postmortem_summary_nl"


# --- the public record is append-only in every language --------------------------------------------


def history(old: str, new: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.rule) for p in check_history({PATH: old.encode()}, {PATH: new.encode()}, HANDBOOK, REF)]


def test_adding_a_translation_to_published_text_needs_no_note() -> None:
    untranslated = BASE
    translated = edit(edit(BASE, "title: API errors\n", "title: API errors\ntitle_nl: API-fouten\n"), "    message: Fixed.\n", "    message: Fixed.\n    message_nl: Opgelost.\n")
    assert history(untranslated, translated) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    message_nl: Opgelost.\n", "    message_nl: Helemaal opgelost.\n", [(17, 17, "history-update-edited")]),
        ("    message_nl: Opgelost.\n", "", [(14, 5, "history-update-edited")]),
        ("title_nl: API-fouten\n", "title_nl: Fouten in de API\n", [(2, 11, "history-field-edited")]),
        ("postmortem_summary_nl: Een foute uitrol.\n", "", [(1, 1, "history-field-edited")]),
        ("      reason_nl: Anders verwoord.\n", "      reason_nl: Herschreven.\n", [(19, 7, "history-update-edited")]),
        ("    reason_nl: Titel aangepast.\n", "    reason_nl: Titel veranderd.\n", [(25, 5, "history-field-edited")]),
    ],
    ids=["a message changed", "a message removed", "the title changed", "the summary removed", "an update's correction reason", "an incident correction's reason"],
)
def test_a_published_translation_is_as_fixed_as_its_text(old: str, new: str, expected: list[tuple[int, int, str]]) -> None:
    assert history(TRANSLATED, edit(TRANSLATED, old, new)) == expected


def test_a_correction_note_allows_changing_either_language() -> None:
    corrected = edit(
        TRANSLATED,
        "    message: We are looking into API errors.\n    message_nl: We onderzoeken API-fouten.\n",
        "    message: We are looking into API errors.\n    message_nl: We onderzoeken fouten in de API.\n    correction: {at: 2026-03-01T13:00:00Z, reason: Reworded, reason_nl: Anders verwoord}\n",
    )
    assert history(TRANSLATED, corrected) == []
    title = edit(TRANSLATED, "title_nl: API-fouten\n", "title_nl: Fouten in de API\n") + "  - {at: 2026-03-01T13:00:00Z, reason: Dutch title reworded, reason_nl: Nederlandse titel herschreven}\n"
    assert history(TRANSLATED, title) == []


def test_a_published_translation_message_says_what_to_do() -> None:
    (problem,) = check_history({PATH: TRANSLATED.encode()}, {PATH: edit(TRANSLATED, "    message_nl: Opgelost.\n", "    message_nl: Klaar.\n").encode()}, HANDBOOK, REF)
    assert problem.message.startswith("this update's message_nl (Dutch) was published at main and has been changed; adding a translation is fine")
    assert "correction: {at: <now>, reason: <what changed and why>}" in problem.message


# --- new and update write translations; the file stays valid and its bytes are kept -------------------


def test_new_incident_text_carries_translations() -> None:
    config = load_config(REPO)
    request = NewIncident(
        "API errors", ("api",), datetime(2026, 3, 1, 10, tzinfo=UTC), severity="SEV3", title_translations=(("nl", "API-fouten"),), message_translations=(("nl", "We kijken ernaar.\nEcht."),)
    )
    text = new_incident_text(request, HANDBOOK, config, manager="")
    assert 'title: "API errors"\ntitle_nl: "API-fouten"\n' in text
    assert "    message_nl: |-\n      We kijken ernaar.\n      Echt.\n" in text
    checked = check_incident_file(text.encode(), PATH, HANDBOOK)
    assert [p for p in checked.problems if p.is_error] == []
    assert checked.incident is not None and checked.incident.updates[0].message_in("nl") == "We kijken ernaar.\nEcht."


def test_append_update_text_adds_the_translation_and_keeps_the_rest() -> None:
    original = "# keep me\n" + TRANSLATED
    text = append_update_text(
        original, path=PATH, at=datetime(2026, 3, 1, 14, tzinfo=UTC), status="investigating", message="Back again.", component_statuses=[("api", "partial_outage")], translations=(("nl", "Weer terug."),)
    )
    assert text.startswith(original[: original.index("corrections:")])
    assert "    message: \"Back again.\"\n    message_nl: \"Weer terug.\"\n    components:\n      api: partial_outage\n" in text
    assert [p for p in check_incident_file(text.encode(), PATH, HANDBOOK).problems if p.is_error] == []


def test_new_writes_translations_the_page_shows_and_refuses_others(tmp_path: Path) -> None:
    project = schema_project(tmp_path / "repo")  # this repository's mkdocs.yml: English and Dutch
    request = NewIncident("API errors", ("api",), datetime(2026, 3, 1, 10, tzinfo=UTC), severity="SEV3", title_translations=(("nl", "API-fouten"),))
    written = new_incident(load_config(project.root), request)
    assert 'title_nl: "API-fouten"\n' in (project.root / written).read_text(encoding="utf-8")
    english = NewIncident("API errors", ("api",), datetime(2026, 3, 1, 10, tzinfo=UTC), severity="SEV3", message_translations=(("en", "Looking."),), slug="2026-03-01-other")
    with pytest.raises(UsageError, match="--message-en: English is this site's default language, so that text goes in --message"):
        new_incident(load_config(project.root), english)
    project.write("mkdocs.yml", "site_name: Test\n")  # English only
    again = NewIncident("API errors", ("api",), datetime(2026, 3, 1, 10, tzinfo=UTC), severity="SEV3", title_translations=(("nl", "API-fouten"),), slug="2026-03-01-third")
    with pytest.raises(UsageError, match=r"--title-nl: the status page is published in en only; add nl to extra.statusbook.languages"):
        new_incident(load_config(project.root), again)


def test_model_defaults_keep_old_constructors_working() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    update = Update(at, "investigating", "Looking.", (), Correction(at, "Typo"))
    assert (update.message_in("nl"), update.correction.reason_in("nl"), update.translations) == (None, None, ())


def test_text_in_a_language_the_page_does_not_show_is_a_warning() -> None:
    checked = check_incident_file(edit(TRANSLATED, "    message_nl: Opgelost.\n", "    message_nl: Opgelost.\n    message_en: Fixed it.\n").encode(), PATH, HANDBOOK)
    assert unpublished_translations(checked, ("en", "nl")) == unpublished_translations(checked, ("en_GB", "nl"))
    (default,) = unpublished_translations(checked, ("en", "nl"))
    assert (default.line, default.column, default.rule, default.level) == (18, 5, "translation-unpublished", Level.WARNING)
    assert "English is this site's default language" in default.message
    english_only = unpublished_translations(checked, ("en",))
    assert [(p.line, p.column) for p in english_only] == [(2, 1), (18, 5)]  # where the file first gives Dutch, then English
    assert "the status page is not published in Dutch" in english_only[0].message and "add nl to extra.statusbook.languages" in english_only[0].message
    assert unpublished_translations(check_incident_file(TRANSLATED.encode(), PATH, HANDBOOK), ("en", "nl")) == []
