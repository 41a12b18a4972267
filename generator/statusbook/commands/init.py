"""``statusbook init``: start a repository that validates and builds, from files shipped with statusbook.

It writes ``mkdocs.yml`` (with the site's name, address and time zone), the
whole handbook (pages, ``schema.yml``, ``components.yml``), ``incidents/``
with one example incident and one maintenance dated around today,
``.gitignore``, and on request the CI set-ups for GitHub or GitLab and a
pre-commit configuration. It refuses to overwrite anything: when one file it
would write exists, it writes none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import statusbook
from statusbook.commands.scaffold import NewIncident, append_update_text, new_incident_text
from statusbook.core.config import SiteConfig
from statusbook.core.handbook import COMPONENTS_FILE, SCHEMA_FILE, parse_handbook
from statusbook.errors import StatusbookError, UsageError

PACKAGE = Path(statusbook.__file__).resolve().parent
SHIPPED = PACKAGE / "template"
SOURCE_TREE = PACKAGE.parents[1]  # a checkout of statusbook itself, where the wheel's copies come from


@dataclass(frozen=True, slots=True)
class InitOptions:
    """What the new repository is called, where it is served, and which set-ups to add."""

    site_name: str = "Example status"
    site_url: str = "https://status.example.com/"
    timezone: str = "UTC"
    github: bool = False
    gitlab: bool = False
    pre_commit: bool = False


def _shipped(name: str) -> Path:
    """A template file or folder: the wheel's copy, or this checkout's own in a source tree."""
    for base in (SHIPPED, SOURCE_TREE):
        if (base / name).exists():
            return base / name
    raise StatusbookError(f"this installation of statusbook lacks its {name} template; reinstall statusbook")


def _mkdocs_yml(options: InitOptions) -> str:
    """The shipped mkdocs.yml with this site's name, address and zone, and no example repository links."""
    text = _shipped("mkdocs.yml").read_text(encoding="utf-8")
    values = {"site_name": options.site_name, "site_url": options.site_url, "site_description": f"Service status and incident response handbook of {options.site_name}."}
    for key, value in values.items():
        text = re.sub(rf"^{key}:.*$", f"{key}: {_yaml_text(value)}", text, count=1, flags=re.M)
    text = re.sub(r"^(repo_url|repo_name|edit_uri):.*\n", "", text, flags=re.M)
    text = re.sub(r"^(\s+timezone:).*$", rf"\1 {options.timezone}", text, count=1, flags=re.M)
    return text


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _examples(root: Path, options: InitOptions, now: datetime) -> dict[str, str]:
    """One resolved incident from yesterday and one maintenance next week, written as `statusbook new`/`update` would."""
    folder = _shipped("handbook")
    handbook, problems = parse_handbook(
        (folder / SCHEMA_FILE).read_bytes(), (folder / COMPONENTS_FILE).read_bytes(), schema_path=SCHEMA_FILE, components_path=COMPONENTS_FILE
    )
    if handbook is None or any(p.is_error for p in problems):
        raise StatusbookError("the shipped handbook schema is invalid; reinstall statusbook")
    config = SiteConfig(root=root, site_name=options.site_name, site_url=options.site_url, timezone=options.timezone)
    component = handbook.components[0].id
    lowest = handbook.severities[-1].id
    started = (now - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    incident = new_incident_text(NewIncident("Slow responses (example)", (component,), started, severity=lowest, message="Some requests are slower than usual. We are looking into it."), handbook, config, manager="")
    incident = append_update_text(incident, path="example", at=started + timedelta(minutes=40), status="resolved", message="Responses are back to normal speed.", component_statuses=((component, "operational"),))
    start = (now + timedelta(days=7)).replace(hour=2, minute=0, second=0, microsecond=0)
    maintenance = new_incident_text(NewIncident("Database upgrade (example)", (component,), now.replace(microsecond=0), maintenance=True, window=(start, start + timedelta(hours=1))), handbook, config, manager="")
    return {
        f"incidents/{started:%Y}/{started:%Y-%m-%d}-slow-responses-example.yml": incident,
        f"incidents/{start:%Y}/{start:%Y-%m-%d}-database-upgrade-example.yml": maintenance,
    }


def planned_files(root: Path, options: InitOptions, now: datetime) -> dict[str, bytes]:
    """Every file init would write, by path relative to ``root``."""
    files: dict[str, bytes] = {"mkdocs.yml": _mkdocs_yml(options).encode(), ".gitignore": _shipped("gitignore").read_bytes()}
    for folder in ("handbook", "theme"):
        base = _shipped(folder)
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[f"{folder}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    files.update({path: text.encode() for path, text in _examples(root, options, now).items()})
    version = statusbook.__version__
    if options.github:
        files[".github/workflows/statusbook.yml"] = _ci("github.yml", version)
    if options.gitlab:
        files[".gitlab-ci.yml"] = _ci("gitlab-ci.yml", version)
    if options.pre_commit:
        files[".pre-commit-config.yaml"] = _ci("pre-commit-config.yaml", version)
    return files


def _ci(name: str, version: str) -> bytes:
    source = _shipped(f"ci/{name}")
    return source.read_text(encoding="utf-8").replace("@VERSION@", version).encode()


def init(root: Path, options: InitOptions, now: datetime) -> list[str]:
    """Write a new statusbook repository into ``root``; return what was written. Nothing is overwritten."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"DIR: {root} exists and is not a folder")
    files = planned_files(root, options, now)
    existing = sorted(path for path in files if (root / path).exists() or (root / path).is_symlink())
    if existing:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise StatusbookError(f"{root} already has {shown}; init writes only into a folder without them, and overwrote nothing")
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:
            handle.write(data)
    return sorted(files)
