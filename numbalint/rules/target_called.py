from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import Launch, ModuleModel
from numbalint.rules.base import Rule
from numbalint.rules.edits import comma_space, insert_args, keyword_arg, tuple_of


class TargetCalled(Rule):
    """
    ## What it does
    Flags a launch whose target is a call of a kernel: `Thread(target=k(a, b))`,
    `Timer(1.0, k(a))`, `executor.submit(k(a))`, `executor.map(k(a), ...)`.

    ## Why is this bad?
    `k(a, b)` runs right there, in the calling thread, before the thread even
    exists; the thread gets the kernel's return value as its target and fails
    when it tries to call it (`'NoneType' object is not callable`, printed by
    the thread), or does nothing. The work is serial and the error is silent.

    ## Example
    ```python
    @njit(nogil=True)
    def square_into(x, out):
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]

    threading.Thread(target=square_into(x[lo:hi], out[lo:hi]))
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
    Safe, for a kernel called with positional arguments only:
    `Thread(target=k(a, b))` becomes `Thread(target=k, args=(a, b))`, and
    `Timer(t, k(a))` becomes `Timer(t, k, args=(a,))` (when no `args=` or
    `kwargs=` is given yet); `submit(k(a))` becomes `submit(k, a)`. A call
    without arguments, `target=k()`, becomes `target=k`. No fix for keyword or
    starred arguments, nor for `map`. No fix for a `parallel=True` kernel: running
    it on threads is what NBL003 forbids; call it once, without the launch.
    """

    code = "NBL007"
    name = "target-called"
    summary = "a kernel is called in place of being passed as the thread target"
    fix = "safe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch in model.launches.all:
            target = launch.target
            if not isinstance(target, cst.Call):
                continue
            kernel = model.kernels.of(target.func, launch.scope)
            if kernel is None:
                continue
            # Moving a parallel kernel onto threads would trade this for NBL003's abort.
            advice = (
                "It is a parallel kernel: do not move it onto threads (NBL003), call it once here, "
                "without the launch." if kernel.parallel else "Pass the kernel and its arguments separately."
            )
            message = (
                f"`{model.code(target)}` runs kernel `{kernel.name}` now, in this thread, and hands its "
                f"return value to {launch.api} as the function to run. The work is serial, and the thread "
                f"fails or does nothing. {advice}"
            )
            yield self.report(launch.node, message, None if kernel.parallel else _fix(launch, target))


def _fix(launch: Launch, target: cst.Call) -> Fix | None:
    """The kernel as the target, its arguments where the API takes them."""
    if any(a.keyword is not None or a.star for a in target.args):
        return None
    call = launch.node
    position = next((i for i, a in enumerate(call.args) if a.value is target), None)
    if position is None:
        return None
    args = list(call.args)
    args[position] = args[position].with_changes(value=target.func)
    if launch.api == "submit" and position == 0 and call.args[0].keyword is None:
        if target.args:  # submit(k(a, b), c) -> submit(k, a, b, c)
            spread = [*target.args[:-1], target.args[-1].with_changes(comma=args[0].comma)]
            args[0] = args[0].with_changes(comma=comma_space())
            args[1:1] = spread
        message = "Pass the kernel and its arguments to submit"
    elif launch.api in ("Thread", "Timer") and launch.args is None and launch.kwargs is None:
        if target.args:  # target=k(a, b) -> target=k, args=(a, b)
            # A keyword argument must follow every plain positional one.
            after = max(i for i, a in enumerate(args) if i == position or (a.keyword is None and not a.star))
            args = insert_args(call.with_changes(args=args), after + 1,
                               [keyword_arg("args", tuple_of(target.args))])
        message = "Pass the kernel as the target and its arguments as args="
    else:
        return None
    return Fix(message, "safe", (Replacement(call, call.with_changes(args=args)),))
