"""Which calls hand work to another thread: one recogniser per family of launch forms.

Each recogniser looks at one call site and returns the `Launch` it makes, or None.
Process pools (`ProcessPoolExecutor`, `multiprocessing.Pool`, joblib's default loky
backend) are not recognised: their workers are processes, with a GIL each.
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from numbalint.model.arity import argument, keyword, positional_args
from numbalint.model.builder import PassRecords
from numbalint.model.facts import Fate, Launch
from numbalint.model.names import Names
from numbalint.model.scopes import CallSite, ClassBinding, LoopRecord, Scope

_THREAD_CLASSES = {"threading.Thread": "Thread", "threading.Timer": "Timer"}
_POOL_CLASSES = {
    "concurrent.futures.ThreadPoolExecutor": "executor",
    "concurrent.futures.thread.ThreadPoolExecutor": "executor",
    "multiprocessing.pool.ThreadPool": "pool",
    "multiprocessing.dummy.Pool": "pool",
}
_POOL_METHODS = {
    "executor": {"submit", "map"},
    "pool": {"map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async", "apply", "apply_async"},
}
_TO_THREAD = {"asyncio.to_thread", "asyncio.threads.to_thread"}
_JOBLIB_PARALLEL = {"joblib.Parallel", "joblib.parallel.Parallel"}
_JOBLIB_DELAYED = {"joblib.delayed", "joblib.parallel.delayed"}
_JOBLIB_CONTEXTS = {
    "joblib.parallel_backend", "joblib.parallel_config",
    "joblib.parallel.parallel_backend", "joblib.parallel.parallel_config",
}
# How many levels of local base classes a Thread subclass may sit below threading.Thread.
_SUBCLASS_DEPTH = 3


class LaunchForms:
    """Recognises launches at call sites."""

    def __init__(self, records: PassRecords, names: Names) -> None:
        self._records = records
        self._names = names
        self._families: tuple[Callable[[CallSite], Launch | None], ...] = (
            self._thread, self._thread_subclass, self._pool_method, self._joblib,
            self._to_thread, self._run_in_executor,
        )

    def launch_at(self, site: CallSite) -> Launch | None:
        for family in self._families:
            launch = family(site)
            if launch is not None:
                return launch
        return None

    def pool_kind(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """Is `expr` a thread pool: a name bound to `ThreadPoolExecutor(...)`, or the call itself?"""
        return _POOL_CLASSES.get(self._names.callee(self._names.resolve_call(expr, scope), scope) or "")

    def thread_class_scope(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Scope | None:
        """The body of the local class `expr` names, when it subclasses threading.Thread."""
        if not isinstance(expr, cst.Name) or depth > _SUBCLASS_DEPTH:
            return None
        binding = self._names.only_binding(expr.value, scope)
        if not isinstance(binding, ClassBinding):
            return None
        for base in binding.node.bases:
            if base.keyword is not None:
                continue
            if (self._names.qualify(base.value, scope) == "threading.Thread"
                    or self.thread_class_scope(base.value, scope, depth + 1) is not None):
                return self._records.scope_of.get(id(binding.node))
        return None

    # -- the families -----------------------------------------------------------

    def _thread(self, site: CallSite) -> Launch | None:
        """`Thread(target=f, args=...)`, `Timer(t, f, args=...)`, however imported."""
        call = site.node
        api = _THREAD_CLASSES.get(self._names.qualify(call.func, site.scope) or "")
        if api == "Thread":
            return _launch(site, api, argument(call, 1, "target"), argument(call, 3, "args"),
                           argument(call, 4, "kwargs"))
        if api == "Timer":
            return _launch(site, api, argument(call, 1, "function"), argument(call, 2, "args"),
                           argument(call, 3, "kwargs"))
        return None

    def _thread_subclass(self, site: CallSite) -> Launch | None:
        """`Worker(a, out)` for a local `class Worker(Thread)`: the instance runs `Worker.run`.

        The launch is where the instance is created (its findings point there, as for a
        `Thread(...)`); the target is the class, whose `run` the model follows."""
        body = self.thread_class_scope(site.node.func, site.scope)
        if body is None or "run" not in body.bindings:
            return None  # a subclass without its own run() runs a target= given to __init__
        return _launch(site, "Thread", site.node.func, None, None)

    def _pool_method(self, site: CallSite) -> Launch | None:
        """`executor.submit(f, ...)`, `executor.map(f, ...)`, `pool.starmap(f, ...)`, ..."""
        call, scope = site.node, site.scope
        if not isinstance(call.func, cst.Attribute):
            return None
        method = call.func.attr.value
        pool = self.pool_kind(call.func.value, scope)
        if pool is None or method not in _POOL_METHODS[pool]:
            return None
        target = argument(call, 0, "fn" if pool == "executor" else "func")
        if method in ("apply", "apply_async"):
            return _launch(site, method, target, argument(call, 1, "args"), argument(call, 2, "kwds"))
        extra = tuple(positional_args(call)[1:])
        if method == "submit":
            extra += tuple(a for a in call.args if a.keyword is not None and a.keyword.value != "fn")
        return _launch(site, method, target, None, None, extra)

    def _joblib(self, site: CallSite) -> Launch | None:
        """`Parallel(n_jobs=4, prefer="threads")(delayed(f)(a, b) for ...)`; the threads may
        also come from `with parallel_config(backend="threading")` around it."""
        call, scope = site.node, site.scope
        factory = self._names.resolve_call(call.func, scope)
        if not isinstance(factory, cst.Call) or self._names.qualify(factory.func, scope) not in _JOBLIB_PARALLEL:
            return None
        if not self._joblib_uses_threads(factory, site):
            return None
        delayed = _delayed_call(call)
        if delayed is None or self._names.callee(delayed.func, scope) not in _JOBLIB_DELAYED:
            return None
        assert isinstance(delayed.func, cst.Call)
        target = argument(delayed.func, 0, "function")
        return _launch(site, "Parallel", target, None, None, tuple(delayed.args))

    def _joblib_uses_threads(self, factory: cst.Call, site: CallSite) -> bool:
        n_jobs = argument(factory, 0, "n_jobs")
        if isinstance(n_jobs, cst.Integer) and n_jobs.value == "1":
            return False  # runs in the calling thread
        if _asks_for_threads(factory, backend_position=1):
            return True
        if keyword(factory, "backend") is not None:
            return False  # another backend chosen here overrides the context
        return any(self._names.qualify(context.func, site.scope) in _JOBLIB_CONTEXTS
                   and _asks_for_threads(context, backend_position=0)
                   for context in site.contexts)

    def _to_thread(self, site: CallSite) -> Launch | None:
        """`await asyncio.to_thread(f, *args, **kwargs)`."""
        call = site.node
        if self._names.qualify(call.func, site.scope) not in _TO_THREAD or not call.args:
            return None
        return _launch(site, "to_thread", argument(call, 0, "func"), None, None, tuple(call.args[1:]))

    def _run_in_executor(self, site: CallSite) -> Launch | None:
        """`loop.run_in_executor(executor, f, *args)`: None is the loop's default thread pool."""
        call = site.node
        if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "run_in_executor":
            return None
        positional = positional_args(call)
        if len(positional) < 2 or any(a.star for a in positional[:2]):
            return None
        executor = positional[0].value
        default = isinstance(executor, cst.Name) and executor.value == "None"
        if not default and self.pool_kind(executor, site.scope) != "executor":
            return None  # a process pool, or one we cannot tell
        return _launch(site, "run_in_executor", positional[1].value, None, None, tuple(call.args[2:]))


def _asks_for_threads(call: cst.Call, backend_position: int) -> bool:
    """`prefer="threads"`, `backend="threading"` (or `parallel_backend("threading")`),
    `require="sharedmem"`: joblib runs the tasks in threads."""
    chosen = {
        "prefer": keyword(call, "prefer"),
        "backend": argument(call, backend_position, "backend"),
        "require": keyword(call, "require"),
    }
    wanted = {"prefer": "threads", "backend": "threading", "require": "sharedmem"}
    return any(
        isinstance(value, cst.SimpleString) and value.evaluated_value == wanted[name]
        for name, value in chosen.items()
    )


def _delayed_call(call: cst.Call) -> cst.Call | None:
    """`delayed(f)(a, b)` in `Parallel(...)(delayed(f)(a, b) for ...)`, when written so."""
    if len(call.args) != 1 or call.args[0].keyword is not None:
        return None
    tasks = call.args[0].value
    if not isinstance(tasks, (cst.GeneratorExp, cst.ListComp)) or not isinstance(tasks.elt, cst.Call):
        return None
    delayed = tasks.elt
    return delayed if isinstance(delayed.func, cst.Call) else None


def _launch(
    site: CallSite,
    api: str,
    target: cst.BaseExpression | None,
    args: cst.BaseExpression | None,
    kwargs: cst.BaseExpression | None,
    extra: tuple[cst.Arg, ...] = (),
) -> Launch:
    return Launch(site.node, api, target, args, kwargs, extra, _fate(site), site.scope)


def _fate(site: CallSite) -> Fate:
    """What happens to the thread, future or result a launch returns."""
    use = site.use
    if use.kind == "statement":
        return "dropped"
    if use.kind == "receiver" and use.names[0] in ("join", "result"):
        return "awaited_in_iteration"
    if use.kind == "assign" and len(use.names) == 1:
        handle = use.names[0]
        if handle not in site.scope.reads:
            return "dropped"
        if site.loops and _awaited_in_loop(handle, site.scope, site.loops[-1]):
            return "awaited_in_iteration"
    return "kept"


def _awaited_in_loop(handle: str, scope: Scope, loop: LoopRecord) -> bool:
    for site in scope.calls:
        func = site.node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("join", "result")
            and isinstance(func.value, cst.Name)
            and func.value.value == handle
            and loop in site.loops
        ):
            return True
    return False
