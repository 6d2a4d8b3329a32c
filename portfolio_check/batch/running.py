"""Running a batch: which portfolios this run (this shard) checks, which an earlier run's rows can
stand for (``--resume``), and the pool of batch workers that checks the rest.

Each batch worker checks one portfolio at a time and extracts it with a single sandboxed reader of its
own, so the processes doing work stay about one per core and the per-file time and memory limits still
hold. A worker that crashes or overruns the portfolio time limit is killed with its reader and
replaced, and that portfolio becomes an error row.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from portfolio_check.batch.checking import OUT_OF_MEMORY, PortfolioChecker, PortfolioTask
from portfolio_check.batch.discovery import BatchError, Discovery, discover
from portfolio_check.batch.resume import fingerprint, reusable_row, settings_key
from portfolio_check.batch.rows import PortfolioRow, error_row, read_row, store_row
from portfolio_check.catalogue.model import Catalogues
from portfolio_check.pipeline import CheckSettings
from portfolio_check.workers import Budget, IsolatedRunner, Overrun

#: Libraries the readers and reports import when first used, imported before the batch workers fork.
#: Each portfolio's sandboxed reader is a fresh fork of its batch worker, so without this every
#: portfolio paid about 0.45 s of imports (measured on ST0792 portfolios).
PRELOADED = ("pypdf", "pypdf.generic",
             "av", "av.logging", "mutagen", "mutagen.mp4", "mutagen.mp3", "PIL.Image", "openpyxl", "lxml.etree",
             "python_calamine",
             "yaml", "jinja2", "portfolio_check.extract.documents", "portfolio_check.extract.identify",
             "portfolio_check.extract.manifest", "portfolio_check.extract.media", "portfolio_check.extract.office",
             "portfolio_check.report.html_view")


@dataclass(frozen=True)
class BatchSettings:
    """What the user asked of the batch: workers, limits, what to skip and which share to run."""

    check: CheckSettings = field(default_factory=CheckSettings)
    jobs: int | None = None
    #: Seconds one portfolio may take in all before its worker is killed and it becomes an error row.
    portfolio_seconds: float = 1800.0
    #: Address-space limit of a batch worker (its sandboxed reader has its own, from ``check``).
    memory_per_worker: int | None = 3 * 1024**3
    resume: bool = False
    #: (I, N), 1-based: run portfolios I, I+N, I+2N... of the sorted list.
    shard: tuple[int, int] | None = None


@dataclass
class BatchResult:
    discovery: Discovery
    #: One summary row per portfolio of this run (this shard), sorted by portfolio name.
    rows: list[PortfolioRow]
    #: How many rows were reused from an earlier run (``--resume``).
    reused: int = 0

    @property
    def failed(self) -> int:
        """How many portfolios could not be checked."""
        return sum(row.failed for row in self.rows)


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` with 1 <= I <= N (1-based, as GNU parallel's job slots); raises ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"'{text}' is not I/N (for example 1/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"'{text}': I must be from 1 to N, and N at least 1 (shards are numbered from 1)")
    return index, count


def in_shard(position: int, shard: tuple[int, int] | None) -> bool:
    """Whether the portfolio at ``position`` (0-based, in sorted order) belongs to the shard."""
    return shard is None or position % shard[1] == shard[0] - 1


def run_batch(export: str | os.PathLike[str], output_dir: str | os.PathLike[str], catalogues: Catalogues,
              settings: BatchSettings = BatchSettings(), pattern: str | None = None,
              on_done: Callable[[int, int, PortfolioRow, bool], None] | None = None) -> BatchResult:
    """Check every portfolio of the export (of the shard), writing each one's reports under ``output_dir``.

    ``on_done(done, total, row, reused)`` is called as each portfolio finishes, in completion order.
    Raises `PortfolioCheckError` when the batch cannot run at all.
    """
    output = Path(output_dir)
    source_root = Path(export).resolve()
    if source_root.is_dir() and (output.resolve() == source_root or source_root in output.resolve().parents):
        raise BatchError(f"the output folder {output} is inside the export {export}; write it somewhere else")
    discovery = discover(export, pattern)
    chosen = [p for position, p in enumerate(discovery.portfolios) if in_shard(position, settings.shard)]
    key = settings_key(catalogues, settings.check)
    output.mkdir(parents=True, exist_ok=True)
    rows: dict[str, PortfolioRow] = {}
    tasks: list[PortfolioTask] = []
    for source in chosen:
        try:
            stamp = fingerprint(source, key)
        except OSError:
            stamp = ""
        folder = output / source.folder
        reused = reusable_row(read_row(folder), source, stamp, folder) if settings.resume else None
        if reused is None:
            tasks.append(PortfolioTask(source, stamp))
            continue
        rows[source.folder] = reused
        if on_done:
            on_done(len(rows), len(chosen), reused, True)
    reused_count = len(rows)
    if tasks:
        scratch = Path(tempfile.mkdtemp(prefix="portfolio-check-batch-"))
        try:
            for row in _check_all(tasks, catalogues, settings, output, scratch):
                rows[row.folder] = row
                if on_done:
                    on_done(len(rows), len(chosen), row, False)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return BatchResult(discovery=discovery, rows=[rows[source.folder] for source in chosen], reused=reused_count)


def _check_all(tasks: list[PortfolioTask], catalogues: Catalogues, settings: BatchSettings, output: Path,
               scratch: Path) -> Iterator[PortfolioRow]:
    """Check the tasks in batch workers, yielding each row as it completes. A portfolio whose worker died
    or overran the portfolio time limit becomes an error row, stored as any other row is."""
    pool: IsolatedRunner[PortfolioTask, PortfolioRow] = IsolatedRunner(
        PortfolioChecker(catalogues, settings.check, output, scratch), jobs=settings.jobs,
        budget=Budget(settings.portfolio_seconds, settings.memory_per_worker), starts_processes=True,
        preload=PRELOADED)
    for index, result in pool.completed(tasks):
        if isinstance(result, Overrun):
            task = tasks[index]
            result = error_row(task.source, _overrun_problem(result, settings))
            store_row(output / task.source.folder, result, task.fingerprint)
        yield result


def _overrun_problem(overrun: Overrun, settings: BatchSettings) -> str:
    if overrun.reason == "time":
        return (f"checking it took longer than {settings.portfolio_seconds:g} seconds, so it was stopped "
                "(--portfolio-time-limit); a file in it may stall the readers")
    if overrun.reason == "memory":
        return OUT_OF_MEMORY
    return f"the check stopped unexpectedly ({overrun.detail})"
