from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import ModuleModel
from numbalint.rules.base import Rule


class UnjoinedThread(Rule):
    """
    ## What it does
    Flags a thread that runs a kernel and is started but never joined, and a future
    submitted to a local `ThreadPoolExecutor` that is never waited for (no `.result()`,
    no `wait()`, no `with` block, no `shutdown()`), in the function that launched it.

    A thread or future that is returned, kept in an attribute (`self._threads`),
    passed to another function or joined anywhere in the function is handed on or
    waited for: it is not flagged. Nor is a thread given nothing of the caller's
    (no arguments, no closed-over values: a warm-up or a heartbeat), a non-daemon
    thread started at module level (the interpreter joins it at exit), or anything
    the model cannot follow.

    ## Why is this bad?
    The function returns (or goes on to read the output the threads write) while
    the threads are still running: the caller sees partly written output, and
    whatever a thread raises is never seen. A `daemon=True` thread is the worst
    case: the interpreter does not even wait for it at exit, so its work can be
    cut off half way.

    ## Example
    ```python
    @njit(nogil=True)
    def square_into(x, out):
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]

    def squares(x, k=4):
        out = np.empty_like(x)
        for part, into in zip(np.array_split(x, k), np.array_split(out, k)):
            t = threading.Thread(target=square_into, args=(part, into), daemon=True)
            t.start()
        return out
    ```

    ## Use instead
    Join every thread before the output is read:
    ```python
    @njit(nogil=True)
    def square_into(x, out):
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]

    def squares(x, k=4):
        out = np.empty_like(x)
        threads = [threading.Thread(target=square_into, args=(part, into))
                   for part, into in zip(np.array_split(x, k), np.array_split(out, k))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return out
    ```
    or submit to `with ThreadPoolExecutor() as ex:`, whose block waits for every task.

    ## Fix
    None: where to wait (and what to do with a thread's error) is yours to choose.
    """

    code = "NBL009"
    name = "unjoined-thread"
    summary = "a thread or future is never joined or waited for before the function returns"
    severity = "error"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch in model.launches.all:
            unjoined = model.launches.unjoined(launch)
            if unjoined is None or not model.launches.kernels_run_by(launch):
                continue
            yield self.report(launch.node, self._message(unjoined))

    @staticmethod
    def _message(unjoined: str) -> str:
        if unjoined == "future":
            what = "this future is never waited for and its executor is never shut down"
        else:
            what = f"this {unjoined} is started but never joined"
        worst = (
            ": the interpreter does not wait for a daemon thread, even at exit"
            if unjoined == "daemon thread" else ""
        )
        return (
            f"{what}: the function goes on (and returns) while the kernel may still be writing its "
            f"output, and any error it raises is lost{worst}. Join the threads (or read the futures' "
            "results, or use `with ThreadPoolExecutor() as ex:`) before the output is read."
        )
