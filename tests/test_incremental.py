"""Incremental builds: a rebuild renders only what changed, reuses the previous site's files, and is byte for byte a cold build.

Every rebuild here is compared with a build of the same inputs from nothing
(``use_cache=False`` into a fresh folder), whole trees, marker included. The
render cache is observed through the build's progress messages, which count
the pages rendered and reused; nothing is timed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from statusbook.commands.build import PARTS, build
from statusbook.commands.validate import CACHE_DIR, validate_repository
from statusbook.config import SiteConfig, load_config
from statusbook.io.writer import TEST_PAUSE_ENV, state_folder
from statusbook.render.status_pages import Formatter, translations

FIXTURE = REPO / "tests" / "fixtures" / "status"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
STATUS_PARTS = [(name, spec) for name, spec in PARTS if name != "handbook"]  # MkDocs has its own cache and tests
OLD = """\
title: Slow reports {n}
severity: SEV3
components: [reports]
updates:
  - at: 2020-0{month}-1{n}T10:00:00Z
    status: investigating
    message: Reports are slow for some customers ({n}).
    components:
      reports: degraded_performance
  - at: 2020-0{month}-1{n}T11:00:00Z
    status: resolved
    message: Reports are fast again.
    components:
      reports: operational
"""
NEW = """\
title: Webhooks delayed
severity: SEV3
components: [webhooks]
updates:
  - at: 2026-03-10T09:00:00Z
    status: investigating
    message: Webhooks are delayed by up to ten minutes.
    components:
      webhooks: partial_outage
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The status fixture site (history pages of 3, Amsterdam time, maintenance, an active incident) plus six old incidents."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / "handbook").mkdir()
    for name in ("schema.yml", "components.yml"):
        shutil.copy(REPO / "handbook" / name, root / "handbook" / name)
    for n in range(1, 7):
        (root / "incidents" / f"2020-0{n % 3 + 1}-1{n}-slow-reports-{n}.yml").write_text(OLD.format(n=n, month=n % 3 + 1), encoding="utf-8")
    return root


def run_build(root: Path, *, now: datetime = NOW, out: Path | None = None, use_cache: bool = True) -> list[str]:
    messages: list[str] = []
    build(load_config(root), out_dir=out, now=now, use_cache=use_cache, parts=STATUS_PARTS, progress=messages.append)
    return messages


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def cold_tree(root: Path, scratch: Path, now: datetime = NOW) -> dict[str, str]:
    """The site a build from nothing makes of the same inputs."""
    out = scratch / "cold"
    shutil.rmtree(out, ignore_errors=True)
    run_build(root, now=now, out=out, use_cache=False)
    return tree(out)


def rendered(messages: list[str], part: str = "status page") -> tuple[int, int]:
    """(pages rendered, pages reused) as the build reported them for a part."""
    for message in messages:
        found = re.fullmatch(rf"{part}: rendered (\d+) pages, reused (\d+) unchanged", message)
        if found:
            return int(found[1]), int(found[2])
    raise AssertionError(f"no render counts for {part} in {messages}")


def written(messages: list[str]) -> dict[str, int]:
    found = re.fullmatch(r"wrote (\d+) files, linked (\d+) unchanged from the previous site, kept (\d+), removed (\d+)", messages[-1])
    assert found, messages[-1]
    return dict(zip(("written", "linked", "kept", "removed"), map(int, found.groups()), strict=True))


def edit_message(path: Path, text: str) -> None:
    source = path.read_text(encoding="utf-8")
    edited = re.sub(r"(\n    message: )", rf"\1{text} ", source, count=1)
    assert edited != source
    path.write_text(edited, encoding="utf-8")


def test_editing_one_incident_renders_its_pages_only_and_builds_the_same_site(repo: Path, tmp_path: Path) -> None:
    first = run_build(repo)
    total = sum(rendered(first))
    assert rendered(first) == (total, 0), "a first build renders everything"
    assert written(first)["written"] == len(tree(repo / "site")) - 1  # every file but the marker

    edit_message(repo / "incidents" / "2020-02-11-slow-reports-1.yml", "Edited.")
    second = run_build(repo)
    assert rendered(second) == (2, total - 2), "an old, resolved incident: its own page and the history page that lists it"
    assert tree(repo / "site") == cold_tree(repo, tmp_path)
    counts = written(second)
    assert counts["kept"] > counts["written"] + counts["linked"], "the first build left a spare copy of the site, which is patched"

    edit_message(repo / "incidents" / "2020-01-13-slow-reports-3.yml", "Edited too.")  # not among the latest of its component
    third = run_build(repo)
    assert rendered(third) == (2, total - 2)
    assert tree(repo / "site") == cold_tree(repo, tmp_path)
    counts = written(third)
    assert counts["kept"] > counts["written"] + counts["linked"], "the spare copy of the site before is patched, not rewritten"

    unchanged = run_build(repo)
    assert rendered(unchanged) == (0, total)
    assert written(unchanged)["written"] == 0
    assert tree(repo / "site") == cold_tree(repo, tmp_path)


def test_every_kind_of_change_rebuilds_the_same_site_as_a_cold_build(repo: Path, tmp_path: Path) -> None:
    run_build(repo)
    total = sum(rendered(run_build(repo)))
    incidents = repo / "incidents"

    def check(now: datetime = NOW) -> tuple[int, int]:
        messages = run_build(repo, now=now)
        assert tree(repo / "site") == cold_tree(repo, tmp_path, now)
        return rendered(messages)

    (incidents / "2026-03-10-webhooks-delayed.yml").write_text(NEW, encoding="utf-8")
    check()  # a new incident: a new folder, and every history page shifts
    (incidents / "2020-02-11-slow-reports-1.yml").unlink()
    check()  # a deleted incident: its folder goes
    count, _ = check(NOW + timedelta(days=2))  # time passes: open incidents and the pages showing "now" change
    assert 0 < count < total
    assert check(NOW + timedelta(days=2))[0] == 0, "the same moment again: nothing to render"
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name: Example Status", "site_name: Example Status Page"), encoding="utf-8")
    assert check(NOW + timedelta(days=2))[1] == 0, "a setting every page shows renders every page"
    theme = repo / "theme" / "status" / "incident.html"
    theme.parent.mkdir(parents=True)
    theme.write_text('{% extends "!default/incident.html" %}{% block title %}Incident: {{ incident.title }}{% endblock %}', encoding="utf-8")
    check(NOW + timedelta(days=2))
    edit_message(incidents / "2020-03-12-slow-reports-2.yml", "Edited.")
    count, reused = check(NOW + timedelta(days=2))
    assert reused == 0, "a theme's own templates may show anything: nothing is reused once any input changed"
    shutil.rmtree(repo / "theme")
    check(NOW + timedelta(days=2))
    assert check(NOW + timedelta(days=3))[1] > 0


def test_hand_edits_and_stray_files_in_the_site_do_not_survive_rebuilds(repo: Path, tmp_path: Path) -> None:
    run_build(repo)
    run_build(repo)  # now there is a spare copy of the site too
    site = repo / "site"
    page = site / "incidents" / "2020-02-11-slow-reports-1" / "index.html"
    with page.open("r+b") as handle:  # in place: the spare copy shares this file through a hard link
        handle.write(b"<!-- tampered -->")
    (site / "stray.txt").write_text("left by hand\n", encoding="utf-8")
    (site / "incidents" / "2020-03-12-slow-reports-2" / ".DS_Store").write_bytes(b"\0")
    (site / "incidents" / "stray-folder").mkdir()
    (site / "incidents" / "stray-folder" / "index.html").write_text("stray\n", encoding="utf-8")
    expected = cold_tree(repo, tmp_path)
    first = run_build(repo)
    assert tree(site) == expected
    assert rendered(first)[0] == 1, "the edited page is rendered again"
    for _ in range(2):  # the tampered folder becomes the spare copy, then is patched into the site again
        messages = run_build(repo)
        assert tree(site) == expected
        assert rendered(messages)[0] == 0


def test_a_build_killed_while_patching_the_spare_leaves_the_site_and_the_next_build_is_right(repo: Path, tmp_path: Path) -> None:
    run_build(repo)
    run_build(repo)
    before = tree(repo / "site")
    edit_message(repo / "incidents" / "2020-02-11-slow-reports-1.yml", "Edited.")
    script = (
        "import sys; from datetime import datetime, UTC; from pathlib import Path\n"
        "from statusbook.commands.build import build, PARTS; from statusbook.config import load_config\n"
        "build(load_config(Path(sys.argv[1])), now=datetime(2026, 3, 10, 12, 0, tzinfo=UTC), parts=[p for p in PARTS if p[0] != 'handbook'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), TEST_PAUSE_ENV: "file:5"}
    process = subprocess.Popen([sys.executable, "-c", script, str(repo)], stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in process.stderr:
            if line.strip() == "statusbook-test: paused at file:5":
                break
        else:
            pytest.fail("the build ended without pausing")
        assert not (state_folder(repo / CACHE_DIR, repo / "site") / "spare").exists(), "the spare copy is being patched"
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    assert tree(repo / "site") == before
    after = run_build(repo)
    assert written(after)["linked"] > 0, "the spare copy went with the killed build: unchanged files are linked from the live site"
    assert tree(repo / "site") == cold_tree(repo, tmp_path)
    assert not list(repo.glob(".site-*"))
    run_build(repo)
    assert tree(repo / "site") == cold_tree(repo, tmp_path)


def test_the_cache_forgets_output_folders_that_are_gone(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    run_build(repo, out=elsewhere)
    run_build(repo)
    states = repo / CACHE_DIR / "site"
    assert {state_folder(repo / CACHE_DIR, elsewhere), state_folder(repo / CACHE_DIR, repo / "site")} == set(states.iterdir())
    shutil.rmtree(elsewhere)
    run_build(repo)
    assert set(states.iterdir()) == {state_folder(repo / CACHE_DIR, repo / "site")}, "a spare copy of a deleted site would only take space"


def test_a_changed_file_is_appended_to_the_validation_journal(repo: Path) -> None:
    config = load_config(repo)
    first = validate_repository(config, now=NOW)
    base = repo / CACHE_DIR / "validate.pickle"
    stamp = base.stat().st_mtime_ns
    edit_message(repo / "incidents" / "2020-02-11-slow-reports-1.yml", "Edited.")
    second = validate_repository(config, now=NOW)
    assert base.stat().st_mtime_ns == stamp, "one changed file does not rewrite every stored result"
    journal = base.with_suffix(".journal")
    assert journal.is_file()
    with journal.open("ab") as handle:
        handle.write(b"\x80\x05truncated")  # a run killed while appending
    assert validate_repository(config, now=NOW).problems == second.problems
    assert validate_repository(config, now=NOW, use_cache=False).incidents == second.incidents
    assert [i.id for i in second.incidents] == [i.id for i in first.incidents]


ZONES = ("UTC", "Europe/Amsterdam", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe")
LANGUAGES = ("en", "nl", "de", "fr", "ja", "ar", "fa_IR")


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(ZONES),
    language=st.sampled_from(LANGUAGES),
)
def test_fast_date_formatting_matches_babel(moment: datetime, zone: str, language: str) -> None:
    fmt = Formatter(SiteConfig(root=Path("."), language=language, timezone=zone), translations(language))
    assert fmt.datetime(moment) == fmt.datetime_slowly(moment)
    assert fmt.time(moment).isascii()
    assert fmt.date(moment.astimezone(ZoneInfo(zone)).date()) in fmt.datetime(moment)
