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

# Fields that hold only layout (whitespace, brackets, commas) or operator tokens,
# and the names that are never reads: `x.attr`, `f(keyword=...)`, `def name`, `as name`.
_SKIPPED_FIELDS = frozenset({
    "attr", "keyword", "name",
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
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
            and f.type not in (str, bool)  # `Name.value`, `Integer.value`: text, not nodes
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
_Entry = tuple["_Hook | None", "_Hook | None", tuple[str, ...], bool]


class Walker:
    """Calls `visit_<Class>(node)` before and `leave_<Class>(node)` after a node's
    children; a visit that returns False skips the children (and the leave)."""

    def __init__(self) -> None:
        # Per class: (visit, leave, child fields, worth entering). Values that are
        # not nodes, and leaves with no hooks (strings, numbers), are not entered.
        self._table: dict[type, _Entry] = {}

    def _entry(self, cls: type) -> _Entry:
        if not issubclass(cls, cst.CSTNode):
            entry: _Entry = (None, None, (), False)
        else:
            visit = getattr(self, f"visit_{cls.__name__}", None)
            leave = getattr(self, f"leave_{cls.__name__}", None)
            fields = _child_fields(cls)
            entry = (visit, leave, fields, bool(visit or leave or fields))
        self._table[cls] = entry
        return entry

    def walk(self, node: cst.CSTNode) -> None:
        cls = type(node)
        self._walk(node, self._table.get(cls) or self._entry(cls))

    def _walk(self, node: cst.CSTNode, entry: _Entry) -> None:
        # The hot loop of the lint path: table lookups are inlined here on purpose.
        visit, leave, fields, _ = entry
        if visit is not None and visit(node) is False:
            return
        table = self._table
        for name in fields:
            value = getattr(node, name)
            kind = type(value)
            if kind is list or kind is tuple:
                for item in value:
                    child = table.get(type(item)) or self._entry(type(item))
                    if child[3]:
                        self._walk(item, child)
            else:
                child = table.get(kind) or self._entry(kind)
                if child[3]:
                    self._walk(value, child)
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
