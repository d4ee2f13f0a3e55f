"""Reading small pieces of syntax: names a target binds, dotted names, parameters."""

from __future__ import annotations

import libcst as cst

_CODEGEN = cst.Module(body=[])  # code generation needs a module only for its defaults


def stored_names(target: cst.BaseExpression) -> list[cst.Name]:
    """The names an assignment target binds (`a`, `a, (b, *c)`), not `x.y` or `x[i]`."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in stored_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return stored_names(target.value)
    return []


def dotted(node: cst.BaseExpression) -> str:
    """`numba.core.decorators` for that attribute chain; "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


def all_params(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter, `*args` and `**kwargs` included, in source order."""
    stars = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return [*params.posonly_params, *params.params, *params.kwonly_params, *stars]


def flat(node: cst.CSTNode) -> str:
    """The node's code without spaces: `n + k - 1` and `n+k-1` read the same."""
    return _CODEGEN.code_for_node(node).replace(" ", "")
