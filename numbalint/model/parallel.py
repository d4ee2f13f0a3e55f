"""prange loops of parallel kernels: what their bodies read, write, update, mutate and call.

The single pass keeps a `PrangeRecord` per loop over what may be `prange`
(`prange_collector.py`). `ParallelAnalysis` turns these records into
`ParallelLoop` facts, once the model knows which names are kernels (and which
loops belong to a `parallel=True` one), and classifies each subscript's index
with `indices.classify_index`.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterator

import libcst as cst

from numbalint.model.facts import (
    CarriedRead,
    ConditionalExtreme,
    ContainerMutation,
    ItemAccess,
    Kernel,
    NestedParallelCall,
    ParallelLoop,
    ScalarUpdate,
)
from numbalint.model.idle import idle_parallel_kernels
from numbalint.model.indices import LoopNames, classify_index, is_invariant
from numbalint.model.prange_collector import PrangeRecord
from numbalint.model.scopes import AssignBinding, Scope

if TYPE_CHECKING:
    from numbalint.model.builder import PassRecords
    from numbalint.model.kernels import Kernels
    from numbalint.model.names import Names

_RANGES = {"range", "prange"}
_ALLOCATIONS = {
    f"numpy.{name}"
    for name in ("empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like")
}
_CONTAINER_BUILTINS = {"list", "dict", "set"}
_TYPED_CONTAINERS = {
    "numba.typed.List", "numba.typed.Dict.empty", "numba.typed.List.empty_list",
    "numba.typed.typedlist.List", "numba.typed.typeddict.Dict.empty",
}
_CONTAINER_LITERALS = (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)
_MUTATORS = {
    "append", "extend", "insert", "pop", "remove", "clear", "add", "discard", "update",
    "setdefault", "popitem", "appendleft", "extendleft", "popleft", "sort", "reverse",
}
# How many kernels deep a call chain is followed to find a parallel kernel.
_CALL_DEPTH = 3


class ParallelAnalysis:
    """Builds the `ParallelLoop` facts of a module from the pass's prange records."""

    def __init__(self, records: PassRecords, names: Names, kernels: Kernels) -> None:
        self._records = records
        self._names = names
        self._kernels = kernels

    def idle_kernels(self) -> Iterator[Kernel]:
        """`parallel=True` kernels with no prange and no array operation (see idle.py)."""
        return idle_parallel_kernels(self._kernels.defined)

    @cached_property
    def loops(self) -> list[ParallelLoop]:
        """The prange loops of this module's `parallel=True` kernels, with what their bodies do."""
        kernel_of_prange = {id(call): k for k in self._kernels.defined for call in k.pranges}
        records = self._records.prange_loops
        # numba runs a prange nested in another prange serially, as part of the outer one.
        nested = {id(inner) for record in records for inner in record.inner_loops}
        found = []
        for record in records:
            kernel = kernel_of_prange.get(id(record.node.iter))
            if kernel is None or kernel.options.get("parallel") is not True or id(record.node) in nested:
                continue
            if record.index:
                found.append(self._loop(record, kernel))
        return found

    def _loop(self, record: PrangeRecord, kernel: Kernel) -> ParallelLoop:
        names = _loop_names(record)
        containers = self._made_before(record, self._is_container)
        dicts = self._made_before(record, self._is_dict)
        accesses = tuple(self._accesses(record, names))
        return ParallelLoop(
            node=record.node,
            index=record.index or "",
            kernel=kernel,
            accesses=accesses,
            carried_reads=tuple(_carried_reads(accesses)),
            carried_scalars=tuple(_carried_scalars(record)),
            extremes=tuple(_extremes(record)),
            mutations=tuple(_mutations(record, containers, dicts, accesses)),
            nested_calls=tuple(self._nested_calls(record)),
            scratch=self._made_before(record, self._is_allocation),
            containers=containers,
        )

    def _accesses(self, record: PrangeRecord, names: LoopNames) -> Iterator[ItemAccess]:
        """Subscripts of arrays that the iterations share: not those bound in the body
        (a per-iteration array, or a view we cannot follow)."""
        for target, kind, statement in record.writes:
            if isinstance(target.value, cst.Name) and target.value.value not in record.bindings:
                yield ItemAccess(target, target.value.value, kind, classify_index(target.slice, names), statement)
        for read in record.reads:
            if isinstance(read.value, cst.Name) and read.value.value not in record.bindings:
                yield ItemAccess(read, read.value.value, "read", classify_index(read.slice, names), read)

    def _made_before(self, record: PrangeRecord, test: Callable[[cst.CSTNode, Scope], bool]) -> frozenset[str]:
        """Names written in the body, bound once outside it, to a value that passes `test`."""
        written = {target.value.value for target, _, _ in record.writes if isinstance(target.value, cst.Name)}
        written |= {site.node.func.value.value for site in record.calls if _receiver(site.node)}  # type: ignore[union-attr]
        found = set()
        for name in written - set(record.bindings):
            binding = self._names.only_binding(name, record.scope)
            if isinstance(binding, AssignBinding) and binding.value is not None and test(binding.value, record.scope):
                found.add(name)
        return frozenset(found)

    def _is_allocation(self, value: cst.CSTNode, scope: Scope) -> bool:
        return isinstance(value, cst.Call) and self._names.qualify(value.func, scope) in _ALLOCATIONS

    def _is_container(self, value: cst.CSTNode, scope: Scope) -> bool:
        """`[]`, `{}`, `set()`, a comprehension, `numba.typed.List()`, `Dict.empty(...)`."""
        if isinstance(value, _CONTAINER_LITERALS):
            return True
        return isinstance(value, cst.Call) and (
            (isinstance(value.func, cst.Name) and value.func.value in _CONTAINER_BUILTINS)
            or self._names.qualify(value.func, scope) in _TYPED_CONTAINERS
        )

    def _is_dict(self, value: cst.CSTNode, scope: Scope) -> bool:
        if isinstance(value, (cst.Dict, cst.DictComp)):
            return True
        return isinstance(value, cst.Call) and (
            (isinstance(value.func, cst.Name) and value.func.value == "dict")
            or str(self._names.qualify(value.func, scope)).endswith("Dict.empty")
        )

    def _nested_calls(self, record: PrangeRecord) -> Iterator[NestedParallelCall]:
        for site in record.calls:
            callee = self._kernels.of(site.node.func, site.scope)
            if callee is None:
                continue
            reached = self._parallel_reached(callee, 0, set())
            if reached is not None:
                yield NestedParallelCall(site.node, callee, reached)

    def _parallel_reached(self, kernel: Kernel, depth: int, seen: set[int]) -> Kernel | None:
        """`kernel` itself if it is parallel, else a parallel kernel it calls (a few calls deep)."""
        if kernel.parallel:
            return kernel
        body = self._records.scope_of.get(id(kernel.function)) if kernel.function else None
        if body is None or depth >= _CALL_DEPTH or id(body) in seen:
            return None
        seen.add(id(body))
        for site in body.all_calls():
            callee = self._kernels.of(site.node.func, site.scope)
            reached = self._parallel_reached(callee, depth + 1, seen) if callee is not None else None
            if reached is not None:
                return reached
        return None


def _receiver(call: cst.Call) -> bool:
    """`name.method(...)` with a mutating method."""
    func = call.func
    return isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _MUTATORS


def _loop_names(record: PrangeRecord) -> LoopNames:
    """The prange index, the inner loops over a fixed range, and the body's single assignments."""
    assert record.index is not None
    values = {
        name: found[0] for name, found in record.bindings.items()
        if len(found) == 1 and found[0] is not None and name != record.index
    }
    varying = frozenset(record.bindings) - {record.index}
    names = LoopNames(record.index, frozenset(), values, varying - set(values))
    inner: set[str] = set()
    loops_binding: dict[str, list[cst.For]] = {}
    for loop in record.inner_loops:
        if isinstance(loop.target, cst.Name):
            loops_binding.setdefault(loop.target.value, []).append(loop)
    for loop in record.inner_loops:  # outer ones first: an inner range may use an outer inner index
        target = loop.target.value if isinstance(loop.target, cst.Name) else None
        # `j` of several `for j in range(m)` loops is an inner index if nothing else binds it.
        only_loops = target is not None and len(record.bindings.get(target, ())) == len(loops_binding[target])
        if only_loops and all(_fixed_range(other.iter, names) for other in loops_binding[target]):  # type: ignore[index]
            inner.add(target)  # type: ignore[arg-type]
            names = LoopNames(record.index, frozenset(inner), values, names.varying - {target})
    return names


def _fixed_range(iterable: cst.BaseExpression, names: LoopNames) -> bool:
    """`range(n)`, `range(1, m - 1)`: the same numbers in every iteration of the prange."""
    if not isinstance(iterable, cst.Call) or not iterable.args:
        return False
    func = iterable.func
    callee = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
    return callee in _RANGES and all(not a.keyword and not a.star and is_invariant(a.value, names) for a in iterable.args)


def _carried_reads(accesses: tuple[ItemAccess, ...]) -> Iterator[CarriedRead]:
    """Reads of an element that another iteration writes: `a[i - 1]` beside `a[i] = ...`."""
    writes = [a for a in accesses if a.kind != "read"]
    for read in accesses:
        if read.kind != "read":
            continue
        write = next((w for w in writes if w.array == read.array and _shifted(read, w)), None)
        if write is not None:
            yield CarriedRead(read, write)


def _shifted(read: ItemAccess, write: ItemAccess) -> bool:
    """One index component `c*i + a` against `c*i + b` (literals, a != b), every other
    component written the same: `a[i - 1, j]` against `a[i, j]`."""
    read_slice, write_slice = read.node.slice, write.node.slice
    forms = list(zip(read.index.affine, write.index.affine))
    if not (len(read_slice) == len(write_slice) == len(forms)):
        return False
    shifted = [
        position for position, (r, w) in enumerate(forms)
        if r is not None and w is not None and r.coefficient is not None and r.coefficient == w.coefficient
        and None not in (r.offset, w.offset) and r.offset != w.offset
    ]
    if len(shifted) != 1:
        return False
    others = [(r, w) for p, (r, w) in enumerate(zip(read_slice, write_slice)) if p != shifted[0]]
    return all(r.slice.deep_equals(w.slice) for r, w in others)


def _carried_scalars(record: PrangeRecord) -> Iterator[ScalarUpdate]:
    """Reduction variables (bound in the body only by their updates) that the body also reads."""
    seen: set[str] = set()
    for update in record.updates:
        name = update.name
        if name in seen or name == record.index:
            continue
        seen.add(name)
        updates = sum(1 for u in record.updates if u.name == name)
        if len(record.bindings.get(name, ())) == updates and name in record.name_reads:
            yield update


def _extremes(record: PrangeRecord) -> Iterator[ConditionalExtreme]:
    for node in record.ifs:
        extreme = _extreme(node)
        if extreme is not None and len(record.bindings.get(extreme.name, ())) == 1:
            yield extreme


def _extreme(node: cst.If) -> ConditionalExtreme | None:
    """`if x > m: m = x` (max), `if x < m: m = x` (min), either side of the comparison."""
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    operator = target.operator
    if not isinstance(operator, (cst.GreaterThan, cst.GreaterThanEqual, cst.LessThan, cst.LessThanEqual)):
        return None
    larger = isinstance(operator, (cst.GreaterThan, cst.GreaterThanEqual))
    for running, candidate, wanted_max in ((test.left, target.comparator, not larger), (target.comparator, test.left, larger)):
        if not isinstance(running, cst.Name):
            continue
        statements = _small_statements(node.body)
        for statement in statements:
            if _assigns(statement, running, candidate):
                alone = len(statements) == 1 and node.orelse is None
                return ConditionalExtreme(node, running.value, candidate, "max" if wanted_max else "min", alone)
    return None


def _small_statements(body: cst.BaseSuite) -> list[cst.BaseSmallStatement]:
    """The statements of a body made only of simple statements; [] when it holds a compound one."""
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    lines = list(body.body)  # type: ignore[attr-defined]
    if all(isinstance(line, cst.SimpleStatementLine) for line in lines):
        return [s for line in lines for s in line.body]
    return []


def _assigns(statement: cst.CSTNode, target: cst.Name, value: cst.BaseExpression) -> bool:
    return (
        isinstance(statement, cst.Assign) and len(statement.targets) == 1
        and target.deep_equals(statement.targets[0].target) and value.deep_equals(statement.value)
    )


def _mutations(
    record: PrangeRecord, containers: frozenset[str], dicts: frozenset[str], accesses: tuple[ItemAccess, ...]
) -> Iterator[ContainerMutation]:
    """Mutating method calls on containers made before the loop; item assignment into dicts
    (into a list it is a write like an array's)."""
    for site in record.calls:
        if _receiver(site.node):
            func = site.node.func
            name = func.value.value  # type: ignore[attr-defined]
            if name in containers:
                yield ContainerMutation(site.node, name, f".{func.attr.value}()")  # type: ignore[attr-defined]
    for access in accesses:
        if access.kind != "read" and access.array in dicts:
            yield ContainerMutation(access.statement, access.array, "item assignment")
