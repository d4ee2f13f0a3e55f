from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import UNKNOWN, Kernel, ModuleModel
from numbalint.rules.base import Rule, via_suffix
from numbalint.rules.edits import enable_option


class MissingNogil(Rule):
    """
    ## What it does
    Flags a kernel launched from Python threads whose own decorator lacks
    `nogil=True`. `nogil=True` on a kernel it calls does not count: the GIL is
    released only on entry to a kernel compiled with it.

    ## Why is this bad?
    A jitted function holds the GIL for its whole run unless compiled with
    `nogil=True`. The threads then take turns: the work runs serially, and the
    threads only add overhead. `@njit` alone does not release the GIL.

    ## Example
    ```python
    @njit
    def square_into(x, out):
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]

    threading.Thread(target=square_into, args=(x[lo:hi], out[lo:hi]))
    ```

    ## Use instead
    ```python
    @njit(nogil=True)
    def square_into(x, out):
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]

    threading.Thread(target=square_into, args=(x[lo:hi], out[lo:hi]))
    ```

    ## Fix
    Safe: `nogil=True` is added to the kernel's own decorator (`@njit` becomes
    `@njit(nogil=True)`, other options kept). A kernel that touches Python
    objects cannot be compiled in nopython mode anyway, so releasing the GIL
    changes no result. A kernel imported from another file of the project is
    fixed in that file (once, however many files launch it); a kernel from
    outside the project is not fixed.

    No fix for a `parallel=True` kernel, which also gets NBL003: `nogil=True`
    alone does not make it safe to call from threads (the workqueue layer
    aborts with or without it: the runtime tests show both), and it helps only
    if the threads stay and `parallel=True` goes. Choosing between that and
    calling the kernel once from one thread is yours; the message says both.
    """

    code = "NBL004"
    name = "missing-nogil"
    summary = "kernel launched from threads is compiled without nogil=True"
    fix = "safe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch, use in model.launches.each_kernel(lambda use: _holds_gil(use.kernel)):
            fix = None if use.kernel.parallel else enable_option(use.kernel, "nogil", "safe")
            yield self.report(launch.node, self._message(use.kernel, use.via), fix)

    @staticmethod
    def _message(kernel: Kernel, via: str) -> str:
        where = f" (defined in {kernel.origin})" if kernel.origin else ""
        advice = (
            "It is also `parallel=True` (NBL003), and `nogil=True` alone still aborts under the "
            "workqueue layer: to keep the threads, drop `parallel=True` and add `nogil=True`; or call "
            "the parallel kernel once, from one thread."
            if kernel.parallel else "Add `nogil=True` to its decorator."
        )
        return (
            f"kernel `{kernel.name}`{where} is launched from threads{via_suffix(via)} but compiled without "
            "`nogil=True`, so the threads take turns instead of running in parallel. The kernel holds "
            f"the GIL while it runs. {advice}"
        )


def _holds_gil(kernel: Kernel) -> bool:
    """Compiled in nopython mode without nogil; unknown options count as 'cannot tell'."""
    options = kernel.options
    if kernel.kind != "jit" or any(v is UNKNOWN for v in options.values()):
        return False
    if options.get("forceobj") is True or options.get("nopython") is False:
        return False
    return not kernel.releases_gil
