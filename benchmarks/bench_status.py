"""Time the status-page part of the build (render only: validation and writing excluded).

    .venv/bin/python benchmarks/bench_status.py                  # the sample repository + 10,000 synthetic incidents
    .venv/bin/python benchmarks/bench_status.py --sizes 1000     # other corpus sizes
    .venv/bin/python benchmarks/bench_status.py --sample-only

For each workload it validates once (untimed), then renders ``render_status_site``
``--repeat`` times (3 by default) and prints the best and median wall time, the
number of files and their total size. Synthetic repositories come from
``benchmarks/corpus.py`` (same seed, same files); its messages repeat a few
templates, so each size is measured twice: as generated, and with every
update message made unique (the Markdown cache then never hits).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_repository
from statusbook.commands.build import BuildContext, build_time
from statusbook.commands.validate import validate_repository
from statusbook.config import load_config
from statusbook.core.model import Incident
from statusbook.render.markdown import render_markdown
from statusbook.render.status_pages import render_status_site

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def unique_messages(incidents: tuple[Incident, ...]) -> tuple[Incident, ...]:
    """Make every update message distinct, as real ones are, so the Markdown cache cannot help."""
    return tuple(
        replace(i, updates=tuple(replace(u, message=f"{u.message}\n\nReference {i.id}/{n}.") for n, u in enumerate(i.updates)))
        for i in incidents
    )


def measure(root: Path, now: datetime, repeat: int, *, unique: bool = False) -> tuple[int, list[float], list[float], int, int]:
    config = load_config(root)
    validation = validate_repository(config, now=now, use_cache=False)
    assert validation.handbook is not None
    incidents = unique_messages(validation.incidents) if unique else validation.incidents
    context = BuildContext(config=config, handbook=validation.handbook, incidents=incidents, now=now)
    times = []
    cpu = []
    files: dict[str, bytes] = {}
    for _ in range(repeat):
        render_markdown.cache_clear()
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        files = render_status_site(context)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return len(validation.incidents), times, cpu, len(files), sum(len(v) for v in files.values())


def report(name: str, result: tuple[int, list[float], list[float], int, int]) -> None:
    incidents, times, cpu, count, size = result
    print(
        f"{name}: {incidents} incidents -> {count} files, {size:,} bytes; render wall best {min(times):.2f} s, "
        f"median {statistics.median(times):.2f} s; CPU best {min(cpu):.2f} s ({len(times)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample-only", action="store_true")
    args = parser.parse_args()
    report("sample repository", measure(REPO, build_time(REPO), args.repeat))
    if args.sample_only:
        return
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "repo"
            write_repository(root, size)
            report(f"synthetic {size}", measure(root, NOW, args.repeat))
            report(f"synthetic {size}, every message unique", measure(root, NOW, args.repeat, unique=True))


if __name__ == "__main__":
    main()
