"""Each rule's documentation is tested like code: its "Example" is flagged by the rule,
its "Use instead" is not (as Fixit does with a rule's VALID and INVALID cases).

Examples may leave out the imports every Numba threading program has; `PRELUDE` adds them.
"""

from __future__ import annotations

import re

import pytest

import numbalint
from numbalint.rules import ALL_RULES
from numbalint.rules.base import DOC_PRELUDE, Rule

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix")
CODE_BLOCK = re.compile(r"```python\n(?P<code>.*?)```", re.DOTALL)


def section(rule: type[Rule], title: str) -> str:
    text = rule.documentation()
    start = text.index(f"## {title}\n") + len(title) + 4
    end = text.find("\n## ", start)
    return text[start:] if end < 0 else text[start:end]


def code_blocks(rule: type[Rule], title: str) -> list[str]:
    return [match["code"] for match in CODE_BLOCK.finditer(section(rule, title))]


def codes_in(code: str, rule: type[Rule]) -> set[str]:
    return {f.code for f in numbalint.lint_source(DOC_PRELUDE + code, select=[rule.code])}


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_documentation_has_every_section_in_order(rule: type[Rule]) -> None:
    text = rule.documentation()
    positions = [text.find(title + "\n") for title in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_example_is_flagged_by_its_rule(rule: type[Rule]) -> None:
    blocks = code_blocks(rule, "Example")
    assert blocks, "the Example section has no python block"
    for block in blocks:
        assert codes_in(block, rule) == {rule.code}, block


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_use_instead_is_clean(rule: type[Rule]) -> None:
    blocks = code_blocks(rule, "Use instead")
    assert blocks, "the Use instead section has no python block"
    for block in blocks:
        assert codes_in(block, rule) == set(), block
