"""What a name means where it is read: imports followed to qualified names,
single assignments followed to their values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import libcst as cst

from numbalint.model.builder import PassRecords
from numbalint.model.scopes import AssignBinding, Binding, DefBinding, ImportBinding, Scope

# How many `alias = name` assignments qualify() follows.
_ALIAS_DEPTH = 3


@dataclass(frozen=True)
class AttributeAssignment:
    """`numba.config.NUMBA_NUM_THREADS = 4`: a statement assigning to an imported module's attribute."""

    statement: cst.Assign
    target: cst.Attribute
    qualified: str  # "numba.config.NUMBA_NUM_THREADS"


@dataclass(frozen=True)
class ItemAssignment:
    """`os.environ["NUMBA_NUM_THREADS"] = "4"`: a statement assigning to an item of an imported object."""

    statement: cst.Assign
    target: cst.Subscript
    container: str  # the qualified name of what is subscripted: "os.environ"
    key: str | None  # the key, when it is a string literal


@dataclass(frozen=True)
class QualifiedCall:
    """A call of a function named by its qualified name: `nb.set_num_threads(2)`."""

    node: cst.Call
    qualified: str  # "numba.set_num_threads"
    function: cst.FunctionDef | cst.Lambda | None  # the innermost def or lambda it is in; None at module level


class Names:
    def __init__(self, records: PassRecords) -> None:
        self._records = records
        # Several rules ask about the same call's function: answer each (node, scope) once.
        self._qualified: dict[tuple[int, int], str | None] = {}

    def only_binding(self, name: str, scope: Scope) -> Binding | None:
        """The one binding `name` has where it is read; None when it has none or several."""
        bindings = scope.lookup(name)
        return bindings[0] if bindings is not None and len(bindings) == 1 else None

    def qualify(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> str | None:
        """`nb.njit` -> "numba.njit" when `nb` is `import numba as nb`, else None.

        A name assigned once from another (`Thread = threading.Thread`) is followed."""
        if depth == 0:
            key = (id(expr), id(scope))
            if key not in self._qualified:
                self._qualified[key] = self._qualify(expr, scope, 0)
            return self._qualified[key]
        return self._qualify(expr, scope, depth)

    def _qualify(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> str | None:
        if isinstance(expr, cst.Name):
            binding = self.only_binding(expr.value, scope)
            if isinstance(binding, ImportBinding):
                return binding.qualified
            if isinstance(binding, AssignBinding) and depth < _ALIAS_DEPTH:
                if isinstance(binding.value, (cst.Name, cst.Attribute)):
                    return self._qualify(binding.value, scope, depth + 1)
            return None
        if isinstance(expr, cst.Attribute):
            base = self._qualify(expr.value, scope, depth)
            return f"{base}.{expr.attr.value}" if base else None
        return None

    def callee(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The qualified name of the function `expr` calls, if `expr` is a call."""
        return self.qualify(expr.func, scope) if isinstance(expr, cst.Call) else None

    def assigned_value(self, expr: cst.BaseExpression, scope: Scope) -> cst.BaseExpression | None:
        """The value of a name bound once, by a plain `name = value`; else None."""
        if not isinstance(expr, cst.Name):
            return None
        binding = self.only_binding(expr.value, scope)
        return binding.value if isinstance(binding, AssignBinding) else None

    def resolve_call(self, expr: cst.BaseExpression, scope: Scope) -> cst.BaseExpression:
        """`expr` itself, or, for a name bound once to a call, that call: `pool` -> `ThreadPool(4)`."""
        value = self.assigned_value(expr, scope)
        return value if isinstance(value, cst.Call) else expr

    def local_def(self, name: str, scope: Scope) -> cst.FunctionDef | None:
        """The function `name` is bound to by its one `def` (a decorated `f = njit(f)` counts too)."""
        binding = self.only_binding(name, scope)
        if isinstance(binding, DefBinding):
            return binding.node
        defs = [b for b in scope.lookup(name) or () if isinstance(b, DefBinding)]
        return defs[0].node if len(defs) == 1 else None

    def imported(self) -> list[str]:
        """Qualified names the module imports at its top level, sorted; `import a.b`
        gives both "a" (the name it binds) and "a.b" (the module it loads), and
        `from a import *` gives "a"."""
        names = set(self.imported_as().values()) | set(self._records.imported_modules)
        return sorted(names | set(self._records.star_imports))

    def imported_as(self) -> dict[str, str]:
        """Top-level names bound by one import, by the qualified name they stand for:
        `from .kern import square as sq` -> {"sq": ".kern.square"} (what a package re-exports)."""
        return {
            name: binding.qualified
            for name in self._records.root.bindings
            if isinstance(binding := self.only_binding(name, self._records.root), ImportBinding)
        }

    def star_imported(self) -> list[str]:
        """Modules a top-level `from module import *` takes every public name from."""
        return list(self._records.star_imports)

    def first_import(self, package: str) -> int | None:
        """The index of the first top-level statement that imports `package` (or a part of it)."""
        return self._records.first_import.get(package)

    def statement_index(self, node: cst.CSTNode) -> int | None:
        """The index of the top-level statement holding a call or assignment: the order in
        which the module runs them when imported (a def's body runs later, when called)."""
        return self._records.statement_of.get(id(node))

    def calls_of(self, wanted: Callable[[str], bool]) -> Iterator[QualifiedCall]:
        """Calls, anywhere in the module, of functions whose qualified name `wanted` accepts."""
        stack = [self._records.root]
        while stack:
            scope = stack.pop()
            for site in scope.calls:
                qualified = self.qualify(site.node.func, scope)
                if qualified is not None and wanted(qualified):
                    yield QualifiedCall(site.node, qualified, self.function_at(scope))
            stack.extend(scope.children)

    @staticmethod
    def function_at(scope: Scope) -> cst.FunctionDef | cst.Lambda | None:
        """The innermost def or lambda whose body `scope` is in (a class body belongs to
        the function around it); None at module level."""
        current: Scope | None = scope
        while current is not None:
            if isinstance(current.node, (cst.FunctionDef, cst.Lambda)):
                return current.node
            current = current.parent
        return None

    def item_assignments(self) -> Iterator[ItemAssignment]:
        """Assignments to items of imported objects, such as `os.environ["NUMBA_NUM_THREADS"] = "4"`."""
        for statement, scope in self._records.item_assignments:
            for target in statement.targets:
                subscript = target.target
                if not isinstance(subscript, cst.Subscript):
                    continue
                container = self.qualify(subscript.value, scope)
                if container is not None:
                    yield ItemAssignment(statement, subscript, container, _string_key(subscript))

    def attribute_assignments(self) -> Iterator[AttributeAssignment]:
        """Assignments to attributes of imported modules, such as `numba.set_num_threads = 4`."""
        for statement, scope in self._records.attribute_assignments:
            for target in statement.targets:
                if isinstance(target.target, cst.Attribute):
                    qualified = self.qualify(target.target, scope)
                    if qualified is not None:
                        yield AttributeAssignment(statement, target.target, qualified)


def string_value(expr: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (no f-string, no concatenation); else None."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _string_key(subscript: cst.Subscript) -> str | None:
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    return string_value(subscript.slice[0].slice.value)
