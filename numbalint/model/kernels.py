"""Which names are kernels, with which options: answered from the pass records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

import libcst as cst

from numbalint.model.arity import positional_args
from numbalint.model.builder import PassRecords
from numbalint.model.decorators import kernel_kind, layout_of, options_of, signature_of
from numbalint.model.facts import Kernel, KernelKind
from numbalint.model.names import Names
from numbalint.model.scopes import AssignBinding, Binding, DefBinding, ImportBinding, Scope
from numbalint.model.syntax import all_params

# Looks up a kernel exported by another module of the project, by the qualified
# name this module imports it under ("kernels.square", ".kernels.square").
KernelLookup = Callable[[str], "Kernel | None"]

_GPU_TARGETS = {"cuda", "gpu", "roc", "opencl"}
PRANGE_NAMES = frozenset({"numba.prange", "numba.parfors.parfor.prange"})


@dataclass(frozen=True)
class KernelCall:
    """A direct call of a kernel: `square(a, out)`."""

    node: cst.Call
    kernel: Kernel
    expects_error: bool  # inside `with pytest.raises(...)` / `self.assertRaises(...)`


class Kernels:
    def __init__(self, records: PassRecords, names: Names, lookup: KernelLookup | None) -> None:
        self._records = records
        self._names = names
        self._lookup = lookup
        self._cache: dict[tuple[int, str], Kernel | None] = {}

    def of(self, expr: cst.BaseExpression, scope: Scope) -> Kernel | None:
        """The kernel that `expr` names here, or None when it is not one or we cannot tell."""
        if isinstance(expr, cst.Name):
            key = (id(scope), expr.value)
            if key not in self._cache:
                self._cache[key] = self._resolve(expr.value, scope)
            return self._cache[key]
        if isinstance(expr, cst.Attribute) and self._lookup is not None:
            qualified = self._names.qualify(expr, scope)
            return self._lookup(qualified) if qualified else None
        return None

    @cached_property
    def defined(self) -> list[Kernel]:
        """Kernels defined in this module, at any depth."""
        return [kernel for _, kernel in self._defined_in(self._all_scopes())]

    def exported(self) -> dict[str, Kernel]:
        """Module-level kernels, which other modules may import."""
        return dict(self._defined_in([self._records.root]))

    @cached_property
    def calls(self) -> list[KernelCall]:
        """Every direct call of a kernel."""
        return [
            KernelCall(site.node, kernel, site.expects_error)
            for scope in self._all_scopes() for site in scope.calls
            if (kernel := self.of(site.node.func, site.scope)) is not None
        ]

    def _defined_in(self, scopes: list[Scope]) -> Iterator[tuple[str, Kernel]]:
        for scope in scopes:
            for name in scope.bindings:
                kernel = self._resolve(name, scope)
                if kernel is not None and kernel.decorator is not None:
                    yield name, kernel

    def _all_scopes(self) -> list[Scope]:
        found: list[Scope] = []
        stack = [self._records.root]
        while stack:
            scope = stack.pop()
            found.append(scope)
            stack.extend(scope.children)
        return found

    def _resolve(self, name: str, scope: Scope) -> Kernel | None:
        bindings = scope.lookup(name)
        if not bindings:
            return None
        # `def f` followed by `f = njit(f)` is one kernel; any other rebinding is ambiguous.
        *earlier, last = bindings
        if isinstance(last, ImportBinding):
            return self._lookup(last.qualified) if self._lookup and not earlier else None
        kernel = self._from_binding(name, last, scope)
        if kernel is None:
            return None
        wrapped = _wrapped_name(last)
        if all(isinstance(b, DefBinding) and wrapped == b.node.name.value for b in earlier):
            return kernel
        return None

    def _from_binding(self, name: str, binding: Binding, scope: Scope) -> Kernel | None:
        if isinstance(binding, DefBinding):
            return self._from_def(binding.node, scope)
        if isinstance(binding, AssignBinding) and isinstance(binding.value, cst.Call):
            return self._from_wrap(name, binding.value, scope)
        return None

    def _from_def(self, node: cst.FunctionDef, scope: Scope) -> Kernel | None:
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            kind = kernel_kind(self._names.qualify(call.func if call else expr, scope))
            if kind is not None:
                return self._make(node.name.value, kind, node, call, expr)
        return None

    def _from_wrap(self, name: str, call: cst.Call, scope: Scope) -> Kernel | None:
        """`g = njit(f)`, `g = njit(f, parallel=True)`, `g = njit(parallel=True)(f)`,
        `g = vectorize([...])(f)`. Options go in the call that holds them."""
        if isinstance(call.func, cst.Call):  # njit(...)(f)
            options_call, factory = call.func, call.func.func
        else:  # njit(f, **options)
            options_call, factory = call, call.func
        kind = kernel_kind(self._names.qualify(factory, scope))
        positional = positional_args(call)
        if kind is None or len(positional) != 1:
            return None
        wrapped = positional[0].value
        if options_call is call and not isinstance(wrapped, (cst.Name, cst.Lambda, cst.Attribute)):
            return None  # njit("f8(f8)") makes a decorator, not a kernel
        function: cst.FunctionDef | cst.Lambda | None = wrapped if isinstance(wrapped, cst.Lambda) else None
        if isinstance(wrapped, cst.Name):
            function = self._names.local_def(wrapped.value, scope)
        return self._make(name, kind, function, options_call, options_call)

    def _make(
        self,
        name: str,
        kind: KernelKind,
        function: cst.FunctionDef | cst.Lambda | None,
        options_call: cst.Call | None,
        decorator: cst.BaseExpression,
    ) -> Kernel | None:
        """The kernel, or None for a GPU target: device kernels are launched differently."""
        options = options_of(options_call)
        if options.get("target") in _GPU_TARGETS:
            return None
        body = self._records.scope_of.get(id(function)) if function is not None else None
        return Kernel(
            name=name,
            kind=kind,
            signature=signature_of(function.params) if function is not None else None,
            options=options,
            returns_value=function is not None and body is not None and _returns_new_value(function, body),
            pranges=self._prange_calls(body) if body is not None else (),
            layout=layout_of(options_call) if kind == "guvectorize" else None,
            decorator=decorator,
            function=function,
        )

    def _prange_calls(self, scope: Scope) -> tuple[cst.Call, ...]:
        return tuple(site.node for site in scope.calls if self._names.qualify(site.node.func, scope) in PRANGE_NAMES)


def _returns_new_value(function: cst.FunctionDef | cst.Lambda, body: Scope) -> bool:
    """Is what the kernel returns its result: something new, while it writes into none of
    its arguments? (A kernel that fills `out` and returns a count has done its work.)"""
    params = {p.name.value for p in all_params(function.params)}
    if body.item_stores & params:
        return False
    if isinstance(function, cst.Lambda):
        return not (isinstance(function.body, cst.Name) and function.body.value in params)
    for value in body.returns:
        if value is None or (isinstance(value, cst.Name) and value.value in ("None", *params)):
            continue
        return True
    return False


def _wrapped_name(binding: Binding) -> str | None:
    """`f` in `g = njit(f)` or `g = njit(...)(f)`."""
    if not isinstance(binding, AssignBinding) or not isinstance(binding.value, cst.Call):
        return None
    call = binding.value
    if not call.args:
        return None
    first = call.args[0].value
    return first.value if isinstance(first, cst.Name) else None
