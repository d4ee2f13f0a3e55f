"""What a module means in Numba terms: kernels, launches, loops and chunk plans."""

from numbalint.model.arity import Arguments, binding_problem
from numbalint.model.facts import UNKNOWN, ChunkBound, Kernel, KernelUse, Launch, Signature
from numbalint.model.module import KernelLookup, ModuleModel

__all__ = [
    "UNKNOWN",
    "Arguments",
    "ChunkBound",
    "Kernel",
    "KernelLookup",
    "KernelUse",
    "Launch",
    "ModuleModel",
    "Signature",
    "binding_problem",
]
