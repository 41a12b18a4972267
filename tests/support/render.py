"""Render the status side of a repository in this process, as `statusbook build` would, without the handbook."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from statusbook.check.validation import Validation
from statusbook.commands.build import STATUS_PARTS, build_time, status_view
from statusbook.commands.validate import validate_repository
from statusbook.io.config_file import load_config
from statusbook.view.status_view import StatusView


def valid(root: Path, now: datetime | None = None) -> Validation:
    """Validate a repository that must be valid (no cache), failing with its errors otherwise."""
    validation = validate_repository(load_config(root), now=now or build_time(root), use_cache=False)
    errors = [p.format() for p in validation.problems if p.is_error]
    assert not errors, errors
    return validation


def view_of(root: Path, now: datetime | None = None) -> StatusView:
    now = now or build_time(root)
    return status_view(load_config(root), valid(root, now), now)


def render(root: Path, now: datetime | None = None, *, parts: Iterable[str] | None = None) -> dict[str, bytes]:
    """Every file of the named status parts (all of them by default), by path; a path twice fails."""
    view = view_of(root, now)
    wanted = set(parts) if parts is not None else None
    files: dict[str, bytes] = {}
    for name, part in STATUS_PARTS:
        if wanted is not None and name not in wanted:
            continue
        for output in part(view):
            assert output.path not in files, output.path
            files[output.path] = output.render()
    return files
