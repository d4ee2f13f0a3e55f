"""Odd input never crashes the model, the rules or the fixer.

Programs are made by mutating the fixtures (lines dropped, moved, or borrowed
from other fixtures) and kept when Python accepts them: they look like the
code numbalint reads, half-finished and reshuffled as code is while edited.
"""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from numbalint.fixes import fix_until_stable
from numbalint.pipeline import lint_module, locate
from tests.conftest import ALL_CODES

SOURCES = [p.read_text() for p in sorted((Path(__file__).parent.parent / "fixtures").rglob("*.py"))]
LINES = [line for source in SOURCES for line in source.splitlines()]


@st.composite
def mutated_programs(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SOURCES)).splitlines()
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "borrow", "swap"]))
        if action == "drop" and len(lines) > 1:
            del lines[position]
        elif action == "borrow":
            lines.insert(position, draw(st.sampled_from(LINES)))
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[position], lines[other] = lines[other], lines[position]
    return "\n".join(lines) + "\n"


def lint(module: cst.Module) -> list:
    return lint_module(module, ALL_CODES, None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(mutated_programs())
def test_mutated_programs_lint_and_fix_without_error(source: str) -> None:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        assume(False)
    module = cst.parse_module(source)
    locate("mutated.py", module, lint(module))
    outcome = fix_until_stable(source.encode(), lint, accept=lambda fix: True)
    ast.parse(outcome.module.code)  # whatever was fixed is still Python
