"""The README says what the code does: its rule table and reference names come from one source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from numbalint.rules import ALL_RULES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def rules_table() -> dict[str, tuple[str, str]]:
    """code -> (name, fix) from the README's `## Rules` table."""
    section = README.split("\n## Rules\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (NBL\d{3}) \| ([a-z-]+) \| .* \| ([a-z/]+) \|$", section, re.MULTILINE)
    return {code: (name, fix) for code, name, fix in rows}


def test_the_rules_table_lists_every_rule_with_its_fix_as_list_rules_does():
    assert rules_table() == {rule.code: (rule.name, rule.fix) for rule in ALL_RULES}


def test_the_readme_names_the_references_as_verify_list_prints_them():
    pytest.importorskip("numba")  # the reference suite needs the `reference` extra
    from numbalint.reference import REFERENCES

    sentence = re.search(r"`numbalint verify --list` prints\s+them: ([^.]*)", README)
    assert sentence is not None
    assert re.findall(r"`([a-z_]+)`", sentence.group(1)) == sorted(REFERENCES)
