"""What a module means in Numba terms: kernels, launches, loops and chunk plans."""

from numbalint.model.arity import Arguments, arguments_of, binding_problem
from numbalint.model.facts import (
    UNKNOWN,
    ChunkBound,
    Closure,
    ItemAccess,
    Kernel,
    KernelUse,
    Launch,
    ParallelLoop,
    Signature,
)
from numbalint.model.kernels import KernelCall, KernelLookup
from numbalint.model.module import ModuleModel
from numbalint.model.names import AttributeAssignment, ItemAssignment, QualifiedCall, string_value

__all__ = [
    "UNKNOWN",
    "Arguments",
    "AttributeAssignment",
    "ChunkBound",
    "ItemAssignment",
    "Closure",
    "ItemAccess",
    "Kernel",
    "KernelCall",
    "KernelLookup",
    "KernelUse",
    "Launch",
    "QualifiedCall",
    "ModuleModel",
    "ParallelLoop",
    "Signature",
    "arguments_of",
    "binding_problem",
    "string_value",
]
