"""Create incident files and append public updates without disturbing comments or layout.

Both functions return text; the command line writes it. An appended update is
inserted as new lines after the last existing one, so every comment, blank
line and quoting choice in the file stays exactly as the author left it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime

from statusbook.core.model import MAINTENANCE
from statusbook.core.yaml_source import MarkedDict, MarkedList, parse_yaml
from statusbook.errors import StatusbookError

_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


class EditError(StatusbookError):
    """The requested edit cannot be made safely; nothing was written."""

    exit_code = 1


def slugify(text: str, *, limit: int = 60) -> str:
    """Turn a title into the id part of a file name."""
    slug = _SLUG_STRIP.sub("-", text.casefold()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


def format_time(moment: datetime) -> str:
    """Write a timestamp the way incident files carry it: ISO 8601 with its offset."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _scalar(text: str, indent: str) -> str:
    """Render text as a YAML value: quoted on one line, or a literal block for several lines."""
    if "\n" in text.strip():
        body = "\n".join((indent + "  " + line) if line else "" for line in text.strip("\n").splitlines())
        return "|-\n" + body
    return json.dumps(text, ensure_ascii=False)


def new_incident_text(
    *,
    title: str,
    kind: str,
    severity: str | None,
    components: Sequence[str],
    at: datetime,
    message: str,
    status: str,
    component_status: str | None,
    incident_manager: str = "",
    window: tuple[datetime, datetime] | None = None,
    schema_url: str = "",
) -> str:
    """Return the text of a new incident or maintenance file."""
    lines = [f"# yaml-language-server: $schema={schema_url}"] if schema_url else []
    lines += [
        "# Public fields reach the status page, its feeds and API; 'internal' never leaves this repository.",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"kind: {kind}",
    ]
    if severity:
        lines.append(f"severity: {severity}")
    lines.append(f"components: [{', '.join(components)}]")
    if kind == MAINTENANCE and window is not None:
        lines += ["scheduled:", f"  start: {format_time(window[0])}", f"  end: {format_time(window[1])}"]
    lines += ["updates:", f"  - at: {format_time(at)}", f"    status: {status}", f"    message: {_scalar(message, '    ')}"]
    if component_status:
        lines.append("    components:")
        lines += [f"      {cid}: {component_status}" for cid in components]
    lines += ["internal:", "  roles:"]
    if incident_manager:
        lines.append(f"    incident_manager: {json.dumps(incident_manager, ensure_ascii=False)}")
    else:
        lines[-1] = "  roles: {}"
    lines += ["  timeline:", f"    - at: {format_time(at)}", "      phase: detect", '      note: "Incident opened with statusbook new."']
    return "\n".join(lines) + "\n"


def append_update_text(text: str, *, path: str, at: datetime, status: str, message: str, component_statuses: Sequence[tuple[str, str]]) -> str:
    """Return the file text with one more public update after the last one."""
    parsed = parse_yaml(text, path)
    root = parsed.value
    if not isinstance(root, MarkedDict) or not isinstance(root.get("updates"), MarkedList) or not root["updates"]:
        raise EditError(f"{path}: has no 'updates' list to append to; fix the file first (statusbook validate shows why)")
    updates: MarkedList = root["updates"]
    lines = text.splitlines(keepends=True)
    key_line = root.key_mark("updates").line - 1
    last = updates.item_mark(len(updates) - 1)
    last_line = last.line - 1
    dash_col = lines[last_line].find("-")
    if lines[last_line].lstrip().startswith("[") or "[" in lines[key_line].split(":", 1)[1] or dash_col < 0 or dash_col >= last.column - 1:
        raise EditError(f"{path}: 'updates' is written in flow style ([...]); write it as a block list to use statusbook update")
    inner = " " * (last.column - 1)
    # The last item ends before the first later line that is indented no deeper than the list itself.
    end = last_line + 1
    content_end = end
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#"):
            if len(lines[end]) - len(lines[end].lstrip(" ")) <= dash_col:
                break
            content_end = end + 1
        end += 1
    new = [f"{' ' * dash_col}- at: {format_time(at)}\n", f"{inner}status: {status}\n", f"{inner}message: {_scalar(message, inner)}\n"]
    if component_statuses:
        new.append(f"{inner}components:\n")
        new += [f"{inner}  {cid}: {cstatus}\n" for cid, cstatus in component_statuses]
    if content_end > 0 and not lines[content_end - 1].endswith("\n"):
        lines[content_end - 1] += "\n"
    return "".join(lines[:content_end] + new + lines[content_end:])

