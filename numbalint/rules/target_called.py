from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import Launch, ModuleModel
from numbalint.rules.base import Rule
from numbalint.rules.edits import tuple_of


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
    threading.Thread(target=square_into(x[lo:hi], out[lo:hi]))
    ```

    ## Use instead
    ```python
    threading.Thread(target=square_into, args=(x[lo:hi], out[lo:hi]))
    ```

    ## Fix
    Safe for calls with positional arguments only: `target=k(a, b)` becomes
    `target=k, args=(a, b)` (when no `args=` is given yet), and
    `submit(k(a))` becomes `submit(k, a)`.
    """

    code = "NBL007"
    name = "target-called"
    summary = "a kernel is called in place of being passed as the thread target"
    fix = "sometimes"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch in model.launches:
            target = launch.target
            if not isinstance(target, cst.Call):
                continue
            kernel = model.kernel_of(target.func, model.site_of(launch).scope)
            if kernel is None:
                continue
            message = (
                f"`{model.code(target)}` runs kernel `{kernel.name}` now, in this thread, and hands its "
                f"return value to {launch.api} as the function to run: the work is serial and the thread "
                f"fails or does nothing. Pass the kernel and its arguments separately."
            )
            yield self.report(launch.node, message, _fix(launch, target))


def _fix(launch: Launch, target: cst.Call) -> Fix | None:
    if not target.args or any(a.keyword is not None or a.star for a in target.args):
        return None
    if launch.api == "Thread" and launch.args is None:
        return _move_to_args(launch.node, target)
    if launch.api == "submit" and launch.node.args[0].value is target:
        first = launch.node.args[0].with_changes(value=target.func, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        rest = [a.with_changes() for a in target.args]
        rest[-1] = rest[-1].with_changes(comma=launch.node.args[0].comma)
        new = launch.node.with_changes(args=[first, *rest, *launch.node.args[1:]])
        return Fix("Pass the kernel and its arguments to submit", "safe", (Replacement(launch.node, new),))
    return None


def _move_to_args(call: cst.Call, target: cst.Call) -> Fix | None:
    args = list(call.args)
    for position, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == "target" and arg.value is target:
            args[position] = arg.with_changes(value=target.func, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.insert(position + 1, cst.Arg(
                keyword=cst.Name("args"),
                value=tuple_of(list(target.args)),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                comma=arg.comma,
            ))
            new = call.with_changes(args=args)
            return Fix("Pass the kernel as target= and its arguments as args=", "safe", (Replacement(call, new),))
    return None
