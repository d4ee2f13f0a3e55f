"""Chunk plans: `chunk = n // k`, then parts `i * chunk .. (i + 1) * chunk`.

A plan drops the remainder when its last part ends at `k * chunk` instead of
`n`. We report only the shape we are sure of: a floor-division size, a loop
over exactly `k` parts, an end bound built from the part index, and nothing in
sight that treats the last part or the remainder differently.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.model.builder import ArithmeticRecord, PassRecords
from numbalint.model.facts import ChunkBound
from numbalint.model.kernels import PRANGE_NAMES
from numbalint.model.names import Names
from numbalint.model.scopes import LoopRecord, Scope
from numbalint.model.syntax import flat


def _name(node: cst.BaseExpression) -> str | None:
    return node.value if isinstance(node, cst.Name) else None


def _is_one(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Integer) and node.value == "1"


def _index_plus_one(node: cst.BaseExpression) -> str | None:
    """`i + 1` or `1 + i` -> "i"."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        if _is_one(node.right):
            return _name(node.left)
        if _is_one(node.left):
            return _name(node.right)
    return None


def _product(node: cst.BaseExpression) -> tuple[str, str] | None:
    """`i * s` or `s * i` -> ("i", "s") in source order."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        left, right = _name(node.left), _name(node.right)
        if left and right:
            return left, right
    return None


class ChunkAnalysis:
    """Finds end bounds of floor-division chunk plans that never reach n."""

    def __init__(self, records: PassRecords, names: Names) -> None:
        self._records = records
        self._names = names

    def unfinished_bounds(self) -> Iterator[ChunkBound]:
        for record in self._records.arithmetic:
            bound = self._bound(record)
            if bound is not None:
                yield bound

    def _bound(self, record: ArithmeticRecord) -> ChunkBound | None:
        if record.in_sum:  # `(i + 1) * n + halo`: the extra term may reach n; we cannot tell
            return None
        for index, size in self._end_shapes(record):
            plan = self._floor_plan(size, record.scope)
            loop = self._parts_loop(record.loops, index, plan[1] if plan else None, record.scope)
            if plan is None or loop is None:
                continue
            total, parts, exact = plan
            if self._last_part_handled(index, size, parts, loop, record.scope):
                return None
            assigned = id(record.node) in self._records.assigned_values
            return ChunkBound(record.node, index, size, total, parts, exact, assigned)
        return None

    def _end_shapes(self, record: ArithmeticRecord) -> Iterator[tuple[str, str]]:
        """(index, size) pairs for `(i + 1) * s`, `i * s + s` and `start + s` with `start = i * s`."""
        node = record.node
        if isinstance(node.operator, cst.Multiply):
            for factor, other in ((node.left, node.right), (node.right, node.left)):
                index, size = _index_plus_one(factor), _name(other)
                if index and size:
                    yield index, size
        elif isinstance(node.operator, cst.Add):
            for term, other in ((node.left, node.right), (node.right, node.left)):
                size = _name(other)
                if size is None:
                    continue
                product = _product(term) or self._bound_product(term, record.scope)
                if product and size in product:
                    index = product[0] if product[1] == size else product[1]
                    yield index, size

    def _bound_product(self, term: cst.BaseExpression, scope: Scope) -> tuple[str, str] | None:
        value = self._names.assigned_value(term, scope)
        return _product(value) if value is not None else None

    def _floor_plan(self, size: str, scope: Scope) -> tuple[cst.BaseExpression, cst.BaseExpression, bool] | None:
        """`s = n // k` -> (n, k, exact); None for ceil division or anything else."""
        value = self._names.assigned_value(cst.Name(size), scope)
        if value is None:
            return None
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.FloorDivide):
            return self._floor_division(value.left, value.right)
        if isinstance(value, cst.Call) and len(value.args) == 1:
            callee = _name(value.func) or self._names.qualify(value.func, scope)
            inner = value.args[0].value
            if callee in ("int", "math.floor") and isinstance(inner, cst.BinaryOperation) and isinstance(
                inner.operator, cst.Divide
            ):
                return inner.left, inner.right, True
        return None

    def _floor_division(
        self, total: cst.BaseExpression, parts: cst.BaseExpression
    ) -> tuple[cst.BaseExpression, cst.BaseExpression, bool] | None:
        if isinstance(total, cst.BinaryOperation) and isinstance(total.operator, (cst.Add, cst.Subtract)):
            # (n + k - 1) // k is ceil division; (n + 1) // 2 too.
            text = flat(total).strip("()")
            if text.endswith("-1") and flat(parts) in text:
                return None
            if _is_one(total.right) and isinstance(parts, cst.Integer) and parts.value == "2":
                return None
            return total, parts, False
        return total, parts, True

    def _parts_loop(
        self, loops: tuple[LoopRecord, ...], index: str, parts: cst.BaseExpression | None, scope: Scope
    ) -> LoopRecord | None:
        """The enclosing loop `for index in range(parts)` (or prange, or a comprehension)."""
        if parts is None:
            return None
        wanted = flat(parts)
        for loop in reversed(loops):
            if self._records.loop_targets.get(id(loop.node)) != frozenset({index}):
                continue
            count = self._range_count(_loop_iter(loop.node), scope)
            return loop if count is not None and flat(count) == wanted else None
        return None

    def _range_count(self, iterable: cst.BaseExpression | None, scope: Scope) -> cst.BaseExpression | None:
        """`k` in `range(k)`, `range(0, k)` or `prange(k)`."""
        if not isinstance(iterable, cst.Call):
            return None
        func = iterable.func
        is_range = _name(func) == "range" or self._names.qualify(func, scope) in PRANGE_NAMES
        args = iterable.args
        if not is_range or any(a.keyword or a.star for a in args):
            return None
        if len(args) == 1:
            return args[0].value
        if len(args) == 2 and isinstance(args[0].value, cst.Integer) and args[0].value.value == "0":
            return args[1].value
        return None

    def _last_part_handled(
        self, index: str, size: str, parts: cst.BaseExpression, loop: LoopRecord, scope: Scope
    ) -> bool:
        """A test on the part index in the loop, or remainder arithmetic nearby."""
        if any(index in c.names and loop in c.loops for c in self._records.conditions):
            return True
        parts_code = flat(parts)
        for record in self._records.arithmetic:
            if record.scope is not scope:
                continue
            if isinstance(record.node.operator, cst.Modulo):
                return True
            product = _product(record.node)
            if product and size in product and loop not in record.loops:
                other = product[0] if product[1] == size else product[1]
                if other == parts_code:
                    return True
        return any(_name(site.node.func) == "divmod" for site in scope.calls)


def _loop_iter(node: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(node, cst.For):
        return node.iter
    for_in = getattr(node, "for_in", None)
    return for_in.iter if for_in is not None else None
