"""``statusbook build --internal``: the responders' incident log, postmortems and metrics, in a folder of its own.

Validation already holds everything the internal site needs (``internals``
and ``postmortems`` besides the public incidents); this command builds the
:class:`~statusbook.view.internal.InternalView` from it, renders it and writes
it atomically into ``site-internal/`` (or ``--out``), never into the public
site and never over it. The public build, for its part, never reads this folder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from statusbook.check.validation import Validation
from statusbook.commands.build import BuildResult, validated, wall_time
from statusbook.commands.validate import read_governing_handbooks
from statusbook.core.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.model import Incident
from statusbook.core.versions import governing_version
from statusbook.io.site_kind import INTERNAL_MARKER, INTERNAL_MARKER_TEXT, check_internal_target
from statusbook.io.writer import SiteWriter
from statusbook.render.internal import internal_pages
from statusbook.render.output import Output, fixed
from statusbook.view.internal import InternalView, build_internal_view

INTERNAL_DIR = "site-internal"


def internal_view(config: SiteConfig, validation: Validation, now: datetime) -> InternalView:
    """The internal view of a validated repository at ``now``, each postmortem judged by its incident's governing handbook."""
    assert validation.handbook is not None
    current = validation.handbook
    governing_handbooks, _ = read_governing_handbooks(config, current)

    def governing(incident: Incident) -> Handbook:
        return governing_handbooks.handbook_for(governing_version(incident, governing_handbooks.releases))

    return build_internal_view(
        config, current, validation.incidents, validation.internals, validation.postmortems, now, governing=governing, versions=validation.handbook_versions
    )


def internal_outputs(config: SiteConfig, validation: Validation, now: datetime) -> list[Output]:
    """Every file of the internal site, the marker that tells it from the public site first."""
    return [fixed(INTERNAL_MARKER, INTERNAL_MARKER_TEXT), *internal_pages(internal_view(config, validation, now))]


def build_internal(
    config: SiteConfig,
    *,
    out_dir: Path | None = None,
    now: datetime | None = None,
    strict: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Validate, then write the internal site into its own folder (default ``site-internal/``); the previous one stays if anything fails."""
    target = (out_dir or config.root / INTERNAL_DIR).resolve()
    check_internal_target(target, config.root / "site")
    moment = now or wall_time()
    validation = validated(config, moment, strict=strict)
    for problem in validation.problems:
        progress(problem.format())
    progress("rendering the internal site")
    with SiteWriter(target) as writer:
        for output in internal_outputs(config, validation, moment):
            writer.write(output.path, output.render())
        writer.commit()
    progress(f"internal site: {len(validation.incidents)} incidents, {len(validation.postmortems)} postmortems")
    return BuildResult(target, validation, tuple(sorted(writer.paths)), {"written": writer.written, "linked": 0, "rendered": writer.written, "reused": 0})
