from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import ModuleModel
from numbalint.rules.base import Rule, quoted


class LateBindingClosure(Rule):
    """
    ## What it does
    Flags a lambda or a def created inside a loop (or comprehension) and run on
    another thread, when it reads a name that the loop rebinds: the loop
    variable, or a name assigned in the loop body.

    It stays silent when the names are bound at creation (`lambda lo=lo: ...`),
    passed with `args=`, or when the thread is started and joined (the future's
    result read) in the same iteration.

    ## Why is this bad?
    A closure reads its free names when it runs, not when it is created. By the
    time a thread gets to run, the loop has moved on: several threads see the
    same (often the last) chunk bounds, some chunks are done twice and others
    never. Whether it happens depends on timing, so tests may pass.

    ## Example
    ```python
    for i in range(k):
        lo, hi = bounds[i]
        threading.Thread(target=lambda: work(x[lo:hi], out[lo:hi])).start()
    ```

    ## Use instead
    ```python
    for i in range(k):
        lo, hi = bounds[i]
        threading.Thread(target=work, args=(x[lo:hi], out[lo:hi])).start()
    ```
    or bind now: `lambda lo=lo, hi=hi: work(x[lo:hi], out[lo:hi])`.

    ## Fix
    Safe, for a closure that takes no parameters of its own: the names are bound
    as default arguments, which is what the code meant.
    """

    code = "NBL002"
    name = "late-binding-closure"
    summary = "closure created in a loop and run on a thread reads names the loop rebinds"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch in model.launches:
            closure = model.closure_of(launch)
            if closure is None or launch.fate == "awaited_in_iteration":
                continue
            node, body = closure
            rebound = set().union(*(loop.rebinds for loop in body.loops_at_creation))
            late = body.free_reads() & rebound
            if late:
                what = "the lambda" if node is body.node else f"`{model.code(node)}`"
                yield self.report(node, self._message(what, late))

    @staticmethod
    def _message(what: str, names: set[str]) -> str:
        return (
            f"{what} reads {quoted(names)} when the thread runs, not when it is created: by then "
            "the loop has rebound them, so threads may all work on the same (last) values. "
            f"Pass them with args=, or bind them now as defaults ({', '.join(f'{n}={n}' for n in sorted(names))})."
        )
