#!/usr/bin/env python3
"""Time `portfolio-check batch` against metadata-only baselines on the same synthetic export.

    python bench/run.py [--portfolios 200] [--workdir DIR] [--keep]

Builds the export with bench/make_export.py (and a smaller one whose clips are 10 times longer, for
memory flatness), then times, in this one run: `batch --jobs 1`, `batch` at the default (one worker
per core), `exiftool -r -json` over the export, `ffprobe` on every media file one after another,
`check` on one 20-piece portfolio in a cold process, and `portfolio-check --help`. Wall time is
measured around each command; CPU time and the peak resident memory of its largest process come
from the command's process tree (``RUSAGE_CHILDREN``), and the peak of each batch worker from
sampling /proc every 50 ms. The machine's load average is printed: other work on it slows every row.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEDIA_SUFFIXES = (".mp4", ".mov", ".m4a", ".mp3", ".wav", ".webm", ".mkv", ".avi")


def tool() -> list[str]:
    found = shutil.which("portfolio-check")
    return [found] if found else [sys.executable, "-m", "portfolio_check"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stream:
                    fields = stream.read().rsplit(b")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Sampler(threading.Thread):
    """Peak RSS of each process below ``pid``, sampled; depth 1 below the root are the batch workers."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stopped = threading.Event()
        self.peaks: dict[int, int] = {}
        self.depth: dict[int, int] = {}

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            level, frontier = 0, [self.pid]
            while frontier and level < 4:
                following = []
                for pid in frontier:
                    self.depth.setdefault(pid, level)
                    self.peaks[pid] = max(self.peaks.get(pid, 0), _rss(pid))
                    following += _children(pid)
                frontier, level = following, level + 1

    def peak(self, depth: int) -> int:
        return max((rss for pid, rss in self.peaks.items() if self.depth.get(pid) == depth), default=0)


def measure(name: str, command: list[str], files: int | None = None, sample: bool = False,
            stdout=subprocess.DEVNULL, env: dict[str, str] | None = None) -> dict:
    """Run ``command`` in a fresh wrapper process, so RUSAGE_CHILDREN covers this command alone."""
    wrapper = ("import json, resource, subprocess, sys, time\n"
               "start = time.perf_counter()\n"
               "code = subprocess.call(sys.argv[1:])\n"
               "wall = time.perf_counter() - start\n"
               "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "print(json.dumps({'code': code, 'wall': wall, 'cpu': usage.ru_utime + usage.ru_stime,"
               " 'maxrss': usage.ru_maxrss * 1024}), file=sys.stderr)\n")
    process = subprocess.Popen([sys.executable, "-c", wrapper, *command], stdout=stdout, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})})
    sampler = Sampler(process.pid) if sample else None
    if sampler:
        sampler.start()
    _, err = process.communicate()
    if sampler:
        sampler.stopped.set()
        sampler.join()
    result = json.loads(err.decode().strip().splitlines()[-1])
    result.update(name=name, files=files)
    if sampler:
        # depth 0: wrapper, 1: portfolio-check, 2: batch workers, 3: their sandboxed readers
        result["worker_peak"] = sampler.peak(2)
        result["reader_peak"] = sampler.peak(3)
    return result


def median_of(runs: int, name: str, command: list[str], **options) -> dict:
    """The run with the median wall time of ``runs`` (a single cold start is noisy on a shared machine)."""
    results = sorted((measure(name, command, **options) for _ in range(runs)), key=lambda r: r["wall"])
    chosen = dict(results[len(results) // 2])
    chosen["range"] = (results[0]["wall"], results[-1]["wall"])
    return chosen


def bytecode_warning() -> str | None:
    """Why the start-up figures would be pessimistic: the timed install recompiles every module it loads."""
    command = tool()
    python = command[0]
    if len(command) == 1:
        with open(command[0], "rb") as script:
            first = script.readline().decode(errors="replace")
        python = first[2:].strip().split()[0] if first.startswith("#!") else sys.executable
    probe = ("import pathlib, sys, portfolio_check\n"
             "folder = pathlib.Path(portfolio_check.__file__).parent / 'extract' / '__pycache__'\n"
             "print(int(any(folder.glob('*.pyc'))), int(sys.flags.dont_write_bytecode))")
    try:
        # From a neutral folder: run from the source tree, "-c" would import the tree, not the install.
        found = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60,
                               cwd=tempfile.gettempdir()).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    if found and found[0] == "0":
        return ("note: the timed install has no compiled bytecode"
                + (" and PYTHONDONTWRITEBYTECODE is set" if found[1:] == ["1"] else "")
                + ", so every start recompiles its modules: start-up figures are pessimistic. "
                  "`pip install .` (not -e) compiles them.")
    return None


def count_files(export: Path) -> tuple[int, list[Path]]:
    """Files in the export, members of zipped portfolios included; and the media files on disk."""
    import zipfile

    count, media = 0, []
    for path in export.rglob("*"):
        if path.is_file():
            if path.suffix.lower() == ".zip":
                with zipfile.ZipFile(path) as archive:
                    count += sum(not i.is_dir() for i in archive.infolist())
            else:
                count += 1
                if path.suffix.lower() in MEDIA_SUFFIXES:
                    media.append(path)
    return count, media


def make(export: Path, portfolios: int, clip_scale: float) -> None:
    subprocess.run([sys.executable, str(HERE / "make_export.py"), str(export), "--portfolios", str(portfolios),
                    "--clip-scale", str(clip_scale)], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=200)
    parser.add_argument("--long-portfolios", type=int, default=20, help="portfolios in the 10x-clips export")
    parser.add_argument("--workdir", type=Path, help="where to build exports and outputs (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="portfolio-check-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        export, long_export = work / "export", work / "export-long"
        if not export.exists():
            make(export, args.portfolios, 1)
        if not long_export.exists():
            make(long_export, args.long_portfolios, 10)
        files, media = count_files(export)
        long_files, _ = count_files(long_export)
        one = next(p for p in sorted(export.iterdir()) if p.is_dir())
        for out in ("out-1", "out-default", "out-long", "out-check", "user-cache"):
            shutil.rmtree(work / out, ignore_errors=True)
        # `check -o` as the quick start runs it (HTML report, thumbnails). The first run on a machine
        # also compiles the report templates into the user's cache; later runs load them.
        check = [*tool(), "check", str(one), "-o", str(work / "out-check")]
        user_cache = {"XDG_CACHE_HOME": str(work / "user-cache")}
        rows = [
            measure("batch --jobs 1", [*tool(), "batch", str(export), "-o", str(work / "out-1"), "--jobs", "1",
                                       "--quiet"], files, sample=True),
            measure(f"batch (default, {os.cpu_count()} cores)",
                    [*tool(), "batch", str(export), "-o", str(work / "out-default"), "--quiet"], files, sample=True),
            measure("exiftool -r -json", ["exiftool", "-r", "-json", str(export)], files),
            measure(f"ffprobe x {len(media)} media files", [sys.executable, "-c",
                    "import subprocess, sys\nfor p in sys.argv[1:]:\n    subprocess.run(['ffprobe', '-v', 'error', "
                    "'-show_format', '-show_streams', '-of', 'json', p], stdout=subprocess.DEVNULL)",
                    *map(str, media)], len(media)),
            measure("batch, clips 10x longer", [*tool(), "batch", str(long_export), "-o", str(work / "out-long"),
                                                "--quiet"], long_files, sample=True),
            measure("check -o, first run on a machine", check, 22, env=user_cache),
            median_of(7, "check -o, cold process (median of 7)", check, files=22, env=user_cache),
            median_of(7, "portfolio-check --help (median of 7)", [*tool(), "--help"]),
        ]
        summary = json.loads((work / "out-default" / "summary.json").read_text(encoding="utf-8"))
        print(f"\nexport: {args.portfolios} portfolios, {files} files ({len(media)} media files on disk); "
              f"load average before/after: {os.getloadavg()[0]:.1f}; verdicts: {summary['totals']}")
        warning = bytecode_warning()
        if warning:
            print(warning)
        print(f"{'command':38} {'wall s':>8} {'cpu s':>8} {'files/s':>8} {'max RSS MB':>10} {'worker MB':>9} "
              f"{'reader MB':>9}")
        for row in rows:
            rate = f"{row['files'] / row['wall']:.0f}" if row["files"] else ""
            worker = f"{row['worker_peak'] / 1e6:.0f}" if row.get("worker_peak") else ""
            reader = f"{row['reader_peak'] / 1e6:.0f}" if row.get("reader_peak") else ""
            spread = f"  (range {row['range'][0]:.2f}-{row['range'][1]:.2f})" if "range" in row else ""
            print(f"{row['name']:38} {row['wall']:8.2f} {row['cpu']:8.2f} {rate:>8} {row['maxrss'] / 1e6:10.0f} "
                  f"{worker:>9} {reader:>9}{spread}")
        batch_default, batch_one, exif, probe = rows[1], rows[0], rows[2], rows[3]
        print(f"\nbatch (default) / exiftool: {batch_default['wall'] / exif['wall']:.2f} (target <= 1.0)")
        print(f"batch (default) / ffprobe:  {batch_default['wall'] / probe['wall']:.2f}")
        print(f"batch --jobs 1 / default:   {batch_one['wall'] / batch_default['wall']:.2f} (speed-up of all cores)")
        print(f"per portfolio: {batch_default['wall'] / args.portfolios:.3f} s wall, "
              f"{batch_default['cpu'] / args.portfolios:.3f} s CPU")
        print(f"worker peak RSS, clips 1x vs 10x: {batch_default['worker_peak'] / 1e6:.0f} MB vs "
              f"{rows[4]['worker_peak'] / 1e6:.0f} MB; reader: {batch_default['reader_peak'] / 1e6:.0f} MB vs "
              f"{rows[4]['reader_peak'] / 1e6:.0f} MB")
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
