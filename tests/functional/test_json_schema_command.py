"""The incident file JSON Schema end to end: the build publishes it, and ``statusbook schema`` writes the same bytes or refuses a broken handbook.

tests/unit/test_json_schema.py checks the schema itself against the validator.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from statusbook.core import urls
from statusbook.render.json_schema import schema_json
from support.render import render, valid
from support.repos import REPO, Project
from support.samples import SITE, write_samples


def test_build_publishes_the_schema_and_the_command_writes_the_same(project: Project, tmp_path: Path) -> None:
    write_samples(project)
    published = render(project.root, parts=["incident schema"])[urls.INCIDENT_SCHEMA]
    assert published == schema_json(valid(project.root).handbook, SITE)
    out = tmp_path / "incident.schema.json"
    result = subprocess.run([sys.executable, "-m", "statusbook", "schema", "--root", str(project.root), "--output", str(out)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == published
    printed = subprocess.run([sys.executable, "-m", "statusbook", "schema", "--root", str(project.root)], cwd=REPO, capture_output=True)
    assert printed.returncode == 0 and printed.stdout == published
    assert json.loads(published)["$id"] == f"{SITE}schema/incident.schema.json"


def test_schema_command_refuses_a_broken_handbook(project: Project) -> None:
    project.write("handbook/schema.yml", "schema_version: 1\nphases: []\n")
    result = subprocess.run([sys.executable, "-m", "statusbook", "schema", "--root", str(project.root)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1
    assert "handbook schema is invalid" in result.stderr and result.stdout == ""
