from __future__ import annotations

from typing import Iterator

from numbalint.diagnostics import Diagnostic
from numbalint.model import Kernel, ModuleModel, arguments_of, binding_problem
from numbalint.rules.base import Rule


class KernelArity(Rule):
    """
    ## What it does
    Checks that every call of a kernel, and every launch of one on a thread
    (`Thread(target=k, args=...)`, `executor.submit(k, ...)`, `executor.map(k, ...)`,
    `partial(k, ...)`), passes arguments that bind to the kernel's parameters:
    not too many, none missing, no unknown keyword. A gufunc may omit its outputs,
    and a ufunc may take one extra output array.

    ## Why is this bad?
    The call raises `TypeError` when it runs. On a thread that error is printed
    by the thread and swallowed: the main thread never hears of it, carries on,
    and reads an output array that nothing wrote. The program exits 0.

    ## Example
    ```python
    @njit(nogil=True)
    def square(x):
        return x * x

    threading.Thread(target=lambda: square(arr[lo:hi], out[lo:hi]))
    ```

    ## Use instead
    Pass exactly what the kernel takes, and make it write into the output you give it:
    ```python
    @njit(nogil=True)
    def square_into(x, out):
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]

    threading.Thread(target=square_into, args=(arr[lo:hi], out[lo:hi]))
    ```

    ## Fix
    None: only you know which arguments were meant.
    """

    code = "NBL001"
    name = "kernel-arity"
    summary = "kernel called or launched with arguments that cannot bind to its parameters"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for call in model.kernels.calls:
            if call.expects_error:  # a test that checks the TypeError
                continue
            passed = arguments_of(list(call.node.args))
            problem = binding_problem(call.kernel, passed) if passed is not None else None
            if problem:
                yield self.report(call.node, self._message(call.kernel, problem, "the call"))
        for launch in model.launches.all:
            called = model.launches.called(launch)
            if called is None:
                continue
            target, passed = called
            kernel = model.kernels.of(target, launch.scope)
            if kernel is None or passed is None:
                continue
            problem = binding_problem(kernel, passed)
            if problem:
                yield self.report(launch.node, self._message(kernel, problem, f"the {launch.api} launch"))

    @staticmethod
    def _message(kernel: Kernel, problem: str, where: str) -> str:
        # An extra argument to a kernel that returns its result is usually the output meant to be
        # filled: dropping it would leave the result thrown away (NBL006), so say both ways.
        advice = (
            "Pass exactly the kernel's parameters, or, if the extra argument is the output to fill, "
            "make the kernel write into it instead of returning a new value."
            if kernel.returns_value and "were given" in problem else "Pass exactly the kernel's parameters."
        )
        return (
            f"kernel `{kernel.name}` {problem} by {where}, which raises TypeError at run time. "
            "On a thread the error is only printed, while the main thread goes on with unwritten "
            f"output. {advice}"
        )

