"""``statusbook new`` and ``statusbook update``: write a valid incident file, append a public update.

Both build the new text first, check it exactly as ``validate`` would, and
write only when it is valid, so the editor's mistakes are reported before
anything changes on disk, in terms of what they typed. An update is inserted
as new lines after the last one, so every comment, blank line and quoting
choice in the file stays as its author left it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statusbook.check.incident import ID_RE, MAX_ID_LENGTH, check_incident_file, incident_id
from statusbook.check.incident_format import translation_key
from statusbook.commands.validate import read_handbook
from statusbook.core import urls
from statusbook.core.config import LANGUAGE_NAMES, SiteConfig, base_language
from statusbook.core.handbook import Handbook
from statusbook.core.ids import ComponentStatusId, IncidentStatus, Kind, MaintenanceStatus
from statusbook.core.model import Translations
from statusbook.core.problems import Problem
from statusbook.core.timestamps import format_time
from statusbook.core.yaml_source import MarkedDict, MarkedList, parse_yaml
from statusbook.errors import EditError, UsageError
from statusbook.io import git
from statusbook.io.files import find_incident_files, read_source

_SLUG_STRIP = re.compile(r"[^a-z0-9]+")
# Letters NFKD cannot take apart into a base letter and marks.
_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th", "ı": "i"})


def slugify(text: str, *, limit: int = 60) -> str:
    """Turn a title into the id part of a file name, transliterating letters ('Ümlaut' -> 'umlaut')."""
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_STRIP.sub("-", plain.casefold()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


def _scalar(text: str, indent: str) -> str:
    """Render text as a YAML value: quoted on one line, or a literal block for several lines."""
    if "\n" in text.strip():
        body = "\n".join((indent + "  " + line) if line else "" for line in text.strip("\n").splitlines())
        return "|-\n" + body
    return json.dumps(text, ensure_ascii=False)


def _rejected(what: str, problems: Sequence[Problem]) -> str:
    """Problems of a text that was never written, told without its line numbers (the user never saw that file)."""
    return f"{what}:\n" + "\n".join(f"  {p.level} [{p.rule}] {p.message}" for p in problems)


@dataclass(frozen=True, slots=True)
class NewIncident:
    """What ``statusbook new`` was asked for."""

    title: str
    components: tuple[str, ...]
    at: datetime
    maintenance: bool = False
    severity: str | None = None
    component_status: str | None = None
    message: str | None = None
    incident_manager: str | None = None
    window: tuple[datetime, datetime] | None = None
    slug: str | None = None
    title_translations: Translations = ()  # (language, text): title_nl
    message_translations: Translations = ()  # message_nl


def new_incident_text(request: NewIncident, handbook: Handbook, config: SiteConfig, *, manager: str) -> str:
    """Return the text of a new incident or maintenance file."""
    kind = Kind.MAINTENANCE if request.maintenance else Kind.INCIDENT
    names = ", ".join(handbook.component_by_id[c].name for c in request.components)
    if kind == Kind.MAINTENANCE:
        assert request.window is not None
        start, end = (moment.astimezone(config.zone) for moment in request.window)
        window = f"from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} {end.tzname()}" if start.date() != end.date() else f"on {start:%Y-%m-%d} from {start:%H:%M} to {end:%H:%M} {end.tzname()}"
        message = request.message or f"We will carry out planned maintenance on {names} {window}."
        status, component_status = MaintenanceStatus.SCHEDULED, request.component_status
        first_note = ("communicate", "Maintenance announced with statusbook new.")
    else:
        severity = handbook.severity_by_id[request.severity or ""]
        message = request.message or f"We are investigating problems with {names}."
        status = IncidentStatus.INVESTIGATING
        component_status = request.component_status or (ComponentStatusId.MAJOR_OUTAGE if severity.rank == 0 else ComponentStatusId.PARTIAL_OUTAGE)
        first_note = ("detect", "Incident opened with statusbook new.")
    lines = [f"# yaml-language-server: $schema={urls.absolute(config.site_url, urls.INCIDENT_SCHEMA)}"]
    lines += [
        "# Public fields reach the status page, its feeds and API; 'internal' never leaves this repository.",
        f"title: {json.dumps(request.title, ensure_ascii=False)}",
        *(f"{translation_key('title', code)}: {json.dumps(text, ensure_ascii=False)}" for code, text in request.title_translations),
        f"kind: {kind}",
    ]
    if kind == Kind.INCIDENT:
        lines.append(f"severity: {request.severity}")
    lines.append(f"components: [{', '.join(request.components)}]")
    if request.window is not None:
        lines += ["scheduled:", f"  start: {format_time(request.window[0])}", f"  end: {format_time(request.window[1])}"]
    lines += ["updates:", f"  - at: {format_time(request.at)}", f"    status: {status}", f"    message: {_scalar(message, '    ')}"]
    lines += [f"    {translation_key('message', code)}: {_scalar(text, '    ')}" for code, text in request.message_translations]
    if component_status:
        lines.append("    components:")
        lines += [f"      {cid}: {component_status}" for cid in request.components]
    lines.append("internal:")
    lines += ["  roles:", f"    incident_manager: {json.dumps(manager, ensure_ascii=False)}"] if manager else ["  roles: {}"]
    lines += ["  timeline:", f"    - at: {format_time(request.at)}", f"      phase: {first_note[0]}", f"      note: {json.dumps(first_note[1])}"]
    return "\n".join(lines) + "\n"


def _handbook(config: SiteConfig) -> Handbook:
    handbook, problems = read_handbook(config)
    if handbook is None or any(p.is_error for p in problems):
        raise EditError("the handbook schema is invalid; run statusbook validate")
    return handbook


def _check_translations(config: SiteConfig, translations: Sequence[tuple[str, str, str]]) -> None:
    """Refuse a translation (option name, language, text) the status page would never show: into its default language, or one it is not published in."""
    for option, code, text in translations:
        if code == base_language(config.language):
            raise UsageError(f"--{option}-{code}: {LANGUAGE_NAMES[code]} is this site's default language, so that text goes in --{option}")
        if code not in config.other_languages:
            published = ", ".join(config.languages)
            raise UsageError(f"--{option}-{code}: the status page is published in {published} only; add {code} to extra.statusbook.languages in mkdocs.yml to publish it in {LANGUAGE_NAMES[code]}")
        if not text.strip():
            raise UsageError(f"--{option}-{code}: give the {LANGUAGE_NAMES[code]} text, or leave the option out")


def _check_request(request: NewIncident, handbook: Handbook) -> None:
    """Refuse what cannot make a valid file, naming the option and what is allowed."""
    for cid in request.components:
        if cid not in handbook.component_by_id:
            raise UsageError(f"--component: {cid!r} is not a component; expected one of {', '.join(handbook.component_by_id)}")
    if request.maintenance:
        if request.severity is not None:
            raise UsageError("--severity: a maintenance has no severity; leave the option out")
        if request.window is None:
            raise UsageError("--start/--end: a maintenance needs both, like --start 2026-03-02T01:00:00+01:00 --end 2026-03-02T03:00:00+01:00")
        if request.window[1] <= request.window[0]:
            raise UsageError("--end: the window must end after it starts")
    elif request.severity is None or request.severity not in handbook.severity_by_id:
        found = "" if request.severity is None else f"{request.severity!r} is not a severity; "
        raise UsageError(f"--severity: {found}an incident needs one of {', '.join(handbook.severity_by_id)}")
    if request.component_status and request.component_status not in handbook.component_status_by_id:
        raise UsageError(f"--status: {request.component_status!r} is not a component status; expected one of {', '.join(handbook.component_status_by_id)}")
    if request.slug is not None and (not ID_RE.match(request.slug) or len(request.slug) > MAX_ID_LENGTH):
        raise UsageError(f"--id: {request.slug!r} must be lower-case letters, digits and single hyphens, at most {MAX_ID_LENGTH} characters, like 2026-03-01-api-errors")


def new_incident(config: SiteConfig, request: NewIncident) -> str:
    """Write a new incident (or maintenance) file under the incidents folder; return its path."""
    handbook = _handbook(config)
    _check_request(request, handbook)
    _check_translations(config, [("title", code, text) for code, text in request.title_translations] + [("message", code, text) for code, text in request.message_translations])
    severity = handbook.severity_by_id.get(request.severity or "")
    major = severity is not None and severity.major
    with git.open_repository(config.root) as project:
        manager = request.incident_manager if request.incident_manager is not None else (git.user_name(project) if major else "")
    if major and not manager:
        raise UsageError(f"--incident-manager: {request.severity} is a major incident, so name the person leading the response")
    first = request.window[0] if request.window else request.at
    ident = request.slug or f"{first:%Y-%m-%d}-{slugify(request.title)}"
    year = ident[:4] if ident[:4].isdigit() else f"{first:%Y}"
    folder = config.incidents_path.resolve()
    path = (folder / year / f"{ident}.yml").resolve()
    if not path.is_relative_to(folder):
        raise UsageError(f"--id: {ident!r} would write outside {config.incidents_dir}/")
    rel = path.relative_to(config.root.resolve()).as_posix()
    existing, _ = find_incident_files(config.incidents_path, config.root)
    if path.exists() or path.is_symlink() or any(incident_id(p) == ident for p in existing):
        raise EditError(f"an incident with the id {ident!r} exists already; choose another --id")
    text = new_incident_text(request, handbook, config, manager=manager or "")
    errors = [p for p in check_incident_file(text.encode(), rel, handbook).problems if p.is_error]
    if errors:
        raise EditError(_rejected("nothing was written, because the new file would not be valid", errors))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # never over a file that appeared meanwhile
        handle.write(text)
    return rel


# --- update -----------------------------------------------------------------------------------------


def _block_end(lines: list[str], last_line: int, dash_col: int) -> int:
    """The line after a block list item's content: the first later line indented no deeper than its dash."""
    end = content_end = last_line + 1
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#"):
            if len(lines[end]) - len(lines[end].lstrip(" ")) <= dash_col:
                break
            content_end = end + 1
        end += 1
    return content_end


def add_component_text(text: str, *, path: str, component: str) -> str:
    """Return the text with one more id in the incident's ``components`` list (flow or block style)."""
    root = parse_yaml(text, path).value
    if not isinstance(root, MarkedDict) or not isinstance(root.get("components"), MarkedList):
        raise EditError(f"{path}: has no 'components' list to add {component!r} to; fix the file first (statusbook validate shows why)")
    items: MarkedList = root["components"]
    lines = text.splitlines(keepends=True)
    key_line = root.key_mark("components").line - 1
    after_key = lines[key_line].split(":", 1)[1]
    if "[" in after_key:
        start = lines[key_line].index("[")
        close = lines[key_line].find("]", start)
        if close < 0:
            raise EditError(f"{path}: 'components' spans several lines in flow style; write it on one line to use statusbook update")
        inside = lines[key_line][start + 1 : close].strip()
        lines[key_line] = lines[key_line][:close].rstrip() + (f", {component}" if inside else component) + lines[key_line][close:]
        return "".join(lines)
    last = items.item_mark(len(items) - 1)
    dash_col = lines[last.line - 1].find("-")
    end = _block_end(lines, last.line - 1, dash_col)
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join([*lines[:end], f"{' ' * dash_col}- {component}\n", *lines[end:]])


def append_update_text(
    text: str, *, path: str, at: datetime, status: str, message: str, component_statuses: Sequence[tuple[str, str]], translations: Translations = ()
) -> str:
    """Return the file text with one more public update after the last one (``translations``: the message in other languages)."""
    root = parse_yaml(text, path).value
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
    content_end = _block_end(lines, last_line, dash_col)
    new = [f"{' ' * dash_col}- at: {format_time(at)}\n", f"{inner}status: {status}\n", f"{inner}message: {_scalar(message, inner)}\n"]
    new += [f"{inner}{translation_key('message', code)}: {_scalar(words, inner)}\n" for code, words in translations]
    if component_statuses:
        new.append(f"{inner}components:\n")
        new += [f"{inner}  {cid}: {cstatus}\n" for cid, cstatus in component_statuses]
    if content_end > 0 and not lines[content_end - 1].endswith("\n"):
        lines[content_end - 1] += "\n"
    return "".join(lines[:content_end] + new + lines[content_end:])


def append_update(
    config: SiteConfig, ident: str, *, status: str, message: str, component_statuses: Sequence[tuple[str, str]], at: datetime, translations: Translations = ()
) -> str:
    """Append a public update (adding newly affected components to ``components``); return the file's path.

    ``translations`` is the message in other languages of the status page: (language, text) pairs.
    """
    handbook = _handbook(config)
    _check_translations(config, [("message", code, words) for code, words in translations])
    paths, _ = find_incident_files(config.incidents_path, config.root)
    matches = [p for p in paths if incident_id(p) == ident]
    if not matches:
        raise UsageError(f"INCIDENT_ID: no incident file has the id {ident!r}")
    rel = matches[0]
    data, problem = read_source(config.root, rel)
    if problem is not None:
        raise EditError(f"{rel}: {problem.message}")
    try:
        original = data.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{rel}: cannot be read, it is not valid UTF-8; statusbook validate shows why") from None
    for cid, cstatus in component_statuses:
        if cid not in handbook.component_by_id:
            raise UsageError(f"--component: {cid!r} is not a component; expected one of {', '.join(handbook.component_by_id)}")
        if cstatus not in handbook.component_status_by_id:
            raise UsageError(f"--component: {cstatus!r} is not a component status; expected one of {', '.join(handbook.component_status_by_id)}")
    text = original
    root = parse_yaml(original, rel).value
    listed = root.get("components") if isinstance(root, MarkedDict) else None
    for cid, _ in component_statuses:
        if isinstance(listed, list) and cid not in listed:
            text = add_component_text(text, path=rel, component=cid)
            listed = [*listed, cid]
    text = append_update_text(text, path=rel, at=at, status=status, message=message, component_statuses=component_statuses, translations=translations)
    before = {(p.rule, p.message) for p in check_incident_file(original.encode(), rel, handbook).problems if p.is_error}
    new_errors = [p for p in check_incident_file(text.encode(), rel, handbook).problems if p.is_error and (p.rule, p.message) not in before]
    if new_errors:
        raise EditError(_rejected(f"{rel} was not changed, because the update would not be valid", new_errors))
    Path(config.root / rel).write_text(text, encoding="utf-8")
    return rel
