"""`statusbook build` is atomic: a killed or failing build leaves the previous site, and the next build repairs what a kill left.

Builds are killed with SIGKILL at a known point (see support/kill.py: a child
process replaces the writer's seams, says where it stopped and waits), so no
test sleeps or races. The handbook is not under test here: every build is of
the status side only.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

import pytest
from statusbook.commands.build import BuildResult, build, write
from statusbook.errors import BuildError, ValidationFailed
from statusbook.io.config_file import load_config
from statusbook.io.render_cache import RenderCache
from statusbook.io.writer import SITE_MARKER
from statusbook.render.output import Output, fixed
from support.kill import kill_build_at, tree
from support.repos import Project
from support.texts import INCIDENT, PATH

PLANTED = b"<h1>planted by a pull request</h1>\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".site-new-", ".site-old-")))


def status_build(root: Path, **options: object) -> BuildResult:
    return build(load_config(root), handbook=False, **options)


@pytest.fixture
def built(project: Project) -> Project:
    """A committed repository with a good site already built."""
    project.write(PATH, INCIDENT)
    project.git_init()
    status_build(project.root)
    assert len(tree(project.root / "site")) > 5, "the build should write a real site"
    return project


def test_build_killed_while_writing_leaves_the_old_site(built: Project) -> None:
    root = built.root
    before = tree(root / "site")
    built.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    kill_build_at(root, "file:3")
    assert tree(root / "site") == before, "the previous site changed"
    assert any(name.startswith(".site-new-") for name in leftovers(root)), "the killed build should have left its staging folder"

    status_build(root)
    assert leftovers(root) == []
    assert "API timeouts" in (root / "site" / "api" / "v2" / "incidents.json").read_text()


def test_build_killed_between_the_renames_is_repaired_even_by_a_failing_build(built: Project) -> None:
    root = built.root
    before = tree(root / "site")
    built.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    kill_build_at(root, "swap")
    assert not (root / "site").exists(), "killed between the renames, the old site is moved aside"
    assert any(name.startswith(".site-old-") for name in leftovers(root))

    built.write(PATH, INCIDENT.replace("components: [api]", "components: [apii]"))
    with pytest.raises(ValidationFailed) as failed:
        status_build(root)
    assert failed.value.exit_code == 1
    assert "component-unknown" in {p.rule for p in failed.value.validation.problems}
    assert tree(root / "site") == before, "the next build, though failing, must bring the previous site back"
    assert leftovers(root) == []


def test_refuses_to_replace_a_folder_that_is_not_a_statusbook_site(built: Project, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "thesis.txt").write_text("years of work\n")
    with pytest.raises(BuildError, match="was not built by statusbook") as refused:
        status_build(built.root, out_dir=home)
    assert refused.value.exit_code == 1
    assert (home / "Documents" / "thesis.txt").read_text() == "years of work\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "repo"]

    empty = tmp_path / "empty"
    empty.mkdir()
    status_build(built.root, out_dir=empty)
    assert (empty / SITE_MARKER).is_file()
    status_build(built.root, out_dir=empty)  # a statusbook site may be replaced
    assert (empty / SITE_MARKER).is_file()


def test_a_second_build_at_the_same_time_is_refused(built: Project) -> None:
    fd = os.open(built.root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(BuildError, match="another statusbook build is writing") as refused:
            status_build(built.root)
    finally:
        os.close(fd)
    assert refused.value.exit_code == 1


def test_the_site_is_readable_by_a_web_server(built: Project) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    assert (built.root / "site").stat().st_mode & 0o777 == 0o777 & ~umask, "the site folder must follow the umask, not mkdtemp's private 0700"


def test_a_renderer_failing_midway_leaves_the_old_site(tmp_path: Path) -> None:
    target = tmp_path / "site"
    write([fixed("index.html", b"old\n")], target, RenderCache(None, target), None)

    def render(name: str) -> bytes:
        if name == "c.html":
            raise RuntimeError("renderer exploded")
        return b"new\n"

    with pytest.raises(RuntimeError):
        write([Output(name, lambda n=name: render(n)) for name in ("a.html", "b.html", "c.html")], target, RenderCache(None, target), None)
    assert tree(target) == {"index.html": hashlib.sha256(b"old\n").hexdigest(), SITE_MARKER: tree(target)[SITE_MARKER]}
    assert leftovers(tmp_path) == []
    with pytest.raises(BuildError):
        write([fixed("x", b"")], tmp_path / "site" / "index.html", RenderCache(None, target), None)


# --- only the writer's own folders are ever recovered ------------------------------------------------


def plant_lookalikes(project: Project) -> dict[str, str]:
    """Folders named like the writer's, as a pull request could commit them: a 'previous site' with a marker, a 'staging' folder."""
    project.write_bytes(f".site-old-xyz/site/{SITE_MARKER}", b"Built by statusbook.\n")
    project.write_bytes(".site-old-xyz/site/index.html", PLANTED)
    project.write_bytes(".site-new-abc/index.html", PLANTED)
    return {name: tree(project.root / name) for name in (".site-old-xyz", ".site-new-abc")}


def test_committed_lookalike_folders_are_never_moved_into_the_site_or_deleted(project: Project) -> None:
    root = project.root
    project.write(PATH, INCIDENT.replace("components: [api]", "components: [apii]"))
    planted = plant_lookalikes(project)
    project.git_init()  # a fresh clone: no site/ yet, and the look-alikes are committed

    with pytest.raises(ValidationFailed):
        status_build(root)
    assert not (root / "site").exists(), "a failing build must not bring a committed 'previous site' in"
    assert {name: tree(root / name) for name in planted} == planted

    project.write(PATH, INCIDENT)
    status_build(root)
    assert (root / "site" / "index.html").read_bytes() != PLANTED
    assert PLANTED not in b"".join(p.read_bytes() for p in (root / "site").rglob("*") if p.is_file())
    assert {name: tree(root / name) for name in planted} == planted

    before = tree(root / "site")
    project.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    kill_build_at(root, "swap")
    assert not (root / "site").exists()
    status_build(root)
    assert "API timeouts" in (root / "site" / "api" / "v2" / "incidents.json").read_text(), "a build killed between the renames is still repaired, then rebuilt"
    assert tree(root / "site") != before
    assert {name: tree(root / name) for name in planted} == planted, "recovery touched a folder the writer did not make"
    assert leftovers(root) == sorted(planted)
    assert sorted(p.name for p in root.iterdir()) == sorted([".git", "handbook", "incidents", "mkdocs.yml", "site", *planted]), "the writer's journal is kept outside the working tree"


def test_a_folder_put_in_place_of_the_writers_own_is_left_alone(built: Project) -> None:
    root = built.root
    kill_build_at(root, "swap")
    [old] = [name for name in leftovers(root) if name.startswith(".site-old-")]
    os.replace(root / old, root / "moved-aside")  # the real previous site, out of the way (its inode stays in use)
    built.write_bytes(f"{old}/site/{SITE_MARKER}", b"Built by statusbook.\n")
    built.write_bytes(f"{old}/site/index.html", PLANTED)
    planted = tree(root / old)

    status_build(root)
    assert (root / "site" / "index.html").read_bytes() != PLANTED, "a look-alike under the journal's name was moved into the site"
    assert tree(root / old) == planted, "a look-alike under the journal's name was deleted"
    assert tree(root / "site") == tree(root / "moved-aside" / "site"), "the new build is the same site as the one moved aside"
