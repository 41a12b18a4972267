"""The command line's own job: parse options, call one command function with them, map errors to exit codes.

Every command function is replaced by an autospec mock (so a call that does
not fit its signature fails), and so is reading mkdocs.yml: nothing here
reads a repository. What the commands do is tested in tests/functional/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import pytest
from statusbook.check.incident import CheckedFile
from statusbook.check.validation import Validation
from statusbook.commands.build import BuildResult
from statusbook.commands.publish import PublishResult
from statusbook.commands.scaffold import NewIncident
from statusbook.core.config import SiteConfig
from statusbook.core.problems import Level, Problem
from statusbook.errors import BuildError, ConfigError, EditError, UsageError, ValidationFailed
from support.cli import run_cli

NOW = "2026-11-27T12:00:00Z"


@pytest.fixture
def config(tmp_path: Path) -> Iterator[SiteConfig]:
    """mkdocs.yml is not read: every command gets this configuration for ``--root tmp_path``."""
    site = SiteConfig(root=tmp_path)
    with mock.patch("statusbook.io.config_file.load_config", autospec=True, return_value=site) as load:
        yield site
    for call in load.call_args_list:
        assert call.args == (tmp_path.resolve(),)


def validation(*problems: Problem) -> Validation:
    """A validation of one file, incidents/x.yml, that found ``problems``."""
    return Validation(None, (CheckedFile("incidents/x.yml", "x", None, None, tuple(problems)),), tuple(problems))


# --- usage errors: exit 2, nothing called ----------------------------------------------------------


@pytest.mark.parametrize("args", [["--bogus"], ["--format", "xml"], ["--now", "yesterday"]], ids=["unknown option", "bad format", "bad --now"])
def test_usage_errors_exit_2(config: SiteConfig, args: list[str]) -> None:
    with mock.patch("statusbook.commands.validate.validate_repository", autospec=True) as validate:
        run = run_cli("validate", "--root", str(config.root), "--now", NOW, *args)
    assert run.code == 2
    assert "Usage:" in run.stderr or "Error:" in run.stderr
    assert run.stdout == ""
    validate.assert_not_called()


def test_no_command_and_unknown_command(tmp_path: Path) -> None:
    assert run_cli("frobnicate").code == 2
    assert run_cli("validate", "--root", str(tmp_path / "missing")).code == 2
    assert run_cli().code == 2


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--start", "2026-12-08T02:00:00Z"], "give both --start and --end"),
        (["--end", "2026-12-08T02:00:00Z"], "give both --start and --end"),
        (["--start", "2026-12-08T02:00:00Z", "--end", "2026-12-08T03:00:00Z"], "only a maintenance has a window"),
        (["--at", "tomorrow"], "--at"),
    ],
)
def test_new_refuses_inconsistent_options_before_calling_anything(config: SiteConfig, args: list[str], complaint: str) -> None:
    with mock.patch("statusbook.commands.scaffold.new_incident", autospec=True) as new:
        run = run_cli("new", "Database upgrade", "--root", str(config.root), "-c", "api", *args)
    assert run.code == 2
    assert complaint in run.stderr
    new.assert_not_called()


def test_update_components_must_be_id_equals_status(config: SiteConfig) -> None:
    with mock.patch("statusbook.commands.scaffold.append_update", autospec=True) as append:
        run = run_cli("update", "x", "--root", str(config.root), "--status", "resolved", "-m", "Fixed.", "-c", "api")
    assert run.code == 2
    assert "'api' must look like api=operational" in run.stderr
    append.assert_not_called()


# --- what the commands are called with -------------------------------------------------------------


def test_validate_passes_the_clock_the_cache_and_the_format(config: SiteConfig) -> None:
    problem = Problem("incidents/x.yml", 3, 14, "yaml-truthy", Level.WARNING, "'no' is read as false")
    with mock.patch("statusbook.commands.validate.validate_repository", autospec=True, return_value=validation(problem)) as validate:
        relaxed = run_cli("validate", "--root", str(config.root), "--now", "2026-11-27T13:00:00+01:00", "--no-cache", cwd=config.root)
        strict = run_cli("validate", "--root", str(config.root), "--now", NOW, "--strict", "--format", "json", cwd=config.root)
    first, second = validate.call_args_list
    assert first.args == (config,) and first.kwargs == {"now": datetime(2026, 11, 27, 12, tzinfo=UTC), "use_cache": False, "only": None}
    assert second.kwargs == {"now": datetime(2026, 11, 27, 12, tzinfo=UTC), "use_cache": True, "only": None}
    assert relaxed.code == 0 and strict.code == 1, "a warning fails only with --strict"
    assert relaxed.stdout == "incidents/x.yml:3:14: warning [yaml-truthy] 'no' is read as false\n1 file checked: 0 errors, 1 warning\n"
    assert strict.stdout.startswith("{")


def test_new_keeps_the_offsets_it_was_given(config: SiteConfig) -> None:
    with mock.patch("statusbook.commands.scaffold.new_incident", autospec=True, return_value="incidents/2026/2026-12-08-database-upgrade.yml") as new:
        run = run_cli(
            "new", "Database upgrade", "--root", str(config.root), "--maintenance", "-c", "api", "-c", "db",
            "--start", "2026-12-08T02:00:00+01:00", "--end", "2026-12-08T03:00:00+01:00", "--at", "2026-11-27T10:00:00-05:00", "--id", "db-upgrade",
        )  # fmt: skip
    assert run.code == 0, run
    assert run.stdout == "incidents/2026/2026-12-08-database-upgrade.yml\n"
    [(passed, request)] = [call.args for call in new.call_args_list]
    assert passed == config
    plus_one, minus_five = timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))
    assert request == NewIncident(
        "Database upgrade", ("api", "db"), datetime(2026, 11, 27, 10, tzinfo=minus_five), True, None, None, None, None,
        (datetime(2026, 12, 8, 2, tzinfo=plus_one), datetime(2026, 12, 8, 3, tzinfo=plus_one)), "db-upgrade",
    )  # fmt: skip
    assert request.at.utcoffset() == timedelta(hours=-5) and request.window[0].utcoffset() == timedelta(hours=1)


def test_update_passes_component_pairs_and_the_time(config: SiteConfig) -> None:
    with mock.patch("statusbook.commands.scaffold.append_update", autospec=True, return_value="incidents/2026/x.yml") as append:
        run = run_cli("update", "x", "--root", str(config.root), "--status", "identified", "-m", "Found it.", "-c", " api = degraded_performance", "-c", "db=operational", "--at", "2026-03-01T10:30:00+01:00")
    assert run.code == 0, run
    assert run.stdout == "incidents/2026/x.yml: added a 'identified' update at 2026-03-01T10:30:00+01:00\n"
    append.assert_called_once_with(
        config, "x", status="identified", message="Found it.", component_statuses=[("api", "degraded_performance"), ("db", "operational")],
        at=datetime(2026, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=1))), translations=(),
    )  # fmt: skip


def test_update_and_new_pass_translations_by_language(config: SiteConfig) -> None:
    with mock.patch("statusbook.commands.scaffold.append_update", autospec=True, return_value="incidents/2026/x.yml") as append:
        run = run_cli("update", "x", "--root", str(config.root), "--status", "identified", "-m", "Found it.", "--message-nl", "Gevonden.")
    assert run.code == 0, run
    assert append.call_args.kwargs["translations"] == (("nl", "Gevonden."),)
    with mock.patch("statusbook.commands.scaffold.new_incident", autospec=True, return_value="incidents/2026/x.yml") as new:
        run = run_cli("new", "API errors", "--root", str(config.root), "-s", "SEV3", "-c", "api", "--title-nl", "API-fouten", "--message-nl", "We kijken ernaar.")
    assert run.code == 0, run
    request = new.call_args.args[1]
    assert (request.title_translations, request.message_translations) == ((("nl", "API-fouten"),), (("nl", "We kijken ernaar."),))


def test_build_passes_its_options(config: SiteConfig, tmp_path: Path) -> None:
    result = BuildResult(tmp_path / "out", validation(), ("index.html",), {})
    with mock.patch("statusbook.commands.build.build", autospec=True, return_value=result) as build:
        run = run_cli("build", "--root", str(config.root), "--out", "out", "--strict", "--now", NOW, cwd=tmp_path)
        quiet = run_cli("build", "--root", str(config.root), "-q")
    assert run.code == quiet.code == 0
    first, second = build.call_args_list
    assert first.args == (config,)
    assert {k: v for k, v in first.kwargs.items() if k != "progress"} == {"out_dir": (tmp_path / "out").resolve(), "now": datetime(2026, 11, 27, 12, tzinfo=UTC), "strict": True}
    assert {k: v for k, v in second.kwargs.items() if k != "progress"} == {"out_dir": None, "now": None, "strict": False}
    assert run.stderr == f"statusbook: wrote 1 files to {tmp_path / 'out'}\n"
    assert quiet.stderr == ""


@pytest.mark.parametrize(("args", "remote"), [([], None), (["--push"], "origin"), (["--push", "upstream"], "upstream")])
def test_publish_push_takes_an_optional_remote(config: SiteConfig, args: list[str], remote: str | None) -> None:
    result = PublishResult("gh-pages", "a" * 40, None, remote is not None, remote, 3)
    with mock.patch("statusbook.commands.publish.publish", autospec=True, return_value=result) as publish:
        run = run_cli("publish", "--root", str(config.root), "--cname", "status.example.com", *args)
    assert run.code == 0, run
    kwargs = publish.call_args.kwargs
    assert (kwargs["remote"], kwargs["branch"], kwargs["cname"], kwargs["site_dir"], kwargs["strict"]) == (remote, "gh-pages", "status.example.com", None, False)
    assert f"committed {'a' * 12} to gh-pages (3 files)" in run.stderr


# --- errors become a message and an exit code --------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (UsageError("INCIDENT_ID: no incident file has the id 'x'"), 2, "statusbook: error: INCIDENT_ID: no incident file has the id 'x'\n"),
        (EditError("incidents/x.yml: has no 'updates' list"), 1, "statusbook: incidents/x.yml: has no 'updates' list\n"),
        (BuildError("cannot write"), 1, "statusbook: cannot write\n"),
        (ConfigError("mkdocs.yml is missing"), 1, "statusbook: mkdocs.yml is missing\n"),
        (PermissionError(13, "Permission denied", "incidents/x.yml"), 1, "statusbook: Permission denied: incidents/x.yml\n"),
    ],
    ids=["usage", "edit", "build", "config", "os"],
)
def test_errors_map_to_exit_codes_without_a_traceback(config: SiteConfig, error: Exception, code: int, message: str) -> None:
    with mock.patch("statusbook.commands.scaffold.append_update", autospec=True, side_effect=error):
        run = run_cli("update", "x", "--root", str(config.root), "--status", "resolved", "-m", "Fixed.")
    assert (run.code, run.stderr, run.stdout) == (code, message, "")


def test_a_config_error_with_problems_lists_them_and_exits_1(tmp_path: Path) -> None:
    problem = Problem("mkdocs.yml", 4, 3, "config-key-unknown", Level.ERROR, "'timezon' is not a setting")
    with mock.patch("statusbook.io.config_file.load_config", autospec=True, side_effect=ConfigError.from_problems([problem])):
        run = run_cli("validate", "--root", str(tmp_path))
    assert run.code == 1
    assert run.stderr == "mkdocs.yml:4:3: error [config-key-unknown] 'timezon' is not a setting\n"


def test_a_build_that_fails_validation_reports_the_problems_once_and_exits_1(config: SiteConfig) -> None:
    problem = Problem("incidents/x.yml", 3, 14, "component-unknown", Level.ERROR, "'apii' is not a component")
    with mock.patch("statusbook.commands.build.build", autospec=True, side_effect=ValidationFailed(validation(problem))):
        run = run_cli("build", "--root", str(config.root))
    assert run.code == 1
    assert run.stderr.count("[component-unknown]") == 1
    assert "incidents/x.yml:3:14: error [component-unknown] 'apii' is not a component" in run.stderr
    assert run.stderr.endswith("statusbook: the repository has problems\n")
