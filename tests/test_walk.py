"""The model's lean walker knows every node type libcst has, and reads what holds code."""

from __future__ import annotations

import inspect

import libcst as cst
import pytest

from numbalint.model import walk


def libcst_node_types() -> set[str]:
    return {
        name for name, value in vars(cst).items()
        if inspect.isclass(value) and issubclass(value, cst.CSTNode) and not inspect.isabstract(value)
        and value.__module__.startswith("libcst._nodes")
    }


def test_the_walker_was_checked_against_every_node_type_of_this_libcst() -> None:
    assert libcst_node_types() == walk.KNOWN_NODE_TYPES


def test_an_unknown_node_type_fails_in_strict_mode() -> None:
    class Novel(cst.Pass):  # what a libcst upgrade could bring
        pass

    with pytest.raises(walk.UnknownNode, match="Novel"):
        walk.Walker().walk(Novel())


def test_children_skip_layout_and_reach_every_expression() -> None:
    module = cst.parse_module("x = f(a, key=b)[c]  # note\n")
    seen = set()
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            seen.add(node.value)
        stack.extend(walk.children(node))
    assert seen == {"x", "f", "a", "b", "c"}  # `key` is a keyword, not a read
