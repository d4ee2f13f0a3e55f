"""Where nodes are in the source, for the nodes a module's findings point at.

libcst's position providers record a position for every node of the tree and
track line and column token by token: each costs more than the parse itself.
A finding needs the spans of a few nodes, so `Positions` generates the module's
code once, noting only where the chosen nodes start and end in the token
stream, and turns those token counts into lines and columns afterwards. The
spans are exactly what libcst's providers give (tests/test_positions.py checks
that): `span(node)` is PositionProvider's (the node's own text) and
`extent(node)` is WhitespaceInclusivePositionProvider's (all the text the node
generates, which an edit replacing the node replaces).

Spans follow `Span`: 1-based lines and columns, end exclusive.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState  # what libcst's own position providers extend

from numbalint.diagnostics import Span

_NEWLINE = re.compile(r"\r\n?|\n")  # libcst's definition of a line break

# A syntactic bound is a token index, or "where this other node's span starts/ends".
_Bound = "int | cst.CSTNode"


@dataclass(frozen=False)
class _Tracker(CodegenState):
    """Code generation that notes token indices at the chosen nodes only."""

    watched: set[int] = field(default_factory=set)
    inclusive: dict[int, tuple[int, int]] = field(default_factory=dict)
    syntactic: dict[int, tuple[object, object]] = field(default_factory=dict)
    _open: dict[int, int] = field(default_factory=dict)

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.watched and key not in self.inclusive:
            self._open.setdefault(key, len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self._open:
            self.inclusive[key] = (self._open.pop(key), len(self.tokens))

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        key = id(node)
        if key not in self.watched or key in self.syntactic:
            yield
            return
        # A node whose span is hoisted from a child (a decorated def starts at its
        # first decorator) needs that child's span too: watch it before it is generated.
        for child in (start_node, end_node):
            if child is not None:
                self.watched.add(id(child))
        start = start_node if start_node is not None else len(self.tokens)
        try:
            yield
        finally:
            self.syntactic[key] = (start, end_node if end_node is not None else len(self.tokens))


class Positions:
    """Spans of chosen nodes of one module, from one pass of code generation."""

    def __init__(self, module: cst.Module, nodes: Iterable[cst.CSTNode]) -> None:
        tracker = _Tracker(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            watched={id(node) for node in nodes},
        )
        module._codegen(tracker)
        self._tracker = tracker
        self.code = "".join(tracker.tokens)  # the module's source, as `module.code` gives it
        self._offsets = [0, *accumulate(map(len, tracker.tokens))]  # char offset of each token index
        self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(self.code))]

    def __call__(self, node: cst.CSTNode) -> Span:
        """The node's own text, without the blank lines, comments and newline it owns."""
        start, end = self._syntactic(node)
        return self._span(start, end)

    def extent(self, node: cst.CSTNode) -> Span:
        """All the text the node generates: what an edit replacing the node replaces."""
        start, end = self._tracker.inclusive[id(node)]
        return self._span(start, end)

    def _syntactic(self, node: cst.CSTNode) -> tuple[int, int]:
        bounds = self._tracker.syntactic.get(id(node))
        if bounds is None:  # a node with no syntactic position of its own
            return self._tracker.inclusive[id(node)]
        start, end = bounds
        return (
            start if isinstance(start, int) else self._syntactic(start)[0],  # type: ignore[arg-type]
            end if isinstance(end, int) else self._syntactic(end)[1],  # type: ignore[arg-type]
        )

    def _span(self, start: int, end: int) -> Span:
        return Span(*self._line_column(self._offsets[start]), *self._line_column(self._offsets[end]))

    def _line_column(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1
