"""The handbook in two languages: tables in Dutch from the schema's translations, twins for every page, Dutch links and redirects."""

from __future__ import annotations

import re

from statusbook.core.handbook import Handbook, parse_handbook
from statusbook.handbook.export import UNTRANSLATED_NOTE, VersionFiles, export_version, page_language, twin_path
from statusbook.handbook.finish import version_list
from statusbook.handbook.redirects import alias_redirects
from statusbook.handbook.tables import TABLES, expand_placeholders
from support.handbook_repo import REPO

SCHEMA = (REPO / "handbook" / "schema.yml").read_text(encoding="utf-8")
COMPONENTS = (REPO / "handbook" / "components.yml").read_text(encoding="utf-8")
TRANSLATIONS = re.compile(r"\n( *)translations:\n(?:\1  .*\n)*")


def handbook_of(schema: str = SCHEMA, components: str = COMPONENTS) -> Handbook:
    handbook, problems = parse_handbook(schema.encode(), components.encode(), schema_path="handbook/schema.yml", components_path="handbook/components.yml")
    assert handbook is not None and problems == [], problems
    return handbook


def untranslated(text: str) -> str:
    """The file without any translations block."""
    return TRANSLATIONS.sub("\n", text)


def table(name: str, handbook: Handbook, language: str) -> str:
    text, unknown = expand_placeholders(f"<!-- statusbook:{name} -->", handbook, language)
    assert unknown == []
    return text


def test_the_severities_come_in_dutch_with_the_same_anchors() -> None:
    text = table("severities", handbook_of(), "nl")
    assert "| Ernst | Naam | Groot incident | Piept responders op | Publieke impact | Publieke update minstens elke | Postmortem |" in text
    assert "| [SEV2](#severity-sev2) | Groot | ja | ja | `major` | 1 uur | verplicht |" in text
    assert "## SEV2 — Groot {#severity-sev2}" in text
    assert "**Kies dit niveau als:**\n\n- Een dienst voor klanten is voor een deel van de klanten onbeschikbaar." in text
    assert "Kort gezegd: een groot incident; responders worden op elk uur van de dag opgepiept; publieke updates minstens elke 1 uur; een postmortem is verplicht." in text


def test_every_table_has_dutch_headers() -> None:
    handbook = handbook_of()
    for name in TABLES:
        english, dutch = table(name, handbook, "en"), table(name, handbook, "nl")
        assert english.splitlines()[1] != dutch.splitlines()[1], f"{name}: the first heading or header row is in Dutch"
        assert english.count("\n|") == dutch.count("\n|"), f"{name}: the same rows in both languages"


def test_english_tables_do_not_change_with_translations() -> None:
    with_words, without = handbook_of(), handbook_of(untranslated(SCHEMA), untranslated(COMPONENTS))
    assert "  translations:\n" in SCHEMA and "  translations:\n" not in untranslated(SCHEMA) + untranslated(COMPONENTS)
    for name in TABLES:
        assert table(name, with_words, "en") == table(name, without, "en"), name


def test_an_entry_without_dutch_words_stays_english_in_the_dutch_table() -> None:
    components = untranslated(COMPONENTS).replace("        team: payments\n", "        team: payments\n        translations:\n          nl:\n            name: Afrekenen\n", 1)
    text = table("components", handbook_of(components=components), "nl")
    assert "| Afrekenen | `checkout-web` | Hosted checkout pages. | Customer apps |" in text, "the name in Dutch, the rest in English"
    assert "| Public API | `api` | REST API at api.example.com. | Platform |" in text
    assert text.splitlines()[1] == "| Onderdeel | Id | Wat het is | Groep | Team dat eigenaar is | Zo bereik je ze |"


def test_translated_text_is_escaped_like_english() -> None:
    components = COMPONENTS.replace('name: "Afrekenen"', 'name: "<b>Afrekenen</b> *nu*"', 1)
    text = table("components", handbook_of(components=components), "nl")
    assert r"&lt;b&gt;Afrekenen&lt;/b&gt; \*nu\*" in text and "<b>" not in text


# --- export: every page in every language -----------------------------------------------------------------


def version(pages: dict[str, str]) -> VersionFiles:
    files = {"handbook/schema.yml": SCHEMA.encode(), "handbook/components.yml": COMPONENTS.encode()}
    files.update({f"handbook/{name}": text.encode() for name, text in pages.items()})
    return VersionFiles("v1.0", files, "handbook", {"severity.md": "2026-03-10", "severity.nl.md": "2026-04-02"}, "2026-01-10")


def test_pages_are_named_by_language() -> None:
    assert [page_language(p) for p in ("handbook/roles.md", "handbook/roles.nl.md", "handbook/v1.0.md", "handbook/a/index.nl.md")] == ["en", "nl", "en", "nl"]
    assert twin_path("handbook/phases/index.md", "nl") == "handbook/phases/index.nl.md"


def test_a_dutch_twin_gets_dutch_tables_and_a_dutch_date() -> None:
    exported, problems = export_version(version({"severity.md": "# Severity\n\n<!-- statusbook:severities -->\n", "severity.nl.md": "# Ernst\n\n<!-- statusbook:severities -->\n"}))
    assert problems == []
    dutch = exported["handbook/severity.nl.md"].decode()
    assert dutch.startswith("---\nstatusbook_updated: '2026-04-02'\nstatusbook_updated_text: '2 april 2026'\n---\n")
    assert "## SEV2 — Groot {#severity-sev2}" in dutch and "statusbook_untranslated" not in dutch
    assert "## SEV2 — Major {#severity-sev2}" in exported["handbook/severity.md"].decode()
    assert "statusbook_updated_text: '10 March 2026'" in exported["handbook/severity.md"].decode()


def test_a_page_without_a_twin_gets_the_english_text_under_a_dutch_note() -> None:
    source = "---\ntitle: Roles\n---\n# Roles\n\nWho does what.\n\n<!-- statusbook:roles -->\n"
    exported, problems = export_version(version({"roles.md": source}))
    assert problems == []
    stand_in = exported["handbook/roles.nl.md"].decode()
    assert stand_in.startswith("---\ntitle: Roles\nstatusbook_updated: '2026-01-10'\nstatusbook_updated_text: '10 januari 2026'\nstatusbook_untranslated: en\n---\n# Roles\n\n")
    assert stand_in.index("# Roles") < stand_in.index(UNTRANSLATED_NOTE["nl"]) < stand_in.index("Who does what.")
    assert "| Role | Id | Responsibilities |" in stand_in, "the English text keeps its English table"


def test_an_unknown_placeholder_is_reported_once_not_once_per_language() -> None:
    _, problems = export_version(version({"page.md": "# Page\n\n<!-- statusbook:severites -->\n"}))
    assert [(p.path, p.rule) for p in problems] == [("v1.0:handbook/page.md", "handbook-placeholder")]


# --- what statusbook writes into built pages ------------------------------------------------------------------


def test_the_version_list_on_a_dutch_page_leads_to_the_dutch_pages() -> None:
    nav = version_list("v1.0", [("dev", False), ("v1.1", True), ("v1.0", False)], 2, "nl")
    assert nav == (
        '<nav class="statusbook-versions" aria-label="Handboekversies"><p>Handboekversies: '
        '<a href="../../../dev/nl/">dev</a> · <a href="../../../v1.1/nl/">v1.1 (nieuwste)</a> · <strong aria-current="page">v1.0</strong></p></nav>\n'
    )
    assert '<a href="../../v1.1/">v1.1 (latest)</a>' in version_list("v1.0", [("v1.1", True), ("v1.0", False)], 1)


def test_latest_redirects_dutch_pages_to_dutch_pages() -> None:
    pages = alias_redirects("v1.1", ["severity/index.html", "nl/severity/index.html"])
    assert 'window.location.replace("../../../v1.1/nl/severity/"' in pages["latest/nl/severity/index.html"]
    assert '<html lang="nl">' in pages["latest/nl/severity/index.html"] and '<html lang="en">' in pages["latest/severity/index.html"]
