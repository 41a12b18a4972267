"""The ``statusbook`` command: parse options, call one command function, map errors to exit codes.

Exit status: 0 when all is well, 1 when input is invalid or an operation
failed, 2 for usage errors (click's own convention). Every command finds the
repository by walking up from the current folder to the nearest mkdocs.yml,
as git finds ``.git``, unless ``--root`` names it.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from statusbook import __version__
from statusbook.check.report import FORMATS, format_problems, format_text, relocate, resolve_format
from statusbook.core.config import LANGUAGE_NAMES, LANGUAGES, SiteConfig
from statusbook.core.problems import has_errors
from statusbook.core.timestamps import TimestampError, parse_timestamp
from statusbook.errors import ConfigError, PathArgumentError, StatusbookError, UsageError, ValidationFailed

# Top-level modules of the `site` extra (pyproject.toml): the base install validates without them.
SITE_EXTRA_MODULES = frozenset({"jinja2", "markupsafe", "material", "feedgen", "icalendar", "babel", "markdown", "nh3", "watchdog", "apprise", "pymdownx"})


def clock_now() -> datetime:
    """The wall clock: SOURCE_DATE_EPOCH when set (reproducible runs), else $STATUSBOOK_NOW (act as if), else the clock.

    Every command's default time comes from here (``new``, ``update`` and ``init`` included),
    so one variable moves the whole tool in time, as ``--now`` does for a single command.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return _when(os.environ.get("STATUSBOOK_NOW") or None, "STATUSBOOK_NOW") or datetime.now(UTC)


def _when(value: str | None, param: str, *, keep_offset: bool = False) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value, keep_offset=keep_offset)
    except TimestampError as exc:
        raise click.BadParameter(str(exc), param_hint=param) from None


def _root(root: str | None) -> Path:
    from statusbook.io.config_file import find_root

    if root is not None:
        return Path(root).resolve()
    return find_root(Path.cwd()) or Path.cwd().resolve()


def _config(root: str | None) -> SiteConfig:
    from statusbook.io.config_file import load_config

    return load_config(_root(root))


def _say(quiet: bool):
    return (lambda message: None) if quiet else (lambda message: click.echo(f"statusbook: {message}", err=True))


def _report_failure(exc: ValidationFailed) -> None:
    validation = exc.validation
    click.echo(format_text(validation.problems, validation.file_count), nl=False, err=True)


root_option = click.option("--root", default=None, type=click.Path(file_okay=False, exists=True), help="Repository root holding mkdocs.yml (default: the nearest folder upwards that has one).")
now_option = click.option(
    "--now", "now_text", metavar="TIMESTAMP", envvar="STATUSBOOK_NOW", help="Act as if the wall clock said this (default: $STATUSBOOK_NOW, else the clock); SOURCE_DATE_EPOCH still pins builds exactly."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="statusbook")
def cli() -> None:
    """Incident handbook and public status page, built from one git repository."""


@cli.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="text for people, json for tools, github for pull-request annotations, auto picks github under GitHub Actions.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--no-cache", is_flag=True, help="Check every file afresh instead of reusing results for unchanged files.")
@now_option
@click.option("--base", "base_ref", metavar="REF", help="Also check that the public record is append-only compared with this git ref (origin/main; origin/main... means where HEAD branched off it).")
@click.argument("paths", nargs=-1, type=click.Path())
def validate(root: str | None, fmt: str, strict: bool, no_cache: bool, now_text: str | None, base_ref: str | None, paths: tuple[str, ...]) -> None:
    """Check the handbook schema and every incident file; report all problems at once."""
    from statusbook.commands.validate import pull_request_problems, validate_repository
    from statusbook.io.files import selected_paths

    config = _config(root)
    now = _when(now_text, "--now") or clock_now()
    only = selected_paths(config, [Path(p) for p in paths]) if paths else None
    result = validate_repository(config, now=now, use_cache=not no_cache, only=only)
    problems = pull_request_problems(config, result, base_ref) if base_ref is not None else list(result.problems)
    failed = has_errors(problems, strict=strict)
    concrete = resolve_format(fmt)
    problems = relocate(problems, _path_for(config.root, github=concrete == "github"))
    click.echo(format_problems(problems, result.file_count, concrete, ok=not failed), nl=False)
    if failed:
        sys.exit(1)


@cli.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="text for people, json for bots.")
@now_option
def overdue(root: str | None, fmt: str, now_text: str | None) -> None:
    """List what the team owes: postmortems due or overdue, stale incidents, maintenance left 'scheduled'."""
    import json

    from statusbook.commands.validate import overdue as overdue_items

    config = _config(root)
    items = relocate(overdue_items(config, _when(now_text, "--now") or clock_now()), _path_for(config.root, github=False))
    if fmt == "json":
        click.echo(json.dumps({"items": [p.to_json() for p in items]}, indent=2, ensure_ascii=False))
    elif not items:
        click.echo("Nothing overdue: every required postmortem is linked, every open incident is fresh, every maintenance is up to date.")
    else:
        click.echo("".join(f"{p.format()}\n" for p in items), nl=False)
        click.echo(f"{len(items)} item{'s' if len(items) != 1 else ''} for the team (the status page publishes regardless)")


def _path_for(root: Path, *, github: bool):
    """Where problem paths are written from: the repository's top for GitHub annotations, else where the user stands."""
    from statusbook.io import git

    if github:
        with git.open_repository(root) as project:
            top = project.top if project is not None else None
        base = top.resolve() if top is not None else root
    else:
        base = Path.cwd().resolve()

    def where(path: str) -> str:
        if ":" in path.split("/", 1)[0]:
            return path  # a file at a release tag (v1.0:handbook/schema.yml)
        return Path(os.path.relpath(root / path, base)).as_posix()

    return where


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--name", "site_name", default="Example status", show_default=True, help="The site's name (site_name).")
@click.option("--url", "site_url", default="https://status.example.com/", show_default=True, help="Where the site is served (site_url).")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone the status page shows times in.")
@click.option("--github", is_flag=True, help="Add a GitHub Actions workflow: check pull requests, publish on push and every 5 minutes.")
@click.option("--gitlab", is_flag=True, help="Add a GitLab CI pipeline: check merge requests, publish GitLab Pages.")
@click.option("--pre-commit", "pre_commit", is_flag=True, help="Add a pre-commit configuration that validates before every commit.")
def init(folder: str, site_name: str, site_url: str, timezone: str, github: bool, gitlab: bool, pre_commit: bool) -> None:
    """Start a statusbook repository in FOLDER (default: here): handbook, mkdocs.yml, example incidents."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from statusbook.commands.init import InitOptions
    from statusbook.commands.init import init as init_repository

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{timezone!r} is not an IANA time zone such as Europe/Amsterdam or UTC", param_hint="--timezone") from None
    if not site_url.startswith(("https://", "http://")):
        raise click.BadParameter(f"{site_url!r} must be an absolute http(s) URL", param_hint="--url")
    options = InitOptions(site_name, site_url if site_url.endswith("/") else site_url + "/", timezone, github, gitlab, pre_commit)
    written = init_repository(Path(folder).resolve(), options, clock_now())
    click.echo(f"statusbook: wrote {len(written)} files into {folder}; next: statusbook validate, then statusbook build", err=True)


def translation_options(*names: str):
    """``--title-nl`` and the like: a text in each language statusbook ships, for a status page published in it."""

    def decorate(command):
        for name in reversed(names):
            for code in reversed(LANGUAGES):
                command = click.option(
                    f"--{name}-{code}", f"{name}_{code}", metavar="TEXT", help=f"The {name} in {LANGUAGE_NAMES[code]} ({name}_{code} in the file), for the status page in that language."
                )(command)
        return command

    return decorate


def _translations(texts: dict[str, str | None], name: str) -> tuple[tuple[str, str], ...]:
    """The (language, text) pairs given with ``--<name>-<language>``."""
    return tuple((code, text) for code in LANGUAGES if (text := texts.get(f"{name}_{code}")) is not None)


@cli.command()
@root_option
@click.argument("title")
@click.option("--maintenance", is_flag=True, help="Scaffold a scheduled maintenance instead of an incident.")
@click.option("--severity", "-s", help="Severity id from the handbook (required for incidents, refused for maintenance).")
@click.option("--component", "-c", "components", multiple=True, required=True, help="Affected component id; repeat for several.")
@click.option("--status", "component_status", help="Status of the components now (default: major_outage for the most severe level, partial_outage otherwise; none for maintenance).")
@click.option("--message", "-m", help="First public message (a sensible default is written).")
@click.option("--incident-manager", help="Person leading the response (default for major incidents: git config user.name).")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="Time of the first update, kept with its UTC offset (default: now, with your offset).")
@click.option("--start", "start_text", metavar="TIMESTAMP", help="Maintenance window start, kept with its UTC offset.")
@click.option("--end", "end_text", metavar="TIMESTAMP", help="Maintenance window end, kept with its UTC offset.")
@click.option("--id", "slug", help="Id (file name) to use instead of one derived from the date and title.")
@translation_options("title", "message")
def new(root: str | None, title: str, maintenance: bool, severity: str | None, components: tuple[str, ...], component_status: str | None, message: str | None,
        incident_manager: str | None, at_text: str | None, start_text: str | None, end_text: str | None, slug: str | None, **texts: str | None) -> None:
    """Create a valid incident (or maintenance) file and print its path."""
    from statusbook.commands.scaffold import NewIncident, new_incident

    start, end = _when(start_text, "--start", keep_offset=True), _when(end_text, "--end", keep_offset=True)
    if (start is None) != (end is None):
        raise click.BadParameter("give both --start and --end", param_hint="--start/--end")
    if not maintenance and start is not None:
        raise click.BadParameter("only a maintenance has a window; add --maintenance", param_hint="--start/--end")
    at = _when(at_text, "--at", keep_offset=True) or clock_now().astimezone()
    window = (start, end) if start and end else None
    request = NewIncident(
        title, components, at, maintenance, severity, component_status, message, incident_manager, window, slug, _translations(texts, "title"), _translations(texts, "message")
    )
    click.echo(new_incident(_config(root), request))


@cli.command()
@root_option
@click.argument("incident_id")
@click.option("--status", required=True, help="Public status from this update on.")
@click.option("--message", "-m", required=True, help="What customers read (Markdown).")
@click.option("--component", "-c", "components", multiple=True, metavar="ID=STATUS", help="A component's status from now on (a component not yet affected is added); repeat for several.")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="Time of the update, kept with its UTC offset (default: now, with your offset).")
@translation_options("message")
def update(root: str | None, incident_id: str, status: str, message: str, components: tuple[str, ...], at_text: str | None, **texts: str | None) -> None:
    """Append a public update to an incident, keeping its comments and layout."""
    from statusbook.commands.scaffold import append_update

    pairs = []
    for item in components:
        cid, sep, cstatus = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} must look like api=operational", param_hint="--component")
        pairs.append((cid.strip(), cstatus.strip()))
    at = _when(at_text, "--at", keep_offset=True) or clock_now().astimezone()
    rel = append_update(_config(root), incident_id, status=status, message=message, component_statuses=pairs, at=at, translations=_translations(texts, "message"))
    click.echo(f"{rel}: added a {status!r} update at {at.isoformat(timespec='seconds')}")


@cli.command()
@root_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Output folder (default: site/ in the repository, site-internal/ with --internal).")
@click.option("--strict", is_flag=True, help="Refuse to build when validation has warnings.")
@now_option
@click.option("--quiet", "-q", is_flag=True, help="Do not report progress.")
@click.option("--internal", is_flag=True, help="Build the internal incident log (roles, timelines, postmortems, response metrics) instead, into a folder of its own.")
def build(root: str | None, out_dir: str | None, strict: bool, now_text: str | None, quiet: bool, internal: bool) -> None:
    """Validate, then build the handbook, status page, feeds and API into site/ atomically (or, with --internal, the internal site)."""
    from statusbook.commands.build import build as build_site
    from statusbook.commands.internal import build_internal

    config = _config(root)
    say = _say(quiet)
    builder = build_internal if internal else build_site
    try:
        result = builder(config, out_dir=Path(out_dir).resolve() if out_dir else None, now=_when(now_text, "--now"), strict=strict, progress=say)
    except ValidationFailed as exc:
        _report_failure(exc)
        raise
    say(f"wrote {len(result.paths)} files to {result.target}")


@cli.command()
@root_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the schema to this file instead of standard output.")
def schema(root: str | None, output: str | None) -> None:
    """Write a JSON Schema of incident files, for editors that check YAML as you type."""
    from statusbook.commands.schema import incident_schema_bytes

    data = incident_schema_bytes(_config(root))
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
@click.option("--notify", "announce", is_flag=True, help="Then announce what went live, as statusbook notify does (same branch and remote).")
@click.option("--drop-version", "drop_versions", multiple=True, metavar="VERSION", help="Withdraw a published handbook version whose tag is gone (repeat for several); without it, such a publish is refused.")
@now_option
def publish(root: str | None, branch: str, remote: str | None, cname: str | None, message: str | None, site_dir: str | None, strict: bool, quiet: bool, announce: bool,
            drop_versions: tuple[str, ...], now_text: str | None) -> None:
    """Commit the built site to a branch (default gh-pages) without touching your checkout, and optionally push it."""
    from statusbook.commands.publish import publish as publish_site

    say = _say(quiet)
    config = _config(root)
    now = _when(now_text, "--now")
    try:
        result = publish_site(
            config, branch=branch, remote=remote, cname=cname, message=message, site_dir=Path(site_dir) if site_dir else None, strict=strict, now=now, drop_versions=drop_versions, progress=say
        )
    except ValidationFailed as exc:
        _report_failure(exc)
        raise
    say(f"{branch} already holds this site; nothing to commit" if result.commit is None else f"committed {result.commit[:12]} to {branch} ({result.files} files)")
    if result.pushed:
        say(f"pushed {branch} to {remote}")
    elif remote is not None:
        say(f"{remote}/{branch} is up to date; nothing to push")
    if announce:
        _notify(config, branch=branch, remote=remote, dry_run=False, now=now, quiet=quiet)


def _notify(config: SiteConfig, *, branch: str, remote: str | None, dry_run: bool, now: datetime | None, quiet: bool) -> None:
    from statusbook.commands.notify import notify as announce

    try:
        result = announce(config, branch=branch, remote=remote, dry_run=dry_run, now=now, clock=clock_now, progress=_say(quiet), show=click.echo)
    except ValidationFailed as exc:
        _report_failure(exc)
        raise
    if result.failed:
        if quiet:  # a failure is reported even when progress is not
            for target in result.targets:
                if target.failure:
                    click.echo(f"statusbook: {target.label}: failed: {target.failure}; {target.waiting} left for the next run", err=True)
        sys.exit(1)


@cli.command()
@root_option
@click.option("--branch", default="gh-pages", show_default=True, help="Branch that holds the published site.")
@click.option("--push", "remote", is_flag=False, flag_value="origin", default=None, metavar="[REMOTE]", help="Announce what REMOTE (default origin) publishes, and push the record of what was sent there.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent to each target; send and record nothing.")
@now_option
@click.option("--quiet", "-q", is_flag=True, help="Do not report progress.")
def notify(root: str | None, branch: str, remote: str | None, dry_run: bool, now_text: str | None, quiet: bool) -> None:
    """Announce each public change that went live since the last run (email, chat, webhooks), once per target.

    Targets are the Apprise URLs in STATUSBOOK_NOTIFY and the file named by
    extra.statusbook.notify_file. Exit status 1 when a target failed: it gets
    what it missed on the next run, the others are not held back.
    """
    _notify(_config(root), branch=branch, remote=remote, dry_run=dry_run, now=_when(now_text, "--now"), quiet=quiet)


@cli.command()
@root_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@now_option
def serve(root: str | None, port: int, host: str, now_text: str | None) -> None:
    """Serve the whole site with live reload, rebuilding what changed when you edit an incident, page or template."""
    from statusbook.commands.serve import DevServer

    fixed = _when(now_text, "--now")
    server = DevServer(_config(root), host=host, port=port, clock=(lambda: fixed) if fixed else clock_now, log=_say(False))
    server.start()
    click.echo(f"statusbook: serving {server.url} (Ctrl+C to stop)", err=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@cli.command()
@root_option
@click.argument("incident_id")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="text for people, json for bots.")
@now_option
def brief(root: str | None, incident_id: str, fmt: str, now_text: str | None) -> None:
    """Print what the incident manager needs now: chat topic, status line, next update due, a draft customer message."""
    from statusbook.commands.brief import brief as make_brief

    try:
        click.echo(make_brief(_config(root), incident_id, _when(now_text, "--now") or clock_now(), fmt=fmt), nl=False)
    except ValidationFailed as exc:
        _report_failure(exc)
        raise


@cli.command()
@root_option
@click.argument("incident_id")
@now_option
def postmortem(root: str | None, incident_id: str, now_text: str | None) -> None:
    """Start the incident's postmortem from the handbook's template, filled in from the file, and print its path."""
    from statusbook.commands.postmortem import new_postmortem

    try:
        click.echo(new_postmortem(_config(root), incident_id, _when(now_text, "--now") or clock_now()))
    except ValidationFailed as exc:
        _report_failure(exc)
        raise


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
    except ConfigError as exc:
        click.echo(str(exc) if exc.problems else f"statusbook: {exc}", err=True)
        sys.exit(exc.exit_code)
    except (UsageError, PathArgumentError) as exc:
        click.echo(f"statusbook: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except StatusbookError as exc:
        click.echo(f"statusbook: {exc}", err=True)
        sys.exit(exc.exit_code)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in SITE_EXTRA_MODULES:
            raise  # not a missing extra: a bug, keep its traceback
        click.echo(f"statusbook: {exc.name} is not installed: building, serving, publishing and notifying need the site extra; install it with: pip install 'statusbook[site]'", err=True)
        sys.exit(1)
    except OSError as exc:  # the machine said no: a read-only folder, a full disk
        click.echo(f"statusbook: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        sys.exit(1)
    sys.exit(0)
