"""The handbook's languages: English (the schema's own) and those it is translated into, and where each is published.

A version's English pages are at ``handbook/<version>/...``, each other
language's at ``handbook/<version>/<language>/...`` (mkdocs-static-i18n's
layout). The few words statusbook writes into pages itself (the version
list, redirect pages, the tables made from the schema) are here, in each language.
"""

from __future__ import annotations

from statusbook.core.handbook import SOURCE_LANGUAGE, TRANSLATION_LANGUAGES

LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATION_LANGUAGES)
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "Handbook versions": "Handboekversies",
        "{version} (latest)": "{version} (nieuwste)",
        "Redirecting": "Doorsturen",
        "This page has moved to": "Deze pagina staat nu op",
        # the tables generated from the schema and the rule catalogue (handbook/tables.py)
        "yes": "ja",
        "no": "nee",
        "and": "en",
        "1 hour": "1 uur",
        "{n} hours": "{n} uur",
        "{n} minutes": "{n} minuten",
        "Phase": "Fase",
        "Id": "Id",
        "What happens": "Wat er gebeurt",
        "Applies to": "Geldt voor",
        "only {types} incidents": "alleen {types}-incidenten",
        "no incident type yet": "nog geen incidenttype",
        "after resolution": "na het oplossen",
        "every incident": "elk incident",
        "Type": "Type",
        "Meaning": "Betekenis",
        "Phases, in order": "Fasen, op volgorde",
        "Severity": "Ernst",
        "Name": "Naam",
        "Major incident": "Groot incident",
        "Pages responders": "Piept responders op",
        "Public impact": "Publieke impact",
        "Public update at least every": "Publieke update minstens elke",
        "Postmortem": "Postmortem",
        "required": "verplicht",
        "optional": "optioneel",
        "none": "geen",
        "**Choose it when:**": "**Kies dit niveau als:**",
        "**Examples:**": "**Voorbeelden:**",
        "a major incident": "een groot incident",
        "not a major incident": "geen groot incident",
        "responders are paged at any hour": "responders worden op elk uur van de dag opgepiept",
        "handled by the owning team, normally in working hours": "het team dat eigenaar is pakt het op, normaal binnen kantoortijd",
        "public updates at least every {duration}": "publieke updates minstens elke {duration}",
        "a postmortem is required": "een postmortem is verplicht",
        "a postmortem is optional": "een postmortem is optioneel",
        "no postmortem": "geen postmortem",
        "In short: {facts}.": "Kort gezegd: {facts}.",
        "Role": "Rol",
        "Responsibilities": "Verantwoordelijkheden",
        "Required for major incidents": "Verplicht bij grote incidenten",
        "Status": "Status",
        "Final": "Laatste",
        "closes the incident": "sluit het incident af",
        "closes the maintenance": "sluit het onderhoud af",
        "Component status": "Status van een onderdeel",
        "Counts as downtime": "Telt als downtime",
        "Question": "Vraag",
        "Topic": "Onderwerp",
        "Id in `internal.assessment`": "Id in `internal.assessment`",
        "Component": "Onderdeel",
        "What it is": "Wat het is",
        "Group": "Groep",
        "Owning team": "Team dat eigenaar is",
        "How to reach them": "Zo bereik je ze",
        "The file": "Het bestand",
        "Each item of `{path}`": "Elk item van `{path}`",
        "list of mappings": "lijst van mappings",
        "Field": "Veld",
        "Required": "Verplicht",
        "Allowed values": "Toegestane waarden",
        "Description": "Beschrijving",
        "Rule": "Regel",
        "Level": "Niveau",
        "What it checks": "Wat ze controleert",
        "Fails": "Fout",
        "Passes": "Goed",
        "Setting": "Instelling",
        "What it does": "Wat ze doet",
    },
}


def say(language: str, text: str, **values: object) -> str:
    """statusbook's own ``text`` in ``language`` (English when there is no translation), with ``values`` filled in."""
    template = WORDS.get(language, {}).get(text, text)
    return template.format(**values) if values else template


def language_folder(language: str) -> str:
    """The language's folder inside a version: ``""`` for English, ``"nl/"`` for Dutch."""
    return "" if language == SOURCE_LANGUAGE else f"{language}/"


def language_of(path: str) -> str:
    """The language of a built file, from its path inside a version (``nl/severity/index.html`` is Dutch)."""
    first = path.split("/", 1)[0]
    return first if first in TRANSLATION_LANGUAGES and "/" in path else SOURCE_LANGUAGE
