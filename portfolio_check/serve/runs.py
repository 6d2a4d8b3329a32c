"""The runs of the local web page: each uploaded file is one run, queued on the worker limit
``batch --jobs`` uses and checked by the pipeline exactly as the command line checks it.

- One portfolio is checked as ``check -o`` checks it (`check_inventory`, `write_reports`), in a worker
  process of `portfolio_check.workers` with the time and memory budget of a batch worker, so a
  portfolio that crashes or exhausts its reader kills only that worker: the run ends with what
  happened and the server keeps serving. Its manifest template is written beside its reports.
- A zip holding several apprentices' portfolios (the pipeline's own test, `portfolios_inside`) is
  checked as ``batch`` checks an export (`run_batch`, then the index and summaries ``batch`` writes).
  It takes every worker slot, as a batch run would, and waits its turn like any other run.

Each run has a private folder (inside the server's, made by `tempfile.mkdtemp`: readable by this
user only) holding the upload and the reports. The upload is deleted as soon as the check is done;
the reports are deleted once the run has been kept for ``keep_seconds``, and everything when the
server stops. Runs are found by an unguessable id and belong to the browser session that made them.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from portfolio_check.catalogue.model import Catalogues
from portfolio_check.errors import PortfolioCheckError
from portfolio_check.extract.runner import ExtractionSettings
from portfolio_check.pipeline import CheckSettings
from portfolio_check.serve.settings import ServeSettings
from portfolio_check.workers import Budget, IsolatedRunner, Overrun

if TYPE_CHECKING:
    from portfolio_check.checks.model import Assessment

#: Address-space limit of the worker that checks one portfolio (as a batch worker's).
CHECKER_MEMORY = 3 * 1024**3
#: The manifest template written beside a portfolio's reports.
TEMPLATE_NAME = "KSB mapping template.xlsx"
#: What a finished run offers, in the order the page lists them (those that exist).
PORTFOLIO_FILES = ("report.html", "report.json", "report.pdf", TEMPLATE_NAME)
EXPORT_FILES = ("index.html", "summary.csv", "findings.csv", "summary.json")

State = Literal["queued", "checking", "done", "failed"]


def new_run_id() -> str:
    """An id nobody can guess (128 random bits), safe in a URL."""
    return secrets.token_urlsafe(16)


@dataclass
class Run:
    """One uploaded file and where its check is. Changed only by `RunQueue`, under its lock."""

    id: str
    #: The browser session that uploaded it: no other session can see it.
    owner: str
    #: The file's name as uploaded (made safe as a file name).
    name: str
    folder: Path
    upload: Path
    size: int
    #: Standard, version and option chosen on the page (left out: inferred, as ``check`` does).
    flags: dict[str, str] = field(default_factory=dict)
    kind: Literal["portfolio", "export"] = "portfolio"
    state: State = "queued"
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    #: An export's progress: portfolios checked, and how many it holds (0 until known).
    done: int = 0
    total: int = 0
    #: The verdict and its words, from the report; for an export, its rows' counts.
    verdict: str | None = None
    verdict_text: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    #: Why it could not be checked, for a person.
    problem: str | None = None
    #: The files it offers, relative to `output`.
    files: tuple[str, ...] = ()
    #: When its folder is deleted (monotonic seconds); None while it is not done.
    expires: float | None = None

    @property
    def output(self) -> Path:
        """Where its reports are written."""
        return self.folder / "out"

    @property
    def main_file(self) -> str | None:
        """The page it ends on: the report, or an export's index."""
        wanted = "index.html" if self.kind == "export" else "report.html"
        return wanted if wanted in self.files else None


# --- checking in a worker process ------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioTask:
    """What the checker worker is given (it crosses the process boundary, so it pickles)."""

    upload: Path
    #: The name the reports show for it, in place of the private folder's path.
    shown: str
    output: Path


@dataclass(frozen=True)
class PortfolioOutcome:
    """What the checker worker answers."""

    #: The upload holds several apprentices' portfolios: check it as ``batch`` does.
    export: bool = False
    verdict: str | None = None
    verdict_text: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class PortfolioChecker:
    """Checks one uploaded portfolio as ``check -o`` does, in a worker process."""

    catalogues: Catalogues
    settings: CheckSettings

    def __call__(self, task: PortfolioTask) -> PortfolioOutcome:
        from portfolio_check.ingest.inventory import ingest
        from portfolio_check.pipeline import check_inventory, portfolios_inside
        from portfolio_check.report.check_view import assessment_to_dict
        from portfolio_check.report.writer import write_reports

        try:
            # check_portfolio's steps, with the portfolio named as uploaded rather than by its private copy.
            inventory = ingest(task.upload, self.settings.limits)
            if portfolios_inside(inventory):
                return PortfolioOutcome(export=True)
            inventory.source = task.shown
            assessment = check_inventory(inventory, self.catalogues, self.settings)
            report = assessment_to_dict(assessment)
            write_reports(assessment, report, task.output)
        except PortfolioCheckError as exc:
            return PortfolioOutcome(problem=str(exc).replace(str(task.upload), task.shown))
        if assessment.standard is not None:
            _write_template(task, assessment)
        return PortfolioOutcome(verdict=report["verdict"], verdict_text=report["verdict_text"])


def _write_template(task: PortfolioTask, assessment: Assessment) -> None:
    """The manifest template ``manifest init --suggest`` writes, into the run's output (never beside the
    upload): each file's KSBs filled in from the text the check has just read, for staff to confirm."""
    from portfolio_check.pipeline import init_manifest

    assert assessment.standard is not None
    # A template is a convenience: a portfolio it cannot be written for still has its report.
    with contextlib.suppress(PortfolioCheckError, OSError):
        init_manifest(task.upload, assessment.standard, assessment.option, output=task.output / TEMPLATE_NAME,
                      force=True, suggest=True, records=assessment.portfolio.records)


def _overrun_problem(overrun: Overrun, settings: ServeSettings) -> str:
    if overrun.reason == "time":
        return (f"checking it took longer than {settings.portfolio_seconds:g} seconds, so it was stopped; "
                "a file in it may stall the readers. Check the files named in it one by one, or ask for "
                "a longer limit (--portfolio-time-limit)")
    if overrun.reason == "memory":
        from portfolio_check.batch.checking import OUT_OF_MEMORY

        return OUT_OF_MEMORY
    return (f"the check stopped unexpectedly ({overrun.detail}); a file in it may be damaged or crafted. "
            "Save its files again, zip them and upload the zip again")


# --- the queue --------------------------------------------------------------------------------------


class RunQueue:
    """Runs in upload order, at most ``settings.workers`` portfolios checked at once.

    A portfolio takes one worker slot; an export takes them all (``batch`` checks its portfolios
    ``--jobs`` at a time). The first run waiting starts as soon as its slots are free, and none
    overtakes it, so the position the page shows only ever goes down.
    """

    def __init__(self, catalogues: Catalogues, settings: ServeSettings, root: Path) -> None:
        self.catalogues = catalogues
        self.settings = settings
        self.root = root
        self._lock = threading.Condition()
        self._runs: dict[str, Run] = {}
        self._waiting: deque[Run] = deque()
        self._busy = 0
        self._running = 0
        self._closed = False
        self._threads: set[threading.Thread] = set()
        self._janitor = threading.Thread(target=self._delete_expired, name="serve-janitor", daemon=True)
        self._janitor.start()

    @classmethod
    def in_private_folder(cls, catalogues: Catalogues, settings: ServeSettings) -> RunQueue:
        """A queue whose runs live in a new private temporary folder (mode 0700), deleted by `close`."""
        root = Path(tempfile.mkdtemp(prefix="portfolio-check-serve-", dir=settings.temp_parent))
        return cls(catalogues, settings, root)

    # -- creating runs

    def new_folder(self) -> tuple[str, Path]:
        """A fresh run id and its private folder (the upload is streamed into it)."""
        run_id = new_run_id()
        folder = self.root / run_id
        folder.mkdir(mode=0o700)
        return run_id, folder

    def add(self, run: Run) -> None:
        """Queue a run whose upload is complete."""
        with self._lock:
            if self._closed:
                raise PortfolioCheckError("the server is stopping; start it again and upload the portfolio again")
            self._runs[run.id] = run
            self._waiting.append(run)
            self._dispatch()

    # -- reading runs (the page)

    def get(self, run_id: str, owner: str) -> Run | None:
        """The run with this id if this session made it (else None, as for an id that never existed)."""
        with self._lock:
            run = self._runs.get(run_id)
            return run if run is not None and secrets.compare_digest(run.owner, owner) else None

    def runs_of(self, owner: str) -> list[Run]:
        """This session's runs, oldest first."""
        with self._lock:
            return [run for run in self._runs.values() if secrets.compare_digest(run.owner, owner)]

    def snapshot(self, run: Run) -> dict[str, object]:
        """Where the run is, for the page and its status endpoint."""
        with self._lock:
            now = time.monotonic()
            position = next((i for i, waiting in enumerate(self._waiting) if waiting is run), None)
            return {
                "state": run.state, "kind": run.kind, "name": run.name, "position": position,
                "waiting": len(self._waiting), "done": run.done, "total": run.total,
                "seconds": round((run.finished or now) - (run.started or now), 1) if run.started else 0.0,
                "verdict": run.verdict, "verdict_text": run.verdict_text, "problem": run.problem,
                "counts": dict(run.counts), "files": list(run.files),
                "keep_seconds": round(run.expires - now) if run.expires else None,
            }

    # -- running

    def _dispatch(self) -> None:
        """Start the runs whose slots are free, first come first served (called with the lock held)."""
        while self._waiting and not self._closed:
            run = self._waiting[0]
            weight = self.settings.workers if run.kind == "export" else 1
            if self._busy + weight > self.settings.workers:
                return
            self._waiting.popleft()
            self._busy += weight
            # A portfolio checked alone reads its files as `check` does (several readers); beside
            # others, with one reader each, as a batch worker does, so the processes stay one per core.
            alone = self._running == 0
            self._running += 1
            run.state, run.started = "checking", time.monotonic()
            thread = threading.Thread(target=self._execute, args=(run, weight, alone), name=f"serve-run-{run.id[:6]}",
                                      daemon=True)
            self._threads.add(thread)
            thread.start()

    def _check_settings(self, run: Run, readers: int | None) -> CheckSettings:
        """As ``check -o`` sets them for one portfolio (previews for the HTML report), as ``batch`` does for
        an export (one reader a portfolio, no previews)."""
        export = run.kind == "export"
        return CheckSettings(flags=dict(run.flags), extraction=ExtractionSettings(
            jobs=1 if export else readers, seconds_per_file=self.settings.seconds_per_file, thumbnails=not export))

    def _execute(self, run: Run, weight: int, alone: bool) -> None:
        requeue = False
        try:
            if run.kind == "export":
                self._check_export(run)
            else:
                requeue = self._check_portfolio(run, alone)
        except Exception as exc:  # noqa: BLE001 - one run must never stop the server
            with self._lock:
                run.problem = f"the check stopped unexpectedly ({type(exc).__name__}: {exc})"
        finally:
            with self._lock:
                self._busy -= weight
                self._running -= 1
                self._threads.discard(threading.current_thread())
                if requeue and not self._closed:
                    # It has waited its turn once: it goes first, now needing every slot.
                    run.kind, run.state, run.started = "export", "queued", None
                    self._waiting.appendleft(run)
                else:
                    self._finish(run)
                self._dispatch()
                self._lock.notify_all()

    def _check_portfolio(self, run: Run, alone: bool) -> bool:
        """Check one portfolio in a worker process; True when it turned out to be an export."""
        from portfolio_check.batch.running import PRELOADED

        run.output.mkdir(exist_ok=True)
        checker = PortfolioChecker(self.catalogues, self._check_settings(run, None if alone else 1))
        pool: IsolatedRunner[PortfolioTask, PortfolioOutcome] = IsolatedRunner(
            checker, jobs=1, budget=Budget(self.settings.portfolio_seconds, CHECKER_MEMORY),
            starts_processes=True, preload=PRELOADED)
        [outcome] = pool.map([PortfolioTask(run.upload, run.name, run.output)])
        with self._lock:
            if isinstance(outcome, Overrun):
                run.problem = _overrun_problem(outcome, self.settings)
            elif outcome.export:
                return True
            else:
                run.verdict, run.verdict_text, run.problem = outcome.verdict, outcome.verdict_text, outcome.problem
        return False

    def _check_export(self, run: Run) -> None:
        """Check every portfolio of an export as ``batch`` does, and write its index and summaries."""
        from portfolio_check.batch import BatchSettings, PortfolioRow, run_batch
        from portfolio_check.report.batch_view import write_batch_outputs

        def on_done(done: int, total: int, row: PortfolioRow, reused: bool) -> None:
            with self._lock:
                run.done, run.total = done, total

        settings = BatchSettings(check=self._check_settings(run, None), jobs=self.settings.workers,
                                 portfolio_seconds=self.settings.portfolio_seconds)
        try:
            result = run_batch(run.upload, run.output, self.catalogues, settings, None, on_done)
        except PortfolioCheckError as exc:
            with self._lock:
                run.problem = str(exc).replace(str(run.upload), run.name)
            return
        if not result.rows:
            with self._lock:
                run.problem = (f"{run.name} holds no portfolios: an export holds a folder or a zip for each "
                               "apprentice")
            return
        ignored = [{"path": i.path, "reason": i.reason} for i in result.discovery.ignored]
        write_batch_outputs(run.output, result.rows, run.name, None, ignored, result.discovery.problems)
        counts = {"ready": sum(r.verdict == "ready" for r in result.rows),
                  "not_ready": sum(r.verdict == "not-ready" for r in result.rows),
                  "not_checked": result.failed}
        with self._lock:
            run.counts, run.done, run.total = counts, len(result.rows), len(result.rows)

    def _finish(self, run: Run) -> None:
        """Mark a run done (or failed), delete its upload and start its retention (lock held)."""
        shutil.rmtree(run.upload.parent, ignore_errors=True)
        run.finished = time.monotonic()
        found = PORTFOLIO_FILES + EXPORT_FILES
        run.files = tuple(name for name in found if (run.output / name).is_file())
        if run.kind == "export":
            run.files += tuple(sorted(
                f"{folder.name}/{name}" for folder in run.output.iterdir() if folder.is_dir()
                for name in PORTFOLIO_FILES if (folder / name).is_file())) if run.output.is_dir() else ()
        run.state = "failed" if run.problem or run.main_file is None else "done"
        if run.state == "failed" and not run.problem:
            run.problem = "the check wrote no report"
        run.expires = run.finished + self.settings.keep_seconds

    def offers(self, run: Run, name: str) -> bool:
        """Whether ``name`` is one of the run's files (the page serves nothing else)."""
        with self._lock:
            return name in run.files or (name == "report.pdf" and run.state == "done")

    def add_file(self, run: Run, name: str) -> None:
        """Record a file made after the run finished (a PDF made when asked for)."""
        with self._lock:
            if name not in run.files:
                run.files += (name,)

    # -- deleting

    def _delete_expired(self) -> None:
        with self._lock:
            while not self._closed:
                now = time.monotonic()
                expired = [run for run in self._runs.values() if run.expires is not None and run.expires <= now]
                for run in expired:
                    del self._runs[run.id]
                    shutil.rmtree(run.folder, ignore_errors=True)
                upcoming = [run.expires for run in self._runs.values() if run.expires is not None]
                self._lock.wait(timeout=min(1.0, max(0.05, min(upcoming) - now)) if upcoming else 1.0)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or being checked; False when ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._waiting or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(timeout=left)
            return True

    def close(self, timeout: float = 10.0) -> None:
        """Stop taking runs, let running checks end (up to ``timeout``), delete every run's folder."""
        with self._lock:
            self._closed = True
            self._waiting.clear()
            threads = list(self._threads)
            self._lock.notify_all()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        shutil.rmtree(self.root, ignore_errors=True)
        with self._lock:
            self._runs.clear()

