"""The model's vocabulary: immutable facts about a module, in Numba's terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Mapping

import libcst as cst

if TYPE_CHECKING:
    from numbalint.model.scopes import Scope

KernelKind = Literal["jit", "vectorize", "guvectorize"]


class _Unknown:
    """A decorator option whose value is not a literal: the model cannot tell."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        # Kernels cross process boundaries: unpickling must give back the one
        # marker, so that `value is UNKNOWN` holds in the parent too.
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Param:
    name: str
    kind: Literal["positional_only", "positional", "var_positional", "keyword_only", "var_keyword"]
    has_default: bool


@dataclass(frozen=True)
class Signature:
    """How many arguments a kernel accepts, and under which names."""

    params: tuple[Param, ...]

    def positional(self) -> list[Param]:
        return [p for p in self.params if p.kind in ("positional_only", "positional")]

    def has(self, kind: str) -> bool:
        return any(p.kind == kind for p in self.params)


@dataclass(frozen=True)
class Kernel:
    """A name bound to a jitted function (or a ufunc/gufunc built by numba)."""

    name: str
    kind: KernelKind
    signature: Signature | None
    options: Mapping[str, object]
    returns_value: bool  # returns something new and writes into none of its parameters
    # The `prange(...)` calls in the kernel's own body.
    pranges: tuple[cst.Call, ...] = field(default=(), compare=False)
    # Inputs and outputs of a gufunc's layout, "(n),()->(n)" -> (2, 1).
    layout: tuple[int, int] | None = None
    # The decorator expression (or the wrapping call) where options go; None when imported.
    decorator: cst.BaseExpression | None = field(default=None, compare=False)
    # For a kernel from another module: its file relative to the project root (for messages),
    # and that file's path as the run reads it (where a fix of its decorator goes).
    origin: str | None = None
    defined_in: str | None = None
    # The function compiled, when it is in this module: what its body calls, whether it is idle.
    function: cst.FunctionDef | cst.Lambda | None = field(default=None, compare=False)

    @property
    def parallel(self) -> bool:
        return self.options.get("parallel") is True or self.options.get("target") == "parallel"

    @property
    def releases_gil(self) -> bool:
        return self.options.get("nogil") is True

    def detached(self, path: str) -> Kernel:
        """A copy without tree nodes, for the project index, defined in the file at `path`
        (the index names it relative to the project root)."""
        return Kernel(
            self.name, self.kind, self.signature, dict(self.options), self.returns_value,
            layout=self.layout, origin=path, defined_in=path,
        )


# What becomes of the thread, future or result a launch returns: thrown away,
# joined (or its result read) within the same loop iteration, or kept for later.
Fate = Literal["dropped", "awaited_in_iteration", "kept"]


@dataclass(frozen=True)
class Launch:
    """A place where Python code hands work to another thread."""

    node: cst.Call
    api: str  # Thread, Timer, submit, map, starmap, imap, imap_unordered, apply_async, apply ...
    target: cst.BaseExpression | None
    args: cst.BaseExpression | None  # the args= value (Thread, Timer, apply_async)
    kwargs: cst.BaseExpression | None  # the kwargs=/kwds= value
    extra: tuple[cst.Arg, ...]  # submit's positional arguments, map's iterables
    fate: Fate
    # Where the launch is written; hand it back to the model to resolve names there.
    scope: Scope = field(compare=False, repr=False)


@dataclass(frozen=True)
class KernelUse:
    """A kernel that a launch ends up running on its thread."""

    kernel: Kernel
    via: str  # "" when launched directly, else how: "lambda", "worker()", "partial"
    result_dropped: bool  # the thread throws away what the kernel returns


@dataclass(frozen=True)
class Closure:
    """A lambda or local def that a launch runs, as created in a loop."""

    function: cst.Lambda | cst.FunctionDef
    # Free names it reads that its enclosing loops rebind, in the order first read.
    late_names: tuple[str, ...]
    # Names the loop's iteration had bound before the closure was created.
    bound_before: frozenset[str]
    declared_outside: frozenset[str]  # `global`/`nonlocal` names
    # Created in a loop but launched outside it (stored in a list, run after the loop):
    # joining it where it is launched cannot help, every copy reads the loop's last values.
    runs_after_loop: bool = False

    @property
    def node(self) -> cst.CSTNode:
        """Where a finding points: the lambda, or the def's name."""
        return self.function.name if isinstance(self.function, cst.FunctionDef) else self.function

    @property
    def takes_parameters(self) -> bool:
        params = self.function.params
        return bool(params.params or params.posonly_params or params.kwonly_params
                    or isinstance(params.star_arg, (cst.Param, cst.ParamStar)) or params.star_kwarg)


@dataclass(frozen=True)
class ChunkBound:
    """The end of part i of a floor-division partition: `(i + 1) * chunk`."""

    node: cst.BaseExpression
    index: str  # the part index variable
    size: str  # the chunk-size variable
    total: cst.BaseExpression  # n in `n // k`
    parts: cst.BaseExpression  # k in `n // k`
    exact_total: bool  # the size is `n // k` or `int(n / k)`: the fix may end the last part at n
    assigned: bool  # the whole right-hand side of `end = ...`: a conditional needs no parentheses


# How a subscript's index varies across the iterations of a prange loop:
# "distinct": a different element in every iteration (affine in the prange index);
# "meets": two iterations can reach the same element, and `IndexClass.reason` says how;
# "unknown": the model cannot tell.
IndexVerdict = Literal["distinct", "meets", "unknown"]


@dataclass(frozen=True)
class Affine:
    """An index `coefficient * i + offset`, each a literal int or None when not a literal."""

    coefficient: int | None
    offset: int | None


# Why two iterations can meet, most telling first (the one named when there are several).
MEETING_CAUSES: dict[str, str] = {
    "data": "a value read from data",
    "coarse": "an index that repeats (`%` or `//` of the prange index)",
    "inner": "an inner loop's index",
    "slice": "a slice, the same elements in every iteration",
    "invariant": "an index that is the same in every iteration",
}


@dataclass(frozen=True)
class IndexClass:
    verdict: IndexVerdict
    cause: str = ""  # for "meets": a key of MEETING_CAUSES
    # Per index component, its affine form in the prange index where it has one.
    affine: tuple[Affine | None, ...] = ()

    @property
    def reason(self) -> str:
        return MEETING_CAUSES.get(self.cause, "")


AccessKind = Literal["read", "assign", "update"]


@dataclass(frozen=True)
class ItemAccess:
    """A subscript in a prange body: a read `a[i - 1]`, a write `out[i] = ...`, an update `h[b] += 1`."""

    node: cst.Subscript
    array: str
    kind: AccessKind
    index: IndexClass
    statement: cst.CSTNode  # the statement that writes (the subscript itself for reads)


@dataclass(frozen=True)
class ScalarUpdate:
    """`k += 1`, `s = s + x[i]`, `m = max(m, x[i])` on a name defined before the loop."""

    name: str
    statement: cst.CSTNode


@dataclass(frozen=True)
class ConditionalExtreme:
    """`if x[i] > m: m = x[i]`: a running maximum (or minimum) kept by hand."""

    node: cst.If
    name: str
    candidate: cst.BaseExpression
    function: Literal["max", "min"]
    alone: bool  # the assignment is all the `if` does (no else, no other statement)


@dataclass(frozen=True)
class ContainerMutation:
    """`found.append(i)`, `seen.add(k)`, `d[k] = v` on a container made before the loop."""

    node: cst.CSTNode
    container: str
    operation: str  # the method, or "item assignment"


@dataclass(frozen=True)
class NestedParallelCall:
    """A parallel kernel called in a prange body, directly or through the kernels in `through`."""

    node: cst.Call
    callee: Kernel
    parallel: Kernel  # the parallel kernel reached (the callee itself when called directly)


@dataclass(frozen=True)
class CarriedRead:
    """`a[i - 1]` read in an iteration that writes `a[i]`: another iteration's element."""

    read: ItemAccess
    write: ItemAccess


@dataclass(frozen=True)
class ParallelLoop:
    """A `prange` loop of a `parallel=True` kernel, and what its body does."""

    node: cst.For
    index: str
    kernel: Kernel
    accesses: tuple[ItemAccess, ...]  # on arrays bound outside the body (shared by the iterations)
    carried_reads: tuple[CarriedRead, ...]
    # Reduction variables that the body also reads outside their own updates (first update).
    carried_scalars: tuple[ScalarUpdate, ...]
    extremes: tuple[ConditionalExtreme, ...]
    mutations: tuple[ContainerMutation, ...]
    nested_calls: tuple[NestedParallelCall, ...]
    scratch: frozenset[str]  # arrays allocated before the loop (np.empty, zeros, *_like, ...)
    containers: frozenset[str]  # lists, dicts and sets made before the loop
