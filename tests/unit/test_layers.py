"""The package's stages import one way: a test reads every import with ``ast`` and fails on one that points the wrong way."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "generator" / "statusbook"
# Which stages each stage may import (besides itself and the package's leaf modules).
ALLOWED = {
    "core": set(),
    "check": {"core"},
    "view": {"core", "check"},
    "render": {"core", "check", "view"},
    "handbook": {"core", "check", "render"},
    "io": {"core"},
    "commands": {"core", "check", "view", "render", "handbook", "io"},
    "cli": {"core", "check", "commands", "io"},
}
LEAVES = {"statusbook", "statusbook.__version__", "statusbook.errors"}  # the version and the exceptions: importable from anywhere


def stage(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "statusbook" or len(parts) < 2:
        return None
    return "cli" if parts[1] in ("cli", "__main__") else parts[1]


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def test_stages_import_only_stages_below_them() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = stage(module_name(path))
        if here not in ALLOWED:
            continue  # the package's own leaves (errors, the version)
        for line, name in imports(path):
            there = stage(name)
            if name in LEAVES or there is None or there == here or f"statusbook.{there}" in LEAVES:
                continue
            if there not in ALLOWED[here]:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {here} imports {name} ({there})")
    assert not wrong, "imports against the pipeline:\n" + "\n".join(wrong)


def test_no_pickle_and_no_fork_anywhere() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, name in imports(path):
            assert not name.startswith(("pickle", "marshal", "shelve")), f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        text = path.read_text(encoding="utf-8")
        assert "os.fork" not in text, f"{path.relative_to(PACKAGE)} forks"


def test_stage_folders_are_what_the_readme_says() -> None:
    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ALLOWED:
        if name != "cli":
            assert (PACKAGE / name).is_dir(), name
            assert f"`{name}/`" in readme, f"the README's Development section does not say what {name}/ is"
