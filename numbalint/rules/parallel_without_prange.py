from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import ModuleModel
from numbalint.rules.base import Rule


class ParallelWithoutPrange(Rule):
    """
    ## What it does
    Flags `parallel=True` on a kernel whose body gives numba nothing to run in
    parallel: no `prange` loop and no array operation, only scalar arithmetic,
    `range` loops and element reads and writes. Conservative: it stays silent
    whenever an expression might be an array operation (arithmetic on a
    parameter, a numpy call, a slice).

    ## Why is this bad?
    `parallel=True` does not make loops parallel by itself: numba parallelises
    `prange` loops and array expressions, and a `range` loop stays serial. The
    kernel runs on one thread while its author believes it uses all cores, and
    it pays for the parallel compilation passes (slower to compile) for nothing.
    numba says so only when the kernel is first compiled, in a
    `NumbaPerformanceWarning` that is easy to miss.

    ## Example
    ```python
    @njit(parallel=True)
    def collatz_steps(n):
        steps = np.empty(n, dtype=np.int64)
        for start in range(1, n + 1):
            m = start
            count = 0
            while m != 1:
                m = m // 2 if m % 2 == 0 else 3 * m + 1
                count += 1
            steps[start - 1] = count
        return steps
    ```

    ## Use instead
    ```python
    @njit(parallel=True)
    def collatz_steps(n):
        steps = np.empty(n, dtype=np.int64)
        for start in prange(1, n + 1):  # independent iterations: prange
            m = start
            count = 0
            while m != 1:
                m = m // 2 if m % 2 == 0 else 3 * m + 1
                count += 1
            steps[start - 1] = count
        return steps
    ```
    or drop `parallel=True` when the loop must stay serial.

    ## Fix
    None: whether the loop's iterations are independent (prange) or the option
    should go is for you to decide.
    """

    code = "NBL011"
    name = "parallel-without-prange"
    summary = "parallel=True on a kernel with nothing to parallelise (no prange, no array operation)"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for kernel in model.parallel.idle_kernels():
            if kernel.decorator is not None:
                yield self.report(kernel.decorator, (
                    f"Kernel `{kernel.name}` has `parallel=True` but nothing numba can parallelise. It has "
                    "no `prange` loop and no array operation, so numba runs it on one thread (and says so "
                    "only in a warning at its first compilation). Write `prange` for the loop whose "
                    "iterations are independent, or drop `parallel=True`."
                ))
