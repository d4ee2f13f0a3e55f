from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic
from numbalint.model import KernelUse, ModuleModel, QualifiedCall
from numbalint.rules.base import Rule

_SET_NUM_THREADS = frozenset({"numba.set_num_threads", "numba.np.ufunc.parallel.set_num_threads"})
# A def or lambda, by identity: the function a launch runs, or the one a call is written in.
_Function = cst.FunctionDef | cst.Lambda


class ThreadLocalNumThreads(Rule):
    """
    ## What it does
    Flags `numba.set_num_threads(n)` called in one thread while parallel
    kernels run in Python threads that do not call it themselves, and
    `set_num_threads` called in a thread's worker function that runs no
    parallel kernel.

    ## Why is this bad?
    The number of threads a parallel kernel uses is a per-thread setting
    (numba keeps the mask in thread-local storage). A Python thread does not
    inherit it from the thread that started it: its parallel kernels use all
    `NUMBA_NUM_THREADS` threads, however small `n` was meant to keep them
    (numba issue 10491). A worker that sets it and then runs no parallel
    kernel changes nothing anyone uses.

    ## Example
    ```python
    @njit(parallel=True, nogil=True)
    def total(x):
        s = 0.0
        for i in prange(x.shape[0]):
            s += x[i]
        return s

    def totals(parts):
        numba.set_num_threads(2)
        with ThreadPoolExecutor(2) as ex:
            return list(ex.map(total, parts))
    ```

    ## Use instead
    Set the count in the thread that runs the parallel kernel, and let that
    one thread run it (a parallel kernel already uses numba's thread pool):
    ```python
    @njit(parallel=True)
    def total(x):
        s = 0.0
        for i in prange(x.shape[0]):
            s += x[i]
        return s

    def totals(parts):
        numba.set_num_threads(2)
        return [total(part) for part in parts]
    ```
    If Python threads must run it, call `numba.set_num_threads(2)` in the
    worker, before the kernel.

    ## Fix
    None: where the call belongs (which worker, before which kernel) is a
    choice to make by hand.
    """

    code = "NBL016"
    name = "thread-local-num-threads"
    summary = "set_num_threads called in one thread while parallel kernels run in others (the mask is thread-local)"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        calls = list(model.names.calls_of(_SET_NUM_THREADS.__contains__))
        if not calls:
            return
        # libcst nodes compare by identity: `in` below asks "this very def or lambda".
        workers = _workers(model)
        parallel_runs = list(model.launches.each_kernel(_parallel))
        setters = {call.function for call in calls} - {None}
        # Parallel kernels run on threads whose function does not set the count itself,
        # and the functions (None: module level) that launch them.
        unset = [(launch, use) for launch, use in parallel_runs if workers.get(id(launch)) not in setters]
        launching = {model.names.function_at(launch.scope) for launch, _ in unset}
        parallel_workers = {workers.get(id(launch)) for launch, _ in parallel_runs}
        for call in calls:
            if call.function is not None and call.function in workers.values():
                if call.function not in parallel_workers and _has_parallel_kernel(model):
                    yield self.report(call.node, self._idle_worker_message(model, call))
            elif call.function in launching:
                yield self.report(call.node, self._not_inherited_message(model, call, unset[0][1].kernel.name))

    @staticmethod
    def _not_inherited_message(model: ModuleModel, call: QualifiedCall, kernel: str) -> str:
        return (
            f"`{model.code(call.node)}` sets the thread count only for the thread that calls it: the Python "
            f"threads that run parallel kernel `{kernel}` do not inherit it (numba keeps it per thread), so "
            "they use all NUMBA_NUM_THREADS threads. Call set_num_threads in the worker, before it runs "
            "the kernel."
        )

    @staticmethod
    def _idle_worker_message(model: ModuleModel, call: QualifiedCall) -> str:
        return (
            f"`{model.code(call.node)}` runs in a thread's worker function that runs no parallel kernel: it "
            "changes the thread count of that worker thread only, and the parallel kernels run by other "
            "threads do not see it. Call it in the thread that runs the parallel kernel, before the kernel."
        )


def _workers(model: ModuleModel) -> dict[int, _Function]:
    """The def or lambda each launch runs on its thread, by the launch's id."""
    found: dict[int, _Function] = {}
    for launch in model.launches.all:
        closure = model.launches.closure(launch)
        if closure is not None:
            found[id(launch)] = closure.function
    return found


def _parallel(use: KernelUse) -> bool:
    return use.kernel.parallel


def _has_parallel_kernel(model: ModuleModel) -> bool:
    return any(kernel.parallel for kernel in model.kernels.defined) or any(
        call.kernel.parallel for call in model.kernels.calls
    )
