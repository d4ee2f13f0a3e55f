from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import ModuleModel
from numbalint.rules.base import Rule, via_suffix


class DiscardedResult(Rule):
    """
    ## What it does
    Flags a kernel whose return value a thread throws away: the kernel (or a
    lambda returning its result) is a `Thread`/`Timer` target, a worker calls it
    as a bare statement, an `executor.submit(...)` future is never read, or an
    `executor.map(...)`/`pool.map(...)` result is never consumed.

    A kernel that returns one of its own arguments (`return out`) is not
    flagged: its result is already where the caller looks.

    ## Why is this bad?
    `Thread` ignores its target's return value. A kernel that returns a new
    array computes it and drops it; the output array the caller prints was
    never written (from `np.empty_like` it holds whatever was in memory).

    ## Example
    ```python
    @njit(nogil=True)
    def square(x):
        return x * x

    out = np.empty_like(x)
    threading.Thread(target=lambda: square(x)).start()
    ```

    ## Use instead
    Make the kernel write into an output argument, or keep the futures:
    ```python
    with ThreadPoolExecutor() as ex:
        parts = [ex.submit(square, part) for part in np.array_split(x, 4)]
        out = np.concatenate([p.result() for p in parts])
    ```

    ## Fix
    None: where the result should go is a design decision.
    """

    code = "NBL006"
    name = "discarded-result"
    summary = "a kernel's return value is thrown away by a thread"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch, use in model.launches.each_kernel(lambda use: use.result_dropped):
            yield self.report(launch.node, self._message(use.kernel.name, use.via, launch.api))

    @staticmethod
    def _message(kernel: str, via: str, api: str) -> str:
        how = {
            "Thread": "a Thread discards what its target returns",
            "Timer": "a Timer discards what its function returns",
        }.get(api, f"the result of {api}() is never read")
        return (
            f"kernel `{kernel}` returns a new value{via_suffix(via)}, but {how}. "
            "The output you read afterwards was never written. Have the kernel write into an "
            "output argument, or keep the futures and read .result()."
        )
