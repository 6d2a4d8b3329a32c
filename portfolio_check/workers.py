"""Run work in worker processes, each task bounded in time and memory: the one pool that the extract
stage's sandboxed readers and batch runs share.

Format libraries are not trusted with hostile files: a parser can spin, allocate without bound or
crash in C code, and no in-process guard stops that. Each task therefore runs in a forked worker
with an address-space limit; a worker that overruns its time is killed and replaced, one that
dies is replaced, and the task gets an `Overrun` saying what happened, so the run goes on. This is
the approach Apache Tika's forked parser takes. Workers are reused between tasks, so a normal
portfolio pays for process start-up and library imports once per worker, not once per file.

Importing a reader's libraries costs more than reading a typical file with them (pypdf about
0.2 s, PyAV 0.1 s, against 3-10 ms per file afterwards), so tasks can carry a group (the library
that reads them): a worker keeps to the groups it has loaded, then takes a group no worker has
loaded, and joins another worker's group only when its backlog outweighs loading the libraries.

A batch worker starts sandboxed readers of its own, so a pool can be asked for workers that start
processes: they are not daemons (daemons may not have children), and each leads its own process
group, so killing a worker kills its readers with it.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import pickle
import signal
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any, Generic, Literal, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

#: Seconds a worker asked to stop may take to exit before it is killed.
STOP_SECONDS = 5.0
#: An idle worker joins a group another worker has loaded when this many of its tasks are waiting,
#: or when their expected time (from the group's tasks finished so far) is at least this long.
JOIN_BACKLOG_TASKS = 8
JOIN_BACKLOG_SECONDS = 0.5
#: What pickling or unpickling a result can fail with (a class's own reduce methods may raise these).
_PICKLE_ERRORS = (pickle.PickleError, TypeError, AttributeError, ImportError, ValueError)


@dataclass(frozen=True)
class Budget:
    """Bounds on one task: wall-clock seconds and address space of the worker process."""

    seconds: float = 30.0
    memory_bytes: int | None = 2 * 1024**3


@dataclass(frozen=True)
class Overrun:
    """A task that did not finish, in place of its result."""

    #: ``time`` (killed at its deadline), ``memory`` (ran out of its address space) or ``crash``
    #: (the worker died, or the task raised).
    reason: Literal["time", "memory", "crash"]
    #: For a person: ``exit status 3``, ``ValueError: boom``, ``took longer than 30 seconds``.
    detail: str


def limit_memory(memory_bytes: int | None) -> None:
    """Cap this process's address space; called first thing in a worker process."""
    if not memory_bytes:
        return
    try:
        import resource  # POSIX only: elsewhere a worker runs without the limit
    except ImportError:
        return
    # The limits are safeguards: a platform that refuses one still runs the task. No core file: a
    # reader that aborts on a crafted file (a native library's failed allocation) must not spend
    # seconds writing gigabytes of it next to the user's files.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _worker_main(connection: Connection, function: Callable[[Any], object], memory_bytes: int | None,
                 own_group: bool) -> None:
    if own_group:
        os.setpgid(0, 0)
    limit_memory(memory_bytes)
    # Reader libraries log and warn about what they make of a damaged file ("incorrect startxref
    # pointer", "Corrupt EXIF data"); unhandled, Python prints that on the user's terminal, where it
    # means nothing. What matters returns as problems.
    logging.getLogger().addHandler(logging.NullHandler())
    warnings.simplefilter("ignore")
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result: object
        try:
            result = function(task)
        except MemoryError:
            result = Overrun("memory", "ran out of memory")
        except Exception as exc:  # noqa: BLE001 - the task function should not raise; report if it does
            result = Overrun("crash", f"{type(exc).__name__}: {exc}")
        try:
            connection.send(result)
        except OSError:
            return  # the pool has gone
        except _PICKLE_ERRORS as exc:
            connection.send(Overrun("crash", f"its result could not be returned ({type(exc).__name__}: {exc})"))


class _Worker:
    def __init__(self, context: BaseContext, function: Callable[[Any], object], budget: Budget,
                 starts_processes: bool) -> None:
        parent, child = context.Pipe()
        self.connection: Connection = parent
        self.own_group = starts_processes
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(child, function, budget.memory_bytes, starts_processes),
            daemon=not starts_processes)
        self.process.start()
        child.close()
        self.index: int | None = None
        self.deadline = 0.0
        self.started = 0.0
        #: The task groups (reader libraries) this worker has loaded, and the current task's.
        self.groups: set[str] = set()
        self.group = ""
        self.first_of_group = False

    def give(self, index: int, task: object, seconds: float, group: str) -> None:
        self.index = index
        self.group = group
        self.first_of_group = group not in self.groups
        self.groups.add(group)
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        # A worker that died while idle cannot take it: the pool sees it is not alive and reports the task.
        with contextlib.suppress(OSError):
            self.connection.send(task)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.connection.send(None)
                self.process.join(timeout=STOP_SECONDS)
            except (OSError, ValueError):
                kill = True
        if kill or self.process.is_alive():
            self._kill()
            self.process.join(timeout=STOP_SECONDS)
        self.connection.close()

    def _kill(self) -> None:
        if self.own_group:
            # The group outlives a dead leader while its children live, so they are killed too;
            # OSError: no process is left in it.
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.kill()


def _receive(worker: _Worker) -> tuple[bool, Any]:
    """``(True, result)`` from a worker that answered, ``(False, None)`` when it died instead."""
    try:
        return True, worker.connection.recv()
    except (EOFError, OSError):
        return False, None
    except _PICKLE_ERRORS as exc:
        # The whole message was read before it was unpickled, so the worker can go on with another task.
        return True, Overrun("crash", f"its result could not be read ({type(exc).__name__}: {exc})")


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
    """Runs ``function`` over tasks in worker processes, isolating every task.

    ``starts_processes``: the function starts worker processes of its own (see the module docstring).
    ``preload``: modules to import before the first worker forks, so no worker pays for them; a
    module that is missing only costs time later.
    """

    def __init__(self, function: Callable[[Task], Result], jobs: int | None = None, budget: Budget = Budget(),
                 *, starts_processes: bool = False, preload: Sequence[str] = ()) -> None:
        self.function = function
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.budget = budget
        self.starts_processes = starts_processes
        self.preload = tuple(preload)
        # fork: workers start in milliseconds and inherit what the parent already imported.
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def map(self, tasks: Sequence[Task], group: Callable[[Task], str] | None = None) -> list[Result | Overrun]:
        """Results in task order. ``group`` names the libraries a task needs (see the module docstring)."""
        results: list[Result | Overrun] = [Overrun("crash", "not run")] * len(tasks)
        for index, result in self.completed(tasks, group):
            results[index] = result
        return results

    def completed(self, tasks: Sequence[Task],
                  group: Callable[[Task], str] | None = None) -> Iterator[tuple[int, Result | Overrun]]:
        """``(task index, result)`` as each task finishes, in the order they finish."""
        if not tasks:
            return
        self._preload()
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
                for worker in busy:
                    index = worker.index
                    assert index is not None
                    if worker.connection in ready or worker.connection.poll():
                        answered, result = _receive(worker)
                        if answered:
                            schedule.finished(worker)
                            worker.index = None
                            yield index, result
                            continue
                    if worker.process.is_alive() and now < worker.deadline:
                        continue
                    if worker.process.is_alive():
                        result = Overrun("time", f"took longer than {self.budget.seconds:g} seconds")
                    else:
                        result = Overrun("crash", f"exit status {worker.process.exitcode}")
                    worker.stop(kill=True)
                    workers.remove(worker)
                    yield index, result
        finally:
            for worker in workers:
                worker.stop(kill=worker.index is not None)

    def _preload(self) -> None:
        if self.context.get_start_method() != "fork":
            return  # a spawned worker inherits nothing the parent imported
        for name in self.preload:
            with contextlib.suppress(Exception):  # a missing optional library only costs time later
                importlib.import_module(name)

    def _assign(self, schedule: _Schedule, workers: list[_Worker], tasks: Sequence[Task]) -> None:
        """Give every idle worker its next task, starting workers (up to ``jobs``) that would get one."""
        for worker in workers:
            if worker.index is None:
                elsewhere = set().union(*(w.groups for w in workers if w is not worker))
                index = schedule.take(worker.groups, elsewhere)
                if index is not None:
                    worker.give(index, tasks[index], self.budget.seconds, schedule.groups[index])
        while len(workers) < self.jobs:
            index = schedule.take(set(), set().union(*(w.groups for w in workers)))
            if index is None:
                break
            worker = _Worker(self.context, self.function, self.budget, self.starts_processes)
            workers.append(worker)
            worker.give(index, tasks[index], self.budget.seconds, schedule.groups[index])
