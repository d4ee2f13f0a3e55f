from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import Kernel, ModuleModel
from numbalint.rules.base import Rule
from numbalint.rules.edits import enable_option


class PrangeWithoutParallel(Rule):
    """
    ## What it does
    Flags `prange` in a kernel whose decorator does not say `parallel=True`.
    It stays silent when `parallel` is given explicitly (`parallel=False` is a
    choice) or is not a literal.

    ## Why is this bad?
    Without `parallel=True`, numba compiles `prange` exactly like `range`: the
    loop runs on one thread. Nothing warns you; the kernel is just as slow as
    before, and the parallel speed-up you wrote `prange` for never happens.

    ## Example
    ```python
    @njit
    def scale(x, out, factor):
        for i in prange(x.shape[0]):
            out[i] = x[i] * factor
    ```

    ## Use instead
    ```python
    @njit(parallel=True)
    def scale(x, out, factor):
        for i in prange(x.shape[0]):
            out[i] = x[i] * factor
    ```

    ## Fix
    Unsafe: `parallel=True` is added to the kernel's decorator. The loop then
    really runs in parallel, which is only right if its iterations are
    independent (no shared writes, nothing carried from one to the next):
    check before applying.
    """

    code = "NBL010"
    name = "prange-without-parallel"
    summary = "prange in a kernel compiled without parallel=True runs serially"
    fix = "unsafe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for kernel in model.kernels.defined:
            if kernel.kind != "jit" or "parallel" in kernel.options:
                continue
            for call in kernel.pranges:
                yield self.report(call, self._message(kernel), enable_option(kernel, "parallel", "unsafe"))

    @staticmethod
    def _message(kernel: Kernel) -> str:
        return (
            f"`prange` in kernel `{kernel.name}` runs serially: the kernel is compiled without "
            "`parallel=True`. Numba runs this loop like `range`, on one thread, with no warning. Add "
            "`parallel=True` to the decorator (if the iterations are independent), or write `range`."
        )

