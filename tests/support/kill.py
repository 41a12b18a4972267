"""Kill a build with SIGKILL at a known moment, without any test hook in statusbook's own code.

The build runs in a child process (``python -c``) that first replaces the
writer's seams: ``statusbook.io.writer._pause`` (called between the two renames
of the swap, with "swap") or ``SiteWriter.write`` (to stop once N files are
on disk: the writer's worker thread counts them in ``written``). At that point the child says so on stdout and waits for a signal,
so the test kills it exactly there: no sleeping, no race.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

_SCRIPT = r"""
import signal, sys
from datetime import datetime
from pathlib import Path
from statusbook.commands.build import build
from statusbook.io import writer
from statusbook.io.config_file import load_config

root, point, now = Path(sys.argv[1]), sys.argv[2], sys.argv[3]


def stop(where):
    print(f"paused at {where}", flush=True)
    signal.pause()


if point == "swap":
    writer._pause = stop
else:
    after = int(point.removeprefix("file:"))
    original = writer.SiteWriter.write

    calls = []

    def write(self, path, data):
        original(self, path, data)
        calls.append(path)
        if len(calls) == after:
            while self.written < after:  # the worker writes in the background: wait until the files are on disk
                import time
                time.sleep(0.005)
            stop(point)

    writer.SiteWriter.write = write
build(load_config(root), now=datetime.fromisoformat(now) if now else None, handbook=False)
print("finished", flush=True)
"""


def tree(folder: Path) -> dict[str, str]:
    """Every file under a folder, by relative path, as a SHA-256 digest."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def kill_build_at(root: Path, point: str, *, now: datetime | None = None) -> None:
    """Build ``root`` (status side only) in a child process, wait until it reaches ``point`` ("swap" or "file:N"), SIGKILL it there."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", _SCRIPT, str(root), point, now.isoformat() if now else ""],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
        try:
            seen = []
            for line in process.stdout:
                seen.append(line)
                if line.strip() == f"paused at {point}":
                    break
            else:
                process.wait()
                errors.seek(0)
                pytest.fail(f"the build ended without reaching {point}:\n{''.join(seen)}{errors.read()}")
            process.send_signal(signal.SIGKILL)
            assert process.wait() == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()
