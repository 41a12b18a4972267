"""Run the scale benchmarks (issue 7): every figure as a ratio to a floor measured in the same run.

    .venv/bin/python benchmarks/run.py                        # 1,000, 10,000 and 100,000 incidents
    .venv/bin/python benchmarks/run.py --sizes 1000 10000     # other sizes
    .venv/bin/python benchmarks/run.py --work /tmp/bench      # keep the corpora (100,000 take a while to write)

For each size, ``benchmarks/corpus.py`` writes a synthetic repository (seed
42, 5% of it scheduled maintenance), and each measurement runs in a fresh Python process, timed from after its
imports to the end of the work (interpreter start and imports do not grow with
the repository), and reports its peak resident memory (``getrusage``,
interpreter and libraries included) and, when the writer forked a process to
write a whole new site, that process's own memory (its private pages: the
rest it shares with the build).

  floor           read every incident file and parse it with PyYAML's C loader
  validate cold   validate_repository without the cache
  validate warm   validate_repository with the cache filled and no file changed
  build cold      the status part of `statusbook build` from nothing: no cache, no site/
  rebuild, first  the next build, after one incident changed
  rebuild         a build after one more incident changed (the steady state)
  rebuild, none   a build with nothing changed

"Status part" means everything `statusbook build` does except the versioned
handbook (MkDocs, with its own cache and benchmark): validation, the status
pages, feeds, calendars, API, incident schema, and writing site/ atomically.
Each build edits a different incident's first update message. Measurements
are interleaved in rounds so a busy spell of the shared machine hits all of
them alike; each figure is the best of its rounds, memory the highest.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MAINTENANCE_SHARE = 0.05  # of the synthetic incidents, scheduled maintenances (the calendars hold every one)
MEASUREMENTS = ("floor", "validate cold", "validate warm", "build cold", "rebuild, first", "rebuild", "rebuild, none")
TARGETS = {"build cold": ("at 10,000", 10000, 2.5), "rebuild": ("at 10,000", 10000, 0.3), "rebuild, first": ("at 10,000", 10000, 0.3)}
MEMORY_LIMIT = 2 * 1024**3
GRID_SIZES = (1000, 10000, 100000)


# --- the measured work, run in a child process ---------------------------------------------------


def _incident_paths(root: Path) -> list[Path]:
    return sorted(p for p in (root / "incidents").rglob("*") if p.suffix in (".yml", ".yaml"))


def _status_parts() -> list[tuple[str, str]]:
    from statusbook.commands.build import PARTS

    return [(name, spec) for name, spec in PARTS if name != "handbook"]


def child(kind: str, root: Path) -> None:
    """Do one measurement and print its seconds as JSON; imports happen before the clock starts."""
    import importlib

    import yaml
    from statusbook.commands.build import build
    from statusbook.commands.validate import validate_repository
    from statusbook.config import load_config

    parts = _status_parts()
    for _, spec in parts:
        importlib.import_module(spec.partition(":")[0])
    config = load_config(root)
    messages: list[str] = []
    helper = None
    started, cpu = time.perf_counter(), time.process_time()
    if kind == "floor":
        for path in _incident_paths(root):
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    elif kind in ("validate cold", "validate warm"):
        result = validate_repository(config, now=NOW, use_cache=kind == "validate warm")
        if result.has_errors():
            raise SystemExit("the corpus did not validate")
    else:
        helper = build(config, now=NOW, parts=parts, progress=messages.append)[1].stats.get("helper memory")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # this process's high-water mark; kilobytes on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss": peak, "helper": helper or 0, "messages": messages}))


# --- the driver ----------------------------------------------------------------------------------


def run_child(kind: str, root: Path) -> dict[str, object]:
    """Run one measurement in a fresh process, which reports its time and its own peak resident memory."""
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(root)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def edit_one_incident(root: Path, number: int) -> str:
    """Change the first update message of one incident (a different one each time); the file stays valid."""
    paths = _incident_paths(root)
    path = paths[(number * 7919) % len(paths)]
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines):
        if line.startswith("    message:"):
            target = n + 1 if line.rstrip().endswith("|-") else n
            lines[target] += f" Edited for benchmark round {number}."
            break
    path.write_text("\n".join(lines), encoding="utf-8")
    return path.relative_to(root).as_posix()


def clear(root: Path, trash: Path) -> None:
    """Move what a build leaves (site, caches, spare copy) out of the way, so a cold build starts from nothing.

    Moved, not deleted: on this machine's file system (ext4 mounted with
    ``discard``) deleting tens of thousands of files slows every file
    created in the minute after, which would be charged to the next build.
    The trash is deleted when the run is over.
    """
    trash.mkdir(parents=True, exist_ok=True)
    for path in [root / "site", root / ".statusbook-cache", *root.glob(".site-*")]:
        if path.exists():
            path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")
    os.sync()


def measure(count: int, rounds: int, workdir: Path) -> dict[str, dict[str, float]]:
    from corpus import write_repository

    root = workdir / f"corpus-{count}"
    stamp = root / ".corpus-stamp"
    if not (stamp.is_file() and stamp.read_text() == f"{count} 42 {MAINTENANCE_SHARE}\n"):
        print(f"  writing {count:,} incidents to {root} ...", flush=True)
        write_repository(root, count, maintenance=MAINTENANCE_SHARE)
        stamp.write_text(f"{count} 42 {MAINTENANCE_SHARE}\n")
    best: dict[str, dict[str, float]] = {}
    edits = 0

    def record(kind: str, found: dict[str, object]) -> None:
        entry = best.setdefault(kind, {"seconds": math.inf, "cpu": math.inf, "rss": 0, "helper": 0})
        entry["seconds"] = min(entry["seconds"], float(found["seconds"]))
        entry["cpu"] = min(entry["cpu"], float(found["cpu"]))
        entry["rss"] = max(entry["rss"], int(found["rss"]))
        entry["helper"] = max(entry["helper"], int(found["helper"]))
        helper = f" + {int(found['helper']) / 2**20:.0f} MiB writing process" if found["helper"] else ""
        print(f"  {kind:<15} {found['seconds']:8.2f} s  {int(found['rss']) / 2**20:7.0f} MiB{helper}", flush=True)

    for number in range(1, rounds + 1):
        print(f"  round {number} of {rounds}", flush=True)
        for path in _incident_paths(root):  # every measurement reads the files: start each round with them cached
            path.read_bytes()
        record("floor", run_child("floor", root))
        record("validate cold", run_child("validate cold", root))
        clear(root, workdir / "trash")
        record("build cold", run_child("build cold", root))
        record("validate warm", run_child("validate warm", root))
        for kind in ("rebuild, first", "rebuild"):
            edits += 1
            edit_one_incident(root, edits)
            found = run_child(kind, root)
            if not any("rendered" in str(m) for m in found["messages"]):
                raise SystemExit(f"{kind}: the build did not report its render cache:\n{found['messages']}")
            record(kind, found)
        record("rebuild, none", run_child("rebuild, none", root))
    return best


def print_table(results: dict[int, dict[str, dict[str, float]]]) -> list[str]:
    sizes = sorted(results)
    lines = []
    header = f"{'':<16}" + "".join(f"{n:>26,}" for n in sizes)
    lines.append(header)
    for kind in MEASUREMENTS:
        row = f"{kind:<16}"
        for n in sizes:
            found = results[n][kind]
            floor = results[n]["floor"]["seconds"]
            row += f"{found['seconds']:>11.2f} s {found['seconds'] / floor:>5.2f}x {found['rss'] / 2**20:>5.0f} MiB"
        lines.append(row)
    lines.append("")
    lines.append("Growth per 10x incidents (10.0 is linear), seconds:")
    for kind in MEASUREMENTS:
        steps = [f"{results[b][kind]['seconds'] / results[a][kind]['seconds']:.1f} ({a:,}->{b:,})" for a, b in itertools.pairwise(sizes) if b == 10 * a]
        if steps:
            lines.append(f"  {kind:<16}" + "  ".join(steps))
    lines.append("")
    for kind, (label, size, limit) in TARGETS.items():
        if size in results:
            ratio = results[size][kind]["seconds"] / results[size]["floor"]["seconds"]
            lines.append(f"target {kind} {label} <= {limit}x floor: {ratio:.2f}x, {'met' if ratio <= limit else 'NOT met'}")
    biggest = max(sizes)
    worst = max(MEASUREMENTS[3:], key=lambda kind: results[biggest][kind]["rss"] + results[biggest][kind]["helper"])
    rss, helper = results[biggest][worst]["rss"], results[biggest][worst]["helper"]
    lines.append(
        f"target build of {biggest:,} incidents under 2 GiB: peak {rss / 2**20:.0f} MiB ({worst}) + {helper / 2**20:.0f} MiB of the writing process's own, "
        f"{'met' if rss + helper < MEMORY_LIMIT else 'NOT met'}"
    )
    for line in lines:
        print(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(GRID_SIZES), help="numbers of incidents (default: 1000 10000 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds for sizes below 50,000 (default 3)")
    parser.add_argument("--large-repeat", type=int, default=1, help="rounds for sizes of 50,000 and more (default 1)")
    parser.add_argument("--work", metavar="DIR", help="write the corpora here and keep them (default: a temporary folder)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    import yaml

    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__}), {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    results: dict[int, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="statusbook-scale-") as tmp:
        workdir = Path(args.work) if args.work else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            for count in sorted(args.sizes):
                print(f"\nN = {count:,}", flush=True)
                results[count] = measure(count, args.repeat if count < 50000 else args.large_repeat, workdir)
        finally:
            shutil.rmtree(workdir / "trash", ignore_errors=True)
    print()
    print_table(results)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({str(k): v for k, v in results.items()}, indent=2) + "\n")


if __name__ == "__main__":
    main()
