"""Where nodes are in the source, computed only for modules that need it.

libcst's position providers each cost a full pass over the tree (more than the
parse), so a `Positions` resolves one the first time it is asked, and only the
one it is asked for. Spans follow `Span`: 1-based lines and columns, end
exclusive (libcst's columns are 0-based).
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import (
    CodeRange,
    MetadataWrapper,
    PositionProvider,
    WhitespaceInclusivePositionProvider,
)

from numbalint.diagnostics import Span


class Positions:
    """Locates nodes of one module (nodes must belong to that very tree)."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._syntactic: Mapping[cst.CSTNode, CodeRange] | None = None
        self._inclusive: Mapping[cst.CSTNode, CodeRange] | None = None

    def __call__(self, node: cst.CSTNode) -> Span:
        """The node's own text, without the blank lines, comments and newline
        it owns: what a finding points at."""
        if self._syntactic is None:
            self._syntactic = self._resolve(PositionProvider)
        return _to_span(self._syntactic[node])

    def extent(self, node: cst.CSTNode) -> Span:
        """All the text `module.code_for_node(node)` produces: what an edit
        replacing the node replaces."""
        if self._inclusive is None:
            self._inclusive = self._resolve(WhitespaceInclusivePositionProvider)
        return _to_span(self._inclusive[node])

    def _resolve(self, provider: type) -> Mapping[cst.CSTNode, CodeRange]:
        # No copy: callers hold nodes of this tree and look them up by identity.
        return MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(provider)


def positions(module: cst.Module) -> Positions:
    """A lazy locator for `module`: call it with a node to get its `Span`."""
    return Positions(module)


def _to_span(code_range: CodeRange) -> Span:
    start, end = code_range.start, code_range.end
    return Span(start.line, start.column + 1, end.line, end.column + 1)
