"""Reading numba's decorators: which calls make kernels, with which options, and a kernel's parameters."""

from __future__ import annotations

import libcst as cst

from numbalint.model.facts import UNKNOWN, KernelKind, Param, Signature

_FACTORIES: dict[str, KernelKind] = {
    "njit": "jit",
    "jit": "jit",
    "vectorize": "vectorize",
    "guvectorize": "guvectorize",
}


def kernel_kind(qualified: str | None) -> KernelKind | None:
    """`numba.njit`, `numba.core.decorators.jit`, `numba.np.ufunc.vectorize`...

    GPU decorators (`numba.cuda.jit`) are not CPU kernels and are left alone.
    """
    if not qualified or not qualified.startswith("numba."):
        return None
    parts = qualified.split(".")
    if "cuda" in parts or "roc" in parts:
        return None
    return _FACTORIES.get(parts[-1])


def literal(node: cst.BaseExpression) -> object:
    """The value of a literal option (True, 4, "parallel"), else UNKNOWN."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else UNKNOWN
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    return UNKNOWN


def options_of(call: cst.Call | None) -> dict[str, object]:
    """Keyword options of a decorator call; `**opts` makes every option unknown."""
    if call is None:
        return {}
    options: dict[str, object] = {}
    for arg in call.args:
        if arg.star == "**":
            return {"nogil": UNKNOWN, "parallel": UNKNOWN, "target": UNKNOWN}
        if arg.keyword is not None:
            options[arg.keyword.value] = literal(arg.value)
    return options


def layout_of(call: cst.Call | None) -> tuple[int, int] | None:
    """Inputs and outputs of a gufunc layout string such as "(n),()->(n)"."""
    if call is None:
        return None
    for arg in call.args:
        value = literal(arg.value) if arg.keyword is None else None
        if isinstance(value, str) and "->" in value:
            inputs, outputs = value.split("->", 1)
            return inputs.count("("), outputs.count("(")
    return None


def signature_of(params: cst.Parameters) -> Signature:
    collected: list[Param] = []
    collected += [Param(p.name.value, "positional_only", p.default is not None) for p in params.posonly_params]
    collected += [Param(p.name.value, "positional", p.default is not None) for p in params.params]
    if isinstance(params.star_arg, cst.Param):
        collected.append(Param(params.star_arg.name.value, "var_positional", False))
    collected += [Param(p.name.value, "keyword_only", p.default is not None) for p in params.kwonly_params]
    if isinstance(params.star_kwarg, cst.Param):
        collected.append(Param(params.star_kwarg.name.value, "var_keyword", False))
    return Signature(tuple(collected))
