"""Arguments as call sites write them, and whether they can bind to a kernel's parameters."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from numbalint.model.facts import Kernel, Signature
from numbalint.text import plural


@dataclass(frozen=True)
class Arguments:
    """Arguments as a call site passes them: a count of positionals and keyword names."""

    positional: int
    keywords: tuple[str, ...] = ()

    def __add__(self, other: Arguments) -> Arguments:
        return Arguments(self.positional + other.positional, self.keywords + other.keywords)


def binding_problem(kernel: Kernel, passed: Arguments) -> str | None:
    """Why `passed` cannot bind to `kernel`, in words; None when it can or we cannot tell."""
    if kernel.signature is None:
        return None
    if kernel.kind == "jit":
        return _function_problem(kernel.signature, passed)
    return _ufunc_problem(kernel, passed)


def _function_problem(signature: Signature, passed: Arguments) -> str | None:
    positional = signature.positional()
    if passed.positional > len(positional) and not signature.has("var_positional"):
        names = ", ".join(p.name for p in positional)
        return f"takes {plural(len(positional), 'argument')} ({names}) but {passed.positional} were given"
    by_name = {p.name: p for p in signature.params if p.kind in ("positional", "keyword_only")}
    filled = {p.name for p in positional[: passed.positional]}
    for keyword in passed.keywords:
        if keyword in filled:
            return f"gets argument '{keyword}' twice, by position and by keyword"
        if keyword not in by_name and not signature.has("var_keyword"):
            return f"has no parameter named '{keyword}'"
        filled.add(keyword)
    missing = [
        p.name for p in signature.params
        if p.kind in ("positional_only", "positional", "keyword_only")
        and not p.has_default and p.name not in filled
    ]
    if missing:
        return "is missing " + ", ".join(f"'{name}'" for name in missing)
    return None


def _ufunc_problem(kernel: Kernel, passed: Arguments) -> str | None:
    """A ufunc takes its inputs and may take its outputs; a gufunc may omit its outputs."""
    assert kernel.signature is not None
    if kernel.kind == "guvectorize":
        if kernel.layout is None:
            return None
        inputs, outputs = kernel.layout
    else:
        inputs, outputs = len(kernel.signature.positional()), 1
    if inputs <= passed.positional <= inputs + outputs:
        return None
    expected = f"{inputs}" if outputs == 0 else f"{inputs} to {inputs + outputs}"
    return f"takes {expected} arrays ({inputs} inputs, optional outputs) but {passed.positional} were given"


def fills_output(kernel: Kernel, passed: Arguments | None) -> bool:
    """Is a ufunc or gufunc given the array to write its result into (positionally after its
    inputs, or `out=`)? Then it writes there, and what it returns is that same array.
    Uncountable arguments count as "cannot tell": yes."""
    if kernel.kind == "jit" or kernel.signature is None:
        return False
    if passed is None or "out" in passed.keywords:
        return True
    if kernel.kind == "guvectorize":
        return kernel.layout is None or passed.positional > kernel.layout[0]
    return passed.positional > len(kernel.signature.positional())


# -- reading arguments from call syntax -------------------------------------------


def positional_args(call: cst.Call) -> list[cst.Arg]:
    """The arguments given by position (splats included)."""
    return [a for a in call.args if a.keyword is None]


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    """The value given for keyword `name`, if any."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    """An argument given by keyword `name` or at position `index`."""
    by_name = keyword(call, name)
    if by_name is not None:
        return by_name
    positional = positional_args(call)
    if index < len(positional) and not positional[index].star:
        return positional[index].value
    return None


def arguments_of(args: list[cst.Arg]) -> Arguments | None:
    """Count positionals and name keywords; None when `*a`/`**k` hide them."""
    if any(a.star for a in args):
        return None
    return Arguments(
        sum(1 for a in args if a.keyword is None),
        tuple(a.keyword.value for a in args if a.keyword is not None),
    )


def sequence_arguments(node: cst.BaseExpression | None) -> Arguments | None:
    """`args=(a, b)` or `[a, b]` -> two positionals; None for anything we cannot count."""
    if node is None:
        return Arguments(0)
    if isinstance(node, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        return Arguments(len(node.elements))
    return None


def mapping_arguments(node: cst.BaseExpression | None) -> Arguments | None:
    """`kwargs={"out": o}` -> keyword `out`; None for anything we cannot read."""
    if node is None:
        return Arguments(0)
    if isinstance(node, cst.Dict):
        keys: list[str] = []
        for element in node.elements:
            key = getattr(element, "key", None)
            if not isinstance(key, cst.SimpleString):
                return None
            keys.append(str(key.evaluated_value))
        return Arguments(0, tuple(keys))
    return None


def tuple_arguments(iterable: cst.BaseExpression) -> Arguments | None:
    """The argument tuples of `starmap(f, [(a, b) for ...])` or `[(a, b), (c, d)]`, when
    they are written out and all of one length."""
    if isinstance(iterable, (cst.ListComp, cst.GeneratorExp)):
        rows = [iterable.elt]
    elif isinstance(iterable, (cst.List, cst.Tuple)) and iterable.elements:
        rows = [element.value for element in iterable.elements]
    else:
        return None
    counts = {sequence_arguments(row) if isinstance(row, cst.Tuple) else None for row in rows}
    return counts.pop() if len(counts) == 1 else None
