"""Time building the versioned handbook: cold (empty cache) and warm (every version unchanged).

    .venv/bin/python benchmarks/bench_handbook.py            # 1 and 10 release tags
    .venv/bin/python benchmarks/bench_handbook.py 10         # one size only

For N tags it makes a temporary git repository holding this repository's
handbook, mkdocs.yml and theme, with N commits that each change the schema and
carry a tag v1.0 ... v1.(N-1); so N releases plus ``dev`` are built. It prints:
  part-cold  render_handbook() with no cache: MkDocs runs N + 1 times
  part-warm  render_handbook() again: every version read back from the cache
  cli-cold   `statusbook build` end to end after deleting the cache (interpreter start included)
  cli-warm   `statusbook build` again
Each is the best wall-clock time of --repeat rounds; for the CLI the CPU time
(user + system) of that run is shown too, since the shared machine's load
moves wall-clock times far more than CPU times.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statusbook.commands.build import BuildContext  # noqa: E402
from statusbook.commands.validate import CACHE_DIR, read_handbook  # noqa: E402
from statusbook.config import load_config  # noqa: E402
from statusbook.handbook.site import render_handbook  # noqa: E402


def git(cwd: Path, *args: str, when: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_repository(root: Path, tags: int) -> None:
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "handbook", root / "handbook")
    shutil.copytree(ROOT / "theme", root / "theme")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "incidents").mkdir()
    (root / ".gitignore").write_text("/site/\n/.statusbook-cache/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main", when="2026-01-01T00:00:00Z")
    schema = root / "handbook" / "schema.yml"
    original = schema.read_text(encoding="utf-8")
    for index in range(tags):
        when = f"2026-01-{index + 1:02d}T12:00:00Z"
        schema.write_text(original.replace("A minor incident with limited impact", f"A minor incident (revision {index}) with limited impact"), encoding="utf-8")
        git(root, "add", "-A", when=when)
        git(root, "commit", "-q", "-m", f"Handbook 1.{index}", when=when)
        git(root, "tag", f"v1.{index}", when=when)


def render_part(root: Path) -> int:
    config = load_config(root)
    handbook, _ = read_handbook(config.handbook_path, root)
    context = BuildContext(config=config, handbook=handbook, incidents=(), now=datetime(2026, 2, 1, tzinfo=UTC))
    return len(render_handbook(context))


def cli_build(root: Path) -> tuple[float, float]:
    """Run `statusbook build` once; return its wall-clock and CPU seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "statusbook", "build", "--root", str(root), "--quiet"], check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)


def measure(tags: int, repeat: int, workdir: Path) -> dict[str, str]:
    root = workdir / f"tags-{tags}"
    make_repository(root, tags)
    cache = root / CACHE_DIR
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        for name in ("part-cold", "part-warm"):
            started = time.perf_counter()
            render_part(root)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
        shutil.rmtree(cache, ignore_errors=True)
        for name in ("cli-cold", "cli-warm"):
            wall, used = cli_build(root)
            if wall < best.get(name, float("inf")):
                best[name], cpu[name] = wall, used
    return {name: f"{seconds:6.2f} s" + (f" (cpu {cpu[name]:.2f} s)" if name in cpu else "") for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tags", nargs="*", type=int, default=[1, 10])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="statusbook-bench-handbook-") as tmp:
        for tags in args.tags:
            times = measure(tags, args.repeat, Path(tmp))
            print(f"{tags:>3} tags ({tags + 1} versions with dev): " + "  ".join(f"{name} {text}" for name, text in times.items()), flush=True)


if __name__ == "__main__":
    main()
