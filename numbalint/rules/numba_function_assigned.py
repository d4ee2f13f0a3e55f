from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import ModuleModel
from numbalint.rules.base import Rule

# numba's own functions: assigning to one of these replaces it for the whole process.
_FUNCTIONS = frozenset({
    "set_num_threads", "get_num_threads", "get_thread_id", "set_parallel_chunksize",
    "get_parallel_chunksize", "threading_layer", "njit", "jit", "prange", "vectorize",
    "guvectorize", "cfunc", "stencil", "typeof",
})
# Setters whose assignment can only have meant a call.
_SETTERS = frozenset({"set_num_threads", "set_parallel_chunksize"})


class NumbaFunctionAssigned(Rule):
    """
    ## What it does
    Flags an assignment to one of numba's functions, such as
    `numba.set_num_threads = 4`, instead of a call.

    ## Why is this bad?
    The assignment replaces the function with a number for the whole process.
    Nothing is set: numba keeps using all its threads. Every later call of
    `numba.set_num_threads(...)`, in your code or in a library, fails with
    `TypeError: 'int' object is not callable`.

    ## Example
    ```python
    numba.set_num_threads = 2
    ```

    ## Use instead
    ```python
    numba.set_num_threads(2)
    ```

    ## Fix
    Safe for the setters (`set_num_threads`, `set_parallel_chunksize`): the
    assignment becomes the call it was meant to be. None for the others.
    """

    code = "NBL018"
    name = "numba-function-assigned"
    summary = "a numba function is rebound (numba.set_num_threads = n) instead of called"
    fix = "safe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for assignment in model.names.attribute_assignments():
            package, _, function = assignment.qualified.partition(".")
            if package != "numba" or function not in _FUNCTIONS:
                continue
            target = assignment.target
            shown = model.code(target)
            message = (
                f"`{shown} = ...` replaces numba's `{function}` for the whole process instead of calling "
                f"it. Nothing is set, and every later call of it fails with TypeError "
                f"(`'...' object is not callable`). Call it: `{shown}(...)`."
            )
            yield self.report(target, message, _fix(assignment.statement, target, function))


def _fix(statement: cst.Assign, target: cst.Attribute, function: str) -> Fix | None:
    if function not in _SETTERS or len(statement.targets) != 1:
        return None
    call = cst.Expr(cst.Call(func=target, args=[cst.Arg(statement.value)]), semicolon=statement.semicolon)
    return Fix(f"Call {function} instead of assigning to it", "safe", (Replacement(statement, call),))
