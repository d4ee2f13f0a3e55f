from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import ItemAccess, ModuleModel, ParallelLoop
from numbalint.rules.base import Rule


class PrangeSharedWrite(Rule):
    """
    ## What it does
    Flags writes in a `prange` loop that two iterations can make to the same
    element:
    - an update (`+=`, `-=`, `*=`, `a[k] = a[k] + ...`) through an index that
      can repeat: a constant, `i % k`, `i // k`, a value read from data
      (`hist[bins[i]] += 1`), an inner loop's index (`acc[j] += x[i, j]`), a
      slice (`y[:] += x[i]`);
    - a scratch array allocated before the loop (`np.empty`, `np.zeros`,
      `*_like`, ...) and written inside it at an index that is not the
      iteration's own.

    Indices that differ in every iteration (`i`, `2*i + 1`, `n - 1 - i`, or a
    tuple with such a component) are fine, and so are numba's reductions into a
    scalar or a whole array variable (`s += x[i]`, `acc += row`) and plain
    writes through data (`out[perm[i]] = x[i]`, often a permutation).

    ## Why is this bad?
    numba does not detect races. `h[b] += 1` is a read, an add and a write;
    two threads that do it to the same element at once lose one of the updates.
    The result is slightly wrong, differently on every run and every machine,
    and never raises. A scratch array shared by all iterations is overwritten
    by one thread while another still uses it.

    ## Example
    ```python
    @njit(parallel=True)
    def histogram(x, bins):
        counts = np.zeros(bins, dtype=np.int64)
        for i in prange(x.shape[0]):
            counts[int(x[i] * bins)] += 1
        return counts
    ```

    ## Use instead
    Give each chunk of iterations its own row and add the rows afterwards
    (`numbalint.reference.histogram` does this), or reduce into a whole
    array variable, which numba privatises:
    ```python
    @njit(parallel=True)
    def histogram(x, bins, n_chunks):
        counts = np.zeros((n_chunks, bins), dtype=np.int64)
        size = (x.shape[0] + n_chunks - 1) // n_chunks
        for c in prange(n_chunks):
            for i in range(c * size, min((c + 1) * size, x.shape[0])):
                counts[c, int(x[i] * bins)] += 1
        return counts.sum(axis=0)
    ```
    Allocate scratch arrays inside the loop body: each iteration gets its own.

    ## Fix
    None: the right repair (private copies, a reduction, a different loop)
    depends on the computation.
    """

    code = "NBL012"
    name = "prange-shared-write"
    summary = "prange iterations write the same element: a race that loses updates"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for loop in model.parallel.loops:
            for access in loop.accesses:
                message = self._problem(loop, access, model)
                if message is not None:
                    yield self.report(access.statement, message)

    @staticmethod
    def _problem(loop: ParallelLoop, access: ItemAccess, model: ModuleModel) -> str | None:
        if access.index.verdict != "meets" or access.array in loop.containers:
            return None
        array, target, reason = access.array, model.code(access.node), access.index.reason
        if access.kind == "update":
            return (
                f"Iterations of this prange loop can update the same element of `{array}` at once. "
                f"The index of `{target}` is {reason}, and an update reads, adds and writes: of two "
                "concurrent updates one is lost, silently (numba does not detect races). Give each chunk "
                "its own copy and combine them after the loop, or reduce into a whole array."
            )
        scratch = access.kind == "assign" and access.array in loop.scratch
        if scratch and access.index.cause != "data":  # `out[perm[i]] = ...` is often a permutation
            return (
                f"Every iteration of this prange loop writes the same scratch array `{array}`. It is "
                f"allocated before the loop and written through {reason}, so threads overwrite each "
                "other's values. Allocate it inside the loop body, or give it a row per iteration."
            )
        return None
