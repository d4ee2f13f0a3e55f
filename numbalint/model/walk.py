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

# The libcst node classes whose fields were checked against the tables above
# (libcst 1.9). A class not in here may hold code in a field the walker skips:
# in strict mode (the test suite) meeting one is an error, so that a libcst
# upgrade is read before it silently hides code from the model.
KNOWN_NODE_TYPES = frozenset({
    "Add", "AddAssign", "And", "AnnAssign", "Annotation", "Arg", "AsName", "Assert", "Assign",
    "AssignEqual", "AssignTarget", "Asynchronous", "Attribute", "AugAssign", "Await",
    "BinaryOperation", "BitAnd", "BitAndAssign", "BitInvert", "BitOr", "BitOrAssign", "BitXor",
    "BitXorAssign", "BooleanOperation", "Break", "Call", "ClassDef", "Colon", "Comma",
    "Comment", "CompFor", "CompIf", "Comparison", "ComparisonTarget", "ConcatenatedString",
    "Continue", "Decorator", "Del", "Dict", "DictComp", "DictElement", "Divide", "DivideAssign",
    "Dot", "Element", "Ellipsis", "Else", "EmptyLine", "Equal", "ExceptHandler",
    "ExceptStarHandler", "Expr", "Finally", "Float", "FloorDivide", "FloorDivideAssign", "For",
    "FormattedString", "FormattedStringExpression", "FormattedStringText", "From",
    "FunctionDef", "GeneratorExp", "Global", "GreaterThan", "GreaterThanEqual", "If", "IfExp",
    "Imaginary", "Import", "ImportAlias", "ImportFrom", "ImportStar", "In", "IndentedBlock",
    "Index", "Integer", "Is", "IsNot", "Lambda", "LazyImport", "LazyImportFrom",
    "LeftCurlyBrace", "LeftParen", "LeftShift", "LeftShiftAssign", "LeftSquareBracket",
    "LessThan", "LessThanEqual", "List", "ListComp", "Match", "MatchAs", "MatchCase",
    "MatchClass", "MatchKeywordElement", "MatchList", "MatchMapping", "MatchMappingElement",
    "MatchOr", "MatchOrElement", "MatchSequenceElement", "MatchSingleton", "MatchStar",
    "MatchTuple", "MatchValue", "MatrixMultiply", "MatrixMultiplyAssign", "Minus", "Module",
    "Modulo", "ModuloAssign", "Multiply", "MultiplyAssign", "Name", "NameItem", "NamedExpr",
    "Newline", "Nonlocal", "Not", "NotEqual", "NotIn", "Or", "Param", "ParamSlash", "ParamSpec",
    "ParamStar", "Parameters", "ParenthesizedWhitespace", "Pass", "Plus", "Power",
    "PowerAssign", "Raise", "Return", "RightCurlyBrace", "RightParen", "RightShift",
    "RightShiftAssign", "RightSquareBracket", "Semicolon", "Set", "SetComp",
    "SimpleStatementLine", "SimpleStatementSuite", "SimpleString", "SimpleWhitespace", "Slice",
    "StarredDictComp", "StarredDictElement", "StarredElement", "Subscript", "SubscriptElement",
    "Subtract", "SubtractAssign", "TemplatedString", "TemplatedStringExpression",
    "TemplatedStringText", "TrailingWhitespace", "Try", "TryStar", "Tuple", "TypeAlias",
    "TypeParam", "TypeParameters", "TypeVar", "TypeVarTuple", "UnaryOperation", "While", "With",
    "WithItem", "Yield",
})
STRICT = False


class UnknownNode(TypeError):
    """The walker met a libcst node class it was not checked against."""


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


_EVERY_FIELD: dict[type, tuple[str, ...]] = {}


def _every_field(cls: type) -> tuple[str, ...]:
    fields = _EVERY_FIELD.get(cls)
    if fields is None:
        fields = _EVERY_FIELD[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.type not in (str, bool))
    return fields


def _nodes_in(node: cst.CSTNode, fields: tuple[str, ...]) -> Iterator[cst.CSTNode]:
    for name in fields:
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            yield from (item for item in value if _is_node(type(item)))
        elif _is_node(kind):
            yield value


def every_child(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes, whitespace and comments included (libcst's `children` property
    builds them through its visitor machinery: several times slower)."""
    return _nodes_in(node, _every_field(type(node)))


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes that may hold code, in source order."""
    return _nodes_in(node, _child_fields(type(node)))


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
        elif STRICT and cls.__name__ not in KNOWN_NODE_TYPES:
            raise UnknownNode(f"libcst node {cls.__name__} is new to the walker: check its fields, then add it")
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
