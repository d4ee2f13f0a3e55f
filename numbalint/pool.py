"""Worker processes that one bad file cannot take down, on every platform.

libcst can overflow its stack on deeply nested code (a segfault that ends the
process) and can take minutes on pathological expressions. Each worker holds
one task at a time, so the parent always knows which task a dead or overdue
worker held: that task alone gets `on_crash` or `on_timeout`, once, and a
fresh worker takes over. The time budget is kept by the parent (it waits with
a deadline and kills the overdue worker), not by SIGALRM, which Windows lacks.

Interrupted (Ctrl-C), the parent asks its workers to stop, so that a worker
writing a fixed file removes its temporary file, then kills the stragglers.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Generic, Sequence, TypeVar

from numbalint.limits import TASK_SECONDS

Task = TypeVar("Task")
Result = TypeVar("Result")

# Below this many tasks, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 16
# How long workers get to unwind (and remove a temporary file) before they are
# killed: when the run is interrupted, and when one is overdue (most likely
# stuck in libcst's native parser, where it cannot unwind, so not long).
_STOP_GRACE_SECONDS = 2.0
_OVERDUE_GRACE_SECONDS = 0.5
# A worker that has not started after this long never will.
_START_SECONDS = 120.0
# Tests set this to "spawn" to take the Windows/macOS path on Linux.
START_METHOD_VARIABLE = "NUMBALINT_START_METHOD"


def run_isolated(
    work: Callable[[Task], Result],
    tasks: Sequence[Task],
    jobs: int | None,
    *,
    seconds: float = TASK_SECONDS,
    on_crash: Callable[[Task], Result],
    on_timeout: Callable[[Task], Result],
) -> list[Result]:
    """`work(task)` for every task, in order, in worker processes. A task whose
    worker dies gets `on_crash(task)`; one that takes over `seconds`, `on_timeout(task)`."""
    if not tasks:
        return []
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(tasks) >= _PARALLEL_THRESHOLD else 1
    team = _Team(work, max(1, min(jobs, len(tasks))))
    try:
        return team.run(tasks, seconds, on_crash, on_timeout)
    finally:
        team.stop()


@dataclass
class _Worker(Generic[Task]):
    process: Any  # a multiprocessing Process of whichever start method
    connection: Connection
    task: tuple[int, Task] | None = None  # (index, task) it is working on
    deadline: float = 0.0


class _Team(Generic[Task, Result]):
    def __init__(self, work: Callable[[Task], Result], size: int) -> None:
        self._work = work
        self._context = multiprocessing.get_context(start_method())
        self._workers: list[_Worker[Task]] = []
        for _ in range(size):  # start them all, then wait: they start up side by side
            self._workers.append(self._launch())
        for worker in self._workers:
            _await_ready(worker)

    def run(
        self,
        tasks: Sequence[Task],
        seconds: float,
        on_crash: Callable[[Task], Result],
        on_timeout: Callable[[Task], Result],
    ) -> list[Result]:
        results: dict[int, Result] = {}
        pending = deque(enumerate(tasks))
        while len(results) < len(tasks):
            self._hand_out(pending, seconds)
            busy = [w for w in self._workers if w.task is not None]
            ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                             max(0.0, min(w.deadline for w in busy) - time.monotonic())))
            for worker in busy:
                assert worker.task is not None
                index, task = worker.task
                if worker.connection in ready or worker.process.sentinel in ready:
                    outcome = _receive(worker)
                    results[index] = on_crash(task) if outcome is _DIED else outcome
                elif time.monotonic() >= worker.deadline:
                    results[index] = on_timeout(task)
                    outcome = _DIED
                else:
                    continue
                worker.task = None
                if outcome is _DIED:  # dead, or overdue: end it, and start another if there is work
                    self._replace(worker, bool(pending))
        return [results[index] for index in range(len(tasks))]

    def _hand_out(self, pending: deque[tuple[int, Task]], seconds: float) -> None:
        for worker in self._workers:
            if worker.task is None and pending:
                worker.task = pending.popleft()
                worker.deadline = time.monotonic() + seconds
                worker.connection.send(worker.task[1])

    def _replace(self, worker: _Worker[Task], needed: bool) -> None:
        _end(worker, _OVERDUE_GRACE_SECONDS)
        position = self._workers.index(worker)
        if needed:
            self._workers[position] = self._start()
        else:
            del self._workers[position]

    def _launch(self) -> _Worker[Task]:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(theirs, self._work), daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _start(self) -> _Worker[Task]:
        worker = self._launch()
        _await_ready(worker)
        return worker

    def stop(self) -> None:
        """End every worker: all are asked to stop at once (a busy one unwinds
        and cleans up), and whoever is still there after a grace period is killed."""
        for worker in self._workers:
            worker.process.terminate()
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        for worker in self._workers:
            _end(worker, deadline - time.monotonic())


_DIED = object()  # what a worker that died without a result "returned"
_READY = "ready"


def _receive(worker: _Worker[Any]) -> Any:
    """The worker's result, or _DIED."""
    try:
        return worker.connection.recv() if worker.connection.poll() else _DIED
    except (EOFError, OSError):
        return _DIED


def _await_ready(worker: _Worker[Any]) -> None:
    """Wait until the worker has started up (a spawned one imports libcst
    first), so that its start-up is not charged to its first task's budget."""
    if not worker.connection.poll(_START_SECONDS) or _receive(worker) != _READY:
        _end(worker, 0)
        raise RuntimeError("a worker process failed to start")


def _end(worker: _Worker[Any], grace: float) -> None:
    """Ask the worker to stop (it unwinds: a half-written fix removes its
    temporary file); kill it if it is still there after `grace` seconds."""
    worker.connection.close()
    if worker.process.is_alive():
        worker.process.terminate()
        worker.process.join(max(0.0, grace))
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()


def start_method() -> str | None:
    """fork on Linux (workers start in milliseconds with libcst imported);
    elsewhere the platform's default, where fork is missing or unsafe."""
    forced = os.environ.get(START_METHOD_VARIABLE)
    if forced:
        return forced
    return "fork" if sys.platform.startswith("linux") else None


def _serve(connection: Connection, work: Callable[[Any], Any]) -> None:
    """A worker's life: one task in, its result out, until the parent stops it."""
    _prepare_worker()
    connection.send(_READY)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(work(task))


def _prepare_worker() -> None:
    # Ctrl-C is the parent's to handle; it then stops us with SIGTERM, which
    # must unwind (removing temporary files) rather than vanish mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    # A crash is reported as one line by the parent; a traceback dump from an
    # inherited faulthandler (pytest enables it) would look like a crash of ours.
    faulthandler.disable()


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(1)
