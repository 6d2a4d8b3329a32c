"""Run untrusted-input work in worker processes, each task bounded in time and memory.

Format libraries are not trusted with hostile files: a parser can spin, allocate without bound or
crash in C code, and no in-process guard stops that. Each task therefore runs in a forked worker
with an address-space limit; a worker that overruns its time is killed and replaced, one that
dies is replaced, and the task gets a result saying what happened, so the run goes on. This is
the approach Apache Tika's forked parser takes. Workers are reused between tasks, so a normal
portfolio pays for process start-up and library imports once per worker, not once per file.
"""

from __future__ import annotations

import multiprocessing
import os
import time
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

    def give(self, index: int, task: Any, seconds: float) -> None:
        self.index = index
        self.deadline = time.monotonic() + seconds
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

    def map(self, tasks: Sequence[Task]) -> list[Result | Overrun]:
        results: list[Result | Overrun | None] = [None] * len(tasks)
        pending = list(range(len(tasks)))
        pending.reverse()
        workers: list[_Worker] = []
        try:
            while pending or any(w.index is not None for w in workers):
                idle = sum(w.index is None for w in workers)
                while len(workers) < self.jobs and idle < len(pending):
                    workers.append(_Worker(self.context, self.function, self.budget))
                    idle += 1
                for worker in workers:
                    if worker.index is None and pending:
                        index = pending.pop()
                        worker.give(index, tasks[index], self.budget.seconds)
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
