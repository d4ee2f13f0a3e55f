"""Small tree edits that rules use to build their fixes.

New arguments and parameters follow the layout they join: in a call written
one argument per line, an inserted argument gets a line of its own with the
same indentation; a trailing comma stays the last thing before the `)`;
comments stay where they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import libcst as cst

from numbalint.diagnostics import Applicability, Fix, OptionElsewhere, Replacement
from numbalint.model import Kernel, ModuleModel

_SPACE = cst.SimpleWhitespace(" ")
_NOTHING = cst.SimpleWhitespace("")


def comma_space() -> cst.Comma:
    return cst.Comma(whitespace_after=_SPACE)


def keyword_arg(keyword: str, value: cst.BaseExpression) -> cst.Arg:
    """`keyword=value`, spaced as PEP 8 asks inside a call."""
    return cst.Arg(keyword=cst.Name(keyword), value=value, equal=cst.AssignEqual(_NOTHING, _NOTHING))


def with_keyword(expr: cst.BaseExpression, keyword: str, value: str) -> cst.BaseExpression:
    """`njit` -> `njit(nogil=True)`; `njit(parallel=True)` -> `njit(parallel=True, nogil=True)`;
    an existing `keyword=` gets the new value."""
    new_arg = keyword_arg(keyword, cst.parse_expression(value))
    if not isinstance(expr, cst.Call):
        return cst.Call(func=expr, args=[new_arg])
    for position, arg in enumerate(expr.args):
        if arg.keyword is not None and arg.keyword.value == keyword:
            args = list(expr.args)
            args[position] = arg.with_changes(value=new_arg.value)
            return expr.with_changes(args=args)
    return expr.with_changes(args=insert_args(expr, len(expr.args), [new_arg]))


def insert_args(call: cst.Call, position: int, new: Sequence[cst.Arg]) -> list[cst.Arg]:
    """The call's arguments with `new` inserted before `args[position]`, separated
    as the arguments around them are (same line, or one per line)."""
    args = list(call.args)
    if not new:
        return args
    if not args:
        return [*new[:-1], new[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    if position == 0:
        raise ValueError("arguments are inserted after an existing one")
    previous = args[position - 1]
    separator = _separator(call, position - 1)
    # The previous argument's comma (with its comment, its newline, or none at all
    # when it was the last argument) now closes the last inserted argument.
    inserted = [a.with_changes(comma=separator) for a in new[:-1]]
    inserted.append(new[-1].with_changes(comma=previous.comma))
    args[position - 1] = previous.with_changes(comma=separator)
    return [*args[:position], *inserted, *args[position:]]


def _separator(call: cst.Call, index: int) -> cst.Comma:
    """The comma that goes after a new argument placed like `call.args[index]`:
    a newline and the same indentation when that argument starts a line of its
    own, else a space."""
    before = call.whitespace_before_args if index == 0 else _whitespace_after(call.args[index - 1].comma)
    if isinstance(before, cst.ParenthesizedWhitespace):
        # Only the line break and the indentation: a comment stays where it was.
        return cst.Comma(whitespace_after=before.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[]))
    return comma_space()


def _whitespace_after(comma: cst.Comma | cst.MaybeSentinel) -> cst.BaseParenthesizableWhitespace | None:
    return comma.whitespace_after if isinstance(comma, cst.Comma) else None


def as_tuple(expr: cst.BaseExpression) -> cst.Tuple:
    """`(x)` -> `(x,)`; the parentheses (and the space inside them) are kept."""
    inner = expr.with_changes(lpar=[], rpar=[])
    return cst.Tuple(
        elements=[cst.Element(inner, comma=cst.Comma())],
        lpar=list(expr.lpar) or [cst.LeftParen()],
        rpar=list(expr.rpar) or [cst.RightParen()],
    )


def tuple_of(args: Sequence[cst.Arg]) -> cst.Tuple:
    """Positional call arguments `a, b` -> the tuple `(a, b)`; one element keeps its comma.
    Commas between the elements keep their layout (a line break stays one)."""
    elements = [cst.Element(a.value, comma=a.comma if isinstance(a.comma, cst.Comma) else comma_space())
                for a in args]
    last = elements[-1]
    if len(elements) > 1:
        elements[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    else:
        elements[-1] = last.with_changes(comma=cst.Comma())
    return cst.Tuple(elements=elements)


def bind_as_defaults(params: cst.Parameters, names: Sequence[str]) -> cst.Parameters:
    """`()` -> `(lo=lo, hi=hi)`: each name a parameter defaulting to its current value.
    After the existing parameters; keyword-only when there is a `*args` or a
    bare `*`, so no positional argument can land in them."""
    new = [
        cst.Param(cst.Name(name), default=cst.Name(name), equal=cst.AssignEqual(_NOTHING, _NOTHING))
        for name in names
    ]
    if isinstance(params.star_arg, (cst.Param, cst.ParamStar)) or params.kwonly_params:
        return params.with_changes(kwonly_params=_extend(params.kwonly_params, new))
    return params.with_changes(params=_extend(params.params, new))


def _extend(existing: Sequence[cst.Param], new: list[cst.Param]) -> list[cst.Param]:
    """libcst writes the commas between parameters; a trailing comma moves to the new last one."""
    if not existing:
        return new
    last = existing[-1]
    if isinstance(last.comma, cst.Comma):
        new[-1] = new[-1].with_changes(comma=last.comma)
        existing = [*existing[:-1], last.with_changes(comma=comma_space())]
    return [*existing, *new]


def enable_option(kernel: Kernel, option: str, applicability: Applicability) -> Fix | None:
    """Add `option=True` to the kernel's own decorator: in this file, or, for a kernel
    imported from another file of the project, in that file. None when it is already on
    or the decorator cannot be reached."""
    if kernel.options.get(option) is True:
        return None
    if kernel.decorator is not None:
        new = with_keyword(kernel.decorator, option, "True")
        return Fix(f"Add {option}=True to `{kernel.name}`'s decorator", applicability,
                   (Replacement(kernel.decorator, new),))
    if kernel.defined_in is not None:
        return Fix(f"Add {option}=True to `{kernel.name}`'s decorator in {kernel.origin}", applicability, (),
                   (OptionElsewhere(kernel.defined_in, kernel.name, option),))
    return None


def requested_fixes(model: ModuleModel, requests: Iterable[OptionElsewhere]) -> list[Fix]:
    """The fixes other files asked of this module's kernels (their `Fix.elsewhere`)."""
    exported = model.kernels.exported()
    fixes = (
        enable_option(kernel, request.option, "safe")
        for request in requests
        if (kernel := exported.get(request.kernel)) is not None
    )
    return [fix for fix in fixes if fix is not None]
