"""Where Python code hands work to another thread, and what that thread runs.

Which calls are launches is decided in `launch_forms.py`; this module answers what a
launch runs (kernels, closures, with which arguments) and what becomes of it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Iterator

import libcst as cst

from numbalint.model.arity import (
    Arguments,
    arguments_of,
    fills_output,
    mapping_arguments,
    sequence_arguments,
    tuple_arguments,
)
from numbalint.model.builder import PassRecords
from numbalint.model.facts import Closure, KernelUse, Launch
from numbalint.model.kernels import Kernels
from numbalint.model.launch_forms import LaunchForms
from numbalint.model.names import Names
from numbalint.model.scopes import AssignBinding, CallSite, ClassBinding, DefBinding, ImportBinding, Scope
from numbalint.model.syntax import flat
from numbalint.model.waits import Unjoined, unjoined

_PARTIAL = "functools.partial"
# How deep a worker function may call other functions before we stop following.
_CALL_DEPTH = 3
# Launches whose extra positional and keyword arguments go to the target as written.
_SPREAD_APIS = frozenset({"submit", "Parallel", "to_thread", "run_in_executor"})
_METHOD_DECORATORS = frozenset({"staticmethod", "classmethod"})


class Launches:
    def __init__(self, records: PassRecords, names: Names, kernels: Kernels) -> None:
        self._records = records
        self._names = names
        self._kernels = kernels
        self._forms = LaunchForms(records, names)
        self._sites: dict[int, CallSite] = {}

    @cached_property
    def all(self) -> list[Launch]:
        """Every launch in the module, in the order the pass met them."""
        found: list[Launch] = []
        stack = [self._records.root]
        while stack:
            scope = stack.pop()
            for site in scope.calls:
                launch = self._forms.launch_at(site)
                if launch is not None:
                    self._sites[id(launch.node)] = site
                    found.append(launch)
            stack.extend(scope.children)
        return found

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

    def called(self, launch: Launch) -> tuple[cst.BaseExpression, Arguments | None] | None:
        """What the launch calls on its thread, through any `partial`, and every argument it
        gets there (the partial's and the launch's); None without a target."""
        if launch.target is None:
            return None
        target, passed = launch.target, self.arguments(launch)
        parts = self.partial(target, launch.scope)
        if parts is not None:
            target, bound = parts
            prefix = arguments_of(bound)
            passed = prefix + passed if prefix is not None and passed is not None else None
        return target, passed

    def kernels_run_by(self, launch: Launch) -> list[KernelUse]:
        """The kernels a launch runs on its thread: directly, through partial, lambda, worker
        function, method or the `run` of a Thread subclass."""
        called = self.called(launch)
        if called is None:
            return []
        target, passed = called
        result_lost = launch.api in ("Thread", "Timer") or launch.fate == "dropped"
        via = "partial" if target is not launch.target else ""
        kernel = self._kernels.of(target, launch.scope)
        if kernel is not None:
            dropped = result_lost and kernel.returns_value and not fills_output(kernel, passed)
            return [KernelUse(kernel, via, dropped)]
        body = self._function_body(target, launch.scope)
        if body is None:
            return []
        return list(self._kernels_called(body, _label(target, body), result_lost, depth=0, seen=set()))

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
        launched_in = set(self._sites[id(launch.node)].loops)
        after_loop = bool(body.loops_at_creation) and not launched_in & set(body.loops_at_creation)
        return Closure(body.node, late, body.bound_at_creation, frozenset(body.declared_outside), after_loop)

    def arguments(self, launch: Launch) -> Arguments | None:
        """The arguments a launch passes to its target, when they can be counted."""
        if launch.api in ("Thread", "Timer", "apply", "apply_async"):
            args, kwargs = sequence_arguments(launch.args), mapping_arguments(launch.kwargs)
            return args + kwargs if args is not None and kwargs is not None else None
        if launch.api in _SPREAD_APIS:
            return arguments_of(list(launch.extra))
        if any(a.star for a in launch.extra):
            return None
        if launch.api in ("map", "imap", "imap_unordered", "map_async"):
            return Arguments(len(launch.extra) if launch.api == "map" and self._is_executor(launch) else 1)
        if launch.api in ("starmap", "starmap_async") and len(launch.extra) == 1:
            return tuple_arguments(launch.extra[0].value)
        return None

    def unjoined(self, launch: Launch) -> Unjoined | None:
        """A thread started, or a future submitted, that this scope never waits for and
        never hands on, with data of the caller's to work on; None when it does wait, or
        hands it on, or the thread is given nothing (a warm-up, a heartbeat), or the model
        cannot tell."""
        return unjoined(launch, self._sites[id(launch.node)]) if self._hands_data(launch) else None

    def _hands_data(self, launch: Launch) -> bool:
        """Does the thread get something of the caller's: arguments (its own, a partial's, a
        Thread subclass's), a bound method's `self`, or a closure's free variables?"""
        if launch.target is launch.node.func:  # a Thread subclass: its constructor's arguments
            return bool(launch.node.args)
        called = self.called(launch)
        if called is None:
            return False
        target, passed = called
        if passed is None or passed.positional or passed.keywords or isinstance(target, cst.Attribute):
            return True
        body = self._function_body(target, launch.scope)
        return body is not None and any(_is_data(name, launch.scope) for name in body.free_reads())

    def _is_executor(self, launch: Launch) -> bool:
        func = launch.node.func
        assert isinstance(func, cst.Attribute)
        return self._forms.pool_kind(func.value, launch.scope) == "executor"

    # -- following targets to function bodies --------------------------------------

    def _function_body(self, expr: cst.BaseExpression, scope: Scope) -> Scope | None:
        """The body of the plain (non-kernel) function, method or lambda that `expr` names;
        for a Thread subclass, its `run`."""
        if isinstance(expr, cst.Lambda):
            return self._records.scope_of.get(id(expr))
        if isinstance(expr, cst.Attribute):
            return self._method_body(expr, scope)
        if not isinstance(expr, cst.Name) or self._kernels.of(expr, scope) is not None:
            return None
        binding = self._names.only_binding(expr.value, scope)
        if isinstance(binding, DefBinding):
            return self._records.scope_of.get(id(binding.node))
        if isinstance(binding, ClassBinding):
            thread_class = self._forms.thread_class_scope(expr, scope)
            return self._method(thread_class, "run") if thread_class is not None else None
        return self._stored_function(expr.value, scope)

    def _method_body(self, expr: cst.Attribute, scope: Scope) -> Scope | None:
        """`self._work` inside a method of the class, or `Worker.compute` (a staticmethod)."""
        if not isinstance(expr.value, cst.Name):
            return None
        owner = expr.value.value
        binding = self._names.only_binding(owner, scope)
        if isinstance(binding, ClassBinding):
            return self._method(self._records.scope_of.get(id(binding.node)), expr.attr.value)
        method = _enclosing_method(scope)
        if method is None or method.parent is None or _first_param(method) != owner:
            return None
        return self._method(method.parent, expr.attr.value)

    def _method(self, class_scope: Scope | None, name: str) -> Scope | None:
        """A plain method defined once in the class body (kernels and properties excluded)."""
        if class_scope is None:
            return None
        bindings = class_scope.bindings.get(name, [])
        if len(bindings) != 1 or not isinstance(bindings[0], DefBinding):
            return None
        node = bindings[0].node
        if any(_decorator_name(d.decorator) not in _METHOD_DECORATORS for d in node.decorators):
            return None
        return self._records.scope_of.get(id(node))

    def _stored_function(self, name: str, scope: Scope) -> Scope | None:
        """`job` in `for job in jobs: ...`, where every function put in `jobs` is one
        lambda or local def: `jobs.append(job)`, `jobs = [lambda: ... for ...]`."""
        sources = scope.iterates.get(name, [])
        if len(sources) != 1 or not isinstance(sources[0], cst.Name):
            return None
        stored = sources[0].value
        owner = _binding_scope(stored, scope)
        if owner is None:
            return None
        candidates = list(owner.appended.get(stored, []))
        for binding in owner.bindings[stored]:
            value = binding.value if isinstance(binding, AssignBinding) else None
            if isinstance(value, (cst.ListComp, cst.GeneratorExp)):
                candidates.append(value.elt)
            elif isinstance(value, (cst.List, cst.Tuple)):
                candidates.extend(element.value for element in value.elements)
        bodies: dict[int, Scope] = {}
        for candidate in candidates:
            body = self._defined_function(candidate, owner)
            if body is None:
                return None  # something else is stored there too: cannot tell what runs
            bodies[id(body)] = body
        return next(iter(bodies.values())) if len(bodies) == 1 else None

    def _defined_function(self, expr: cst.BaseExpression, scope: Scope) -> Scope | None:
        """A lambda, or a name with exactly one `def` among its bindings."""
        if isinstance(expr, cst.Lambda):
            return self._records.scope_of.get(id(expr))
        if not isinstance(expr, cst.Name) or self._kernels.of(expr, scope) is not None:
            return None
        defs = [b for b in scope.lookup(expr.value) or () if isinstance(b, DefBinding)]
        return self._records.scope_of.get(id(defs[0].node)) if len(defs) == 1 else None

    def _kernels_called(
        self, body: Scope, via: str, result_lost: bool, depth: int, seen: set[int]
    ) -> Iterator[KernelUse]:
        seen.add(id(body))
        for site in body.all_calls():
            kernel = self._kernels.of(site.node.func, site.scope)
            if kernel is not None:
                dropped = site.use.kind == "statement" or (site.use.kind == "return" and result_lost)
                written = fills_output(kernel, arguments_of(list(site.node.args)))
                yield KernelUse(kernel, via, dropped and kernel.returns_value and not written)
                continue
            inner = self._function_body(site.node.func, site.scope)
            if inner is not None and id(inner) not in seen and depth < _CALL_DEPTH:
                yield from self._kernels_called(inner, via, False, depth + 1, seen)


def _label(target: cst.BaseExpression, body: Scope) -> str:
    """How a finding names what the thread runs: "lambda", "worker()", "self._work()", "Worker.run()"."""
    if not isinstance(body.node, cst.FunctionDef):
        return "lambda"
    if isinstance(target, cst.Attribute):
        return f"{flat(target)}()"
    name = body.node.name.value
    owner = body.parent.node if body.parent is not None else None
    return f"{owner.name.value}.{name}()" if isinstance(owner, cst.ClassDef) else f"{name}()"


def _is_data(name: str, scope: Scope) -> bool:
    """A name bound to a value here, not to a function, class or module (nor a builtin)."""
    bindings = scope.lookup(name) or []
    return any(not isinstance(b, (DefBinding, ClassBinding, ImportBinding)) for b in bindings)


def _binding_scope(name: str, scope: Scope | None) -> Scope | None:
    while scope is not None and name not in scope.bindings:
        scope = scope.parent
    return scope


def _enclosing_method(scope: Scope | None) -> Scope | None:
    """The function, directly in a class body, that `scope` is (or is nested in)."""
    while scope is not None and scope.kind in ("function", "lambda"):
        if scope.kind == "function" and scope.parent is not None and scope.parent.kind == "class":
            return scope
        scope = scope.parent
    return None


def _first_param(method: Scope) -> str | None:
    assert isinstance(method.node, cst.FunctionDef)
    params = [*method.node.params.posonly_params, *method.node.params.params]
    return params[0].name.value if params else None


def _decorator_name(expr: cst.BaseExpression) -> str:
    return expr.value if isinstance(expr, cst.Name) else ""
