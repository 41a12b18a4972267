"""The status page's fixture site (tests/fixtures/status): a small repository to render, and where its golden files live."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from support.repos import REPO

FIXTURE = REPO / "tests" / "fixtures" / "status"
GOLDEN = REPO / "tests" / "golden" / "status"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # the fixture site's build clock
MARKER = "zzleak"  # in every internal field of every fixture incident (any case)
# The pages the browser tests run axe on (in every language the site is published in).
A11Y_PATHS = ("", "incidents/2026-03-08-sign-in-outage/", "uptime/", "history/page/2/", "history/severity/sev1/", "components/api/", "search/", "api/v2/", "widget/", "404.html")


def make_repository(root: Path, *, incidents: bool = True, language: str = "en", theme: dict[str, str] | None = None, extra: str = "") -> Path:
    """Copy the fixture site and the real handbook schema into a fresh repository folder (no git: render it at ``NOW``)."""
    shutil.copytree(FIXTURE, root, ignore=None if incidents else shutil.ignore_patterns("*.yml"))
    if not incidents:
        shutil.copy(FIXTURE / "mkdocs.yml", root / "mkdocs.yml")
        (root / "incidents").mkdir(exist_ok=True)
    (root / "handbook").mkdir()
    for name in ("schema.yml", "components.yml"):
        shutil.copy(REPO / "handbook" / name, root / "handbook" / name)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8").replace("language: en", f"language: {language}")
    (root / "mkdocs.yml").write_text(config + extra, encoding="utf-8")
    for rel, text in (theme or {}).items():
        (root / "theme" / "status" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "theme" / "status" / rel).write_text(text, encoding="utf-8")
    return root


LANGUAGES = "    languages: [en, nl]\n"  # appended under the fixture's extra.statusbook
# Dutch for some fixture incidents: the payments maintenance in full, the API errors in part (the title and its
# first update), the others not at all, so pages show every case: translated, partly translated, untranslated.
DUTCH = {
    "2026-03-12-database-upgrade.yml": (
        ("title: Database upgrade for payments\n", "title_nl: Database-upgrade voor betalingen\n"),
        ("    message: Payments may be slow for a few minutes during the window.\n", "    message_nl: Betalingen kunnen tijdens het onderhoud een paar minuten traag zijn.\n"),
    ),
    "2026-03-10-api-errors.yml": (
        ("title: Elevated error rates on the public API\n", "title_nl: Meer fouten bij de publieke API\n"),
        (
            "    message: Some requests to the API fail with `503` errors. We are investigating.\n",
            "    message_nl: Sommige verzoeken aan de API mislukken met een `503`-fout. We zoeken het uit.\n",
        ),
    ),
}


def make_bilingual_repository(root: Path, *, languages: str = LANGUAGES, **options: object) -> Path:
    """The fixture site published in English and Dutch, some of its incidents translated (see ``DUTCH``)."""
    make_repository(root, extra=languages, **options)
    for name, additions in DUTCH.items():
        path = root / "incidents" / name
        text = path.read_text(encoding="utf-8")
        for after, line in additions:
            assert text.count(after) == 1, (name, after)
            text = text.replace(after, after + line)
        path.write_text(text, encoding="utf-8")
    return root
