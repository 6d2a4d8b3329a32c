#!/usr/bin/env python3
"""What reading the manifest's claims adds to `check -o` on one portfolio, in cold processes.

    python bench/claims_cost.py PORTFOLIO [--runs 15]

Runs `portfolio-check check PORTFOLIO -o OUT` in fresh processes, alternately with the claims work
and without it (the claims reading and the ksb-claims rule taken out in the child), after one
warm-up run of each that writes the bytecode and keeps the mapper's index in a private cache
folder, as a second run on a user's machine finds them. Prints the median wall time, the CPU time
of all processes, and that of the main process, the only one that reads the claims; the sandboxed
readers do the same work either way, so their share of any difference is noise.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: The child: one `check -o`, then its own CPU seconds written to the pipe it was given.
CHILD = """
import os, sys, time
mode, portfolio, out, fd = sys.argv[1:5]
if mode == "without":
    from portfolio_check.checks import claims, context, rules
    context.read_claims = lambda *args, **kwargs: claims.ClaimsReading()
    rules.RULES = tuple(rule for rule in rules.RULES if rule.id != "ksb-claims")
from portfolio_check.cli import main
try:
    main(["check", portfolio, "-o", out], prog_name="portfolio-check")
except SystemExit:
    pass
finally:
    os.write(int(fd), str(time.process_time()).encode())
"""


def run_once(mode: str, portfolio: Path, work: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall, CPU of all processes, CPU of the main process) of one cold `check -o`."""
    read, write = os.pipe()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, mode, str(portfolio), str(work / f"out-{mode}"), str(write)],
                   env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write,),
                   check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.close(write)
    own = float(os.read(read, 64).decode() or "nan")
    os.close(read)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, own


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("portfolio", type=Path)
    parser.add_argument("--runs", type=int, default=15, help="runs of each mode (default 15)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="claims-cost-"))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(XDG_CACHE_HOME=str(work / "cache"), PYTHONPYCACHEPREFIX=str(work / "bytecode"))
    found: dict[str, list[tuple[float, float, float]]] = {"with": [], "without": []}
    try:
        for mode in found:
            run_once(mode, args.portfolio, work, env)
        for turn in range(args.runs):
            for mode in ("with", "without") if turn % 2 == 0 else ("without", "with"):
                found[mode].append(run_once(mode, args.portfolio, work, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    medians = {mode: [statistics.median(run[i] for run in runs) for i in range(3)] for mode, runs in found.items()}
    print(f"check -o {args.portfolio}: cold processes, median of {args.runs} each, alternating; "
          f"load average {os.getloadavg()[0]:.1f}")
    for mode in ("without", "with"):
        wall, cpu, own = medians[mode]
        spread = [run[0] for run in found[mode]]
        print(f"  {mode:8} wall {wall:.3f} s (range {min(spread):.2f}-{max(spread):.2f}), CPU {cpu:.3f} s, "
              f"main process CPU {own:.3f} s")
    (wall, cpu, own), (wall0, cpu0, own0) = medians["with"], medians["without"]
    print(f"  claims add: wall {1000 * (wall - wall0):+.0f} ms ({100 * (wall / wall0 - 1):+.1f}%), CPU "
          f"{1000 * (cpu - cpu0):+.0f} ms ({100 * (cpu / cpu0 - 1):+.1f}%), main process CPU {1000 * (own - own0):+.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
