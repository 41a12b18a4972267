"""Measure what a reader's browser fetches for status pages: requests and bytes, from Chromium.

    .venv/bin/python benchmarks/bench_status_weight.py                 # this repository's sample site
    .venv/bin/python benchmarks/bench_status_weight.py --root DIR      # another repository
    .venv/bin/python benchmarks/bench_status_weight.py --page uptime/ --page history/

Renders the status part only (at the repository's build time), writes it to a temporary folder,
serves it on 127.0.0.1 and loads each page in Debian's Chromium (JavaScript on, cache empty),
counting every finished request and its response body size by type. Requests to any other host
are reported as an error.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from statusbook.commands.build import build_time, status_outputs, status_view, validated
from statusbook.io.config_file import load_config

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def kind(url: str) -> str:
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1] if "." in name else "html"


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=REPO)
    parser.add_argument("--page", action="append", default=None, help="site path to load (default: the home page)")
    args = parser.parse_args()
    root = args.root.resolve()
    config = load_config(root)
    now = build_time(root)
    validation = validated(config, now)
    files = {output.path: output.render() for output in status_outputs(status_view(config, validation, now))}
    with tempfile.TemporaryDirectory() as folder:
        for path, data in files.items():
            (Path(folder) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(folder) / path).write_bytes(data)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-background-networking"])
            for page_path in args.page or [""]:
                context = browser.new_context()
                page = context.new_page()
                sizes: dict[str, int] = {}
                outside: list[str] = []
                page.on("request", lambda r, outside=outside: outside.append(r.url) if urlsplit(r.url).hostname not in ("127.0.0.1", None) else None)
                page.on("requestfinished", lambda r, sizes=sizes: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
                page.goto(base + page_path, wait_until="load")
                page.wait_for_load_state("networkidle")
                by_kind: Counter[str] = Counter()
                for url, size in sizes.items():
                    by_kind[kind(url)] += size
                detail = ", ".join(f"{k} {v:,} B" for k, v in sorted(by_kind.items()))
                print(f"{page_path or '(home)'}: {len(sizes)} requests, {sum(sizes.values()):,} bytes ({detail}); {len(validation.incidents)} incidents in the repository")
                if outside:
                    print(f"  ERROR: requests left 127.0.0.1: {outside}")
                context.close()
            browser.close()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
