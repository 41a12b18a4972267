"""Everything statusbook asks of MkDocs, in one module: the page hook and running one build.

MkDocs loads this file as a hook (``hooks:`` in mkdocs.yml). It replaces the
``<!-- statusbook:... -->`` placeholders with tables from the handbook schema
and gives each page its "last updated" date from git. No other module imports
mkdocs, so moving to another site generator means rewriting only this file.

A statusbook build exports each handbook version into a folder with a
``.statusbook-build.json`` manifest (the version and its page dates); a plain
``mkdocs build`` in the repository reads the dates from git instead.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException, PluginError
from mkdocs.structure.pages import Page

from statusbook.commands.validate import read_handbook
from statusbook.core.handbook import Handbook
from statusbook.core.problems import Level
from statusbook.errors import BuildError
from statusbook.handbook.tables import expand_placeholders
from statusbook.render.csp import add_policy

MANIFEST = ".statusbook-build.json"
HOOK_FILE = Path(__file__).resolve()
log = logging.getLogger("mkdocs.plugins.statusbook")

# Set by on_config for the build in progress; MkDocs loads a fresh copy of this module per build.
_handbook: Handbook | None = None
_updated: dict[str, str] = {}
_fallback: str | None = None


def _dates_from_git(root: Path, docs_dir: Path) -> tuple[dict[str, str], str | None]:
    """Page dates for a plain ``mkdocs build`` of the working tree: last commit per file, in the site's zone."""
    from statusbook.config import load_config
    from statusbook.io.releases import commit_time, last_changed, open_repository

    zone = load_config(root).zone
    with open_repository(root) as project:
        if project is None:
            return {}, None
        folder = docs_dir.relative_to(root).as_posix() if docs_dir.is_relative_to(root) else docs_dir.name
        dates = last_changed(project, None, folder)
        head = commit_time(project, None)
    return {k: v.astimezone(zone).date().isoformat() for k, v in dates.items()}, head.astimezone(zone).date().isoformat() if head else None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _handbook, _updated, _fallback
    root = Path(config.config_file_path).resolve().parent
    docs_dir = Path(config.docs_dir)
    handbook, problems = read_handbook(docs_dir, root)
    errors = [p for p in problems if p.level is Level.ERROR]
    if handbook is None or errors:
        raise PluginError("the handbook schema has problems; run statusbook validate:\n" + "\n".join(p.format() for p in errors or problems))
    for problem in problems:
        log.info(problem.format())  # warnings are statusbook validate's to report
    _handbook = handbook
    manifest = root / MANIFEST
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        _updated, _fallback = dict(data.get("updated", {})), data.get("fallback")
    else:
        _updated, _fallback = _dates_from_git(root, docs_dir)
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: object) -> str:
    assert _handbook is not None
    text, unknown = expand_placeholders(markdown, _handbook)
    for name in unknown:
        log.warning(f"{page.file.src_uri}: unknown placeholder <!-- statusbook:{name} -->; check the spelling")
    updated = _updated.get(page.file.src_uri)
    if updated:
        day = date.fromisoformat(updated)
        page.meta["statusbook_updated"] = updated
        page.meta["statusbook_updated_text"] = f"{day.day} {day:%B %Y}"
    # The sitemap's lastmod and its gzip header use this; MkDocs would put today's date there.
    if updated or _fallback:
        page.update_date = updated or _fallback
    return text


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    # Static hosts seldom allow headers, so each page carries its own strict policy.
    return add_policy(output)


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    # Static templates such as 404.html bypass on_post_page.
    return add_policy(output_content) if template_name.endswith(".html") else output_content


class _Collect(logging.Handler):
    """Keep MkDocs' warnings, so a failed build can say why."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _hooks(config_file: Path) -> list[str]:
    """The hooks of a version's mkdocs.yml, with ours pointing at this file (its generator/ was not exported)."""
    from mkdocs.utils.yaml import yaml_load

    with config_file.open("rb") as handle:
        raw = yaml_load(handle) or {}
    hooks = [str(h) for h in raw.get("hooks") or [] if not str(h).endswith("mkdocs_hooks.py")]
    return [*hooks, str(HOOK_FILE)]


def build_site(config_file: Path, site_dir: Path, *, site_url: str) -> None:
    """Run ``mkdocs build --strict`` for one exported handbook version, in this process."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    try:
        config = load_config(str(config_file), strict=True, site_dir=str(site_dir), site_url=site_url, hooks=_hooks(config_file))
        build(config)
    except (MkDocsException, OSError) as exc:
        detail = "".join(f"\n  {m}" for m in collect.messages)
        raise BuildError(f"mkdocs could not build the handbook from {config_file.parent}: {exc}{detail}") from None
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
