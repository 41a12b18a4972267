"""``statusbook schema``: the JSON Schema of incident files, for editors that check YAML as you type."""

from __future__ import annotations

from statusbook.commands.validate import read_handbook
from statusbook.core.config import SiteConfig
from statusbook.errors import StatusbookError
from statusbook.render.json_schema import schema_json


def incident_schema_bytes(config: SiteConfig) -> bytes:
    handbook, problems = read_handbook(config)
    if handbook is None or any(p.is_error for p in problems):
        raise StatusbookError("the handbook schema is invalid; run statusbook validate")
    return schema_json(handbook, config.site_url)
