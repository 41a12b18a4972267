"""Incremental builds: a rebuild renders only what changed, links the live site's unchanged files, and is byte for byte a cold build.

Every rebuild here is compared with a build of the same inputs from nothing
(``use_cache=False`` into a fresh folder), whole trees, marker included. The
render cache is observed through the build's progress message, which counts
the pages rendered and reused; nothing is timed. The handbook has its own
cache and tests (test_handbook.py): these builds are of the status side only.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from statusbook.commands.build import build
from statusbook.commands.validate import validate_repository
from statusbook.io.cache import repository_cache
from statusbook.io.config_file import load_config
from support.kill import kill_build_at, tree
from support.repos import REPO

FIXTURE = REPO / "tests" / "fixtures" / "status"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
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
# What editing an old, resolved incident renders: its page, its history page, the history pages of its component, severity
# and year, the site's and its component's Atom and RSS feeds; and the search index of its year, which Pagefind makes whole (see search_files).
ONE_INCIDENT = 2 + 3 + 4
COUNTS = re.compile(r"rendered (\d+) pages, reused (\d+) unchanged; wrote (\d+) files, linked (\d+), kept (\d+)")


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
    build(load_config(root), out_dir=out, now=now, use_cache=use_cache, handbook=False, progress=messages.append)
    return messages


def cold_tree(root: Path, scratch: Path, now: datetime = NOW) -> dict[str, str]:
    """The site a build from nothing makes of the same inputs."""
    out = scratch / "cold"
    shutil.rmtree(out, ignore_errors=True)
    run_build(root, now=now, out=out, use_cache=False)
    return tree(out)


def counts(messages: list[str]) -> dict[str, int]:
    """What the build reported: pages rendered and reused, files written, linked (from the live site or Pagefind) and kept (in the spare)."""
    found = [m for m in messages if COUNTS.fullmatch(m)]
    assert len(found) == 1, messages
    return dict(zip(("rendered", "reused", "written", "linked", "kept"), map(int, COUNTS.fullmatch(found[0]).groups()), strict=True))


def rendered(messages: list[str]) -> tuple[int, int]:
    """(pages rendered, pages reused) as the build reported them."""
    found = counts(messages)
    return found["rendered"], found["reused"]


def edit_message(path: Path, text: str) -> None:
    source = path.read_text(encoding="utf-8")
    edited = re.sub(r"(\n    message: )", rf"\1{text} ", source, count=1)
    assert edited != source
    path.write_text(edited, encoding="utf-8")


def inode(path: Path) -> int:
    return path.stat().st_ino


def inodes(site: Path) -> dict[Path, int]:
    return {p: inode(p) for p in site.rglob("*") if p.is_file()}


def all_search_files(site: Path) -> int:
    return sum(1 for p in site.rglob("*") if p.is_file() and "pagefind" in p.relative_to(site).parts)


def search_files(site: Path, year: str = "2020") -> int:
    """How many files one year's search index has: all of them are made again when an incident of that year changes, no other year's."""
    return sum(1 for p in (site / "pagefind" / year).rglob("*") if p.is_file())


def test_editing_one_incident_renders_its_pages_only_and_builds_the_same_site(repo: Path, tmp_path: Path) -> None:
    site = repo / "site"
    first = run_build(repo)
    total = sum(rendered(first))
    assert rendered(first) == (total, 0), "a first build renders everything"
    # Every file but the marker is written, or (the search index's, when Pagefind's scratch folder is on the site's disk) linked.
    assert counts(first)["written"] + counts(first)["linked"] == len(tree(site)) - 1
    assert counts(first)["linked"] in (0, all_search_files(site))

    edited_page = site / "incidents" / "2020-02-11-slow-reports-1" / "index.html"
    untouched_page = site / "incidents" / "2020-03-12-slow-reports-2" / "index.html"
    before = {edited_page: inode(edited_page), untouched_page: inode(untouched_page)}
    first_inodes = inodes(site)
    edit_message(repo / "incidents" / "2020-02-11-slow-reports-1.yml", "Edited.")
    second = run_build(repo)
    second_inodes = inodes(site)
    # An old, resolved incident: its own page, the history pages that list it, the feeds (Atom and RSS) of the site and of its component,
    # and the search index.
    changed = ONE_INCIDENT + search_files(site)
    assert rendered(second) == (changed, total - changed)
    assert tree(site) == cold_tree(repo, tmp_path)
    found = counts(second)
    # Every reused page is linked from the live site, not written again; the edited year's new search index is copied from
    # Pagefind's folder in memory (or linked, when that folder is on the site's disk).
    assert found["linked"] - (total - changed) in (0, search_files(site)), "every reused page is linked from the live site, not written again"
    assert found["written"] + found["linked"] == len(tree(site)) - 1
    assert inode(untouched_page) == before[untouched_page], "an unchanged page is the previous site's very file"
    assert inode(edited_page) != before[edited_page]

    edit_message(repo / "incidents" / "2020-01-13-slow-reports-3.yml", "Edited too.")  # not among the latest of its component
    third = run_build(repo)
    changed = ONE_INCIDENT + search_files(site)
    assert rendered(third) == (changed, total - changed)
    assert tree(site) == cold_tree(repo, tmp_path)
    found = counts(third)
    # The first site, kept by the second build, is patched into the third: what the second build changed is linked from the
    # live site, the rest is kept where it is; nothing is linked or written that did not change.
    assert found["written"] + found["linked"] + found["kept"] == len(tree(site)) - 1
    # Pagefind makes the edited year's index whole again, but most of its files come out byte for byte as before: those stay too.
    assert total - changed < found["linked"] + found["kept"] < total - changed + search_files(site)
    changed_by_second = {p for p, n in second_inodes.items() if first_inodes.get(p) != n}
    now = inodes(site)
    from_live = sum(1 for p in changed_by_second if now.get(p) == second_inodes[p])
    assert 0 < from_live < ONE_INCIDENT
    linked_search_files = found["linked"] - from_live  # none when Pagefind's folder is in memory (its new files are copied)
    assert 0 <= linked_search_files < search_files(site), "only what the second build changed is linked from the live site (and the search index's new files)"
    assert inode(untouched_page) == before[untouched_page]

    unchanged = run_build(repo)
    assert rendered(unchanged) == (0, total)
    found = counts(unchanged)
    assert found["linked"] + found["kept"] == total
    assert found["written"] == len(tree(site)) - 1 - total, "only files that declare no inputs (feeds, API) are written again"
    assert tree(site) == cold_tree(repo, tmp_path)
    found = counts(run_build(repo))
    assert (found["kept"], found["linked"]) == (total, 0), "nothing changed in two builds: the spare holds every file already"


def test_every_kind_of_change_rebuilds_the_same_site_as_a_cold_build(repo: Path, tmp_path: Path) -> None:
    run_build(repo)
    total = sum(rendered(run_build(repo)))
    incidents = repo / "incidents"
    later = NOW + timedelta(days=2)

    def check(now: datetime = NOW) -> tuple[int, int]:
        messages = run_build(repo, now=now)
        assert tree(repo / "site") == cold_tree(repo, tmp_path, now)
        return rendered(messages)

    (incidents / "2026-03-10-webhooks-delayed.yml").write_text(NEW, encoding="utf-8")
    check()  # a new incident: a new folder, and every history page shifts
    (incidents / "2020-02-11-slow-reports-1.yml").unlink()
    check()  # a deleted incident: its folder goes
    count, _ = check(later)  # time passes: open incidents and the pages showing "now" change
    assert 0 < count < total
    assert check(later)[0] == 0, "the same moment again: nothing to render"
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name: Example Status", "site_name: Example Status Page"), encoding="utf-8")
    assert check(later)[1] == 0, "a setting every page shows renders every page"
    assert check(later)[0] == 0

    readme = repo / "theme" / "status" / "README.md"
    readme.parent.mkdir(parents=True)
    readme.write_text("# Our status theme\n\nTemplates here override statusbook's.\n", encoding="utf-8")
    assert check(later)[0] == 0, "a file in the theme that is not a template changes no page"
    edit_message(incidents / "2020-01-13-slow-reports-3.yml", "Edited.")  # not among the latest of its component
    count, reused = check(later)
    assert count == ONE_INCIDENT + search_files(repo / "site") and reused > 0, "with only a README in the theme, an edit still renders just the files that show the incident"

    theme = repo / "theme" / "status" / "incident.html"
    theme.write_text('{% extends "!default/incident.html" %}{% block title %}Incident: {{ incident.title }}{% endblock %}', encoding="utf-8")
    check(later)
    site = repo / "site"
    before = {p: inode(p) for p in site.rglob("*") if p.is_file()}
    edit_message(incidents / "2020-03-12-slow-reports-2.yml", "Edited again.")
    count, reused = check(later)
    kept = [p.relative_to(site) for p in site.rglob("*") if p.is_file() and before.get(p) == inode(p)]
    pages = sorted({p.suffix for p in kept if p.parts[0] != "pagefind"})
    assert pages == [".atom", ".ics", ".rss"], "a theme's own templates may show anything: no page is reused once any input changed, only feeds and calendars"
    index = {p.relative_to(site) for p in (site / "pagefind").rglob("*") if p.is_file()}
    new = {p.parts[1] for p in index - set(kept)}
    assert new == {"2020"}, "templates never reach the search index: only the edited year's bundle has new files"
    shutil.rmtree(repo / "theme")
    check(later)
    assert check(NOW + timedelta(days=3))[1] > 0


def test_hand_edits_and_stray_files_in_the_site_do_not_survive_rebuilds(repo: Path, tmp_path: Path) -> None:
    run_build(repo)
    run_build(repo)  # now the site's unchanged files are hard links the cache vouches for
    site = repo / "site"
    page = site / "incidents" / "2020-02-11-slow-reports-1" / "index.html"
    with page.open("r+b") as handle:  # in place, as an editor that keeps the inode would
        handle.write(b"<!-- tampered -->")
    (site / "stray.txt").write_text("left by hand\n", encoding="utf-8")
    (site / "incidents" / "2020-03-12-slow-reports-2" / ".DS_Store").write_bytes(b"\0")
    (site / "incidents" / "stray-folder").mkdir()
    (site / "incidents" / "stray-folder" / "index.html").write_text("stray\n", encoding="utf-8")
    expected = cold_tree(repo, tmp_path)
    first = run_build(repo)
    assert tree(site) == expected
    assert rendered(first)[0] == 1, "the edited page is rendered again"
    for _ in range(2):
        messages = run_build(repo)
        assert tree(site) == expected
        assert rendered(messages)[0] == 0


def test_a_build_killed_while_writing_leaves_the_site_and_the_next_build_is_right(repo: Path, tmp_path: Path) -> None:
    run_build(repo)
    run_build(repo)
    before = tree(repo / "site")
    edit_message(repo / "incidents" / "2020-02-11-slow-reports-1.yml", "Edited.")
    kill_build_at(repo, "file:5", now=NOW)
    assert tree(repo / "site") == before
    after = run_build(repo)
    assert counts(after)["linked"] + counts(after)["kept"] > 0, "the killed build changed nothing the cache vouches for: unchanged files are reused"
    assert tree(repo / "site") == cold_tree(repo, tmp_path)
    assert not list(repo.glob(".site-*"))
    run_build(repo)
    assert tree(repo / "site") == cold_tree(repo, tmp_path)


def test_a_deleted_output_folder_is_built_again_from_nothing(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    total = sum(rendered(run_build(repo, out=elsewhere)))
    run_build(repo)
    shutil.rmtree(elsewhere)
    again = run_build(repo, out=elsewhere)
    assert rendered(again) == (total, 0), "the record of a deleted folder must not make anything look reusable"
    assert tree(elsewhere) == cold_tree(repo, tmp_path)
    cache = repository_cache(repo)
    kept = [p for p in cache.rglob("*") if p.is_file()]
    assert kept and all(p.suffix == ".json" for p in kept), "the cache keeps small records, never a copy of a site"


def test_a_corrupt_validation_cache_is_ignored_and_unchanged_runs_do_not_rewrite_it(repo: Path) -> None:
    config = load_config(repo)
    first = validate_repository(config, now=NOW)
    stored = repository_cache(repo) / "results.json"
    assert stored.is_file()
    edit_message(repo / "incidents" / "2020-02-11-slow-reports-1.yml", "Edited.")
    second = validate_repository(config, now=NOW)
    stamp = stored.stat().st_mtime_ns
    assert validate_repository(config, now=NOW).problems == second.problems
    assert stored.stat().st_mtime_ns == stamp, "nothing new to store: every result came from the cache"
    stored.write_bytes(stored.read_bytes()[: stored.stat().st_size // 2])  # a cache cut short
    assert validate_repository(config, now=NOW).problems == second.problems
    header, *lines = stored.read_bytes().splitlines()
    assert json.loads(header)["format"] and lines, "the broken cache is replaced by a whole one"
    assert all(json.loads(line.partition(b" ")[2]) for line in lines)
    assert validate_repository(config, now=NOW, use_cache=False).incidents == second.incidents
    assert [i.id for i in second.incidents] == [i.id for i in first.incidents]
