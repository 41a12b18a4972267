"""The ``statusbook`` command: parse options, call one core function, map errors to exit codes.

Exit status: 0 when all is well, 1 when input is invalid or an operation
failed, 2 for usage errors (click's own convention).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from statusbook import __version__
from statusbook.check.report import FORMATS, format_problems
from statusbook.commands.validate import validate_repository
from statusbook.config import SiteConfig, load_config
from statusbook.core import urls
from statusbook.core.model import INCIDENT, MAINTENANCE, TimestampError, parse_timestamp
from statusbook.errors import StatusbookError


def clock_now() -> datetime:
    """The command line's clock: SOURCE_DATE_EPOCH when set (reproducible runs), else the wall clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(UTC)


def _parse_when(value: str | None, param: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except TimestampError as exc:
        raise click.BadParameter(str(exc), param_hint=param) from None


def _config(root: str) -> SiteConfig:
    return load_config(Path(root).resolve())


root_option = click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False, exists=True), help="Repository root holding mkdocs.yml, handbook/ and incidents/.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="statusbook")
def cli() -> None:
    """Incident handbook and public status page, built from one git repository."""


@cli.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="text for people, json for tools, github for pull-request annotations, auto picks github under GitHub Actions.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--no-cache", is_flag=True, help="Check every file afresh instead of reusing results for unchanged files.")
@click.option("--now", "now_text", metavar="TIMESTAMP", help="Judge time-dependent rules (postmortem due, stale incidents) at this moment.")
@click.option(
    "--base",
    "base_ref",
    metavar="REF",
    help="Also check that the public record is append-only compared with this git ref (origin/main; origin/main... means where HEAD branched off it). Always looks at the whole incidents folder.",
)
@click.argument("paths", nargs=-1, type=click.Path())
def validate(root: str, fmt: str, strict: bool, no_cache: bool, now_text: str | None, base_ref: str | None, paths: tuple[str, ...]) -> None:
    """Check the handbook schema and every incident file; report all problems at once."""
    from statusbook.core.problems import has_errors

    config = _config(root)
    now = _parse_when(now_text, "--now") or clock_now()
    only = [_relative_to_root(p, config.root) for p in paths] if paths else None
    result = validate_repository(config, now=now, use_cache=not no_cache, only=only)
    problems = result.problems
    if base_ref is not None and result.handbook is not None:
        from statusbook.io.gitops import history_problems

        problems = tuple(sorted((*problems, *history_problems(config, result.handbook, base_ref))))
    failed = has_errors(problems, strict=strict)
    click.echo(format_problems(problems, len(result.files), fmt, ok=not failed), nl=False)
    if failed:
        sys.exit(1)


def _relative_to_root(path: str, root: Path) -> str:
    full = Path(path).resolve()
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        raise click.BadParameter(f"{path} is outside the repository root {root}", param_hint="PATHS") from None


def _git_user(root: Path) -> str:
    try:
        return subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


@cli.command()
@root_option
@click.argument("title")
@click.option("--maintenance", is_flag=True, help="Scaffold a scheduled maintenance instead of an incident.")
@click.option("--severity", "-s", help="Severity id from the handbook (required for incidents).")
@click.option("--component", "-c", "components", multiple=True, required=True, help="Affected component id; repeat for several.")
@click.option("--status", "component_status", help="Status of the components now (default: major_outage for SEV1, partial_outage otherwise; none for maintenance).")
@click.option("--message", "-m", help="First public message (a sensible default is written).")
@click.option("--incident-manager", help="Person leading the response (default: git config user.name).")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="Time of the first update (default: now, with your UTC offset).")
@click.option("--start", "start_text", metavar="TIMESTAMP", help="Maintenance window start.")
@click.option("--end", "end_text", metavar="TIMESTAMP", help="Maintenance window end.")
@click.option("--id", "slug", help="Id (file name) to use instead of one derived from the date and title.")
def new(root: str, title: str, maintenance: bool, severity: str | None, components: tuple[str, ...], component_status: str | None, message: str | None,
        incident_manager: str | None, at_text: str | None, start_text: str | None, end_text: str | None, slug: str | None) -> None:
    """Create a valid incident (or maintenance) file and print its path."""
    from statusbook.check.incident import check_incident_file
    from statusbook.commands.scaffold import new_incident_text, slugify
    from statusbook.commands.validate import read_handbook

    config = _config(root)
    handbook, _ = read_handbook(config.handbook_path, config.root)
    if handbook is None:
        raise StatusbookError("the handbook schema is invalid; run statusbook validate")
    now = (_parse_when(at_text, "--at") or clock_now()).astimezone()
    kind = MAINTENANCE if maintenance else INCIDENT
    for cid in components:
        if cid not in handbook.component_by_id:
            raise click.BadParameter(f"{cid!r} is not a component; expected one of {', '.join(handbook.component_by_id)}", param_hint="--component")
    if kind == INCIDENT:
        if severity is None:
            raise click.BadParameter(f"an incident needs a severity: one of {', '.join(handbook.severity_by_id)}", param_hint="--severity")
        if severity not in handbook.severity_by_id:
            raise click.BadParameter(f"{severity!r} is not a severity; expected one of {', '.join(handbook.severity_by_id)}", param_hint="--severity")
    window = None
    if kind == MAINTENANCE:
        start = _parse_when(start_text, "--start")
        end = _parse_when(end_text, "--end")
        if start is None or end is None:
            raise click.BadParameter("a maintenance needs --start and --end", param_hint="--start/--end")
        window = (start.astimezone(now.tzinfo), end.astimezone(now.tzinfo))
    sev = handbook.severity_by_id.get(severity or "")
    manager = incident_manager if incident_manager is not None else (_git_user(config.root) if sev and sev.major else "")
    if sev and sev.major and not manager:
        raise click.BadParameter(f"{severity} is a major incident: name the incident manager", param_hint="--incident-manager")
    names = ", ".join(handbook.component_by_id[c].name for c in components)
    if kind == MAINTENANCE:
        status = "scheduled"
        default_message = f"We will carry out planned maintenance on {names}."
        cstatus = component_status
    else:
        status = "investigating"
        default_message = f"We are investigating problems with {names}."
        cstatus = component_status or ("major_outage" if sev and sev.rank == 0 else "partial_outage")
    if cstatus and cstatus not in handbook.component_status_by_id:
        raise click.BadParameter(f"{cstatus!r} is not a component status; expected one of {', '.join(handbook.component_status_by_id)}", param_hint="--status")
    incident_id = slug or f"{(window[0] if window else now):%Y-%m-%d}-{slugify(title)}"
    year = incident_id[:4] if incident_id[:4].isdigit() else f"{now:%Y}"
    path = config.incidents_path / year / f"{incident_id}.yml"
    if path.exists():
        raise StatusbookError(f"{path.relative_to(config.root)} already exists; choose another --id")
    text = new_incident_text(
        title=title, kind=kind, severity=severity, components=components, at=now, message=message or default_message,
        status=status, component_status=cstatus, incident_manager=manager or "", window=window,
        schema_url=urls.absolute(config.site_url, urls.INCIDENT_SCHEMA),
    )
    rel = path.relative_to(config.root).as_posix()
    checked = check_incident_file(text.encode(), rel, handbook)
    errors = [p for p in checked.problems if p.level.name == "ERROR"]
    if errors:
        raise StatusbookError("the new file would not be valid:\n" + "\n".join(p.format() for p in errors))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(rel)


@cli.command()
@root_option
@click.argument("incident_id")
@click.option("--status", required=True, help="Public status from this update on.")
@click.option("--message", "-m", required=True, help="What customers read (Markdown).")
@click.option("--component", "-c", "components", multiple=True, metavar="ID=STATUS", help="A component's status from now on; repeat for several.")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="Time of the update (default: now, with your UTC offset).")
def update(root: str, incident_id: str, status: str, message: str, components: tuple[str, ...], at_text: str | None) -> None:
    """Append a public update to an incident, keeping its comments and layout."""
    from statusbook.check.incident import check_incident_file
    from statusbook.check.incident import incident_id as id_of
    from statusbook.commands.scaffold import append_update_text
    from statusbook.commands.validate import find_incident_files, read_handbook

    config = _config(root)
    handbook, _ = read_handbook(config.handbook_path, config.root)
    if handbook is None:
        raise StatusbookError("the handbook schema is invalid; run statusbook validate")
    paths, _ = find_incident_files(config.incidents_path, config.root)
    matches = [p for p in paths if id_of(p) == incident_id]
    if not matches:
        raise click.BadParameter(f"no incident file has the id {incident_id!r}", param_hint="INCIDENT_ID")
    rel = matches[0]
    pairs = []
    for item in components:
        cid, sep, cstatus = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} must look like api=operational", param_hint="--component")
        pairs.append((cid.strip(), cstatus.strip()))
    path = config.root / rel
    try:
        original = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not valid UTF-8"
        raise StatusbookError(f"{rel}: cannot be read ({reason}); statusbook validate shows why") from None
    at = (_parse_when(at_text, "--at") or clock_now()).astimezone()
    text = append_update_text(original, path=rel, at=at, status=status, message=message, component_statuses=pairs)
    before = {p for p in check_incident_file(original.encode(), rel, handbook).problems if p.level.name == "ERROR"}
    after = [p for p in check_incident_file(text.encode(), rel, handbook).problems if p.level.name == "ERROR"]
    new_errors = [p for p in after if p not in before]
    if new_errors:
        raise StatusbookError("the update was not written, because the file would not be valid:\n" + "\n".join(p.format() for p in new_errors))
    path.write_text(text, encoding="utf-8")
    click.echo(f"{rel}: added a {status!r} update at {at.isoformat(timespec='seconds')}")


@cli.command()
@root_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Output folder (default: site/ in the repository).")
@click.option("--strict", is_flag=True, help="Refuse to build when validation has warnings.")
@click.option("--quiet", "-q", is_flag=True, help="Do not report progress.")
def build(root: str, out_dir: str | None, strict: bool, quiet: bool) -> None:
    """Validate, then build the handbook, status page, feeds and API into site/ atomically."""
    from statusbook.check.report import format_text
    from statusbook.commands.build import build as build_site
    from statusbook.errors import ValidationFailed

    config = _config(root)
    progress = (lambda message: None) if quiet else (lambda message: click.echo(f"statusbook: {message}", err=True))
    try:
        _, files = build_site(config, out_dir=Path(out_dir).resolve() if out_dir else None, strict=strict, progress=progress)
    except ValidationFailed:
        from statusbook.commands.build import build_time

        result = validate_repository(config, now=build_time(config.root))
        click.echo(format_text(result.problems, len(result.files)), nl=False, err=True)
        raise
    target = Path(out_dir) if out_dir else config.root / "site"
    if not quiet:
        click.echo(f"statusbook: wrote {len(files)} files to {target}", err=True)


@cli.command()
@root_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the schema to this file instead of standard output.")
def schema(root: str, output: str | None) -> None:
    """Write a JSON Schema of incident files, for editors that check YAML as you type."""
    from statusbook.commands.validate import read_handbook
    from statusbook.render.json_schema import schema_json

    config = _config(root)
    handbook, problems = read_handbook(config.handbook_path, config.root)
    if handbook is None or any(p.level.name == "ERROR" for p in problems):
        raise StatusbookError("the handbook schema is invalid; run statusbook validate")
    data = schema_json(handbook, config.site_url)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        Path(output).write_bytes(data)


@cli.command()
@root_option
@click.option("--branch", default="gh-pages", show_default=True, help="Branch that holds the published site.")
@click.option("--push", "remote", is_flag=False, flag_value="origin", default=None, metavar="[REMOTE]", help="Fetch the branch from REMOTE (default origin) first, refuse if it has commits you lack, then push.")
@click.option("--cname", metavar="DOMAIN", help="Custom domain for GitHub Pages, written to CNAME.")
@click.option("--message", "-m", help="Commit message (default: Publish <sha> from <branch>); the source commit is always named.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, exists=True), help="Publish this already built folder instead of building.")
@click.option("--strict", is_flag=True, help="Refuse to build when validation has warnings.")
@click.option("--quiet", "-q", is_flag=True, help="Do not report progress.")
def publish(root: str, branch: str, remote: str | None, cname: str | None, message: str | None, site_dir: str | None, strict: bool, quiet: bool) -> None:
    """Commit the built site to a branch (default gh-pages) without touching your checkout, and optionally push it."""
    import re

    from statusbook.io.gitops import publish_files, source_commit
    from statusbook.io.writer import SITE_MARKER, read_tree

    config = _config(root)
    if cname is not None and not re.fullmatch(r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+", cname):
        raise click.BadParameter(f"{cname!r} is not a domain name; give the bare host, like status.example.com", param_hint="--cname")
    say = (lambda text: None) if quiet else (lambda text: click.echo(f"statusbook: {text}", err=True))
    sha, source_branch = source_commit(config.root)
    if site_dir is not None:
        files = {path: data for path, data in read_tree(Path(site_dir)).items() if path != SITE_MARKER}
    else:
        import tempfile

        from statusbook.commands.build import build as build_site
        from statusbook.errors import ValidationFailed

        try:
            # Build beside nothing of yours: publishing leaves the working tree (site/ included) alone.
            with tempfile.TemporaryDirectory(prefix="statusbook-publish-") as scratch:
                _, built = build_site(config, out_dir=Path(scratch) / "site", strict=strict, progress=say, use_cache=False)
                built = dict(built)  # the build's files are read back from the scratch folder: before it goes
        except ValidationFailed:
            from statusbook.check.report import format_text
            from statusbook.commands.build import build_time

            result = validate_repository(config, now=build_time(config.root))
            click.echo(format_text(result.problems, len(result.files)), nl=False, err=True)
            raise
        files = dict(built)
    files[".nojekyll"] = b""
    if cname is not None:
        files["CNAME"] = f"{cname}\n".encode()
    title = message or f"Publish {sha}" + (f" from {source_branch}" if source_branch else "")
    body = "" if sha in title else f"\n\nSource commit: {sha}"
    result = publish_files(config.root, files, branch=branch, message=title + body + "\n", remote=remote)
    if result.commit is None:
        say(f"{branch} already holds this site; nothing to commit")
    else:
        say(f"committed {result.commit[:12]} to {branch} ({len(files)} files)")
    if result.pushed:
        say(f"pushed {branch} to {remote}")
    elif remote is not None:
        say(f"{remote}/{branch} is up to date; nothing to push")


@cli.command()
@root_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def serve(root: str, port: int, host: str) -> None:
    """Serve the whole site with live reload, rebuilding what changed when you edit an incident, page or template."""
    from statusbook.commands.serve import DevServer

    config = _config(root)
    server = DevServer(config, host=host, port=port, clock=clock_now, log=lambda text: click.echo(f"statusbook: {text}", err=True))
    server.start()
    click.echo(f"statusbook: serving {server.url} (Ctrl+C to stop)", err=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the command line; turn our errors into a message and an exit status."""
    try:
        cli.main(args=argv, prog_name="statusbook", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except StatusbookError as exc:
        click.echo(f"statusbook: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(0)


