"""Worker processes that one bad file cannot take down.

libcst can overflow its stack on deeply nested code (a segfault that ends the
process) and can take minutes on pathological expressions. Each task runs in a
worker process under a time budget; a pool that breaks is replaced, and the
tasks it held are retried one at a time, so only the culprit is lost.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Sequence, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

# libcst's parser needs minutes for some expressions (10,000 chained attribute
# accesses: 50 s). A worker is ended after this long on one task.
TASK_SECONDS = 20
# Below this many tasks, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 16

_in_worker = False


def _start_worker() -> None:
    global _in_worker
    _in_worker = hasattr(signal, "SIGALRM")
    if _in_worker:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    # A crash is reported as one line by the parent; a traceback dump from an
    # inherited faulthandler (pytest enables it) would look like a crash of ours.
    faulthandler.disable()


def _with_budget(work: Callable[[Task], Result], task: Task) -> Result:
    if _in_worker:
        signal.alarm(TASK_SECONDS)
    try:
        return work(task)
    finally:
        if _in_worker:
            signal.alarm(0)


def run_isolated(
    work: Callable[[Task], Result],
    tasks: Sequence[Task],
    jobs: int | None,
    *,
    on_crash: Callable[[Task], Result],
) -> list[Result]:
    """`work(task)` for every task, in order, in worker processes. A task whose
    worker dies (crash or time budget) gets `on_crash(task)` instead."""
    if not tasks:
        return []
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(tasks) >= _PARALLEL_THRESHOLD else 1
    workers = max(1, min(jobs, len(tasks)))
    results: list[Result] = []
    try:
        with _pool(workers) as pool:
            chunk = max(1, min(64, len(tasks) // (workers * 8) or 1))
            # map yields in task order: what arrived before a crash is a prefix.
            for result in pool.map(_with_budget, [work] * len(tasks), tasks, chunksize=chunk):
                results.append(result)
    except BrokenProcessPool:
        results.extend(_alone(work, task, on_crash) for task in tasks[len(results):])
    return results


def _alone(work: Callable[[Task], Result], task: Task, on_crash: Callable[[Task], Result]) -> Result:
    try:
        with _pool(1) as pool:
            return pool.submit(_with_budget, work, task).result()
    except BrokenProcessPool:
        return on_crash(task)


def _pool(workers: int) -> ProcessPoolExecutor:
    # fork starts workers in milliseconds with libcst already imported; spawn costs a new interpreter.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
