"""The sandbox bounds each task in time and memory, and a bad task never takes the others down."""

from __future__ import annotations

import os
import time

from portfolio_check.extract.sandbox import Budget, IsolatedRunner, Overrun


def behave(task: object) -> object:
    if task == "hang":
        time.sleep(60)
    if task == "crash":
        os._exit(3)
    if task == "hog":
        return len(bytearray(3 * 1024**3))
    if task == "raise":
        raise ValueError("boom")
    return (task, os.getpid())


def test_bad_tasks_become_overruns_and_the_rest_still_run() -> None:
    tasks = [1, "hang", 2, "crash", 3, "hog", "raise", 4]
    started = time.monotonic()
    results = IsolatedRunner(behave, jobs=2, budget=Budget(seconds=1.0, memory_bytes=1024**3)).map(tasks)
    elapsed = time.monotonic() - started
    assert [r[0] for r in results if not isinstance(r, Overrun)] == [1, 2, 3, 4]
    overruns = {tasks[i]: r for i, r in enumerate(results) if isinstance(r, Overrun)}
    assert overruns["hang"].reason == "time"
    assert overruns["crash"].reason == "crash" and "exit status 3" in overruns["crash"].detail
    assert overruns["hog"].reason == "memory"
    assert overruns["raise"].reason == "crash" and "ValueError: boom" in overruns["raise"].detail
    assert elapsed < 10  # one hung task costs its budget, not the test's patience


def test_workers_are_reused_and_results_keep_task_order() -> None:
    results = IsolatedRunner(behave, jobs=2).map(list(range(50)))
    assert [r[0] for r in results] == list(range(50))
    assert len({r[1] for r in results}) <= 2
