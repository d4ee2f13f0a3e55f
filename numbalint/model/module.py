"""`ModuleModel`: what a module means in Numba terms, answered from one pass.

The pass (`builder.py`) records scopes, bindings, calls and loops once. Each
part of the model answers one kind of question from those records:

- `names`: what a name means where it is read (imports, single assignments);
- `kernels`: which names are kernels, with which options, and their calls;
- `launches`: where work is handed to threads, and what those threads run;
- `chunks`: floor-division chunk plans whose last part falls short;
- `parallel`: prange loops of parallel kernels, and what their bodies do.
"""

from __future__ import annotations

import libcst as cst

from numbalint.model.builder import build_records
from numbalint.model.chunks import ChunkAnalysis
from numbalint.model.kernels import KernelLookup, Kernels
from numbalint.model.launches import Launches
from numbalint.model.names import Names
from numbalint.model.parallel import ParallelAnalysis


class ModuleModel:
    def __init__(self, module: cst.Module, *, lookup: KernelLookup | None = None) -> None:
        self.module = module
        records = build_records(module)
        self.names = Names(records)
        self.kernels = Kernels(records, self.names, lookup)
        self.launches = Launches(records, self.names, self.kernels)
        self.chunks = ChunkAnalysis(records, self.names)
        self.parallel = ParallelAnalysis(records, self.names, self.kernels)

    def code(self, node: cst.CSTNode) -> str:
        """The source text of a node of this module."""
        return self.module.code_for_node(node)
