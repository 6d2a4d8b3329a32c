"""The worker pool bounds each task in time and memory, and a bad task never takes the others down."""

from __future__ import annotations

import os
import time

from portfolio_check.workers import Budget, IsolatedRunner, Overrun


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


def grouped(task: tuple[str, object]) -> object:
    _, value = task
    if value == "slow":
        time.sleep(0.3)
    return behave(value)


def by_group(task: tuple[str, object]) -> str:
    return task[0]


def _pids_by_group(tasks: list, results: list) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for (group, _), result in zip(tasks, results, strict=True):
        if not isinstance(result, Overrun):
            found.setdefault(group, set()).add(result[1])
    return found


def test_each_reader_group_stays_on_one_worker_when_it_is_small() -> None:
    """Small groups are not split: each worker loads as few readers' libraries as it can."""
    tasks = [(group, number) for number in range(3) for group in ("pdf", "media", "office", "image")]
    results = IsolatedRunner(grouped, jobs=2).map(tasks, group=by_group)
    assert [r[0] for r in results] == [value for _, value in tasks]
    pids = _pids_by_group(tasks, results)
    assert all(len(workers) == 1 for workers in pids.values()), pids
    assert len(set().union(*pids.values())) == 2  # both workers had work


def test_a_group_with_a_backlog_is_shared() -> None:
    tasks = [("pdf", number) for number in range(40)]
    results = IsolatedRunner(grouped, jobs=2).map(tasks, group=by_group)
    assert [r[0] for r in results] == list(range(40))
    assert len(_pids_by_group(tasks, results)["pdf"]) == 2


def test_a_few_slow_tasks_are_shared_once_their_time_is_known() -> None:
    tasks = [("pdf", "slow")] * 5 + [("media", 1)]
    started = time.monotonic()
    results = IsolatedRunner(grouped, jobs=2).map(tasks, group=by_group)
    elapsed = time.monotonic() - started
    assert len(_pids_by_group(tasks, results)["pdf"]) == 2
    assert elapsed < 5 * 0.3  # not all five on one worker


def test_a_group_whose_worker_crashed_is_taken_over() -> None:
    tasks = [("pdf", 1), ("pdf", "crash"), ("pdf", 2), ("pdf", 3), ("media", 4)]
    results = IsolatedRunner(grouped, jobs=2, budget=Budget(seconds=5.0)).map(tasks, group=by_group)
    assert isinstance(results[1], Overrun) and results[1].reason == "crash"
    assert [r[0] for i, r in enumerate(results) if i != 1] == [1, 2, 3, 4]
