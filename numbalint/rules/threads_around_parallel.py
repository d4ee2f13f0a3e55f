from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import Kernel, ModuleModel
from numbalint.rules.base import Rule, via_suffix


class ThreadsAroundParallel(Rule):
    """
    ## What it does
    Flags a `parallel=True` kernel (or a `target="parallel"` ufunc or gufunc)
    launched from Python threads: as a thread target, through a lambda, a
    `partial` or a worker function, or by a thread pool.

    ## Why is this bad?
    A parallel kernel already spreads its work over Numba's own thread pool.
    Calling it from several Python threads at once either kills the process
    (the default `workqueue` threading layer is not thread-safe and aborts with
    "Concurrent access has been detected") or, with `omp`/`tbb`, starts a full
    team per caller: callers x `NUMBA_NUM_THREADS` threads fighting for the cores.

    ## Example
    ```python
    @njit(parallel=True)
    def square(x):
        out = np.empty_like(x)
        for i in prange(x.shape[0]):
            out[i] = x[i] * x[i]
        return out

    for part in np.array_split(x, 4):
        threading.Thread(target=square, args=(part,)).start()
    ```

    ## Use instead
    Call the parallel kernel once, from one thread; numba spreads the loop over
    its own threads:
    ```python
    out = square(x)
    ```
    Or keep the Python threads and compile a serial kernel with `nogil=True`:
    ```python
    @njit(nogil=True)
    def square_into(x, out):
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]

    out = np.empty_like(x)
    for lo, hi in bounds:
        threading.Thread(target=square_into, args=(x[lo:hi], out[lo:hi])).start()
    ```

    ## Fix
    None: choosing between the two designs is yours.
    """

    code = "NBL003"
    name = "threads-around-parallel"
    summary = "parallel=True kernel launched from Python threads"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch, use in model.launches.each_kernel(lambda use: use.kernel.parallel):
            yield self.report(launch.node, self._message(use.kernel, use.via))

    @staticmethod
    def _message(kernel: Kernel, via: str) -> str:
        # The advice must agree with NBL004's on the same launch: both changes, or no threads.
        serial = (
            "drop `parallel=True` (it already has `nogil=True`)" if kernel.releases_gil
            else "drop `parallel=True` and add `nogil=True` (both: `nogil=True` alone still aborts)"
        )
        return (
            f"parallel kernel `{kernel.name}` is launched from Python threads{via_suffix(via)}, which crashes "
            "or oversubscribes the cores. With the workqueue threading layer the process aborts "
            "(\"Concurrent access has been detected\"); with omp/tbb each thread starts its own team "
            f"of threads. Call it once from one thread; or, to keep the threads, {serial}."
        )
