"""One line per finding, `path:line:col: CODE [name] [*] title`, then the summary."""

from __future__ import annotations

from numbalint.output import Context, Outcome
from numbalint.output.human import headline, with_summary


def render(outcome: Outcome, context: Context) -> str:
    return with_summary([headline(finding, context) for finding in outcome.findings], outcome, context)
