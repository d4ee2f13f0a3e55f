"""docs/rules/CODE.md, where SARIF's helpUri points, say what the rule docstrings say."""

from __future__ import annotations

from numbalint.rule_docs import pages, rule_infos
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "rules"


def test_the_rule_pages_are_in_sync_with_the_docstrings():
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}
    assert on_disk == pages(), "regenerate them: python -m numbalint.rule_docs"


def test_every_help_uri_names_a_page_of_this_repository():
    for rule in rule_infos():
        assert rule.help_uri.endswith(f"/blob/main/docs/rules/{rule.code}.md")
        assert (DOCS / f"{rule.code}.md").is_file()
