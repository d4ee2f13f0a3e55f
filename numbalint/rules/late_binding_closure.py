from __future__ import annotations

from typing import Iterator, Sequence

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import Closure, ModuleModel
from numbalint.rules.base import Rule, quoted
from numbalint.rules.edits import bind_as_defaults


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
    The names are bound as default arguments, in the order the closure reads
    them: `lambda: f(a[lo:hi])` becomes `lambda lo=lo, hi=hi: f(a[lo:hi])`, and
    `def work():` becomes `def work(lo=lo, hi=hi):`.

    Safe when the closure takes no parameters of its own and every name is
    bound, in the iteration that creates the closure, before it is created (a
    loop variable, or a name assigned in an earlier statement of the loop
    body): the default then holds exactly the value the code meant.

    Unsafe otherwise. A closure with parameters gets parameters that a caller
    passing one argument too many would now fill silently (they are made
    keyword-only after a `*args`). A name assigned only later in the loop
    body (`start = stop` at the end of a `while`, or `t = Thread(target=lambda:
    t.join())`) is bound to its value from the previous iteration, which may
    not be what the closure wanted.

    No fix when the closure reads its own name (a def calling itself), or
    declares one of the names `global` or `nonlocal`.
    """

    code = "NBL002"
    name = "late-binding-closure"
    summary = "closure created in a loop and run on a thread reads names the loop rebinds"
    fix = "safe/unsafe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch in model.launches.all:
            closure = model.launches.closure(launch)
            if closure is None or not closure.late_names:
                continue
            if launch.fate == "awaited_in_iteration" and not closure.runs_after_loop:
                continue
            names = list(closure.late_names)
            what = "the lambda" if isinstance(closure.function, cst.Lambda) else f"`{model.code(closure.node)}`"
            yield self.report(closure.node, self._message(what, names), _fix(closure))

    @staticmethod
    def _message(what: str, names: list[str]) -> str:
        return (
            f"{what} reads {quoted(names)} when the thread runs, after the loop may have rebound "
            f"{'it' if len(names) == 1 else 'them'}. "
            "Threads may all work on the same (last) values instead of their own. "
            f"Pass them with `args=`, or bind them now as defaults (`{_defaults(names)}`)."
        )


def _defaults(names: Sequence[str]) -> str:
    return ", ".join(f"{name}={name}" for name in names)


def _fix(closure: Closure) -> Fix | None:
    """Bind the names as defaults; safe when the closure takes no parameters of its own
    and this iteration has bound every name before the closure is made."""
    function, late = closure.function, set(closure.late_names)
    if isinstance(function, cst.FunctionDef) and function.name.value in late:
        return None  # `def work(work=work)` would bind the previous iteration's function
    if closure.declared_outside & late:
        return None  # a parameter cannot also be global or nonlocal
    safe = not closure.takes_parameters and late <= closure.bound_before
    params = bind_as_defaults(function.params, closure.late_names)
    # `lambda:` has no space before its (empty) parameters; the lambda node writes one when
    # it gets some, so an edit of a lambda replaces the whole lambda (text edits stay right).
    replacement = (
        Replacement(function, function.with_changes(params=params)) if isinstance(function, cst.Lambda)
        else Replacement(function.params, params)
    )
    return Fix(f"Bind {_defaults(closure.late_names)} as default arguments", "safe" if safe else "unsafe",
               (replacement,))
