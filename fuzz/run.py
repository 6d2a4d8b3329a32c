"""Fuzz the extraction for a set time: mutate real docx, pptx, pdf, mp4 and zip inputs, manifests
(CSV, .xlsx, .xls, .ods, a Word table, YAML, JSON) and portfolio.yaml details, run each through the
real stages in a worker process, and report crashes (an exception escaped) and hangs (no answer
within the time limit).

    python fuzz/run.py --minutes 30 [--target all|docx|pptx|pdf|mp4|zip|manifest-csv|...|details] [--seed N]

Failing inputs are saved under ``--keep`` (default: a folder in the system's temporary directory)
so each can become a regression test. Exit status 1 when anything crashed or hung.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.targets import TARGETS, Case, build_seeds, mutate, run_case
from portfolio_check.extract.sandbox import limit_memory

#: Memory one worker may use: a bounded budget, as in the real sandbox.
WORKER_MEMORY_BYTES = 2 * 1024**3


def _new_pool() -> multiprocessing.pool.Pool:
    return multiprocessing.get_context("fork").Pool(1, initializer=limit_memory, initargs=(WORKER_MEMORY_BYTES,),
                                                    maxtasksperchild=500)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--target", choices=("all", *TARGETS), default="all")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    parser.add_argument("--hang-seconds", type=float, default=20.0, help="an input taking longer is a hang")
    parser.add_argument("--keep", type=Path, default=None, help="folder for failing inputs")
    parser.add_argument("--no-corpus", action="store_true", help="use only the generated seeds")
    args = parser.parse_args(argv)

    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    scratch = Path(tempfile.mkdtemp(prefix="pc-fuzz-"))
    keep = args.keep or Path(tempfile.gettempdir()) / f"pc-fuzz-failures-{seed}"
    seeds = build_seeds(scratch / "seeds", use_corpus=not args.no_corpus)
    targets = TARGETS if args.target == "all" else (args.target,)
    print(f"seed {seed}; seeds per target: " + ", ".join(f"{t} {len(seeds[t])}" for t in targets), flush=True)

    deadline = time.monotonic() + args.minutes * 60
    tried: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    crashes = hangs = 0
    pool = _new_pool()
    last_report = time.monotonic()
    try:
        while time.monotonic() < deadline:
            target = rng.choice(targets)
            chosen = rng.choice(seeds[target])
            data = mutate(chosen, rng, [s.data for s in seeds[target] if s is not chosen])
            path = scratch / f"input-{target}{Path(chosen.name).suffix}"
            path.write_bytes(data)
            case = Case(target, str(path), chosen.name)
            tried[target] += 1
            pending = pool.apply_async(run_case, (case,))
            try:
                outcome = pending.get(timeout=args.hang_seconds)
            except multiprocessing.TimeoutError:
                hangs += 1
                pool.terminate()
                pool = _new_pool()
                _keep(keep, f"hang-{target}-{tried.total()}{path.suffix}", data, f"no answer in {args.hang_seconds} s")
                continue
            except Exception as exc:  # noqa: BLE001 - a worker killed by the memory limit, for example
                crashes += 1
                pool.terminate()
                pool = _new_pool()
                _keep(keep, f"worker-{target}-{tried.total()}{path.suffix}", data, repr(exc))
                continue
            codes.update(outcome.codes)
            caught.update(outcome.caught)
            if outcome.raised:
                crashes += 1
                _keep(keep, f"crash-{target}-{tried.total()}{path.suffix}", data, outcome.raised)
            if time.monotonic() - last_report > 60:
                last_report = time.monotonic()
                print(f"{tried.total()} inputs, {crashes} crashes, {hangs} hangs", flush=True)
    finally:
        pool.terminate()

    print(f"\nfuzzed {args.minutes:g} min, seed {seed}: {tried.total()} inputs "
          f"({', '.join(f'{t} {n}' for t, n in sorted(tried.items()))}); {crashes} crashes, {hangs} hangs")
    print("problem codes reported: " + ", ".join(f"{c} {n}" for c, n in codes.most_common()))
    if caught:
        print("exceptions turned into file-unreadable: " + ", ".join(f"{c} {n}" for c, n in caught.most_common(12)))
    if crashes or hangs:
        print(f"failing inputs kept in {keep}")
    return 1 if crashes or hangs else 0


def _keep(folder: Path, name: str, data: bytes, why: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    (folder / f"{name}.txt").write_text(why, encoding="utf-8")
    print(f"FAILURE kept as {folder / name}: {why.strip().splitlines()[-1] if why.strip() else why}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
