"""``statusbook postmortem ID``: start the incident's postmortem as ``postmortems/ID.md`` from the handbook's template.

The template is the working tree's ``handbook/postmortems/template.md`` (what
follows its ``---`` line); the parts the incident file can answer (facts,
impact and assessment, response team, timeline) come filled in; see
:mod:`statusbook.render.postmortem`. An existing postmortem is never
overwritten. The file is internal: only ``statusbook build --internal`` renders it.
"""

from __future__ import annotations

import os
from datetime import datetime

from statusbook.commands.brief import checked_incident
from statusbook.commands.validate import read_governing_handbooks
from statusbook.core.config import SiteConfig
from statusbook.core.versions import governing_version
from statusbook.errors import EditError, UsageError
from statusbook.io.files import read_source, relative
from statusbook.render.postmortem import TemplateError, scaffold_postmortem
from statusbook.view.metrics import response_times

TEMPLATE_PAGE = "postmortems/template.md"


def new_postmortem(config: SiteConfig, incident_id: str, now: datetime) -> str:
    """Write the scaffolded postmortem and return its path relative to the repository; refuse to overwrite one."""
    validation = checked_incident(config, incident_id, now)
    assert validation.handbook is not None
    incident = validation.incidents[0]
    internal = next((i for i in validation.internals if i.incident_id == incident.id), None)
    target = config.postmortems_path / f"{incident.id}.md"
    rel = relative(target, config.root)
    if target.exists() or target.is_symlink():
        raise EditError(f"{rel} already exists; edit it (statusbook never overwrites a postmortem)")
    template_rel = f"{config.handbook_dir}/{TEMPLATE_PAGE}"
    data, problem = read_source(config.root, template_rel)
    if problem is not None or data is None:
        raise UsageError(f"cannot read the postmortem template {template_rel}: {problem.message if problem else 'missing'}")
    governing, _ = read_governing_handbooks(config, validation.handbook)
    version = governing_version(incident, governing.releases)
    handbook = governing.handbook_for(version)
    try:
        text = scaffold_postmortem(
            data.decode("utf-8", "replace"), incident, internal, handbook, zone=config.zone, version=version, times=response_times(incident, internal, handbook)
        )
    except TemplateError as exc:
        raise UsageError(f"{template_rel}: {exc}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # never over a file that appeared meanwhile
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return rel
