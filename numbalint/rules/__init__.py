"""The rule registry: every rule numbalint knows, in code order."""

from __future__ import annotations

from numbalint.rules.args_not_tuple import ArgsNotTuple
from numbalint.rules.base import Rule
from numbalint.rules.discarded_result import DiscardedResult
from numbalint.rules.dropped_remainder import DroppedRemainder
from numbalint.rules.kernel_arity import KernelArity
from numbalint.rules.late_binding_closure import LateBindingClosure
from numbalint.rules.late_numba_config import LateNumbaConfig
from numbalint.rules.missing_nogil import MissingNogil
from numbalint.rules.nested_parallel import NestedParallel
from numbalint.rules.numba_function_assigned import NumbaFunctionAssigned
from numbalint.rules.parallel_without_prange import ParallelWithoutPrange
from numbalint.rules.prange_container_mutation import PrangeContainerMutation
from numbalint.rules.prange_loop_carried import PrangeLoopCarried
from numbalint.rules.prange_shared_write import PrangeSharedWrite
from numbalint.rules.prange_without_parallel import PrangeWithoutParallel
from numbalint.rules.target_called import TargetCalled
from numbalint.rules.thread_local_num_threads import ThreadLocalNumThreads
from numbalint.rules.threads_around_parallel import ThreadsAroundParallel
from numbalint.rules.unjoined_thread import UnjoinedThread
from numbalint.rules.unused_noqa import UnusedNoqa

ALL_RULES: tuple[type[Rule], ...] = (
    KernelArity,
    LateBindingClosure,
    ThreadsAroundParallel,
    MissingNogil,
    DroppedRemainder,
    DiscardedResult,
    TargetCalled,
    ArgsNotTuple,
    UnjoinedThread,
    PrangeWithoutParallel,
    ParallelWithoutPrange,
    PrangeSharedWrite,
    PrangeLoopCarried,
    PrangeContainerMutation,
    NestedParallel,
    ThreadLocalNumThreads,
    LateNumbaConfig,
    NumbaFunctionAssigned,
    UnusedNoqa,
)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
RULES_BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}
RULE_IDS: tuple[tuple[str, str], ...] = tuple((rule.code, rule.name) for rule in ALL_RULES)
NAME_TO_CODE: dict[str, str] = {rule.name: rule.code for rule in ALL_RULES}
ALL_CODES: frozenset[str] = frozenset(RULES_BY_CODE)
# Rules that run only when a selector names them (NBL100).
OFF_BY_DEFAULT: frozenset[str] = frozenset(rule.code for rule in ALL_RULES if not rule.selected_by_default)


def find_rule(selector: str) -> type[Rule] | None:
    """A rule by code (any case) or by name."""
    return RULES_BY_CODE.get(selector.upper()) or RULES_BY_NAME.get(selector.lower())
