"""Scopes, bindings and call sites recorded by the model's single pass.

These are the builder's working records. The model's parts (names, kernels,
launches) answer questions from them; rules never import this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

import libcst as cst

ScopeKind = Literal["module", "function", "lambda", "class"]


@dataclass(eq=False)  # loops are compared by identity
class LoopRecord:
    node: cst.CSTNode
    rebinds: set[str] = field(default_factory=set)


# What a name is bound to, one class per way of binding it (as pyflakes does).


@dataclass(frozen=True)
class DefBinding:
    node: cst.FunctionDef


@dataclass(frozen=True)
class ClassBinding:
    node: cst.ClassDef


@dataclass(frozen=True)
class AssignBinding:
    """`name = value` (or `with value as name`); value None when unpacked from a tuple."""

    value: cst.BaseExpression | None
    in_with: bool = False  # bound by `with value as name`: the block's exit waits for executors


@dataclass(frozen=True)
class ImportBinding:
    qualified: str  # "numba.njit" for `from numba import njit`; "numba" for `import numba.core`


@dataclass(frozen=True)
class OtherBinding:
    """A parameter, loop target, `except ... as`, augmented assignment or walrus:
    bound to a value the model does not follow."""


Binding = Union[DefBinding, ClassBinding, AssignBinding, ImportBinding, OtherBinding]
UNFOLLOWED = OtherBinding()


# How the value of a call is used by the code around it.
UseKind = Literal["statement", "assign", "return", "receiver", "append", "other"]


@dataclass(frozen=True)
class Use:
    kind: UseKind
    names: tuple[str, ...] = ()  # assigned names, the appended-to list, or the method called


@dataclass
class CallSite:
    node: cst.Call
    scope: Scope
    loops: tuple[LoopRecord, ...]
    use: Use
    expects_error: bool = False  # inside `with pytest.raises(...)` / `self.assertRaises(...)`
    contexts: tuple[cst.Call, ...] = ()  # the calls of the `with` items around it, outermost first


@dataclass
class Scope:
    kind: ScopeKind
    node: cst.CSTNode | None
    parent: Scope | None
    loops_at_creation: tuple[LoopRecord, ...] = ()
    bound_at_creation: frozenset[str] = frozenset()  # names its loops' iteration had bound by then
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)  # names read (how often), in the order first read
    # Reads that only start or configure a thread or executor, or iterate over a list of them:
    # name -> the attribute used (`start`, `daemon`, `submit`, ...) or "iter", once per read.
    handle_reads: dict[str, list[str]] = field(default_factory=dict)
    waited: set[str] = field(default_factory=set)  # names passed to `concurrent.futures.wait`
    # Loop and comprehension variables -> the iterables they are drawn from: `for job in jobs`.
    iterates: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    appended: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)  # `jobs.append(job)`
    declared_outside: set[str] = field(default_factory=set)  # `global`/`nonlocal` names
    item_stores: set[str] = field(default_factory=set)  # names written through: `out[i] = ...`
    returns: list[cst.BaseExpression | None] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    children: list[Scope] = field(default_factory=list)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def lookup(self, name: str) -> list[Binding] | None:
        """The bindings a read of `name` here may see, per Python's scoping."""
        scope: Scope | None = self
        while scope is not None:
            # Class bodies are not visible from the functions nested in them.
            if name in scope.bindings and (scope is self or scope.kind != "class"):
                return scope.bindings[name]
            scope = scope.parent
        return None

    def read(self, name: str) -> None:
        self.reads[name] = self.reads.get(name, 0) + 1

    def free_reads(self) -> list[str]:
        """Names read here but bound elsewhere, in the order first read."""
        return [name for name in self.reads if name not in self.bindings]

    def all_calls(self) -> list[CallSite]:
        """Calls made here and in nested lambdas and comprehensions (not nested defs)."""
        calls = list(self.calls)
        for child in self.children:
            if child.kind == "lambda":
                calls.extend(child.all_calls())
        return calls
