"""Feed entry ids are permanent: the committed sample repository, rebuilt and then rebuilt after a later commit."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest
from statusbook.commands.build import build_time
from support.render import render
from support.repos import Project
from support.samples import NOW, write_samples


def entry_ids(data: bytes) -> list[str]:
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return [e.id for e in feed.entries]


def test_ids_unique_within_each_feed_and_identical_across_builds(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    write_samples(project)
    monkeypatch.setenv("STATUSBOOK_NOW", "2026-06-01T12:02:00Z")
    assert build_time(project.root) == NOW  # the commit is the last change before the wall clock: the build's clock
    first = render(project.root, parts=["feeds"])
    second = render(project.root, parts=["feeds"])
    paths = sorted(p for p in first if p.endswith((".atom", ".rss")))
    assert "history.atom" in paths
    for path in paths:
        assert first[path] == second[path], path
        ids = entry_ids(first[path])
        assert len(ids) == len(set(ids)), path
    # An entry's id never depends on the build: a later commit keeps every id.
    project.write("incidents/README.md", "A later commit changes the build clock.\n")
    project.commit("later", date="2026-06-01T18:00:00Z")
    monkeypatch.setenv("STATUSBOOK_NOW", "2026-06-01T18:30:00Z")
    assert build_time(project.root) == datetime(2026, 6, 1, 18, tzinfo=UTC)
    later = render(project.root, parts=["feeds"])
    # Later, more updates are public (the reports resolution, a window's end), and every earlier id is still there.
    assert set(entry_ids(first["history.atom"])) < set(entry_ids(later["history.atom"]))
