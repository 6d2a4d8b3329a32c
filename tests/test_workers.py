"""The worker pool as batch runs use it: workers that start processes of their own, results in the order
they finish, results that cannot cross the process boundary, preloading, and the pool's own types
surviving pickling. The limits and the reader-group scheduling are tested in test_sandbox.py.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from portfolio_check import workers
from portfolio_check.extract import sandbox
from portfolio_check.workers import Budget, IsolatedRunner, Overrun


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie left for a container's init to reap counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state != "Z"


def start_a_reader_and_hang(pid_file: str) -> None:
    """A task that starts a process of its own (as a batch worker starts its sandboxed reader), then stalls."""
    reader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    Path(pid_file).write_text(str(reader.pid))
    time.sleep(60)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_a_worker_that_overruns_is_killed_with_the_processes_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "reader.pid"
    pool = IsolatedRunner(start_a_reader_and_hang, jobs=1, budget=Budget(seconds=1.0), starts_processes=True)
    started = time.monotonic()
    [result] = pool.map([str(pid_file)])
    assert isinstance(result, Overrun) and result.reason == "time"
    assert time.monotonic() - started < 15
    reader = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(reader) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(reader)


def sleep_then_echo(task: tuple[float, int]) -> int:
    time.sleep(task[0])
    return task[1]


def test_completed_yields_results_as_they_finish() -> None:
    tasks = [(1.0, 0), (0.0, 1), (0.0, 2)]
    finished = list(IsolatedRunner(sleep_then_echo, jobs=2).completed(tasks))
    assert [index for index, _ in finished] == [1, 2, 0]
    assert all(result == index for index, result in finished)


class NeedsTwoArguments(Exception):
    """Pickles as ``cls(*args)`` with one argument, so it cannot be unpickled: a classic of exceptions."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(first)
        self.second = second


def awkward(task: str) -> object:
    if task == "unpicklable":
        return threading.Lock()
    if task == "not-unpicklable":
        return NeedsTwoArguments("a", "b")
    return (task, os.getpid())


def test_a_result_that_cannot_cross_the_process_boundary_is_an_overrun_and_the_worker_goes_on() -> None:
    results = IsolatedRunner(awkward, jobs=1).map(["unpicklable", "first", "not-unpicklable", "second"])
    assert isinstance(results[0], Overrun) and results[0].reason == "crash"
    assert "could not be returned" in results[0].detail
    assert isinstance(results[2], Overrun) and "could not be read" in results[2].detail
    assert results[1][0] == "first" and results[3][0] == "second"
    assert results[1][1] == results[3][1]  # the same worker: it was not replaced


def test_preloaded_modules_are_imported_before_the_workers_start() -> None:
    name = "xml.dom.minidom"
    sys.modules.pop(name, None)
    IsolatedRunner(sleep_then_echo, jobs=1, preload=(name, "no_such_module.anywhere")).map([(0.0, 1)])
    assert name in sys.modules


def test_the_extract_sandbox_is_the_same_pool() -> None:
    assert sandbox.IsolatedRunner is workers.IsolatedRunner
    assert (sandbox.Budget, sandbox.Overrun, sandbox.limit_memory) == (Budget, Overrun, workers.limit_memory)


@pytest.mark.parametrize("value", [
    Overrun("time", "took longer than 30 seconds"),
    Overrun("memory", "ran out of memory"),
    Overrun("crash", "exit status -9"),
    Budget(seconds=1800.0, memory_bytes=3 * 1024**3),
    Budget(seconds=2.5, memory_bytes=None),
])
def test_the_pools_own_types_survive_pickling(value: object) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
