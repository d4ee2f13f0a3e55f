"""The index classifier: can two iterations of a prange loop reach the same element?

One question per subscript. An index is *distinct* when it takes a different value
in every iteration: affine in the prange index with a non-zero coefficient (`i`,
`2*i + 1`, `n - 1 - i`), alone or as one component of a tuple index. It *meets*
when two iterations can reach the same element: a constant, `i % k`, `i // k`, an
inner loop's index (whose range is the same in every iteration), a value read from
data, a slice. Anything else is *unknown*, and the rules stay silent on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

import libcst as cst

from numbalint.model.facts import MEETING_CAUSES, Affine, IndexClass

# What one expression is, as a function of the prange index.
_Kind = Literal["invariant", "affine", "coarse", "inner", "data", "slice", "unknown"]

# Conversions that keep what an index is: `int(x[i] * n)` is still read from data.
_CONVERSIONS = {"int", "intp", "int64", "int32", "uint64", "uint32", "floor", "trunc"}
# How deep `b = bins[i]; hist[b]` substitutions are followed.
_SUBSTITUTION_DEPTH = 4


@dataclass(frozen=True)
class _Value:
    kind: _Kind
    # affine: the coefficient of the index; invariant: the value; None when not a literal.
    coefficient: int | None = None
    offset: int | None = None


_UNKNOWN = _Value("unknown")
_MEETING = frozenset(MEETING_CAUSES)


@dataclass(frozen=True)
class LoopNames:
    """What the names in a prange body mean for its index expressions."""

    index: str
    inner: frozenset[str] = frozenset()  # inner loop variables over the same range in every iteration
    values: Mapping[str, cst.BaseExpression] = field(default_factory=dict)  # bound once: `b = bins[i]`
    varying: frozenset[str] = frozenset()  # bound in the body in ways we cannot follow


def classify_index(index: cst.BaseSlice | cst.BaseExpression | tuple, names: LoopNames) -> IndexClass:
    """Classify a subscript's index: its elements (`a[i, j]`), or one expression."""
    components = _components(index)
    values = [_component(c, names) for c in components]
    affine = tuple(Affine(v.coefficient, v.offset) if v.kind == "affine" else None for v in values)
    if any(v.kind == "affine" and v.coefficient != 0 for v in values):
        return IndexClass("distinct", affine=affine)
    kinds = {v.kind for v in values}
    if kinds and kinds <= _MEETING:
        cause = next(kind for kind in MEETING_CAUSES if kind in kinds)
        return IndexClass("meets", cause, affine)
    return IndexClass("unknown", affine=affine)


def is_invariant(expr: cst.BaseExpression, names: LoopNames) -> bool:
    """Is `expr` the same in every iteration (a bound of an inner loop, say)?"""
    return _classify(expr, names, 0).kind == "invariant"


def _components(index: object) -> list[cst.BaseSlice | cst.BaseExpression]:
    if isinstance(index, (tuple, list)):
        elements = [e.slice if isinstance(e, cst.SubscriptElement) else e for e in index]
    else:
        elements = [index]  # type: ignore[list-item]
    if len(elements) == 1:
        only = elements[0]
        inner = only.value if isinstance(only, cst.Index) else only
        if isinstance(inner, cst.Tuple):  # a[(i, j)]
            return [e.value for e in inner.elements]
    return elements  # type: ignore[return-value]


def _component(component: cst.BaseSlice | cst.BaseExpression, names: LoopNames) -> _Value:
    if isinstance(component, cst.Index):
        return _classify(component.value, names, 0) if component.star is None else _UNKNOWN
    if isinstance(component, cst.Slice):
        bounds = [b for b in (component.lower, component.upper, component.step) if b is not None]
        return _Value("slice") if all(is_invariant(b, names) for b in bounds) else _UNKNOWN
    if isinstance(component, cst.BaseExpression):
        return _classify(component, names, 0)
    return _UNKNOWN


def _classify(expr: cst.BaseExpression, names: LoopNames, depth: int) -> _Value:
    if isinstance(expr, cst.Integer):
        return _Value("invariant", offset=int(expr.evaluated_value))
    if isinstance(expr, (cst.Float, cst.SimpleString)):
        return _Value("invariant")
    if isinstance(expr, cst.Name):
        return _name(expr.value, names, depth)
    if isinstance(expr, cst.Attribute):  # `self.n`, `x.size`: as invariant as its base
        return _Value("invariant") if _classify(expr.value, names, depth).kind == "invariant" else _UNKNOWN
    if isinstance(expr, cst.UnaryOperation):
        return _unary(expr, names, depth)
    if isinstance(expr, cst.BinaryOperation):
        return _binary(expr, names, depth)
    if isinstance(expr, cst.Subscript):
        return _read(expr, names, depth)
    if isinstance(expr, cst.Call):
        return _conversion(expr, names, depth)
    return _UNKNOWN


def _name(name: str, names: LoopNames, depth: int) -> _Value:
    if name == names.index:
        return _Value("affine", 1, 0)
    if name in names.inner:
        return _Value("inner")
    if name in names.values:
        if depth >= _SUBSTITUTION_DEPTH:
            return _UNKNOWN
        return _classify(names.values[name], names, depth + 1)
    if name in names.varying:
        return _UNKNOWN
    return _Value("invariant")  # bound outside the loop: the same in every iteration


def _unary(expr: cst.UnaryOperation, names: LoopNames, depth: int) -> _Value:
    operand = _classify(expr.expression, names, depth)
    if isinstance(expr.operator, cst.Plus):
        return operand
    if isinstance(expr.operator, cst.Minus):
        return _Value(operand.kind, _negated(operand.coefficient), _negated(operand.offset))
    return _UNKNOWN


def _binary(expr: cst.BinaryOperation, names: LoopNames, depth: int) -> _Value:
    left, right = _classify(expr.left, names, depth), _classify(expr.right, names, depth)
    operator = expr.operator
    if isinstance(operator, (cst.Add, cst.Subtract)):
        sign = 1 if isinstance(operator, cst.Add) else -1
        return _sum(left, right, sign)
    if isinstance(operator, cst.Multiply):
        return _product(left, right) or _product(right, left) or _UNKNOWN
    if isinstance(operator, (cst.Modulo, cst.FloorDivide)) and right.kind == "invariant":
        if left.kind == "invariant":
            return _Value("invariant")
        if left.kind == "affine":
            return left if right.offset == 1 and isinstance(operator, cst.FloorDivide) else _Value("coarse")
        return left if left.kind in ("coarse", "inner", "data") else _UNKNOWN
    if left.kind == right.kind == "invariant":
        return _Value("invariant")
    return _UNKNOWN


def _sum(left: _Value, right: _Value, sign: int) -> _Value:
    """`left + right` (sign 1) or `left - right` (sign -1)."""
    if left.kind == right.kind == "invariant":
        return _Value("invariant", offset=_add(left.offset, right.offset, sign))
    if right.kind == "invariant":
        if left.kind == "affine":
            return _Value("affine", left.coefficient, _add(left.offset, right.offset, sign))
        return left if left.kind in ("coarse", "inner", "data") else _UNKNOWN
    if left.kind == "invariant":
        if right.kind == "affine":
            coefficient = right.coefficient if sign == 1 else _negated(right.coefficient)
            return _Value("affine", coefficient, _add(left.offset, right.offset, sign))
        return right if right.kind in ("coarse", "inner", "data") else _UNKNOWN
    return _UNKNOWN  # `i + j`: iterations (0, 1) and (1, 0) meet; `i - i`: we cannot tell


def _product(value: _Value, factor: _Value) -> _Value | None:
    if factor.kind != "invariant":
        return None
    if value.kind == "invariant":
        return _Value("invariant", offset=_times(value.offset, factor.offset))
    if value.kind == "affine":
        if factor.offset == 0:
            return _Value("invariant", offset=0)
        return _Value("affine", _times(value.coefficient, factor.offset), _times(value.offset, factor.offset))
    return value if value.kind in ("coarse", "inner", "data") else None


def _read(expr: cst.Subscript, names: LoopNames, depth: int) -> _Value:
    """`x.shape[0]` is as invariant as `x`; any other element read is data."""
    base = expr.value
    if isinstance(base, cst.Attribute) and base.attr.value == "shape":
        return _Value("invariant") if _classify(base.value, names, depth).kind == "invariant" else _UNKNOWN
    return _Value("data")


def _conversion(expr: cst.Call, names: LoopNames, depth: int) -> _Value:
    func = expr.func
    callee = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
    if callee not in _CONVERSIONS or len(expr.args) != 1 or expr.args[0].keyword or expr.args[0].star:
        return _UNKNOWN
    value = _classify(expr.args[0].value, names, depth)
    return value if value.kind in ("invariant", "data") else _UNKNOWN


def _negated(value: int | None) -> int | None:
    return -value if value is not None else None


def _add(a: int | None, b: int | None, sign: int) -> int | None:
    return a + sign * b if a is not None and b is not None else None


def _times(a: int | None, b: int | None) -> int | None:
    return a * b if a is not None and b is not None else None
