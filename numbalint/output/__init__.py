"""Formatting a run's outcome for people and machines; no format knows any rule.

FORMATS is the one list of formats (the CLI offers exactly these):

- `full`: each finding's first line, then the source with the span underlined,
  the help text and the fix; the default when stdout is a terminal.
- `concise`: one line per finding, `path:line:col: CODE [name] [*] title`; the
  default otherwise, so that pipes and scripts get one line per finding.
- `json`: one object, `{"findings": [...], "errors": [...], "summary": {...}}`.
- `json-lines`: one object per line, each with `"kind": "finding"` or `"error"`.
- `github`: workflow commands, one `::error`/`::warning` annotation per line.
- `sarif`: SARIF 2.1.0, with the rules' metadata.

Every format tells the whole story: a file that could not be checked is an
`errors` entry in JSON (`path`, `line`, `column`, `message`; line and column are
null when unknown), a `"kind": "error"` line in json-lines, an `::error`
annotation in github, and a tool execution notification (with
`executionSuccessful: false`) in SARIF. JSON is an object rather than one array
with mixed entries so that a consumer that reads `findings` can never mistake an
unchecked file for a finding, and the shape can grow keys without breaking
anyone; treat it as stable. json-lines is a stream, so there each line names
its kind.

Each format module has `render(outcome, context) -> str` and is imported only
when used, so a run pays for the one it prints.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import ModuleType
from typing import TextIO

from numbalint.diagnostics import FileError, Finding

FORMATS: tuple[str, ...] = ("full", "concise", "json", "json-lines", "github", "sarif")
HUMAN_FORMATS = frozenset({"full", "concise"})
JSON_FORMATS = frozenset({"json", "json-lines"})
DOCS_URL = "https://github.com/numbalint/numbalint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class RuleInfo:
    """What formats and documentation pages say about a rule."""

    code: str
    name: str
    summary: str
    fix: str  # none, safe, unsafe or sometimes
    documentation: str  # markdown, with a "## What it does" section

    @property
    def description(self) -> str:
        """The first paragraph of "What it does", as one line."""
        _, _, rest = self.documentation.partition("## What it does")
        paragraph = rest.strip().split("\n\n")[0]
        return " ".join(paragraph.split()) or self.summary

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(code=self.code)


@dataclass(frozen=True)
class Outcome:
    """What a run found."""

    findings: Sequence[Finding] = ()
    errors: Sequence[FileError] = ()  # files and paths that could not be checked
    files_checked: int = 0
    files_skipped: int = 0  # not parsed: they cannot involve numba or threads
    edits_applied: int = 0


@dataclass(frozen=True)
class Context:
    """How to print it."""

    unsafe_fixes: bool = False  # an unsafe fix counts as applicable by --fix
    color: bool = False
    summary: bool = True  # False with --quiet: findings only
    rules: Sequence[RuleInfo] = ()


def render(fmt: str, outcome: Outcome, context: Context = Context()) -> str:
    """The report in format `fmt` (one of FORMATS), findings sorted by path,
    line and column, errors by path."""
    return _module(fmt).render(_sorted(outcome), context)


def render_statistics(fmt: str, outcome: Outcome, context: Context = Context()) -> str:
    """Counts per rule instead of the findings: JSON for the JSON formats, else a table."""
    from numbalint.output import statistics

    return statistics.render(_sorted(outcome), context, as_json=fmt in JSON_FORMATS)


def _module(fmt: str) -> ModuleType:
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return importlib.import_module(f"{__name__}.{fmt.replace('-', '_')}")


def _sorted(outcome: Outcome) -> Outcome:
    return replace(
        outcome,
        findings=sorted(outcome.findings, key=lambda f: f.sort_key),
        errors=sorted(outcome.errors, key=lambda e: (e.path, e.line or 0, e.column or 0)),
    )


def applicable(finding: Finding, context: Context) -> bool:
    """Whether `--fix` (with the given --unsafe-fixes) would apply this finding's fix."""
    fix = finding.fix
    return fix is not None and (fix.applicability == "safe" or context.unsafe_fixes)


def format_file_errors(errors: Sequence[FileError]) -> str:
    """One `path[:line:col]: message` line per file that could not be checked (for stderr)."""
    return "\n".join(f"{error.location}: {error.message}" for error in errors)


def use_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    return not os.environ.get("NO_COLOR") and stream.isatty()
