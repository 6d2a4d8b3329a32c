#!/usr/bin/env python3
"""Time making report.pdf: headless Chromium (what `--pdf` uses) against WeasyPrint, and in a batch.

    python bench/pdf.py [--runs 5] [--weasyprint-runs 3] [--export sample_portfolios/sharepoint-export]

1. Writes the HTML reports of the ready and the not-ready ST0792 samples (`check -o`).
2. Prints each to PDF with `portfolio_check.report.pdf.write_pdf` (one uncounted run first, then
   ``--runs``): seconds (median, fastest, slowest), processor time a run (the browser's processes
   for Chromium, this process for WeasyPrint), pages and size.
3. Does the same with WeasyPrint when it can be imported (it is not a dependency: install it
   beside the tool to compare, e.g. ``pip install --target DIR weasyprint`` and ``PYTHONPATH=DIR``),
   with its import time in a fresh process.
4. Checks the export with `batch` and then prints every portfolio's report with
   `write_pdfs`, one, two and four browsers at a time, as `batch --pdf` does after its workers.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "sample_portfolios"
PORTFOLIOS = {"ready": SAMPLES / "ST0792-production-coordinator-ready", "not ready": SAMPLES / "ST0792-not-ready"}


def _tool(*arguments: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "portfolio_check", *arguments], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def _cpu() -> float:
    """Processor seconds used so far by this process and the child processes it waited for (the browser's)."""
    return sum(usage.ru_utime + usage.ru_stime
               for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def _measure(render: Callable[[], object], runs: int) -> tuple[list[float], float]:
    """Wall seconds of each run, and the processor seconds a run (this process and the browser's)."""
    render()  # uncounted: fills the disk cache (and the browser's first start)
    seconds: list[float] = []
    cpu_before = _cpu()
    for _ in range(runs):
        started = time.perf_counter()
        render()
        seconds.append(time.perf_counter() - started)
    return seconds, (_cpu() - cpu_before) / runs


def _line(name: str, seconds: list[float], cpu: float, pdf: Path) -> str:
    return (f"  {name:23} median {statistics.median(seconds):5.2f} s  fastest {min(seconds):5.2f}  "
            f"slowest {max(seconds):5.2f}  CPU {cpu:5.2f} s  {_pages(pdf):3d} pages  "
            f"{pdf.stat().st_size / 1024:4.0f} KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--weasyprint-runs", type=int, default=3)
    parser.add_argument("--export", type=Path, default=SAMPLES / "sharepoint-export")
    args = parser.parse_args()

    from portfolio_check.report.pdf import find_browser, write_pdf, write_pdfs

    browser = find_browser()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; browser: {browser or 'none found'}")
    try:
        version = subprocess.run([str(browser), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        print(f"  {version}")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        weasyprint = None
        print(f"WeasyPrint not measured: {type(exc).__name__}: {exc}")
    else:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import weasyprint"], check=True)
        print(f"WeasyPrint {weasyprint.__version__}: import in a fresh process (with Python's start) "
              f"{time.perf_counter() - started:.2f} s")

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as scratch:
        root = Path(scratch)
        for label, portfolio in PORTFOLIOS.items():
            out = root / label.replace(" ", "-")
            _tool("check", str(portfolio), "-o", str(out))
            html = out / "report.html"
            print(f"{label}: {portfolio.name} ({html.stat().st_size / 1024:.0f} KB of HTML)")
            if browser is not None:
                pdf = out / "report.pdf"
                seconds, cpu = _measure(lambda html=html, pdf=pdf: _made(write_pdf(html, pdf)), args.runs)
                print(_line("Chromium print-to-PDF", seconds, cpu, pdf))
            if weasyprint is not None:
                pdf = out / "weasyprint.pdf"

                def render(html: Path = html, pdf: Path = pdf) -> None:
                    weasyprint.HTML(filename=str(html)).write_pdf(str(pdf))

                seconds, cpu = _measure(render, args.weasyprint_runs)
                print(_line("WeasyPrint (in process)", seconds, cpu, pdf))

        if browser is None:
            return 0
        batch_out = root / "batch"
        checked = _tool("batch", str(args.export), "-o", str(batch_out), "--quiet")
        folders = sorted(p.parent for p in batch_out.glob("*/report.html"))
        pairs = [(folder / "report.html", folder / "report.pdf") for folder in folders]
        print(f"batch: {args.export.name}, {len(folders)} portfolios checked in {checked:.2f} s (no PDFs)")
        for workers in (1, 2, 4):
            started = time.perf_counter()
            results = write_pdfs(pairs, workers=workers)
            elapsed = time.perf_counter() - started
            made = sum(r.made for r in results)
            print(f"  then {made} PDFs, {workers} browser(s) at a time: {elapsed:.2f} s "
                  f"({elapsed / max(1, made):.2f} s a portfolio)")
        started = time.perf_counter()
        _tool("batch", str(args.export), "-o", str(root / "batch-pdf"), "--quiet", "--pdf")
        print(f"  batch --pdf end to end: {time.perf_counter() - started:.2f} s")
    return 0


def _made(result: object) -> None:
    if not getattr(result, "made", False):
        raise SystemExit(f"the PDF was not made: {getattr(result, 'reason', result)}")


if __name__ == "__main__":
    sys.exit(main())
