"""Run untrusted-input work in worker processes, each task bounded in time and memory.

Format libraries are not trusted with hostile files: a parser can spin, allocate without bound or
crash in C code, and no in-process guard stops that. Each task therefore runs in a forked worker
with an address-space limit; a worker that overruns its time is killed and replaced, one that
dies is replaced, and the task gets a result saying what happened, so the run goes on. This is
the approach Apache Tika's forked parser takes. Workers are reused between tasks, so a normal
portfolio pays for process start-up and library imports once per worker, not once per file.

Importing a reader's libraries costs more than reading a typical file with them (pypdf about
0.2 s, PyAV 0.1 s, against 3-10 ms per file afterwards), so tasks can carry a group (the library
that reads them): a worker keeps to the groups it has loaded, then takes a group no worker has
loaded, and joins another worker's group only when its backlog outweighs loading the libraries.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Budget:
    """Bounds on one task: wall-clock seconds and address space of the worker process."""

    seconds: float = 30.0
    memory_bytes: int | None = 2 * 1024**3


@dataclass(frozen=True)
class Overrun:
    """A task that did not finish: ``reason`` is ``"time"`` or ``"crash"``; ``detail`` says more."""

    reason: str
    detail: str


def limit_memory(memory_bytes: int | None) -> None:
    """Cap this process's address space; called first thing in a worker process."""
    if not memory_bytes:
        return
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ValueError, OSError):
        pass  # the limit is a safeguard; a platform that refuses it still runs the task


def _worker_main(connection: Connection, function: Callable[[Any], Any], memory_bytes: int | None) -> None:
    limit_memory(memory_bytes)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result = function(task)
        except MemoryError:
            result = Overrun("memory", "ran out of memory")
        except Exception as exc:  # noqa: BLE001 - the task function should not raise; report if it does
            result = Overrun("crash", f"{type(exc).__name__}: {exc}")
        try:
            connection.send(result)
        except (OSError, ValueError) as exc:
            connection.send(Overrun("crash", f"result could not be returned: {exc}"))


class _Worker:
    def __init__(self, context: Any, function: Callable[[Any], Any], budget: Budget) -> None:
        parent, child = context.Pipe()
        self.connection: Connection = parent
        self.process = context.Process(target=_worker_main, args=(child, function, budget.memory_bytes), daemon=True)
        self.process.start()
        child.close()
        self.index: int | None = None
        self.deadline = 0.0
        self.started = 0.0
        #: The task groups (reader libraries) this worker has loaded, and the current task's.
        self.groups: set[str] = set()
        self.group = ""
        self.first_of_group = False

    def give(self, index: int, task: Any, seconds: float, group: str = "") -> None:
        self.index = index
        self.group = group
        self.first_of_group = group not in self.groups
        self.groups.add(group)
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self.connection.send(task)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except (OSError, ValueError):
                self.process.kill()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


#: An idle worker joins a group another worker has loaded when this many of its tasks are waiting,
#: or when their expected reading time (from the group's tasks read so far) is at least this long.
JOIN_BACKLOG_TASKS = 8
JOIN_BACKLOG_SECONDS = 0.5


class _Schedule:
    """Pending task indices by group, and how long each group's tasks take once its libraries are loaded."""

    def __init__(self, groups: list[str], affinity: bool) -> None:
        self.affinity = affinity
        self.queues: dict[str, deque[int]] = {}
        for index, group in enumerate(groups):
            self.queues.setdefault(group, deque()).append(index)
        self.groups = groups
        self.warm_seconds: dict[str, list[float]] = {}

    def __bool__(self) -> bool:
        return any(self.queues.values())

    def finished(self, worker: _Worker) -> None:
        if not worker.first_of_group:  # the first task of a group also paid for its imports
            self.warm_seconds.setdefault(worker.group, []).append(time.monotonic() - worker.started)

    def take(self, own: set[str], loaded_elsewhere: set[str]) -> int | None:
        """The next task for an idle worker that has loaded ``own``, or None when it should wait.

        An idle worker always gets a task while any group is either its own or loaded by no worker,
        so tasks never wait with every worker idle.
        """
        waiting = [group for group, queue in self.queues.items() if queue]
        if self.affinity:
            waiting = ([group for group in waiting if group in own]
                       or [group for group in waiting if group not in loaded_elsewhere]
                       or [group for group in waiting if self._worth_joining(group)])
        if not waiting:
            return None
        return self.queues[max(waiting, key=lambda group: len(self.queues[group]))].popleft()

    def _worth_joining(self, group: str) -> bool:
        backlog = len(self.queues[group])
        seen = self.warm_seconds.get(group)
        expected = backlog * sum(seen) / len(seen) if seen else 0.0
        return backlog >= JOIN_BACKLOG_TASKS or expected >= JOIN_BACKLOG_SECONDS


class IsolatedRunner(Generic[Task, Result]):
    """Maps ``function`` over tasks in worker processes, in order, isolating every task."""

    def __init__(self, function: Callable[[Task], Result], jobs: int | None = None,
                 budget: Budget = Budget()) -> None:
        self.function = function
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.budget = budget
        # fork: workers start in milliseconds and inherit what the parent already imported.
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def map(self, tasks: Sequence[Task], group: Callable[[Task], str] | None = None) -> list[Result | Overrun]:
        """Results in task order. ``group`` names the libraries a task needs (see the module docstring)."""
        results: list[Result | Overrun | None] = [None] * len(tasks)
        groups = [group(task) for task in tasks] if group else [""] * len(tasks)
        schedule = _Schedule(groups, affinity=group is not None)
        workers: list[_Worker] = []
        try:
            while schedule or any(w.index is not None for w in workers):
                self._assign(schedule, workers, tasks)
                busy = [w for w in workers if w.index is not None]
                if not busy:
                    continue
                timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
                now = time.monotonic()
                for worker in list(busy):
                    index = worker.index
                    assert index is not None
                    if worker.connection in ready or worker.connection.poll():
                        try:
                            results[index] = worker.connection.recv()
                            schedule.finished(worker)
                            worker.index = None
                            continue
                        except (EOFError, OSError):
                            pass
                    died = worker.process.sentinel in ready and not worker.process.is_alive()
                    if died or not worker.process.is_alive():
                        code = worker.process.exitcode
                        results[index] = Overrun("crash", f"the reader stopped unexpectedly (exit status {code})")
                    elif now >= worker.deadline:
                        results[index] = Overrun("time", f"took longer than {self.budget.seconds:g} seconds")
                    else:
                        continue
                    worker.stop(kill=True)
                    workers.remove(worker)
        finally:
            for worker in workers:
                worker.stop(kill=worker.index is not None)
        return [r if r is not None else Overrun("crash", "not run") for r in results]

    def _assign(self, schedule: _Schedule, workers: list[_Worker], tasks: Sequence[Task]) -> None:
        """Give every idle worker its next task, starting workers (up to ``jobs``) that would get one."""
        for worker in workers:
            if worker.index is None:
                elsewhere = set().union(*(w.groups for w in workers if w is not worker))
                index = schedule.take(worker.groups, elsewhere)
                if index is not None:
                    self._give(worker, index, tasks, schedule)
        while len(workers) < self.jobs:
            index = schedule.take(set(), set().union(*(w.groups for w in workers)))
            if index is None:
                break
            workers.append(_Worker(self.context, self.function, self.budget))
            self._give(workers[-1], index, tasks, schedule)

    def _give(self, worker: _Worker, index: int, tasks: Sequence[Task], schedule: _Schedule) -> None:
        worker.give(index, tasks[index], self.budget.seconds, schedule.groups[index])
