"""The handbook site: versions from git tags, the cache, the finished pages' policy, and governing versions.

The expensive part (a real repository with two releases, built four times) is
the session fixture ``versioned_handbook``; see tests/support/handbook_repo.py.
There are no MkDocs hooks: each version is exported with its tables and dates
already in the Markdown, built by the engine in one child process, and
finished afterwards (one policy per page, comments dropped, a version list).
The tables themselves are tested in tests/unit/test_handbook_tables.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from statusbook.commands.build import handbook_part
from statusbook.commands.validate import validate_repository
from statusbook.io.config_file import load_config
from statusbook.render.csp import INLINE_SCRIPT, script_hash
from support.handbook_repo import CHANGES_PAGE, DETECT_DEV, DETECT_OLD, SEV1_EDIT, SEV1_OLD, SEV2_NEW, SEV2_OLD, git, make_release_history, replace_in
from support.repos import site_project

PAGES = ("index.html", "severity/index.html", "roles/index.html", "phases/index.html", "reference/incident-files/index.html")


def text_of(html: bytes) -> str:
    """The visible words of a page, so assertions do not depend on markup."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html.decode("utf-8"), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def page(build: object, version: str, rel: str) -> str:
    return text_of(build.files[f"handbook/{version}/{rel}"])


# --- the versioned site (one real repository, built four times) ------------------------------------


def test_each_release_and_dev_is_built_and_nothing_else(versioned_handbook) -> None:
    files = versioned_handbook.cold.files
    folders = {path.split("/")[1] for path in files if path.count("/") >= 2}
    assert folders == {"v1.0", "v1.1", "dev", "latest", "nl"}  # not old-1, which does not match v*; nl/ holds the Dutch index's redirect
    assert [path for path in files if path.startswith("handbook/nl/")] == ["handbook/nl/index.html"]
    for version in ("v1.0", "v1.1", "dev"):
        for rel in PAGES:
            assert f"handbook/{version}/{rel}" in files
    assert all(isinstance(data, bytes) for data in files.values())  # copies and redirects, never symlinks


def test_versions_json_lists_the_releases_newest_first(versioned_handbook) -> None:
    assert versioned_handbook.cold.files["handbook/versions.json"].decode() == textwrap.dedent("""\
        [
          {
            "version": "dev",
            "title": "dev",
            "aliases": []
          },
          {
            "version": "v1.1",
            "title": "v1.1",
            "aliases": [
              "latest"
            ]
          },
          {
            "version": "v1.0",
            "title": "v1.0",
            "aliases": []
          }
        ]
        """)


def test_a_changed_severity_description_shows_only_in_the_new_version(versioned_handbook) -> None:
    cold = versioned_handbook.cold
    assert SEV2_NEW in page(cold, "v1.1", "severity/index.html")
    assert SEV2_OLD not in page(cold, "v1.1", "severity/index.html")
    assert SEV2_OLD in page(cold, "v1.0", "severity/index.html")
    assert SEV2_NEW not in page(cold, "v1.0", "severity/index.html")
    v10 = cold.files["handbook/v1.0/severity/index.html"].decode()
    v11 = cold.files["handbook/v1.1/severity/index.html"].decode()
    assert 'id="severity-sev3"' in v10 and 'id="severity-low"' not in v10
    assert 'id="severity-low"' in v11 and 'id="severity-sev3"' not in v11
    assert "handbook/v1.1/changes/index.html" in cold.files and "handbook/v1.0/changes/index.html" not in cold.files
    assert "minor severity level is now called LOW" in page(cold, "v1.1", "changes/index.html")
    assert CHANGES_PAGE.splitlines()[0].lstrip("# ") in page(cold, "v1.1", "changes/index.html")


def test_dev_is_the_working_tree(versioned_handbook) -> None:
    cold, edited = versioned_handbook.cold, versioned_handbook.edited
    assert DETECT_DEV in page(cold, "dev", "phases/index.html")
    assert DETECT_OLD in page(cold, "v1.1", "phases/index.html") and DETECT_DEV not in page(cold, "v1.1", "phases/index.html")
    # An uncommitted edit of the schema shows in dev at once, and only there.
    assert SEV1_EDIT in page(edited, "dev", "severity/index.html") and SEV1_OLD not in page(edited, "dev", "severity/index.html")
    for version in ("v1.0", "v1.1"):
        assert SEV1_OLD in page(edited, version, "severity/index.html")
        assert all(edited.files[p] == cold.files[p] for p in cold.files if p.startswith(f"handbook/{version}/"))


def test_building_leaves_the_working_tree_index_and_head_alone(versioned_handbook) -> None:
    before, after = versioned_handbook.git_before, versioned_handbook.git_after
    assert before[0] == after[0] == ""  # git status --porcelain: clean
    assert before[1] == after[1]  # HEAD
    assert before[2] == after[2]  # .git/index, byte for byte
    assert before[3] == after[3]  # every working tree file
    assert git(versioned_handbook.root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_a_second_build_reuses_every_version_from_the_cache(versioned_handbook) -> None:
    cold, warm = versioned_handbook.cold, versioned_handbook.warm
    assert cold.engine_builds == 3
    assert warm.engine_builds == 0
    assert warm.files == cold.files
    assert [m for m in warm.messages if "reused" in m] == [f"handbook {v}: unchanged, reused" for v in ("v1.1", "v1.0", "dev")]
    assert cold.messages == ["handbook: building v1.1, v1.0, dev with mkdocs"], "every version is built by one run of the engine"


def test_only_the_changed_version_is_rebuilt_and_rebuilding_is_byte_identical(versioned_handbook) -> None:
    assert versioned_handbook.edited.engine_builds == 1  # dev only
    assert versioned_handbook.undone.engine_builds == 1  # the first dev output was dropped from the cache, so built again
    assert versioned_handbook.undone.files == versioned_handbook.cold.files
    cached = sorted(p.name for p in versioned_handbook.store.iterdir())
    assert len(cached) == 3
    assert not versioned_handbook.store.is_relative_to(versioned_handbook.root), "built versions are kept outside the working tree"


def test_latest_and_the_handbook_index_redirect(versioned_handbook) -> None:
    files = versioned_handbook.cold.files
    release_pages = sorted(p.removeprefix("handbook/v1.1/") for p in files if p.startswith("handbook/v1.1/") and p.endswith(".html"))
    latest_pages = sorted(p.removeprefix("handbook/latest/") for p in files if p.startswith("handbook/latest/"))
    assert latest_pages == release_pages
    assert b'window.location.replace("../../v1.1/severity/"' in files["handbook/latest/severity/index.html"]
    assert b'window.location.replace("latest/"' in files["handbook/index.html"]


def test_pages_carry_git_dates_edit_links_and_their_own_url(versioned_handbook) -> None:
    files = versioned_handbook.cold.files
    assert "Last updated 10 January 2026" in page(versioned_handbook.cold, "v1.0", "severity/index.html")
    assert "Last updated 10 March 2026" in page(versioned_handbook.cold, "v1.1", "severity/index.html")  # severity.md changed in v1.1
    assert "Last updated 10 January 2026" in page(versioned_handbook.cold, "v1.1", "roles/index.html")  # roles.md did not
    severity = files["handbook/v1.0/severity/index.html"].decode()
    assert '<time datetime="2026-01-10">' in severity
    assert 'href="https://github.com/example/statusbook/edit/main/handbook/severity.md"' in severity
    assert '<link rel="canonical" href="https://status.example.com/handbook/v1.0/severity/">' in severity
    assert "Back to the status page" in text_of(files["handbook/v1.0/severity/index.html"])
    assert set(re.findall(r"<lastmod>([^<]+)</lastmod>", files["handbook/v1.0/sitemap.xml"].decode())) == {"2026-01-10"}


def test_pages_make_no_third_party_requests(versioned_handbook) -> None:
    for path, data in versioned_handbook.cold.files.items():
        if path.endswith(".html"):
            html = data.decode()
            assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html, path
            assert 'data-md-component="source"' not in html, path  # would ask the GitHub API for stars
            assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://(?!status\.example\.com)', html), path


def build_handbook(root: Path, store: Path, messages: list[str] | None = None) -> dict[str, bytes]:
    """The handbook part of `statusbook build` for a repository, as {path: bytes}; progress messages go to ``messages``."""
    outputs = handbook_part(load_config(root), datetime(2026, 6, 1, 12, tzinfo=UTC), (messages if messages is not None else []).append, store)
    return {o.path: o.render() for o in outputs}


def test_the_real_repository_handbook_builds_strict(tmp_path: Path) -> None:
    """The real handbook pages, mkdocs.yml and theme, built by the engine in strict mode (a warning fails) as `statusbook build` does."""
    project = site_project(tmp_path / "repo")
    project.git_init()
    messages: list[str] = []
    files = build_handbook(project.root, tmp_path / "store", messages)
    severity = files["handbook/dev/severity/index.html"].decode()
    for severity_id in ("sev1", "sev2", "sev3"):
        assert f'id="severity-{severity_id}"' in severity
    assert messages == ["handbook: building dev with mkdocs"], "every placeholder was expanded (an unknown one is reported here)"
    assert "<!-- statusbook:" not in "".join(data.decode() for path, data in files.items() if path.endswith(".html"))
    assert "statusbook_updated" not in "".join(data.decode() for path, data in files.items() if path.endswith(".html")), "the dates are shown, not their front matter"


# --- what a page's own content may not do ----------------------------------------------------------------

PAGE_SCRIPT = 'window.fromPage = "ran"'
COMPONENT_SCRIPT = '<script>window.fromComponent = "ran"</script>'
POLICY_TEXT = "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'unsafe-inline'\">"
CONTENT = f"""

<!-- NOTE-FOR-EDITORS: ask Bob before publishing this -->

<script>{PAGE_SCRIPT}</script>

A policy in a code block:

```html
{POLICY_TEXT}
```

{POLICY_TEXT}
<meta http-equiv="refresh" content="0; url=https://elsewhere.example/">
"""
POLICY_META = re.compile(r"<meta\b[^>]*http-equiv=[\"']?content-security-policy", re.I)


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The real handbook with a script, policies, a refresh and a comment in a page, and a script in a component's name."""
    base = tmp_path_factory.mktemp("hostile-pages")
    project = site_project(base / "repo")
    with (project.root / "handbook" / "roles.md").open("a", encoding="utf-8") as handle:
        handle.write(CONTENT)
    replace_in(project.root / "handbook" / "components.yml", "name: Website", f"name: Website {COMPONENT_SCRIPT}")
    project.git_init()
    return build_handbook(project.root, base / "store")


def policy_of(page: str) -> str:
    [content] = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    return content


def test_a_script_in_a_page_is_published_but_never_allowed_to_run(hostile_pages: dict[str, bytes]) -> None:
    page = hostile_pages["handbook/dev/roles/index.html"].decode()
    scripts = [body for attributes, body in INLINE_SCRIPT.findall(page)]
    assert PAGE_SCRIPT in scripts, "the author's script is on the page"
    allowed = set(re.findall(r"'sha256-[^']+'", policy_of(page)))
    assert script_hash(PAGE_SCRIPT) not in allowed, "a script from a page's content must get no hash"
    assert allowed, "the theme's own inline scripts are allowed by their hashes"
    assert allowed <= {script_hash(body) for body in scripts}
    assert policy_of(page) == policy_of(hostile_pages["handbook/dev/severity/index.html"].decode()), "every page allows the same theme scripts"


def test_a_script_in_a_component_name_shows_as_text(hostile_pages: dict[str, bytes]) -> None:
    page = hostile_pages["handbook/dev/phases/escalate/index.html"].decode()
    assert "&lt;script&gt;window.fromComponent" in page, "the name appears, escaped"
    assert "window.fromComponent" not in "".join(body for _, body in INLINE_SCRIPT.findall(page))
    assert [path for path, data in hostile_pages.items() if b"<script>window.fromComponent" in data] == [], "never as markup, on any page"
    assert script_hash('window.fromComponent = "ran"') not in policy_of(page)


def test_a_page_that_mentions_a_policy_still_has_exactly_one(hostile_pages: dict[str, bytes]) -> None:
    for path, data in hostile_pages.items():
        if path.startswith("handbook/dev/") and path.endswith(".html"):
            page = data.decode()
            assert len(POLICY_META.findall(page)) == 1, path
            assert "unsafe-inline" not in policy_of(page).split("script-src", 1)[1].split(";", 1)[0], path
    roles = hostile_pages["handbook/dev/roles/index.html"].decode()
    assert "Content-Security-Policy" in text_of(roles.encode()), "the code block still shows the text"
    assert 'http-equiv="refresh"' not in roles, "no meta refresh from content"
    head = roles.split("<head>", 1)[1]
    assert head.lstrip().startswith('<meta http-equiv="Content-Security-Policy"'), "the policy comes first in <head>"


def test_an_html_comment_in_a_page_is_not_published(hostile_pages: dict[str, bytes]) -> None:
    assert [path for path, data in hostile_pages.items() if b"NOTE-FOR-EDITORS" in data or b"ask Bob" in data] == []


def test_pages_list_every_version_without_javascript(versioned_handbook) -> None:
    page = versioned_handbook.cold.files["handbook/v1.0/severity/index.html"].decode()
    [nav] = re.findall(r'<nav class="statusbook-versions".*?</nav>', page, re.S)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav) == [("../../dev/", "dev"), ("../../v1.1/", "v1.1 (latest)")]
    assert '<strong aria-current="page">v1.0</strong>' in nav


# --- reproducible: the same commit builds the same handbook, in any process --------------------------------

BUILD_SCRIPT = """
import hashlib, json, sys
from datetime import UTC, datetime
from pathlib import Path
from statusbook.commands.build import handbook_part
from statusbook.io.config_file import load_config

root, store = Path(sys.argv[1]), Path(sys.argv[2])
outputs = handbook_part(load_config(root), datetime(2026, 4, 10, 12, tzinfo=UTC), lambda message: None, store)
print(json.dumps({o.path: hashlib.sha256(o.render()).hexdigest() for o in outputs}))
"""


def test_two_processes_build_byte_identical_handbooks(versioned_handbook, tmp_path: Path) -> None:
    clone = tmp_path / "elsewhere" / "clone"  # another path, other file times
    git(tmp_path, "clone", "-q", str(versioned_handbook.root), str(clone))
    runs = [
        subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(root), str(tmp_path / f"store-{n}")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, root in enumerate((versioned_handbook.root, clone))
    ]
    built = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        built.append(json.loads(out))
    assert built[0] == built[1]
    assert built[0] == {path: hashlib.sha256(data).hexdigest() for path, data in versioned_handbook.cold.files.items()}


# --- validation against the governing version -------------------------------------------------------


def incident_file(started: str, severity: str, pin: str | None = None) -> str:
    return textwrap.dedent(f"""\
        title: Slow reports
        severity: {severity}
        components: [reports]
        {f"handbook: {pin}" if pin else ""}
        updates:
          - at: {started}
            status: investigating
            message: Reports are slow.
            components: {{reports: degraded_performance}}
          - at: {started[:11]}23:00:00Z
            status: resolved
            message: Reports are fast again.
            components: {{reports: operational}}
        """)


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory) -> object:
    root = tmp_path_factory.mktemp("governed") / "repo"
    make_release_history(root, pages=False)  # v1.1 renames SEV3 to LOW; the working tree keeps LOW
    files = {
        "2026-05-01-pinned": incident_file("2026-05-01T10:00:00Z", "SEV3", pin="v1.0"),
        "2026-02-01-old": incident_file("2026-02-01T10:00:00Z", "SEV3"),
        "2026-05-02-old-name": incident_file("2026-05-02T10:00:00Z", "SEV3"),
        "2026-05-03-new": incident_file("2026-05-03T10:00:00Z", "LOW"),
        "2025-12-01-before": incident_file("2025-12-01T10:00:00Z", "SEV3"),
        "2026-05-04-bad-pin": incident_file("2026-05-04T10:00:00Z", "LOW", pin="v9.9"),
    }
    for name, text in files.items():
        (root / "incidents" / "2026").mkdir(parents=True, exist_ok=True)
        (root / "incidents" / "2026" / f"{name}.yml").write_text(text, encoding="utf-8")
    return validate_repository(load_config(root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=False)


def rules_of(validation: object, name: str) -> list[str]:
    return [p.rule for p in validation.problems if p.path == f"incidents/2026/{name}.yml"]


def test_an_old_incident_is_checked_against_its_own_version(governed) -> None:
    assert rules_of(governed, "2026-05-01-pinned") == []  # SEV3 exists in the pinned v1.0
    assert rules_of(governed, "2026-02-01-old") == []  # started under v1.0
    assert rules_of(governed, "2026-05-03-new") == []  # LOW exists in v1.1
    assert rules_of(governed, "2025-12-01-before") == []  # before any release: the first release's schema (SEV3 is in v1.0)


def test_a_renamed_severity_fails_for_incidents_under_the_new_version(governed) -> None:
    assert rules_of(governed, "2026-05-02-old-name") == ["severity-unknown"]
    problem = next(p for p in governed.problems if p.rule == "severity-unknown")
    assert "LOW" in problem.message  # the expected values come from v1.1


def test_a_pin_that_is_not_a_tag_is_reported(governed) -> None:
    assert rules_of(governed, "2026-05-04-bad-pin") == ["handbook-version-unknown"]
    problem = next(p for p in governed.problems if p.rule == "handbook-version-unknown")
    assert "v1.0, v1.1" in problem.message and "old-1" not in problem.message


def test_each_incident_knows_its_governing_version(governed) -> None:
    assert governed.handbook_versions == {
        "2026-05-01-pinned": "v1.0",
        "2026-02-01-old": "v1.0",
        "2026-05-03-new": "v1.1",
        "2025-12-01-before": "v1.0",  # older than every release: the first release, never the dev draft
        "2026-05-04-bad-pin": "v9.9",
    }


def test_without_tags_everything_is_governed_by_dev(project) -> None:
    project.write("incidents/2026/2026-05-03-slow.yml", incident_file("2026-05-03T10:00:00Z", "SEV3"))
    result = validate_repository(load_config(project.root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=False)
    assert [p.rule for p in result.problems] == []
    assert result.handbook_versions == {"2026-05-03-slow": "dev"}


def test_renaming_in_the_working_tree_does_not_change_released_versions(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    make_release_history(root, pages=False)
    replace_in(root / "handbook" / "schema.yml", "  - id: LOW\n", "  - id: MINOR\n")  # uncommitted, after v1.1
    (root / "incidents").mkdir()
    (root / "incidents" / "2026-05-03-new.yml").write_text(incident_file("2026-05-03T10:00:00Z", "LOW"), encoding="utf-8")
    result = validate_repository(load_config(root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=True)
    assert [p.rule for p in result.problems] == []  # governed by v1.1, where LOW still exists
    again = validate_repository(load_config(root), now=datetime(2026, 6, 1, tzinfo=UTC), use_cache=True)
    assert again.problems == result.problems and again.handbook_versions == {"2026-05-03-new": "v1.1"}


# --- another engine ------------------------------------------------------------------------------------

TABLE = re.compile(r"<table\b.*?</table>", re.S)


def test_properdocs_builds_the_same_tables_as_mkdocs(tmp_path: Path) -> None:
    """ProperDocs (a drop-in fork of MkDocs 1.x) through the same export path: hooks play no part, so nothing is lost."""
    builds = {}
    for engine in ("mkdocs", "properdocs"):
        project = site_project(tmp_path / engine)
        replace_in(project.root / "mkdocs.yml", "  statusbook:\n", f"  statusbook:\n    engine: {engine}\n")
        project.git_init()
        messages: list[str] = []
        builds[engine] = build_handbook(project.root, tmp_path / f"store-{engine}", messages)
        assert messages == [f"handbook: building dev with {engine}"]
    mkdocs, properdocs = builds["mkdocs"], builds["properdocs"]
    pages = sorted(path for path, data in mkdocs.items() if path.endswith(".html") and b"<table" in data)
    assert len(pages) >= 8, pages
    for path in pages:
        assert TABLE.findall(properdocs[path].decode()) == TABLE.findall(mkdocs[path].decode()), path
    assert sorted(p for p in properdocs if p.endswith(".html")) == sorted(p for p in mkdocs if p.endswith(".html"))
    for path in pages:
        assert properdocs[path].count(b'http-equiv="Content-Security-Policy"') == 1, path
