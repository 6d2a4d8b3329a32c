#!/usr/bin/env python3
"""Time two installs of portfolio-check against each other in one run: `--help` and `check -o` on one portfolio.

    python bench/compare.py --baseline /path/to/old/venv/bin/portfolio-check [--portfolio DIR] [--runs 7]

Each round runs the baseline and the current tool one after the other (alternating which goes
first), so both see the same machine load; the medians and the ratio are printed. The current tool
is the `portfolio-check` on PATH. Use installs with compiled bytecode (a plain `pip install .`), as
a user has them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PORTFOLIO = HERE.parent / "sample_portfolios" / "ST0792-production-coordinator-ready"


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="the other install's portfolio-check executable")
    parser.add_argument("--portfolio", type=Path, default=DEFAULT_PORTFOLIO)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    current = shutil.which("portfolio-check")
    if current is None:
        print("portfolio-check is not on PATH", file=sys.stderr)
        return 2
    tools = {"baseline": args.baseline, "current": current}
    times: dict[tuple[str, str], list[float]] = {(name, what): [] for name in tools for what in ("help", "check")}
    with tempfile.TemporaryDirectory() as scratch:
        for name, path in tools.items():  # a first, uncounted run of each fills the caches
            _time([path, "check", str(args.portfolio), "-o", os.path.join(scratch, name)])
        for round_number in range(args.runs):
            order = list(tools.items()) if round_number % 2 == 0 else list(reversed(tools.items()))
            for name, path in order:
                times[(name, "help")].append(_time([path, "--help"]))
                times[(name, "check")].append(_time([path, "check", str(args.portfolio), "-o",
                                                     os.path.join(scratch, name)]))
    load = os.getloadavg()[0]
    print(f"portfolio: {args.portfolio.name}; {args.runs} rounds; load average {load:.2f}")
    print(f"{'':10} {'--help (s)':>12} {'check -o (s)':>14}")
    for name in tools:
        help_time, check_time = statistics.median(times[(name, "help")]), statistics.median(times[(name, "check")])
        print(f"{name:10} {help_time:12.3f} {check_time:14.3f}")
    for what in ("help", "check"):
        ratio = statistics.median(times[("current", what)]) / statistics.median(times[("baseline", what)])
        print(f"current / baseline, {what}: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
