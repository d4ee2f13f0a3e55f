"""Positions of the nodes findings point at: exactly libcst's own, from one cheap pass."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider

from numbalint.diagnostics import Span
from numbalint.positions import Positions
from tests.conftest import FIXTURES

SOURCE = "import x\n\n# lead\n@njit(cache=True)  # trailing\ndef f(a):\n    return a\n"


def decorator_of(module: cst.Module) -> cst.Decorator:
    function = module.body[1]
    assert isinstance(function, cst.FunctionDef)
    return function.decorators[0]


def test_span_is_one_based_and_end_exclusive():
    module = cst.parse_module(SOURCE)
    decorator = decorator_of(module).decorator
    locate = Positions(module, [decorator, module.body[0]])
    assert locate(decorator) == Span(4, 2, 4, 18)
    assert locate(module.body[0]) == Span(1, 1, 1, 9)


def test_span_skips_owned_whitespace_but_extent_covers_it():
    module = cst.parse_module(SOURCE)
    decorator = decorator_of(module)
    locate = Positions(module, [decorator])
    assert locate(decorator) == Span(4, 1, 4, 18)
    # The decorator owns its trailing comment and newline.
    assert locate.extent(decorator) == Span(4, 1, 5, 1)


def test_a_decorated_defs_span_starts_at_def_and_its_extent_at_its_leading_lines():
    module = cst.parse_module(SOURCE)
    function = module.body[1]
    locate = Positions(module, [function])
    assert locate(function) == Span(5, 1, 6, 13)
    assert locate.extent(function) == Span(2, 1, 7, 1)  # from the blank line it owns


def test_extent_matches_code_for_node():
    module = cst.parse_module(SOURCE)
    lines = SOURCE.splitlines(keepends=True)
    function = module.body[1]
    span = Positions(module, [function]).extent(function)
    text = "".join(lines[span.line - 1 : span.end_line - 1])
    assert text == module.code_for_node(function)


def test_columns_count_characters_not_bytes():
    module = cst.parse_module("s = 'é' ; t = 1\n")
    assign = module.body[0].body[1]
    assert Positions(module, [assign])(assign) == Span(1, 11, 1, 16)


def test_code_is_the_modules_code():
    module = cst.parse_module(SOURCE.replace("\n", "\r\n"))
    assert Positions(module, []).code == module.code


def every_node(module: cst.Module) -> list[cst.CSTNode]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


SAMPLES = sorted(FIXTURES.glob("*/*.py"))[::3] + [Path(__file__)]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_node_gets_exactly_libcsts_positions(path: Path):
    module = cst.parse_module(path.read_bytes())
    nodes = [node for node in every_node(module) if node is not module]
    ours = Positions(module, nodes)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    syntactic = wrapper.resolve(PositionProvider)
    inclusive = wrapper.resolve(WhitespaceInclusivePositionProvider)

    def as_span(code_range) -> Span:
        return Span(code_range.start.line, code_range.start.column + 1, code_range.end.line, code_range.end.column + 1)

    for node in nodes:
        assert ours(node) == as_span(syntactic[node]), node
        assert ours.extent(node) == as_span(inclusive[node]), node
