"""Where Python code hands work to another thread, and what that thread runs."""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Iterator

import libcst as cst

from numbalint.model.arity import (
    Arguments,
    argument,
    arguments_of,
    mapping_arguments,
    positional_args,
    sequence_arguments,
)
from numbalint.model.builder import PassRecords
from numbalint.model.facts import Closure, Fate, KernelUse, Launch
from numbalint.model.kernels import Kernels
from numbalint.model.names import Names
from numbalint.model.scopes import CallSite, DefBinding, LoopRecord, Scope

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
_PARTIAL = "functools.partial"
# How deep a worker function may call other functions before we stop following.
_CALL_DEPTH = 3


class Launches:
    def __init__(self, records: PassRecords, names: Names, kernels: Kernels) -> None:
        self._records = records
        self._names = names
        self._kernels = kernels

    @cached_property
    def all(self) -> list[Launch]:
        """Every launch in the module, in the order the pass met them."""
        found: list[Launch] = []
        stack = [self._records.root]
        while stack:
            scope = stack.pop()
            found.extend(launch for site in scope.calls if (launch := self._launch_at(site)))
            stack.extend(scope.children)
        return found

    # -- recognising launches ---------------------------------------------------

    def _launch_at(self, site: CallSite) -> Launch | None:
        call, scope = site.node, site.scope
        api = _THREAD_CLASSES.get(self._names.qualify(call.func, scope) or "")
        if api == "Thread":
            return self._launch(site, api, argument(call, 1, "target"), argument(call, 3, "args"),
                                argument(call, 4, "kwargs"))
        if api == "Timer":
            return self._launch(site, api, argument(call, 1, "function"), argument(call, 2, "args"),
                                argument(call, 3, "kwargs"))
        if not isinstance(call.func, cst.Attribute):
            return None
        method = call.func.attr.value
        pool = self._pool_kind(call.func.value, scope)
        if pool is None or method not in _POOL_METHODS[pool]:
            return None
        target = argument(call, 0, "fn" if pool == "executor" else "func")
        if method in ("apply", "apply_async"):
            return self._launch(site, method, target, argument(call, 1, "args"), argument(call, 2, "kwds"))
        extra = tuple(positional_args(call)[1:])
        if method == "submit":
            extra += tuple(a for a in call.args if a.keyword is not None and a.keyword.value != "fn")
        return self._launch(site, method, target, None, None, extra)

    def _pool_kind(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """Is `expr` a thread pool: a name bound to `ThreadPoolExecutor(...)`, or the call itself?"""
        return _POOL_CLASSES.get(self._names.callee(self._names.resolve_call(expr, scope), scope) or "")

    def _launch(
        self,
        site: CallSite,
        api: str,
        target: cst.BaseExpression | None,
        args: cst.BaseExpression | None,
        kwargs: cst.BaseExpression | None,
        extra: tuple[cst.Arg, ...] = (),
    ) -> Launch:
        return Launch(site.node, api, target, args, kwargs, extra, _fate(site), site.scope)

    # -- what a launch runs -----------------------------------------------------

    def partial(self, expr: cst.BaseExpression, scope: Scope) -> tuple[cst.BaseExpression, list[cst.Arg]] | None:
        """`partial(k, a)` (or a name bound to it) -> (k, [a])."""
        call = self._names.resolve_call(expr, scope)
        if self._names.callee(call, scope) != _PARTIAL:
            return None
        assert isinstance(call, cst.Call)
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            return None
        return call.args[0].value, list(call.args[1:])

    def kernels_run_by(self, launch: Launch) -> list[KernelUse]:
        """The kernels a launch runs on its thread: directly, through partial, lambda or worker."""
        if launch.target is None:
            return []
        result_lost = launch.api in ("Thread", "Timer") or launch.fate == "dropped"
        target, via = launch.target, ""
        parts = self.partial(target, launch.scope)
        if parts is not None:
            target, via = parts[0], "partial"
        kernel = self._kernels.of(target, launch.scope)
        if kernel is not None:
            return [KernelUse(kernel, via, result_lost and kernel.returns_value)]
        body = self._function_body(target, launch.scope)
        if body is None:
            return []
        label = f"{target.value}()" if isinstance(target, cst.Name) else "lambda"
        return list(self._kernels_called(body, label, result_lost, depth=0, seen=set()))

    def each_kernel(self, keep: Callable[[KernelUse], bool]) -> Iterator[tuple[Launch, KernelUse]]:
        """Each launch with each kernel it runs that `keep` accepts, once per kernel."""
        for launch in self.all:
            seen: set[str] = set()
            for use in self.kernels_run_by(launch):
                if use.kernel.name not in seen and keep(use):
                    seen.add(use.kernel.name)
                    yield launch, use

    def closure(self, launch: Launch) -> Closure | None:
        """The lambda or local def a launch runs, as the loops around its creation left it."""
        body = self._function_body(launch.target, launch.scope) if launch.target is not None else None
        if body is None or not isinstance(body.node, (cst.Lambda, cst.FunctionDef)):
            return None
        rebound = set().union(*(loop.rebinds for loop in body.loops_at_creation))
        late = tuple(name for name in body.free_reads() if name in rebound)
        return Closure(body.node, late, body.bound_at_creation, frozenset(body.declared_outside))

    def arguments(self, launch: Launch) -> Arguments | None:
        """The arguments a launch passes to its target, when they can be counted."""
        if launch.api in ("Thread", "Timer", "apply", "apply_async"):
            args, kwargs = sequence_arguments(launch.args), mapping_arguments(launch.kwargs)
            return args + kwargs if args is not None and kwargs is not None else None
        if launch.api == "submit":
            return arguments_of(list(launch.extra))
        if launch.api in ("map", "imap", "imap_unordered", "map_async"):
            if any(a.star for a in launch.extra):
                return None
            return Arguments(len(launch.extra) if launch.api == "map" and self._is_executor(launch) else 1)
        return None  # starmap: each element is unpacked, we cannot count it

    def _is_executor(self, launch: Launch) -> bool:
        func = launch.node.func
        assert isinstance(func, cst.Attribute)
        return self._pool_kind(func.value, launch.scope) == "executor"

    def _function_body(self, expr: cst.BaseExpression, scope: Scope) -> Scope | None:
        """The body of the plain (non-kernel) function or lambda that `expr` names."""
        if isinstance(expr, cst.Lambda):
            return self._records.scope_of.get(id(expr))
        if isinstance(expr, cst.Name):
            binding = self._names.only_binding(expr.value, scope)
            if isinstance(binding, DefBinding) and self._kernels.of(expr, scope) is None:
                return self._records.scope_of.get(id(binding.node))
        return None

    def _kernels_called(
        self, body: Scope, via: str, result_lost: bool, depth: int, seen: set[int]
    ) -> Iterator[KernelUse]:
        seen.add(id(body))
        for site in body.all_calls():
            kernel = self._kernels.of(site.node.func, site.scope)
            if kernel is not None:
                dropped = site.use.kind == "statement" or (site.use.kind == "return" and result_lost)
                yield KernelUse(kernel, via, dropped and kernel.returns_value)
                continue
            inner = self._function_body(site.node.func, site.scope)
            if inner is not None and id(inner) not in seen and depth < _CALL_DEPTH:
                yield from self._kernels_called(inner, via, False, depth + 1, seen)


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
