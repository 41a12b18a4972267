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
from statusbook.io.cache import repository_cache
from statusbook.io.config_file import load_config
from statusbook.io.render_cache import RenderCache
from statusbook.io.writer import SITE_MARKER, SITE_MARKER_TEXT, SiteWriter
from statusbook.render.output import Output, fixed
from support.kill import kill_build_at, tree
from support.repos import Project
from support.texts import INCIDENT, PATH

PLANTED = b"<h1>planted by a pull request</h1>\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".site-new-", ".site-old-")))


def writer_folders(root: Path, kind: str = "") -> list[str]:
    """The writer's own folders (staging, the previous site, the spare): in the repository's cache folder, never in the working tree."""
    return [name for name in leftovers(repository_cache(root)) if name.startswith(f".site-{kind}")]


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
    assert writer_folders(root, "new-"), "the killed build should have left its staging folder"
    assert leftovers(root) == []

    status_build(root)
    assert leftovers(root) == []
    assert writer_folders(root, "new-") == []
    assert "API timeouts" in (root / "site" / "api" / "v2" / "incidents.json").read_text()


def test_build_killed_between_the_renames_is_repaired_even_by_a_failing_build(built: Project) -> None:
    root = built.root
    before = tree(root / "site")
    built.write(PATH, INCIDENT.replace("API errors", "API timeouts"))
    kill_build_at(root, "swap")
    assert not (root / "site").exists(), "killed between the renames, the old site is moved aside"
    assert writer_folders(root, "old-")

    built.write(PATH, INCIDENT.replace("components: [api]", "components: [apii]"))
    with pytest.raises(ValidationFailed) as failed:
        status_build(root)
    assert failed.value.exit_code == 1
    assert "component-unknown" in {p.rule for p in failed.value.validation.problems}
    assert tree(root / "site") == before, "the next build, though failing, must bring the previous site back"
    assert leftovers(root) == []
    assert writer_folders(root) == []


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


def write_site(outputs: list[Output], target: Path, journal: Path | None = None) -> SiteWriter:
    with SiteWriter(target, journal) as writer:
        write(outputs, writer, RenderCache(None, target))
        writer.commit()
    return writer


def test_a_renderer_failing_midway_leaves_the_old_site(tmp_path: Path) -> None:
    target = tmp_path / "site"
    write_site([fixed("index.html", b"old\n")], target)

    def render(name: str) -> bytes:
        if name == "c.html":
            raise RuntimeError("renderer exploded")
        return b"new\n"

    with pytest.raises(RuntimeError):
        write_site([Output(name, lambda n=name: render(n)) for name in ("a.html", "b.html", "c.html")], target)
    assert tree(target) == {"index.html": hashlib.sha256(b"old\n").hexdigest(), SITE_MARKER: tree(target)[SITE_MARKER]}
    assert leftovers(tmp_path) == []
    with pytest.raises(BuildError):
        write_site([fixed("x", b"")], tmp_path / "site" / "index.html")


# --- the previous site, kept to be patched -----------------------------------------------------------


def site_files(files: dict[str, bytes]) -> list[Output]:
    return [fixed(path, data) for path, data in files.items()]


def expected(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in files.items()} | {SITE_MARKER: hashlib.sha256(SITE_MARKER_TEXT).hexdigest()}


def test_the_previous_site_is_patched_into_the_next_one_whatever_changed_in_between(tmp_path: Path) -> None:
    target, journal = tmp_path / "site", tmp_path / "cache" / "writer.json"
    journal.parent.mkdir()
    builds = [
        {"index.html": b"one", "a/index.html": b"a", "a/b/c.txt": b"c", "gone.txt": b"gone", "file-then-folder": b"f"},
        {"index.html": b"two", "a/index.html": b"a", "a/b/c.txt": b"c", "file-then-folder/x": b"x", "folder-then-file/y": b"y"},
        {"index.html": b"three", "a/index.html": b"a", "file-then-folder/x": b"x", "folder-then-file": b"file now"},
        {"index.html": b"four", "a/index.html": b"A", "new/deep/er.html": b"new"},
    ]
    for number, files in enumerate(builds):
        writer = write_site(site_files(files), target, journal)
        assert tree(target) == expected(files), f"build {number + 1}"
        assert leftovers(tmp_path) == []
        assert len(leftovers(journal.parent)) == (0 if number == 0 else 1), "one spare, in the cache folder, once a build replaced a site"
    assert writer.held, "the fourth build started from the second one's site"

    spare = journal.parent / leftovers(journal.parent)[0] / "site"
    (spare / "stray.txt").write_bytes(PLANTED)  # left in the spare by hand: the next site must not carry it
    (spare / "a" / "index.html").unlink()
    write_site(site_files(builds[0]), target, journal)
    assert tree(target) == expected(builds[0])


def test_a_spare_holding_a_link_is_not_used(tmp_path: Path) -> None:
    target, journal = tmp_path / "site", tmp_path / "cache" / "writer.json"
    journal.parent.mkdir()
    files = {"index.html": b"one", "a/index.html": b"a"}
    for _ in range(2):
        write_site(site_files(files), target, journal)
    [spare] = leftovers(journal.parent)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for the site")
    (journal.parent / spare / "site" / "a" / "secret.txt").symlink_to(secret)
    writer = write_site(site_files(files), target, journal)
    assert writer.held == {}, "a spare with anything but files and folders in it is thrown away, not patched"
    assert tree(target) == expected(files)
    assert secret.read_bytes() == b"not for the site"


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
    [old] = writer_folders(root, "old-")
    old = repository_cache(root) / old
    os.replace(old, root / "moved-aside")  # the real previous site, out of the way (its inode stays in use)
    (old / "site").mkdir(parents=True)
    (old / "site" / SITE_MARKER).write_bytes(b"Built by statusbook.\n")
    (old / "site" / "index.html").write_bytes(PLANTED)
    planted = tree(old)

    status_build(root)
    assert (root / "site" / "index.html").read_bytes() != PLANTED, "a look-alike under the journal's name was moved into the site"
    assert tree(old) == planted, "a look-alike under the journal's name was deleted"
    assert tree(root / "site") == tree(root / "moved-aside" / "site"), "the new build is the same site as the one moved aside"
