"""The builder's helper for prange loops: what their bodies read, write, update and call.

`PrangeCollector` rides along the builder's single pass: while the pass is inside
the body of a loop over `prange(...)`, the builder hands it the subscripts, the
bindings, the updates, the `if`s and the calls it meets, and it keeps them in a
`PrangeRecord` per loop. `parallel.py` turns the records into facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst

from numbalint.model.facts import AccessKind, ScalarUpdate
from numbalint.model.scopes import AssignBinding, Binding, CallSite, ImportBinding, Scope
from numbalint.model.walk import children

_EXTREMES = {"max", "min"}


@dataclass(eq=False)
class PrangeRecord:
    """What the single pass saw in one prange loop's body (in the loop's own scope)."""

    node: cst.For
    scope: Scope
    index: str | None
    inner_loops: list[cst.For] = field(default_factory=list)
    # Every binding made in the body, name -> assigned values (None: not a plain `name = value`).
    bindings: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    writes: list[tuple[cst.Subscript, AccessKind, cst.CSTNode]] = field(default_factory=list)
    reads: list[cst.Subscript] = field(default_factory=list)
    updates: list[ScalarUpdate] = field(default_factory=list)
    name_reads: set[str] = field(default_factory=set)  # outside the name's own updates
    ifs: list[cst.If] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)


class PrangeCollector:
    """The builder's helper for prange bodies; every hook is a no-op outside one."""

    def __init__(self) -> None:
        self.records: list[PrangeRecord] = []
        self._open: list[PrangeRecord] = []
        self._stores: set[int] = set()  # subscripts written, not read
        self._update_reads: set[int] = set()  # `s` in `s = s + x`: part of the update

    @property
    def active(self) -> bool:
        return bool(self._open)

    def _in(self, scope: Scope) -> list[PrangeRecord]:
        return [record for record in self._open if record.scope is scope]

    def enter_loop(self, node: cst.For, scope: Scope) -> bool:
        """Open a record when `node` loops over a call that may be prange; True if opened."""
        for record in self._in(scope):
            record.inner_loops.append(node)
        if not _may_be_prange(node.iter, scope):
            return False
        index = node.target.value if isinstance(node.target, cst.Name) else None
        record = PrangeRecord(node, scope, index)
        self.records.append(record)
        self._open.append(record)
        return True

    def leave_loop(self) -> None:
        self._open.pop()

    def bound(self, name: str, binding: Binding, scope: Scope) -> None:
        value = binding.value if isinstance(binding, AssignBinding) else None
        for record in self._in(scope):
            record.bindings.setdefault(name, []).append(value)  # type: ignore[arg-type]

    def assigned(self, node: cst.Assign, scope: Scope) -> None:
        records = self._in(scope)
        if not records or len(node.targets) != 1:
            return
        target = node.targets[0].target
        if isinstance(target, cst.Subscript):
            kind: AccessKind = "update" if _updates(target, node.value) else "assign"
            self._write(records, target, kind, node)
        elif isinstance(target, cst.Name) and _updates(target, node.value):
            self._scalar_update(records, target.value, node, node.value)

    def aug_assigned(self, node: cst.AugAssign, scope: Scope) -> None:
        records = self._in(scope)
        if isinstance(node.target, cst.Subscript):
            self._write(records, node.target, "update", node)
        elif isinstance(node.target, cst.Name):
            self._scalar_update(records, node.target.value, node, None)

    def _write(self, records: list[PrangeRecord], target: cst.Subscript, kind: AccessKind, statement: cst.CSTNode) -> None:
        self._stores.add(id(target))
        for record in records:
            record.writes.append((target, kind, statement))

    def _scalar_update(
        self, records: list[PrangeRecord], name: str, statement: cst.CSTNode, value: cst.BaseExpression | None
    ) -> None:
        if value is not None:
            self._update_reads.update(id(n) for n in _names_called(value, name))
        for record in records:
            record.updates.append(ScalarUpdate(name, statement))

    def subscript(self, node: cst.Subscript, scope: Scope) -> None:
        if id(node) not in self._stores:
            for record in self._in(scope):
                record.reads.append(node)

    def name_read(self, node: cst.Name, scope: Scope) -> None:
        if id(node) not in self._update_reads:
            for record in self._in(scope):
                record.name_reads.add(node.value)

    def branch(self, node: cst.If, scope: Scope) -> None:
        for record in self._in(scope):
            record.ifs.append(node)

    def call(self, site: CallSite) -> None:
        for record in self._in(site.scope):
            record.calls.append(site)


def _may_be_prange(iterable: cst.BaseExpression, scope: Scope) -> bool:
    """`prange(n)`, `numba.prange(n)`, `nb.prange(n)`, or a name imported as prange.
    The model checks afterwards that it really is numba's."""
    if not isinstance(iterable, cst.Call):
        return False
    func = iterable.func
    if isinstance(func, cst.Attribute):
        return func.attr.value == "prange"
    if not isinstance(func, cst.Name):
        return False
    imported = scope.lookup(func.value) or []
    return func.value == "prange" or any(
        isinstance(b, ImportBinding) and b.qualified.endswith(".prange") for b in imported
    )


def _updates(target: cst.BaseExpression, value: cst.BaseExpression) -> bool:
    """`t = t + e`, `t = e * t`, `t = max(t, e)`: the value combines the target's old value."""
    if isinstance(value, cst.BinaryOperation):
        commutes = isinstance(value.operator, (cst.Add, cst.Multiply))
        return target.deep_equals(value.left) or (commutes and target.deep_equals(value.right))
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in _EXTREMES:
        return any(target.deep_equals(arg.value) for arg in value.args)
    return False


def _names_called(expr: cst.CSTNode, name: str) -> Iterator[cst.Name]:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value == name:
                yield node
        else:
            stack.extend(children(node))
