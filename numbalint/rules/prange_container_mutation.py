from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import ModuleModel
from numbalint.rules.base import Rule


class PrangeContainerMutation(Rule):
    """
    ## What it does
    Flags a list, dict or set made before a `prange` loop (`[]`, `{}`,
    `set()`, `numba.typed.List()`, `Dict.empty(...)`) and mutated inside it:
    `append`, `extend`, `insert`, `pop`, `add`, `update`, ..., or `d[k] = v`
    on a dict.

    ## Why is this bad?
    numba's lists, dicts and sets are not thread-safe. Two threads appending at
    once can lose an item, store it twice, or corrupt the container while it
    grows (a crash, or garbage read later). Even when it survives, the order of
    the items depends on thread timing.

    ## Example
    ```python
    @njit(parallel=True)
    def positives(x):
        found = []
        for i in prange(x.shape[0]):
            if x[i] > 0:
                found.append(i)
        return found
    ```

    ## Use instead
    Write into an array by iteration, then gather serially:
    ```python
    @njit(parallel=True)
    def positives(x):
        keep = np.zeros(x.shape[0], dtype=np.bool_)
        for i in prange(x.shape[0]):
            keep[i] = x[i] > 0
        return np.nonzero(keep)[0]
    ```

    ## Fix
    None.
    """

    code = "NBL014"
    name = "prange-container-mutation"
    summary = "a list, dict or set mutated inside a prange loop"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for loop in model.parallel.loops:
            for mutation in loop.mutations:
                yield self.report(mutation.node, (
                    f"`{mutation.container}` is mutated ({mutation.operation}) inside a prange loop. Numba's "
                    "lists, dicts and sets are not thread-safe: items can be lost or the container corrupted, "
                    "and their order depends on timing. Write per-iteration results into an array and "
                    "gather them after the loop."
                ))
