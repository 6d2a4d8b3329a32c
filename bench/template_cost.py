#!/usr/bin/env python3
"""What the web page's manifest template costs with KSBs suggested, against the plain template, in one run.

    python bench/template_cost.py [PORTFOLIO] [--repeat 7]

After a check (as the web page runs one), writes the template both ways, in turns, into a scratch
folder: plain (``manifest init``), and with each file's likely KSBs filled in from the texts the
check has just read (what the web page now writes; ``manifest init --suggest`` without reading the
files again). Prints the median and every run of each. PORTFOLIO defaults to the ready ST0792 sample.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from portfolio_check.catalogue.loader import discover
from portfolio_check.pipeline import check_portfolio, init_manifest

DEFAULT = HERE.parent / "sample_portfolios" / "ST0792-production-coordinator-ready"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("portfolio", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each way (default 7)")
    args = parser.parse_args()

    assessment = check_portfolio(args.portfolio, discover())
    if assessment.standard is None:
        raise SystemExit(f"{args.portfolio}: the check could not tell the standard, so no template is written")
    ways = {"plain template": {}, "with suggested KSBs": {"suggest": True, "records": assessment.portfolio.records}}
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    with tempfile.TemporaryDirectory(prefix="template-cost-") as scratch:
        for run in range(args.repeat + 1):  # the first round warms the imports and the mapper's index
            for name, extra in ways.items():
                started = time.perf_counter()
                init_manifest(args.portfolio, assessment.standard, assessment.option, force=True,
                              output=Path(scratch) / f"{run}.xlsx", **extra)
                if run:
                    seconds[name].append(time.perf_counter() - started)
    print(f"{args.portfolio.name}: {len(assessment.evidence_files)} evidence files, median of {args.repeat}")
    for name, times in seconds.items():
        print(f"  {name:22s} {statistics.median(times) * 1000:6.1f} ms   runs: "
              f"{', '.join(f'{t * 1000:.0f}' for t in times)}")
    added = statistics.median(seconds["with suggested KSBs"]) - statistics.median(seconds["plain template"])
    print(f"  added by the suggestions: {added * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
