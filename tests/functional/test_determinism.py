"""The status side renders the same bytes every time: each output kind of the sample repository, rendered in two fresh interpreters.

The two processes differ in everything that must not matter: the hash seed, the
repository's path and file times (the second renders a clone made elsewhere), and
the wall clock (two moments between the same two changes of the public page, so
both snap to the same clock).
Each prints a digest per file; both must also match a render in this process.
(The handbook's determinism is tested with the handbook.)
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from statusbook.commands.build import STATUS_PARTS
from statusbook.core import urls
from support.render import render
from support.repos import REPO, git, schema_project
from support.samples import NOW, write_samples

# A file each kind must render, so an empty kind cannot pass as deterministic.
EXPECTED = {
    "feeds": urls.FEED_ATOM,
    "calendar": urls.CALENDAR,
    "api": urls.API_SUMMARY,
    "incident schema": urls.INCIDENT_SCHEMA,
    "status page": urls.page_file(urls.HOME),
}
DIGESTS = """
import hashlib, json, sys
from pathlib import Path
from support.render import render
files = render(Path(sys.argv[1]), parts=[sys.argv[2]])
print(json.dumps({path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}))
"""


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The committed sample repository, and a clone of it at another path (fresh file times)."""
    project = schema_project(tmp_path_factory.mktemp("samples") / "repo")
    write_samples(project)
    clone = tmp_path_factory.mktemp("elsewhere") / "clone"
    git(clone.parent, "clone", "-q", str(project.root), str(clone))
    return project.root, clone


def test_every_output_kind_is_covered() -> None:
    assert set(EXPECTED) == {name for name, _ in STATUS_PARTS}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_two_renders_in_fresh_interpreters_are_byte_identical(repositories: tuple[Path, Path], kind: str) -> None:
    root, clone = repositories
    base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    # The sample commit is at NOW and its next change 4 minutes later: any wall clock in between builds NOW's page.
    runs = [(root, {"PYTHONHASHSEED": "1", "STATUSBOOK_NOW": "2026-06-01T12:01:00Z"}), (clone, {"PYTHONHASHSEED": "2", "STATUSBOOK_NOW": "2026-06-01T12:03:59Z"})]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", DIGESTS, str(where), kind],
            cwd=REPO,
            env={**base, **extra, "PYTHONPATH": str(REPO / "tests")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for where, extra in runs
    ]
    found = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        found.append(json.loads(out))
    first, second = found
    assert EXPECTED[kind] in first
    assert first == second
    assert digests(render(root, NOW, parts=[kind])) == first
