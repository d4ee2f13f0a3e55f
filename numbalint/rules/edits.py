"""Small tree edits that rules use to build their fixes."""

from __future__ import annotations

import libcst as cst

_SPACE = cst.SimpleWhitespace(" ")


def with_keyword(expr: cst.BaseExpression, keyword: str, value: str) -> cst.BaseExpression:
    """`njit` -> `njit(nogil=True)`; `njit(parallel=True)` -> `njit(parallel=True, nogil=True)`."""
    new_arg = cst.Arg(
        keyword=cst.Name(keyword),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if not isinstance(expr, cst.Call):
        return cst.Call(func=expr, args=[new_arg])
    args = list(expr.args)
    for position, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == keyword:
            args[position] = arg.with_changes(value=new_arg.value)
            return expr.with_changes(args=args)
    if args:
        last = args[-1]
        if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument keeps it
            new_arg = new_arg.with_changes(comma=last.comma)
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=_SPACE))
    return expr.with_changes(args=[*args, new_arg])


def as_tuple(expr: cst.BaseExpression) -> cst.Tuple:
    """`(x)` -> `(x,)`."""
    inner = expr.with_changes(lpar=[], rpar=[])
    return cst.Tuple(
        elements=[cst.Element(inner, comma=cst.Comma())],
        lpar=list(expr.lpar) or [cst.LeftParen()],
        rpar=list(expr.rpar) or [cst.RightParen()],
    )


def tuple_of(args: list[cst.Arg]) -> cst.Tuple:
    """Positional call arguments `a, b` -> the tuple `(a, b)`; one element keeps its comma."""
    elements = [cst.Element(a.value, comma=cst.Comma(whitespace_after=_SPACE)) for a in args]
    if len(elements) > 1:
        elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    else:
        elements[-1] = elements[-1].with_changes(comma=cst.Comma())
    return cst.Tuple(elements=elements)
