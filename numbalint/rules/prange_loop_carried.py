from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import ModuleModel
from numbalint.model.facts import ConditionalExtreme
from numbalint.rules.base import Rule


class PrangeLoopCarried(Rule):
    """
    ## What it does
    Flags a `prange` loop in which an iteration reads what another one writes:
    - an element written by a neighbouring iteration: `a[i] = a[i - 1] + x[i]`
      (or `a[i + 1]`, in any one component of a tuple index);
    - a counter or running total defined before the loop, updated inside it and
      also read there: `out[k] = x[i]` then `k += 1`;
    - a running maximum kept by hand: `if x[i] > m: m = x[i]`.

    numba's documented reductions stay clean: `s += x[i]`, `p *= x[i]`,
    `m = max(m, x[i])`, `acc += row`, as long as the body does not also read
    the partial value.

    ## Why is this bad?
    `prange` runs iterations in any order, on several threads at once. An
    iteration that reads its neighbour's element sees it before or after it was
    written, depending on timing. A reduction variable is private to each thread
    and only combined after the loop, so reading it inside the loop gives a
    partial value; a counter used as an index gives positions that collide. A
    variable assigned under an `if` is not a reduction at all: each thread keeps
    its own, and which one survives the loop is arbitrary.

    ## Example
    ```python
    @njit(parallel=True)
    def largest(x):
        m = x[0]
        for i in prange(x.shape[0]):
            if x[i] > m:
                m = x[i]
        return m
    ```

    ## Use instead
    ```python
    @njit(parallel=True)
    def largest(x):
        m = x[0]
        for i in prange(x.shape[0]):
            m = max(m, x[i])   # a reduction numba recognises
        return m
    ```
    A running sum (`a[i] = a[i - 1] + x[i]`) needs a scan
    (`numbalint.reference.prefix_sum`); a counter that compacts items needs
    the positions computed first (a prefix sum of the flags).

    ## Fix
    Unsafe, for the running maximum or minimum only: `if x > m: m = x` becomes
    `m = max(m, x)`. It evaluates `x` once instead of twice, and for NaN the
    result of `max` may differ from the comparison's; check before applying.
    """

    code = "NBL013"
    name = "prange-loop-carried"
    summary = "a prange iteration reads what another writes"
    fix = "unsafe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for loop in model.parallel.loops:
            for carried in loop.carried_reads:
                read, write = model.code(carried.read.node), model.code(carried.write.node)
                yield self.report(carried.read.node, (
                    f"`{read}` is written by another iteration of this prange loop. Iterations run in any "
                    f"order on several threads, so this reads it before or after that write (`{write} = "
                    "...`) depending on timing. A running computation like this needs a scan (a blocked "
                    "prefix sum, say), not prange."
                ))
            for update in loop.carried_scalars:
                yield self.report(update.statement, (
                    f"`{update.name}` is updated in this prange loop and also read in it. Each thread keeps "
                    f"its own partial `{update.name}`, combined only after the loop, so the value read is not "
                    "the running one (used as an index, positions collide). Compute the positions first (a "
                    "prefix sum of the counts), or keep it a pure reduction."
                ))
            for extreme in loop.extremes:
                yield self.report(extreme.node, _extreme_message(model, extreme), _extreme_fix(model, extreme))


def _extreme_message(model: ModuleModel, extreme: ConditionalExtreme) -> str:
    name, candidate = extreme.name, model.code(extreme.candidate)
    return (
        f"`{name}` is kept under an `if` in a prange loop, which is no reduction. Each thread keeps its "
        f"own `{name}`, and which one survives the loop is arbitrary. Write "
        f"`{name} = {extreme.function}({name}, {candidate})`, which numba turns into a reduction."
    )


def _extreme_fix(model: ModuleModel, extreme: ConditionalExtreme) -> Fix | None:
    if not extreme.alone:
        return None
    name, candidate = extreme.name, model.code(extreme.candidate)
    statement = cst.parse_statement(f"{name} = {extreme.function}({name}, {candidate})\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    new = statement.with_changes(leading_lines=extreme.node.leading_lines)
    return Fix(f"Use `{extreme.function}` (a reduction numba recognises)", "unsafe",
               (Replacement(extreme.node, new),))
