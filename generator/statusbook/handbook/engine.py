"""Run the site engine (MkDocs, or a drop-in fork such as ProperDocs) on exported handbook versions.

This is the only module that imports the engine, and it does so in a child
process: an engine keeps global state (logging, plugin registries, a fork's
import aliases for ``mkdocs.*``), and mkdocs.yml is code that runs there. The
parent sends one job per version and gets back each build's theme folders
(the post-processing allows the inline scripts those templates hold, and no
other). statusbook's Material overrides are added as a theme folder after the
project's own ``custom_dir``; hooks that pointed at statusbook's old hook file
are dropped, since everything they did is now in the exported Markdown.

Languages are mkdocs-static-i18n's job: it builds the English site, then the
Dutch one into ``nl/`` from the ``page.nl.md`` twins the export wrote, sets
Material's language (``<html lang>``, the theme's own words) and its language
switch to each page's twin. A version whose mkdocs.yml does not configure the
plugin (a release tagged before the handbook had languages) gets
:data:`DEFAULT_I18N`, so every version carries every language.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from statusbook.core import urls
from statusbook.core.brand import Brand
from statusbook.errors import BuildError

ENGINES = {"mkdocs": "mkdocs", "properdocs": "properdocs"}
I18N_PLUGIN = "i18n"
# mkdocs-static-i18n's settings for a version whose mkdocs.yml has none (see the module's description).
DEFAULT_I18N = {
    "docs_structure": "suffix",
    "languages": [{"locale": "en", "name": "English", "default": True}, {"locale": "nl", "name": "Nederlands"}],
}
OVERRIDES = Path(__file__).resolve().parent / "overrides"
LEGACY_HOOK = "mkdocs_hooks.py"


@dataclass(frozen=True, slots=True)
class EngineJob:
    """Build one exported version: its config file, where to put the site, and its public URL."""

    config_file: str
    site_dir: str
    site_url: str
    source_date_epoch: int  # the sitemap's dates come from here, so the output is reproducible
    default_version: str  # the version selector's default: "latest" once there is a release, else "dev"
    brand: dict[str, str] = field(default_factory=dict)  # see brand_settings


def brand_settings(brand: Brand) -> dict[str, str]:
    """The site's branding for Material: the status side's published images (two folders up from a version), the colour.

    Every version gets today's branding, so the handbook's header looks like
    the status page whichever version a reader opens.
    """
    found = {image.role: f"../../{urls.brand_image(image.role, image.suffix)}?v={image.digest}" for image in brand.images}
    if brand.color:
        found["color"] = brand.color
    return found


def run_engine(engine: str, jobs: list[EngineJob]) -> list[list[str]]:
    """Build every job in one child process; return each build's theme folders, or raise with the engine's words."""
    if engine not in ENGINES:
        raise BuildError(f"unknown site engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if not jobs:
        return []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "statusbook.handbook.engine", engine],
        input=json.dumps([asdict(job) for job in jobs]),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        detail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        try:
            message = json.loads(detail)["error"]
        except (ValueError, KeyError, TypeError):
            message = (done.stderr.strip() or "the engine stopped without a message")[-4000:]
        raise BuildError(f"{engine} could not build the handbook: {message}")
    return json.loads(done.stdout.strip().splitlines()[-1])["themes"]


# --- the child process ----------------------------------------------------------------------------


def _hooks(config_file: Path) -> list[str]:
    """The project's own hooks (never statusbook's old one), read without running anything."""
    import yaml

    node = yaml.compose(config_file.read_bytes(), Loader=yaml.SafeLoader)
    hooks: list[str] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "hooks" and isinstance(value, yaml.SequenceNode):
                hooks = [item.value for item in value.value if isinstance(item, yaml.ScalarNode) and not item.value.endswith(LEGACY_HOOK)]
    return hooks


def _build(job: EngineJob) -> list[str]:
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file = Path(job.config_file)
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    logger.addHandler(Collect())
    logger.propagate = False
    os.environ["SOURCE_DATE_EPOCH"] = str(job.source_date_epoch)
    try:
        config = load_config(str(config_file), strict=True, site_dir=job.site_dir, site_url=job.site_url, hooks=_hooks(config_file))
        _add_languages(config)
        if config.theme.name == "material":
            dirs = config.theme.dirs
            dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES))
            _apply_brand(config, job.brand)
        version = config.extra.get("version")
        if isinstance(version, dict) and version.get("provider") == "mike":
            version["default"] = job.default_version
        build(config)
    except (MkDocsException, OSError) as exc:
        print(json.dumps({"error": f"{exc}" + "".join(f"\n  {m}" for m in messages)}))
        raise SystemExit(1) from None
    return [str(Path(d).resolve()) for d in config.theme.dirs]


def _add_languages(config) -> None:
    """Give a version without mkdocs-static-i18n in its mkdocs.yml the default languages, as if it had been configured."""
    if I18N_PLUGIN in config.plugins:
        return
    from mkdocs.exceptions import ConfigurationError
    from mkdocs_static_i18n.plugin import I18n

    plugin = I18n()
    errors, _ = plugin.load_config(DEFAULT_I18N)
    if errors:
        raise ConfigurationError(f"statusbook's default languages do not suit mkdocs-static-i18n: {errors}")
    config.plugins[I18N_PLUGIN] = plugin


def _apply_brand(config, brand: dict[str, str]) -> None:
    """Material's logo and favicon from the site's branding; the overrides read the rest (dark logo, colour) from ``extra``."""
    if "logo" in brand:
        config.theme["logo"] = brand["logo"]
    if "favicon" in brand:
        config.theme["favicon"] = brand["favicon"]
    config.extra["statusbook_brand"] = brand


def main(argv: list[str]) -> None:
    engine = ENGINES[argv[0]]
    if engine == "properdocs":
        import properdocs.replacement  # noqa: F401 - routes the theme's mkdocs imports to the fork, as its own CLI does
    jobs = [EngineJob(**job) for job in json.loads(sys.stdin.read())]
    themes = [_build(job) for job in jobs]
    print(json.dumps({"themes": themes}))


if __name__ == "__main__":
    main(sys.argv[1:])
