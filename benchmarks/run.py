"""statusbook's benchmarks: every figure a ratio to a floor measured in the same run, on the paths users run.

    .venv/bin/python benchmarks/run.py                          # 1,000 and 10,000 incidents
    .venv/bin/python benchmarks/run.py --sizes 1000 10000 100000
    .venv/bin/python benchmarks/run.py --ci 10                  # also CI's cold path: fresh clone, empty cache, 10 handbook tags
    .venv/bin/python benchmarks/run.py --work /tmp/bench        # keep the corpora (100,000 take a while to write)
    .venv/bin/python benchmarks/run.py --languages en nl        # the status page in two languages (default: English only)

For each size, ``benchmarks/corpus.py`` writes a synthetic repository laid out
like this one (its handbook schema and ``theme/``; seed 42, 5% scheduled
maintenance), commits it to git, and each measurement runs in a fresh Python
process, timed from after its imports to the end of the work, with its CPU
time (its threads' and its finished children's, such as Pagefind) and peak resident memory:

  floor            read every incident file and parse it with PyYAML's C loader
  validate cold    validate_repository with no cache
  validate warm    validate_repository with the cache filled and no file changed
  base cold        validate plus the append-only check against HEAD~1 (one changed file), no cache: the pull-request check
  base warm        the same with the cache filled
  build cold       the status part of `statusbook build` from nothing: no cache, no site/
  without search   the same without the search page's index (Pagefind), which came after issue 10 set its targets
  rebuild, first   the next build, after one incident changed
  rebuild          a build after one more incident changed (the steady state)
  rebuild, none    a build with nothing changed

"Status part" is everything `statusbook build` does but the versioned handbook
(MkDocs; see --ci for the whole thing). The corpus's status page is in one
language (``languages: [en]``), which the targets assume, unless ``--languages``
names more: ``--languages en nl`` measures the Dutch pages, feeds, calendars and
search index as well. Measurements are interleaved in rounds
so a busy spell of the shared machine hits all of them alike; each figure is
the best of its rounds, memory the highest.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
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
sys.path.insert(0, str(HERE))

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MAINTENANCE_SHARE = 0.05
MEASUREMENTS = ("floor", "validate cold", "validate warm", "base cold", "base warm", "build cold", "without search", "rebuild, first", "rebuild", "rebuild, none")
# (label, size, limit): the targets, as ratios to the floor.
TARGETS = {
    "validate cold": (10000, 1.3),
    "validate warm": (10000, 0.25),
    "build cold": (10000, 2.5),
    "rebuild": (10000, 0.35),
    "rebuild, first": (10000, 0.35),
}
BASE_LIMIT = 1.2  # --base may cost at most this times plain validate, cold and warm
MEMORY_LIMIT = 1024**3


# --- the measured work, run in a child process ---------------------------------------------------


def _incident_paths(root: Path) -> list[Path]:
    return sorted(p for p in (root / "incidents").rglob("*") if p.suffix in (".yml", ".yaml"))


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (Pagefind): the build's cost includes theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, root: Path, cache: str) -> None:
    """Do one measurement and print its figures as JSON; imports happen before the clock starts."""
    os.environ["STATUSBOOK_CACHE_DIR"] = cache
    import yaml
    from statusbook.commands.build import build
    from statusbook.commands.validate import history_problems, validate_repository
    from statusbook.io.config_file import load_config
    from statusbook.render import api, feeds, ical, json_schema, status_pages  # noqa: F401 - imported before the clock

    config = load_config(root)
    messages: list[str] = []
    started, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    if kind == "floor":
        for path in _incident_paths(root):
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    elif kind.startswith(("validate", "base")):
        result = validate_repository(config, now=NOW, use_cache=kind.endswith("warm"))
        if result.has_errors():
            raise SystemExit("the corpus did not validate")
        if kind.startswith("base") and history_problems(config, result.handbook, "HEAD~1")[0]:
            raise SystemExit("the change broke the append-only record")
    else:
        if kind == "without search":  # what the search index costs: the build with its part left out
            import statusbook.commands.build

            statusbook.commands.build.search_part = lambda *args, **options: iter(())
        build(config, now=NOW, handbook=False, progress=messages.append)
    seconds, cpu = time.perf_counter() - started, time.process_time() + _children_cpu() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss": peak, "messages": messages}))


# --- the driver ----------------------------------------------------------------------------------


def run_child(kind: str, root: Path, cache: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(root), str(cache)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.com"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def edit_one_incident(root: Path, number: int) -> None:
    """Change the first update message of one incident (a different one each time), keeping it valid: a correction note says why."""
    paths = _incident_paths(root)
    path = paths[(number * 7919) % len(paths)]
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines):
        if line.startswith("    message:"):
            target = n + 1 if line.rstrip().endswith("|-") else n
            lines[target] += f" Edited for benchmark round {number}."
            lines.insert(n, f"    correction: {{at: 2026-11-26T00:{number // 60 % 60:02d}:{number % 60:02d}Z, reason: Benchmark edit {number}}}")
            break
    path.write_text("\n".join(lines), encoding="utf-8")


def corpus_config(languages: tuple[str, ...]) -> str:
    """This repository's mkdocs.yml with the status page in ``languages`` (the first is theme.language's, English)."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    setting = f"    languages: [{', '.join(languages)}]\n"
    if re.search(r"^    languages: .*\n", text, re.M):
        return re.sub(r"^    languages: .*\n", setting, text, count=1, flags=re.M)
    return text.replace("  statusbook:\n", "  statusbook:\n" + setting, 1)


def make_corpus(workdir: Path, count: int, languages: tuple[str, ...] = ("en",)) -> Path:
    from corpus import write_repository

    root = workdir / f"corpus-{count}" if languages == ("en",) else workdir / f"corpus-{count}-{'-'.join(languages)}"
    stamp = root / ".corpus-stamp"
    if not (stamp.is_file() and stamp.read_text() == f"{count} 42 {MAINTENANCE_SHARE} 2 {' '.join(languages)}\n"):
        print(f"  writing {count:,} incidents to {root} ...", flush=True)
        shutil.rmtree(root, ignore_errors=True)
        write_repository(root, count, maintenance=MAINTENANCE_SHARE)
        shutil.copytree(REPO / "theme", root / "theme")
        (root / "mkdocs.yml").write_text(corpus_config(languages), encoding="utf-8")
        (root / ".gitignore").write_text("/site/\n/.site-*/\n/.corpus-stamp\n")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "corpus")
        edit_one_incident(root, 0)  # the pull request: one incident changed since HEAD~1
        git(root, "commit", "-q", "-am", "one incident corrected")
        stamp.write_text(f"{count} 42 {MAINTENANCE_SHARE} 2 {' '.join(languages)}\n")
    return root


def remove_site(root: Path) -> None:
    """Delete the built site and let the disk finish deleting it (ext4 with discard), so the next build does not pay for it."""
    shutil.rmtree(root / "site", ignore_errors=True)
    os.sync()


def measure(count: int, rounds: int, workdir: Path, languages: tuple[str, ...] = ("en",)) -> dict[str, dict[str, float]]:
    root = make_corpus(workdir, count, languages)
    git(root, "checkout", "-q", "--", "incidents")  # a kept corpus may hold an interrupted run's edits
    best: dict[str, dict[str, float]] = {}
    edits = 0

    def record(kind: str, found: dict[str, object]) -> None:
        entry = best.setdefault(kind, {"seconds": math.inf, "cpu": math.inf, "rss": 0})
        entry["seconds"] = min(entry["seconds"], float(found["seconds"]))
        entry["cpu"] = min(entry["cpu"], float(found["cpu"]))
        entry["rss"] = max(entry["rss"], int(found["rss"]))
        print(f"  {kind:<15} {found['seconds']:8.2f} s  cpu {found['cpu']:7.2f} s  {int(found['rss']) / 2**20:7.0f} MiB", flush=True)

    for number in range(1, rounds + 1):
        print(f"  round {number} of {rounds}", flush=True)
        cache = Path(tempfile.mkdtemp(prefix="statusbook-bench-cache-", dir=workdir))
        remove_site(root)
        for path in _incident_paths(root):  # every measurement reads the files: start each round with them cached
            path.read_bytes()
        record("floor", run_child("floor", root, cache))
        record("validate cold", run_child("validate cold", root, cache / "none"))
        record("base cold", run_child("base cold", root, cache / "none-base"))
        record("without search", run_child("without search", root, cache / "none-search"))
        remove_site(root)
        record("build cold", run_child("build cold", root, cache))
        record("validate warm", run_child("validate warm", root, cache))
        record("base warm", run_child("base warm", root, cache))
        for kind in ("rebuild, first", "rebuild"):
            edits += 1
            edit_one_incident(root, 100 + edits)
            found = run_child(kind, root, cache)
            if not any("reused" in str(m) for m in found["messages"]):
                raise SystemExit(f"{kind}: the build did not report its render cache:\n{found['messages']}")
            record(kind, found)
        record("rebuild, none", run_child("rebuild, none", root, cache))
        git(root, "checkout", "-q", "--", "incidents")  # undo this round's edits
        shutil.rmtree(cache, ignore_errors=True)
    return best


def measure_ci(tags: int, count: int, workdir: Path, languages: tuple[str, ...] = ("en",)) -> dict[str, float]:
    """CI's path: a fresh clone with ``tags`` handbook releases, an empty cache, `statusbook build` end to end."""
    root = make_corpus(workdir, count, languages)
    source = workdir / f"ci-source-{count}-{tags}-{'-'.join(languages)}"
    if not source.exists():
        shutil.copytree(root, source, ignore=shutil.ignore_patterns("site", ".site-*"))
        shutil.rmtree(source / "handbook")
        shutil.copytree(REPO / "handbook", source / "handbook")
        git(source, "add", "-A")
        git(source, "commit", "-q", "-m", "handbook pages")
        for number in range(tags):
            schema = source / "handbook" / "schema.yml"
            schema.write_text(schema.read_text(encoding="utf-8") + f"# release {number}\n", encoding="utf-8")
            git(source, "commit", "-q", "-am", f"release {number}")
            git(source, "tag", f"v1.{number}")
    clone = workdir / f"ci-clone-{time.monotonic_ns()}"
    git(workdir, "clone", "-q", str(source), str(clone))
    cache = Path(tempfile.mkdtemp(prefix="statusbook-ci-cache-", dir=workdir))
    env = {**os.environ, "STATUSBOOK_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    started = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "statusbook", "build", "--quiet"], cwd=clone, env=env, check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(clone, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return {"seconds": seconds, "cpu": (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)}


def print_table(results: dict[int, dict[str, dict[str, float]]]) -> list[str]:
    sizes = sorted(results)
    lines = [f"{'':<16}" + "".join(f"{n:>36,}" for n in sizes)]
    for kind in MEASUREMENTS:
        row = f"{kind:<16}"
        for n in sizes:
            found, floor = results[n][kind], results[n]["floor"]["seconds"]
            row += f"{found['seconds']:>10.2f} s {found['seconds'] / floor:>5.2f}x cpu {found['cpu']:>6.2f} s {found['rss'] / 2**20:>5.0f} MiB"
        lines.append(row)
    lines.append("")
    for kind, (size, limit) in TARGETS.items():
        if size in results:
            ratio = results[size][kind]["seconds"] / results[size]["floor"]["seconds"]
            lines.append(f"target {kind} at {size:,} <= {limit}x floor: {ratio:.2f}x, {'met' if ratio <= limit else 'NOT met'}")
    for n in sizes:
        for side in ("cold", "warm"):
            ratio = results[n][f"base {side}"]["seconds"] / results[n][f"validate {side}"]["seconds"]
            lines.append(f"target base {side} at {n:,} <= {BASE_LIMIT}x validate {side}: {ratio:.2f}x, {'met' if ratio <= BASE_LIMIT else 'NOT met'}")
    biggest = max(sizes)
    peak = max(results[biggest][kind]["rss"] for kind in MEASUREMENTS)
    lines.append(f"peak memory at {biggest:,} incidents: {peak / 2**20:.0f} MiB ({'under' if peak < MEMORY_LIMIT else 'NOT under'} 1 GiB)")
    for line in lines:
        print(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of incidents (default: 1000 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds for sizes below 50,000 (default 3)")
    parser.add_argument("--large-repeat", type=int, default=1, help="rounds for sizes of 50,000 and more (default 1)")
    parser.add_argument("--ci", type=int, metavar="TAGS", help="also time CI's cold path with this many handbook tags (1,000 incidents)")
    parser.add_argument("--work", metavar="DIR", help="write the corpora here and keep them (default: a temporary folder)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--languages", nargs="+", default=["en"], metavar="LANG", help="languages of the corpus's status page, English first (default: en; en nl adds the Dutch pages)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ROOT", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2])
        return
    import yaml

    load = os.getloadavg()
    languages = tuple(args.languages)
    print(f"python {sys.version.split()[0]}, PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__}), {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"status page in {', '.join(languages)}")
    results: dict[int, dict[str, dict[str, float]]] = {}
    extra: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="statusbook-scale-") as tmp:
        workdir = Path(args.work) if args.work else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for count in sorted(args.sizes):
            print(f"\nN = {count:,}", flush=True)
            results[count] = measure(count, args.repeat if count < 50000 else args.large_repeat, workdir, languages)
        if args.ci:
            print(f"\nCI cold path: fresh clone, empty cache, {args.ci} tags, 1,000 incidents", flush=True)
            extra["ci"] = min((measure_ci(args.ci, 1000, workdir, languages) for _ in range(args.repeat)), key=lambda r: r["seconds"])
    print()
    print_table(results)
    if "ci" in extra:
        print(f"CI cold path ({args.ci} tags + dev, 1,000 incidents): {extra['ci']['seconds']:.2f} s, cpu {extra['ci']['cpu']:.2f} s")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": {str(k): v for k, v in results.items()}, **extra}, indent=2) + "\n")


if __name__ == "__main__":
    main()
