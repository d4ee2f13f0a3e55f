"""Idle `parallel=True`: kernels with nothing numba could run in parallel.

numba parallelises `prange` loops and array operations (array arithmetic, numpy
calls, reductions, slice assignments). A kernel whose body holds none of these,
only scalar arithmetic, `range` loops and element reads and writes, compiles the
same with or without `parallel=True`.

We only say so when every expression is provably scalar: numbers, loop indices
of `range`, names assigned only scalars, `len(...)`, `x.shape[k]`, and elements of
arrays allocated in the kernel with a known number of dimensions. A parameter
might be an array, so arithmetic on one keeps us silent.

This reads the body of each `parallel=True` kernel that has no `prange` (rare,
and only those): the single pass does not know which functions are kernels.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import libcst as cst

from numbalint.model.facts import Kernel

_SCALAR_BUILTINS = {"int", "float", "abs", "min", "max", "round", "bool"}
_THREAD_QUERIES = {"get_thread_id", "get_num_threads"}  # numba's, returning an int
_SHAPE_ATTRIBUTES = {"size", "ndim"}
_ALLOCATION = "empty"  # np.empty: an allocation that is no parallel operation (zeros/ones are)
_SIMPLE = (cst.Pass, cst.Break, cst.Continue)


def idle_parallel_kernels(kernels: Iterable[Kernel]) -> Iterator[Kernel]:
    for kernel in kernels:
        if kernel.kind != "jit" or kernel.options.get("parallel") is not True or kernel.pranges:
            continue
        if isinstance(kernel.function, cst.FunctionDef) and _ScalarBody(kernel.function).only_scalar():
            yield kernel


class _ScalarBody:
    """Reads a function's statements: the bindings of each name and the expressions that
    must be scalar; then decides whether they are."""

    def __init__(self, function: cst.FunctionDef) -> None:
        self._bindings: dict[str, list[cst.BaseExpression | None]] = {}  # None: a range index
        self._shapes: dict[str, cst.BaseExpression] = {}  # arrays allocated here: name -> shape
        self._checked: list[cst.BaseExpression] = []
        self._simple = self._statements(function.body)
        self._scalars: set[str] = set()  # decided by _settle_scalars

    def only_scalar(self) -> bool:
        if not self._simple:
            return False
        self._settle_scalars()
        return all(self._scalar(expr) for expr in self._checked)

    # -- statements ----------------------------------------------------------------------

    def _statements(self, suite: cst.BaseSuite) -> bool:
        if isinstance(suite, cst.SimpleStatementSuite):
            return all(self._small(s) for s in suite.body)
        return all(self._statement(line) for line in suite.body)  # type: ignore[attr-defined]

    def _statement(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.SimpleStatementLine):
            return all(self._small(s) for s in node.body)
        if isinstance(node, (cst.If, cst.While)):
            self._checked.append(node.test)
            orelse = node.orelse
            if isinstance(orelse, cst.If):
                return self._statements(node.body) and self._statement(orelse)
            return self._statements(node.body) and (orelse is None or self._statements(orelse.body))
        if isinstance(node, cst.For):
            return node.orelse is None and self._range_loop(node)
        return False

    def _range_loop(self, node: cst.For) -> bool:
        iterable = node.iter
        if not (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name)
                and iterable.func.value == "range" and isinstance(node.target, cst.Name)):
            return False
        self._bindings.setdefault(node.target.value, []).append(None)
        return self._statements(node.body)

    def _small(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _SIMPLE):
            return True
        if isinstance(node, cst.Expr):
            return isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString))  # a docstring
        if isinstance(node, cst.Return):
            if node.value is not None and not isinstance(node.value, cst.Name):
                self._checked.append(node.value)
            return True
        if isinstance(node, cst.Assign) and len(node.targets) == 1:
            return self._store(node.targets[0].target, node.value)
        if isinstance(node, cst.AugAssign):
            return self._store(node.target, node.value, augmented=True)
        return False

    def _store(self, target: cst.BaseExpression, value: cst.BaseExpression, augmented: bool = False) -> bool:
        if isinstance(target, cst.Name):
            shape = _allocated_shape(value)
            if shape is not None and not augmented:
                self._shapes[target.value] = shape
                self._bindings.setdefault(target.value, []).append(value)
                return True
            self._bindings.setdefault(target.value, []).append(value)
            self._checked.append(target if augmented else value)
            return True
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            for element in target.slice:
                if not isinstance(element.slice, cst.Index):
                    return False  # a slice assignment is an array operation
                self._checked.append(element.slice.value)
            self._checked.append(value)
            return True
        return False

    # -- expressions ---------------------------------------------------------------------

    def _settle_scalars(self) -> None:
        """The names all of whose bindings are range indices or scalar values. Start from
        every local name and drop those with a binding that is not scalar, until none is
        dropped: `m = 3 * m + 1` keeps `m` scalar as long as its other bindings are."""
        self._scalars = set(self._bindings) - set(self._shapes)
        changed = True
        while changed:
            changed = False
            for name in list(self._scalars):
                if not all(value is None or self._scalar(value) for value in self._bindings[name]):
                    self._scalars.discard(name)
                    changed = True

    def _scalar(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary)):
            return True
        if isinstance(expr, cst.Name):
            return expr.value in self._scalars or expr.value in ("True", "False", "None")
        if isinstance(expr, (cst.BinaryOperation, cst.BooleanOperation)):
            return self._scalar(expr.left) and self._scalar(expr.right)
        if isinstance(expr, cst.UnaryOperation):
            return self._scalar(expr.expression)
        if isinstance(expr, cst.Comparison):
            return self._scalar(expr.left) and all(self._scalar(c.comparator) for c in expr.comparisons)
        if isinstance(expr, cst.IfExp):
            return self._scalar(expr.test) and self._scalar(expr.body) and self._scalar(expr.orelse)
        if isinstance(expr, cst.Attribute):
            return expr.attr.value in _SHAPE_ATTRIBUTES
        if isinstance(expr, cst.Call):
            return self._scalar_call(expr)
        if isinstance(expr, cst.Subscript):
            return self._element(expr)
        return False

    def _scalar_call(self, call: cst.Call) -> bool:
        func = call.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if name == "len" or (name in _THREAD_QUERIES and not call.args):
            return True
        builtin = isinstance(func, cst.Name) and func.value in _SCALAR_BUILTINS
        math = isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "math"
        return (builtin or math) and all(not a.star and self._scalar(a.value) for a in call.args)

    def _element(self, expr: cst.Subscript) -> bool:
        """`x.shape[k]`, or one element of an array allocated here: `out[i, j]` of a 2-d `out`."""
        base = expr.value
        if isinstance(base, cst.Attribute) and base.attr.value == "shape":
            return True
        if not isinstance(base, cst.Name) or self._dimensions(base.value) != len(expr.slice):
            return False
        return all(isinstance(e.slice, cst.Index) and self._scalar(e.slice.value) for e in expr.slice)

    def _dimensions(self, array: str) -> int | None:
        """`np.empty((n, m))` has 2; `np.empty(n)` 1 when `n` is a scalar (it might be a tuple)."""
        shape = self._shapes.get(array)
        if isinstance(shape, cst.Tuple):
            return len(shape.elements)
        return 1 if shape is not None and self._scalar(shape) else None


def _allocated_shape(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The shape in `np.empty(shape, ...)`; None for anything else."""
    func = value.func if isinstance(value, cst.Call) else None
    if not (isinstance(func, cst.Attribute) and func.attr.value == _ALLOCATION
            and isinstance(func.value, cst.Name) and func.value.value in ("np", "numpy")):
        return None
    return value.args[0].value if value.args else None  # type: ignore[union-attr]
