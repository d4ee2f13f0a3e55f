from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import ModuleModel
from numbalint.rules.base import Rule


class NestedParallel(Rule):
    """
    ## What it does
    Flags a call, inside the `prange` loop of a `parallel=True` kernel, of
    another parallel kernel (`parallel=True`, or a `target="parallel"`
    ufunc/gufunc), directly or through a kernel that calls one.

    ## Why is this bad?
    Each numba worker thread that runs the outer loop launches the inner
    kernel on the thread pool again. With the workqueue threading layer the
    process aborts ("Concurrent access has been detected"); with omp or tbb the
    inner launches pile threads on threads (oversubscription) or run serially,
    slower than a plain inner loop.

    ## Example
    ```python
    @njit(parallel=True)
    def row_total(row):
        s = 0.0
        for j in prange(row.shape[0]):
            s += row[j]
        return s

    @njit(parallel=True)
    def row_totals(a, out):
        for i in prange(a.shape[0]):
            out[i] = row_total(a[i])
    ```

    ## Use instead
    Parallelise one level: call a serial kernel from the prange loop, and keep
    the parallel one for calls from serial code.
    ```python
    @njit
    def row_total(row):
        s = 0.0
        for j in range(row.shape[0]):
            s += row[j]
        return s

    @njit(parallel=True)
    def row_totals(a, out):
        for i in prange(a.shape[0]):
            out[i] = row_total(a[i])
    ```

    ## Fix
    None.
    """

    code = "NBL015"
    name = "nested-parallel"
    summary = "a parallel kernel called inside another kernel's prange loop"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for loop in model.parallel.loops:
            for call in loop.nested_calls:
                through = "" if call.callee is call.parallel else f" (through `{call.callee.name}`)"
                yield self.report(call.node, (
                    f"Parallel kernel `{call.parallel.name}` is launched{through} inside the prange loop of "
                    f"`{loop.kernel.name}`. Every worker thread launches it on the thread pool again: the "
                    "workqueue layer aborts (\"Concurrent access has been detected\"), omp and tbb "
                    "oversubscribe the cores. Call a serial version in the loop."
                ))
