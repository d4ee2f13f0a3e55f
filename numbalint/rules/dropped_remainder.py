from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import ChunkBound, ModuleModel
from numbalint.rules.base import Rule


class DroppedRemainder(Rule):
    """
    ## What it does
    Flags floor-division chunking whose last part does not reach `n`: a size
    `chunk = n // k` (or `(n + 1) // k`, `int(n / k)`), parts built as
    `i * chunk .. (i + 1) * chunk` in a loop over the `k` parts, with nothing
    that ends the last part at `n` or handles the remainder. In Python code
    and inside a `prange` alike.

    It is flagged even when today's sizes divide evenly: the next input will not.

    ## Why is this bad?
    `k * (n // k)` is `n - n % k`: the last `n % k` items are never processed.
    No error is raised; the output keeps whatever it held (uninitialised memory
    from `np.empty`).

    ## Example
    ```python
    chunk = n // k
    for i in range(k):
        start = i * chunk
        end = (i + 1) * chunk
    ```

    ## Use instead
    ```python
    chunk = (n + k - 1) // k          # ceil division
    for i in range(k):
        start = min(i * chunk, n)
        end = min(start + chunk, n)
    ```
    or `np.array_split(x, k)`, or `end = n if i == k - 1 else (i + 1) * chunk`.

    ## Fix
    Unsafe: the end bound becomes `n if i == k - 1 else (i + 1) * chunk`
    (parenthesised unless it is the whole right-hand side of an assignment). It
    re-evaluates `n`, which is only right if `n` means the same there.
    """

    code = "NBL005"
    name = "dropped-remainder"
    summary = "floor-division chunking never processes the last n % k items"
    fix = "unsafe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for bound in model.chunks.unfinished_bounds():
            total, parts = model.code(bound.total), model.code(bound.parts)
            message = (
                f"the last part ends at `{model.code(bound.node)}`, so the last `{total} % {parts}` items "
                f"are never processed. That bound is `{parts} * ({total} // {parts})`, not `{total}`; nothing "
                f"fails, and the output keeps whatever it held there. End the last part at `{total}`, or use "
                f"ceil division with `min(..., {total})`, or `np.array_split`."
            )
            yield self.report(bound.node, message, _fix(model, bound))


def _fix(model: ModuleModel, bound: ChunkBound) -> Fix | None:
    if not bound.exact_total:
        return None

    def last_part_ends_at_total() -> tuple[Replacement, ...]:
        text = (
            f"{_bare(model, bound.total)} if {bound.index} == {_bare(model, bound.parts)} - 1 "
            f"else {model.code(bound.node)}"
        )
        new = cst.parse_expression(text if bound.assigned else f"({text})")
        return (Replacement(bound.node, new),)

    return Fix("End the last part at the total", "unsafe", last_part_ends_at_total)


def _bare(model: ModuleModel, node: cst.BaseExpression) -> str:
    """Source of an operand, parenthesised when it is not a simple term."""
    code = model.code(node)
    simple = isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer))
    return code if simple or node.lpar else f"({code})"
