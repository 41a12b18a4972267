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
