"""The rules' pages, docs/rules/CODE.md, made from the rule docstrings.

SARIF's helpUri (and so code scanning's "show more") points at these pages, so
each rule gets a page of its own rather than a shared README anchor. Regenerate
them with `python -m numbalint.rule_docs` after editing a docstring; a
test fails while they are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from numbalint.output import RuleInfo

DOCS_FOLDER = Path(__file__).resolve().parents[1] / "docs" / "rules"


def rule_infos() -> list[RuleInfo]:
    """Every rule's metadata, in code order."""
    from numbalint.rules import ALL_RULES

    return [RuleInfo(r.code, r.name, r.summary, r.fix, r.documentation()) for r in ALL_RULES]


def page(rule: RuleInfo) -> str:
    """A rule's page: title, summary, fix availability, then its documentation."""
    heading = f"# {rule.code} {rule.name}\n\n{rule.summary}.\n\nFix availability: {rule.fix}.\n\n"
    return heading + rule.documentation + "\n"


def pages() -> dict[str, str]:
    """File name -> text, for every rule."""
    return {f"{rule.code}.md": page(rule) for rule in rule_infos()}


def main(folder: Path = DOCS_FOLDER) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_FOLDER)
