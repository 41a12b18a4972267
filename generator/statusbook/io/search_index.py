"""Run Pagefind (the binary its PyPI package ships) over the search documents, away from the site.

The documents are written into a scratch folder in memory where the system
has room there, and Pagefind writes its bundle (``pagefind.js``, its
WebAssembly, the index) into another. The build hands the bundle's files to
the writer like any other output, so the live site never holds a half-written
index, and the render cache reuses the live bundle when no incident changed.
A bundle made again (an incident of its year changed) also goes to memory: on
this project's ext4 disk Pagefind spent 1.8 s (2.4 s of CPU, most of it in
the kernel) indexing 1,769 incidents into a folder on disk, 0.7 s (0.9 s)
into one in memory, and the writer keeps the previous site's copy of every
file that came out the same. A new bundle goes to disk, where the writer can
link its files instead of copying them. Pagefind runs as a
child process started before the status pages render, so on a machine with
two cores it indexes while Python renders. (Pagefind's Python API answers one
request per tenth of a second, too slow for thousands of incidents; its
command line indexes ten thousand in seconds.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from statusbook.errors import BuildError

try:  # the binary pagefind[bin] installs; started directly, it saves a Python start per bundle
    from pagefind_bin import get_executable as pagefind_executable
except ImportError:  # pragma: no cover - another Pagefind install: its Python module finds the binary
    pagefind_executable = None

# Pagefind's ready-made interfaces: the search page has its own small script, so these are not published.
UNUSED = re.compile(r"pagefind-(?:[a-z-]*ui|highlight)\.(?:js|css)")
TIMEOUT = 600
RAM_FOLDER = "/dev/shm"  # Linux's memory-backed file system
RAM_NEEDED = 2**30  # documents and bundle take about 6 KB per incident: use memory only with room for far more


def documents_folder() -> str | None:
    """Where to write the documents: a memory-backed folder with room to spare, else the system's temporary folder (None)."""
    try:
        found = os.statvfs(RAM_FOLDER)
    except OSError:
        return None
    roomy = found.f_bavail * found.f_frsize >= RAM_NEEDED
    return RAM_FOLDER if roomy and os.access(RAM_FOLDER, os.W_OK) else None


def pagefind_command() -> list[str]:
    """Pagefind's binary when its wheel is installed, else ``python -m pagefind`` (which finds the binary and becomes it)."""
    found = pagefind_executable() if pagefind_executable is not None else None
    return [str(found)] if found is not None else [sys.executable, "-m", "pagefind"]


class SearchIndexRun:
    """One Pagefind run: started with the documents, finished (waited for and read) when its files are wanted.

    Given ``after``, another run, it starts when that one has finished: Pagefind
    uses every core by itself, and six runs at once (a year each, ten thousand
    incidents) took as long as one after another, with more CPU and six times
    the memory (about 800 MB each at a hundred thousand incidents).
    """

    def __init__(self, documents: Iterable[tuple[str, bytes]], after: SearchIndexRun | None = None, *, again: bool = False) -> None:
        # A bundle made again mostly comes out as the same bytes, which the writer compares and keeps: Pagefind writes it into
        # memory. A new one goes beside the system's temporary files, usually the site's disk, so the writer links it.
        self.scratch = Path(tempfile.mkdtemp(prefix="statusbook-search-", dir=documents_folder() if again else None))
        self.bundle = self.scratch / "bundle"
        self.documents: Path | None = None
        self.process: subprocess.Popen[str] | None = None
        self._closed = False
        self._lock = threading.Lock()
        try:
            site = self.documents = Path(tempfile.mkdtemp(prefix="statusbook-search-documents-", dir=documents_folder()))
            for name, data in documents:  # file names, no folders: making a folder costs more than writing a file
                (site / name).write_bytes(data)
        except OSError as exc:
            self.close()
            raise BuildError(f"pagefind could not index the incidents for the search page: {exc}") from None
        self._command = [*pagefind_command(), "--site", str(site), "--output-path", str(self.bundle), "--silent"]
        self._failure: OSError | None = None
        self._starter = threading.Thread(target=self._start, args=(after,), name="statusbook-pagefind", daemon=True)
        self._starter.start()

    def _start(self, after: SearchIndexRun | None) -> None:
        if after is not None:
            after.wait()
        with self._lock:
            if not self._closed:
                try:
                    self.process = subprocess.Popen(self._command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                except OSError as exc:
                    self._failure = exc

    def wait(self) -> None:
        """Until Pagefind has finished (or never started)."""
        self._starter.join()
        if self.process is not None:
            self.process.wait()

    def finish(self) -> dict[str, bytes]:
        """Wait for Pagefind; its bundle as {path inside the bundle: bytes}, or a BuildError with its words."""
        try:
            return {rel: path.read_bytes() for rel, path in self.files().items()}
        finally:
            self.close()

    def files(self) -> dict[str, Path]:
        """Wait for Pagefind; its bundle as {path inside the bundle: the file in the scratch folder}.

        The writer takes these from here (a bundle has a file per incident); the
        caller closes the run once they are in the site. A failure closes it at once.
        """
        try:
            self._starter.join()
            if self.process is None:
                raise BuildError(f"pagefind could not index the incidents for the search page: {self._failure or 'it was stopped'}")
            try:
                out, err = self.process.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()
                raise BuildError(f"pagefind did not finish indexing the incidents within {TIMEOUT} seconds") from None
            if self.process.returncode != 0 or not (self.bundle / "pagefind.js").is_file():
                detail = (err.strip() or out.strip() or "it wrote no pagefind.js")[-2000:]
                if "No module named pagefind" in detail:
                    detail = "the pagefind package is not installed (pip install 'statusbook[site]')"
                raise BuildError(f"pagefind could not index the incidents for the search page: {detail}")
            self._drop_documents()  # read: free the memory they hold now, not after the build
            files = (p for p in sorted(self.bundle.rglob("*")) if p.is_file())
            return {rel: path for path in files if not UNUSED.fullmatch(rel := path.relative_to(self.bundle).as_posix())}
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop Pagefind if it still runs and remove the scratch folder (a build that failed elsewhere calls this)."""
        with getattr(self, "_lock", threading.Lock()):
            self._closed = True  # a run still waiting for the one before it never starts
        process = getattr(self, "process", None)
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
        self._drop_documents()

    def _drop_documents(self) -> None:
        if self.documents is not None:
            shutil.rmtree(self.documents, ignore_errors=True)
            self.documents = None


def search_bundle(documents: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    """Pagefind's bundle for these documents (file name -> HTML), at once."""
    return SearchIndexRun(documents).finish()
