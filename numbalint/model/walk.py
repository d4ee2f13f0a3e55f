"""A lean traversal of libcst trees, for reading only.

libcst's own visitor rebuilds its way through every node, whitespace and
punctuation included, with hooks per attribute: on real code that costs about
as much as the parse. Reading a module in Numba terms needs only statements
and expressions, so this walker descends through the fields that can hold
them, with tables computed once per node class.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

import libcst as cst

# Fields that hold only layout (whitespace, brackets, commas) or operator tokens.
_LAYOUT_FIELDS = frozenset({
    "lpar", "rpar", "comma", "colon", "semicolon", "dot", "equal", "operator",
    "lbracket", "rbracket", "lbrace", "rbrace", "leading_lines", "trailing_whitespace",
    "header", "footer", "newline", "indent", "lines_after_decorators", "asynchronous",
    "first_colon", "second_colon", "star_tok", "arrow", "returns_arrow",
})

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_IS_NODE: dict[type, bool] = {}  # CSTNode is an ABC: isinstance on it is slow


def _is_node(cls: type) -> bool:
    known = _IS_NODE.get(cls)
    if known is None:
        known = _IS_NODE[cls] = issubclass(cls, cst.CSTNode)
    return known


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = tuple(
            f.name for f in dataclasses.fields(cls)
            if f.name not in _LAYOUT_FIELDS and not f.name.startswith("whitespace")
        )
        _CHILD_FIELDS[cls] = fields
    return fields


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes that may hold code, in source order."""
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            yield from (item for item in value if _is_node(type(item)))
        elif _is_node(kind):
            yield value


_Hook = Callable[[cst.CSTNode], object]


class Walker:
    """Calls `visit_<Class>(node)` before and `leave_<Class>(node)` after a node's
    children; a visit that returns False skips the children (and the leave)."""

    def __init__(self) -> None:
        self._table: dict[type, tuple[_Hook | None, _Hook | None, tuple[str, ...]]] = {}

    def walk(self, node: cst.CSTNode) -> None:
        # The hot loop of the lint path: children() is inlined here on purpose.
        cls = type(node)
        entry = self._table.get(cls)
        if entry is None:
            entry = self._table[cls] = (
                getattr(self, f"visit_{cls.__name__}", None),
                getattr(self, f"leave_{cls.__name__}", None),
                _child_fields(cls),
            )
        visit, leave, fields = entry
        if visit is not None and visit(node) is False:
            return
        for name in fields:
            value = getattr(node, name)
            kind = type(value)
            if kind is list or kind is tuple:
                for item in value:
                    if _is_node(type(item)):
                        self.walk(item)
            elif _is_node(kind):
                self.walk(value)
        if leave is not None:
            leave(node)


def names_in(node: cst.CSTNode) -> frozenset[str]:
    """Every name mentioned in a (small) expression."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        else:
            stack.extend(children(current))
    return frozenset(found)
