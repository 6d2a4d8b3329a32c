#!/usr/bin/env python3
"""Time `portfolio-check serve` from upload to report against `check -o` and `batch` on the same files,
and watch the server's memory over many runs.

    python bench/serve.py [--portfolios 200] [--runs 50] [--repeat 7] [--workdir DIR] [--keep] [--no-export]

Builds the export with bench/make_export.py (20-piece portfolios: Word, PowerPoint, PDF, photos,
audio, clips; every fifth zipped), then:

1. one 20-piece portfolio zip: `check ZIP -o OUT` in a cold process (as a user runs it), and the
   same work in this process once its libraries are loaded, against an upload of the same zip to a
   running server, timed from the start of the upload to the report being served (the status
   polled every 20 ms), median of ``--repeat`` each, in turns;
2. the whole export zipped: `batch EXPORT.zip -o OUT` against an upload of that zip, once each;
3. the server's resident memory (its own process, and with its worker processes) after 1, 10, 25
   and ``--runs`` uploads of the 20-piece portfolio, each run's report deleted after its retention.

The machine's load average is printed: other work on it slows every row.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, HTTPErrorProcessor, Request, build_opener

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import _children, _rss, tool  # bench/run.py's process helpers

#: Seconds a finished run is kept by the benchmark's server (so the memory rows see runs deleted).
KEEP_SECONDS = 3.0


class _NoRedirect(HTTPErrorProcessor):
    def http_response(self, request, response):  # type: ignore[no-untyped-def]
        return response


class Page:
    """A browser-like client of the server: its cookie, its form token, its uploads."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        with self.opener.open(Request(self.base + path), timeout=3600) as response:
            return response.status, dict(response.headers.items()), response.read()

    def upload(self, name: str, content: bytes) -> str:
        """Upload one file with the page's form; returns the run's path."""
        _, _, home = self.get("/")
        token = re.search(rb'name="csrf" value="([^"]+)"', home).group(1).decode()  # type: ignore[union-attr]
        boundary = secrets.token_hex(16)
        body = io.BytesIO()
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'.encode())
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="portfolio"; filename="{name}"\r\n'
                   "Content-Type: application/zip\r\n\r\n".encode())
        body.write(content + f"\r\n--{boundary}--\r\n".encode())
        request = Request(self.base + "/runs", data=body.getvalue(),
                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with self.opener.open(request, timeout=3600) as response:
            if response.status != 303:
                raise SystemExit(f"upload refused: {response.status} {response.read()[:300]!r}")
            return response.headers["Location"]

    def until_done(self, run: str) -> dict:
        while True:
            _, _, body = self.get(run + "/status")
            status = json.loads(body)
            if status["state"] in ("done", "failed"):
                return status
            time.sleep(0.02)

    def check(self, name: str, content: bytes) -> tuple[float, dict]:
        """Seconds from the start of the upload to the report served, and the run's status."""
        started = time.perf_counter()
        run = self.upload(name, content)
        status = self.until_done(run)
        main = "index.html" if status["kind"] == "export" else "report.html"
        code, _, _ = self.get(f"{run}/files/{main}")
        elapsed = time.perf_counter() - started
        if status["state"] != "done" or code != 200:
            raise SystemExit(f"{name}: {status['state']} {status.get('problem')}")
        return elapsed, status


class Server:
    def __init__(self, scratch: Path, *args: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        scratch.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([*tool(), "serve", "--port", str(self.port), *args], stdout=subprocess.PIPE,
                                        text=True, env={**os.environ, "TMPDIR": str(scratch)})
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if "is ready" in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(120):
            raise SystemExit("the server did not start")
        self.url = f"http://127.0.0.1:{self.port}"

    def rss(self) -> tuple[int, int]:
        """Resident memory of the server process, and of it with every process below it."""
        own = _rss(self.process.pid)
        below, seen = [self.process.pid], set()
        while below:
            pid = below.pop()
            seen.add(pid)
            below.extend(_children(pid))
        return own, sum(_rss(pid) for pid in seen)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)}: {result.stderr[-500:]}")
    return time.perf_counter() - started


def in_process(portfolio: Path, output: Path) -> float:
    """`check -o`'s work (pipeline, reports, thumbnails) in this process, warm: the pipeline alone."""
    from portfolio_check.catalogue.loader import discover
    from portfolio_check.extract.runner import ExtractionSettings
    from portfolio_check.pipeline import CheckSettings, check_portfolio
    from portfolio_check.report.check_view import assessment_to_dict
    from portfolio_check.report.writer import write_reports

    started = time.perf_counter()
    assessment = check_portfolio(portfolio, discover(()), CheckSettings(extraction=ExtractionSettings(thumbnails=True)))
    write_reports(assessment, assessment_to_dict(assessment), output)
    return time.perf_counter() - started


def zip_export(export: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(export.rglob("*")):
            media = path.suffix.lower() in (".mp4", ".mp3", ".jpg", ".zip")
            archive.write(path, path.relative_to(export).as_posix(),
                          compress_type=zipfile.ZIP_STORED if media else zipfile.ZIP_DEFLATED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=200)
    parser.add_argument("--runs", type=int, default=50, help="uploads before the last memory reading")
    parser.add_argument("--repeat", type=int, default=7, help="timings of the 20-piece portfolio each way")
    parser.add_argument("--workdir", type=Path, help="where to build the export (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-export", action="store_true", help="leave out the whole-export rows (the longest)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="portfolio-check-bench-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        export = work / "export"
        if not export.exists():
            subprocess.run([sys.executable, str(HERE / "make_export.py"), str(export), "--portfolios",
                            str(args.portfolios)], check=True, stdout=subprocess.DEVNULL)
        one = next(p for p in sorted(export.iterdir()) if p.suffix == ".zip")
        export_zip = work / "export.zip"
        if not export_zip.exists():
            zip_export(export, export_zip)
        load_before = os.getloadavg()[0]
        out = work / "out"
        check = [*tool(), "check", str(one), "-o", str(out / "check")]
        timed(check)  # the first run compiles the report templates into the user's cache

        server = Server(work / "server-tmp", "--keep-minutes", str(KEEP_SECONDS / 60))
        page = Page(server.url)
        content = one.read_bytes()
        page.check(one.name, content)  # the first run imports what the readers need into the server
        sys.path.insert(0, str(HERE.parent))
        in_process(one, out / "warm")
        served, cold, warm = [], [], []
        for _ in range(args.repeat):  # in turns, so load from other work falls on each alike
            cold.append(timed(check))
            warm.append(in_process(one, out / "warm"))
            served.append(page.check(one.name, content)[0])
        print(f"20-piece portfolio ({one.name}, {len(content) / 1e6:.1f} MB, {len(zipfile.ZipFile(one).namelist())} "
              f"entries), median of {args.repeat}:")
        print(f"  check -o, cold process:        {statistics.median(cold):6.2f} s  (range {min(cold):.2f}-{max(cold):.2f})")
        print(f"  check -o's work in-process, warm: {statistics.median(warm):6.2f} s  (range {min(warm):.2f}-"
              f"{max(warm):.2f}; no process start, libraries loaded)")
        print(f"  serve, upload to report:       {statistics.median(served):6.2f} s  (range {min(served):.2f}-"
              f"{max(served):.2f})")
        difference = statistics.median(served) - statistics.median(cold)
        print(f"  serve - check -o:              {difference:+6.2f} s  (target: at most +0.30 s)")
        print(f"  serve - the warm pipeline:     {statistics.median(served) - statistics.median(warm):+6.2f} s  "
              "(what the web layer, the upload and the worker process add)")

        if not args.no_export:
            batch = [*tool(), "batch", str(export_zip), "-o", str(out / "batch"), "--quiet"]
            batch_seconds = timed(batch)
            export_bytes = export_zip.read_bytes()
            export_seconds, status = page.check(export_zip.name, export_bytes)
            del export_bytes
            print(f"export of {status['total']} portfolios ({export_zip.stat().st_size / 1e6:.0f} MB zip): "
                  f"{status['counts']}")
            print(f"  batch EXPORT.zip, cold process: {batch_seconds:6.2f} s")
            print(f"  serve, upload to index:         {export_seconds:6.2f} s  ({export_seconds - batch_seconds:+.2f} s)")

        time.sleep(KEEP_SECONDS + 1.5)
        readings = []
        for number in range(1, args.runs + 1):
            page.check(one.name, content)
            if number in (1, 10, 25, args.runs):
                time.sleep(KEEP_SECONDS + 1.5)  # its report is deleted: what stays is the server's own
                own, total = server.rss()
                readings.append((number, own, total))
        print(f"server memory after runs of the 20-piece portfolio (reports deleted after {KEEP_SECONDS:g} s):")
        for number, own, total in readings:
            print(f"  after {number:3} runs: server {own / 1e6:6.1f} MB, with its worker processes {total / 1e6:6.1f} MB")
        growth = readings[-1][1] - readings[1][1]
        print(f"  growth from run 10 to run {args.runs}: {growth / 1e6:+.1f} MB")
        print(f"load average before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        if server is not None:
            server.stop()
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
