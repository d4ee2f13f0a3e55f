from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic
from numbalint.model import ModuleModel, string_value
from numbalint.rules.base import Rule

# NUMBA_* variables whose value numba fixes when it is imported (numba/core/config.py reads
# every NUMBA_* variable then, and again only when it next compiles), and what a later change does.
# Others (NUMBA_OPT, NUMBA_THREADING_LAYER, ...) still apply to what is compiled or launched
# afterwards: the model cannot tell that a later change is wrong, so they are left alone.
_FIXED_AT_IMPORT = {
    "NUMBA_NUM_THREADS": (
        "numba sized its thread pool from it then, and the pool keeps that size (numba.config shows "
        "the new value after the next compilation; once the threads have started, that compilation "
        "raises RuntimeError)"
    ),
    "NUMBA_DISABLE_JIT": (
        "kernels decorated from now on are still compiled, and the next compilation, which reads it "
        "again, fails"
    ),
}
_ENVIRON_CALLS = frozenset({"os.environ.update", "os.environ.setdefault"})
_PUTENV = "os.putenv"
# A module that starts processes may set NUMBA_* for them: a child reads its environment
# when it imports numba. Environment changes there are left alone.
_STARTS_PROCESSES = (
    "subprocess.", "multiprocessing.", "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.process.", "joblib.", "loky.", "os.fork", "os.exec", "os.spawn",
    "os.posix_spawn", "os.system", "os.popen",
)
_CONFIG = frozenset({"numba.config.NUMBA_NUM_THREADS", "numba.core.config.NUMBA_NUM_THREADS"})


class LateNumbaConfig(Rule):
    """
    ## What it does
    Flags `NUMBA_NUM_THREADS` or `NUMBA_DISABLE_JIT` set in `os.environ` (by
    item assignment, `update` or `setdefault`) after the module has imported
    numba, assignments to `numba.config.NUMBA_NUM_THREADS`, and `os.putenv`
    of any `NUMBA_*` variable.

    ## Why is this bad?
    numba reads its environment variables when it is imported. The thread
    pool's size comes from `NUMBA_NUM_THREADS` then, and never changes: set
    afterwards, the variable is silently ignored (numba.config even reports
    the new value after the next compilation, and once the threads are
    running that compilation raises `RuntimeError`). `NUMBA_DISABLE_JIT` set
    afterwards leaves kernels compiled and breaks the next compilation.
    `os.putenv` does not update `os.environ`, which is all numba reads.
    A module that starts processes (subprocess, multiprocessing, process
    pools, joblib) may be setting the variables for its children, which read
    them when they import numba: its environment changes are not flagged.
    Other variables (`NUMBA_OPT`, `NUMBA_THREADING_LAYER`, ...) still apply to
    what is compiled or launched afterwards and are not flagged.

    ## Example
    ```python
    import os
    import numba

    os.environ["NUMBA_NUM_THREADS"] = "2"
    ```

    ## Use instead
    Set it in the environment numba starts in (or in `os.environ` before the
    first `import numba` of the program):
    ```sh
    NUMBA_NUM_THREADS=2 python script.py
    ```
    To use fewer threads than the pool holds, set the count in the thread
    that runs the parallel kernels:
    ```python
    numba.set_num_threads(2)
    ```

    ## Fix
    None: moving the assignment above `import numba` (in this module and in
    every module imported before it) is a change to make by hand.
    """

    code = "NBL017"
    name = "late-numba-config"
    summary = "NUMBA_NUM_THREADS (or NUMBA_DISABLE_JIT) changed after numba was imported: too late to apply"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        if not any(model.names.calls_of(lambda name: name.startswith(_STARTS_PROCESSES))):
            yield from self._check_environment(model)
        for assignment in model.names.attribute_assignments():
            if assignment.qualified in _CONFIG:
                yield self.report(assignment.target, (
                    f"`{model.code(assignment.target)} = ...` is ignored: numba sized its thread pool when "
                    "it was imported, and the pool keeps that size (get_num_threads() still says so). Set "
                    "NUMBA_NUM_THREADS in the environment before numba is first imported, or call "
                    "numba.set_num_threads(n) in the thread that runs the parallel kernels."
                ))

    def _check_environment(self, model: ModuleModel) -> Iterator[Diagnostic]:
        imported_at = model.names.first_import("numba")
        for assignment in model.names.item_assignments():
            if assignment.container == "os.environ" and _after(model, assignment.statement, imported_at):
                yield from self._report_variables(assignment.target, [assignment.key])
        for call in model.names.calls_of(lambda name: name in _ENVIRON_CALLS or name == _PUTENV):
            if call.qualified == _PUTENV:
                yield from self._report_putenv(call.node)
            elif _after(model, call.node, imported_at):
                yield from self._report_variables(call.node, _keys_set_by(call.node))

    def _report_variables(self, node: cst.CSTNode, keys: list[str | None]) -> Iterator[Diagnostic]:
        for key in keys:
            if key in _FIXED_AT_IMPORT:
                yield self.report(node, (
                    f"{key} is set after numba was imported (numba reads it at import): "
                    f"{_FIXED_AT_IMPORT[key]}. "
                    "Set it before the first `import numba`."
                ))

    def _report_putenv(self, call: cst.Call) -> Iterator[Diagnostic]:
        key = string_value(call.args[0].value) if call.args else None
        if key is not None and key.startswith("NUMBA_"):
            yield self.report(call, (
                f"os.putenv({key!r}, ...) does not update os.environ, which is all numba reads: "
                "numba never sees it (only child processes do). Assign os.environ[...] instead, "
                "before the first `import numba`."
            ))


def _after(model: ModuleModel, node: cst.CSTNode, imported_at: int | None) -> bool:
    """Does `node` run after the module's first import of numba? (Code in a def written
    after the import can only run after it; a def written before may run before.)"""
    at = model.names.statement_index(node)
    return imported_at is not None and at is not None and at > imported_at


def _keys_set_by(call: cst.Call) -> list[str | None]:
    """The variables `os.environ.update({...}, K=...)` or `os.environ.setdefault(K, ...)` sets."""
    func = call.func
    method = func.attr.value if isinstance(func, cst.Attribute) else ""
    if method == "setdefault":
        return [string_value(call.args[0].value)] if call.args else []
    keys: list[str | None] = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    for arg in call.args:
        if arg.keyword is None and isinstance(arg.value, cst.Dict):
            keys += [string_value(e.key) for e in arg.value.elements if isinstance(e, cst.DictElement)]
    return keys
