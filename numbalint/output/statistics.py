"""`--statistics`: how many findings each rule made and how many `--fix` would
repair, most frequent first, like `ruff --statistics`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from numbalint.output import JSON_FORMATS, Context, Outcome, applicable
from numbalint.output.human import with_summary


@dataclass(frozen=True)
class _RuleCount:
    code: str
    name: str
    count: int
    fixable: int


def render(fmt: str, outcome: Outcome, context: Context = Context()) -> str:
    """Counts per rule instead of the findings: JSON for the JSON formats, else a table."""
    counts = _counts(outcome, context)
    if fmt in JSON_FORMATS:
        return json.dumps([vars(count) for count in counts], indent=2)
    return with_summary(_table(counts), outcome, context)


def _counts(outcome: Outcome, context: Context) -> list[_RuleCount]:
    found = Counter((finding.code, finding.name) for finding in outcome.findings)
    fixable = Counter((f.code, f.name) for f in outcome.findings if applicable(f, context))
    counts = [_RuleCount(code, name, count, fixable[code, name]) for (code, name), count in found.items()]
    return sorted(counts, key=lambda c: (-c.count, c.code))


def _table(counts: list[_RuleCount]) -> list[str]:
    if not counts:
        return []
    count_width = max(len(str(c.count)) for c in counts)
    name_width = max(len(c.name) for c in counts)
    rows = []
    for c in counts:
        fixable = f"{c.fixable} fixable" if c.fixable else ""
        rows.append(f"{c.count:>{count_width}}  {c.code}  {c.name:<{name_width}}  {fixable}".rstrip())
    return rows
