"""Findings in LSP's terms: diagnostics, ranges and quick fixes.

Our spans are 1-based, in characters, end exclusive; LSP positions are
0-based, with columns in the code units the client and server agreed on
(UTF-16 unless the client offers better), so a line's non-ASCII text before
a column changes the number sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lsprotocol import types

from numbalint.diagnostics import Finding, FixSummary, Span
from numbalint.output import DOCS_URL

SOURCE = "numbalint"

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}

# The line breaks LSP counts (and libcst): not the other breaks str.splitlines knows.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class TextLines:
    """One version of a document, able to turn our spans into LSP ranges."""

    def __init__(self, text: str, count_units: Callable[[str], int]) -> None:
        self._lines = _LINE_BREAK.split(text)
        self._count_units = count_units

    def position(self, line: int, column: int) -> types.Position:
        """A 1-based line and character column as an LSP position."""
        index = min(line, len(self._lines)) - 1  # clamped: one bad span must not fail the publish
        return types.Position(line=index, character=self._count_units(self._lines[index][: column - 1]))

    def range(self, span: Span) -> types.Range:
        return types.Range(
            start=self.position(span.line, span.column), end=self.position(span.end_line, span.end_column)
        )


def diagnostic(finding: Finding, lines: TextLines) -> types.Diagnostic:
    return types.Diagnostic(
        range=lines.range(finding.span),
        message=f"{finding.name}: {finding.message}",
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=DOCS_URL.format(code=finding.code)),  # docs/rules/CODE.md
        source=SOURCE,
    )


def quick_fix(uri: str, fix: FixSummary, fixes: types.Diagnostic, lines: TextLines) -> types.CodeAction:
    """The fix as a code action; only a safe fix is the one to prefer."""
    safe = fix.applicability == "safe"
    edits = [types.TextEdit(range=lines.range(edit.span), new_text=edit.content) for edit in fix.edits]
    return types.CodeAction(
        title=fix.message if safe else f"{fix.message} (unsafe)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[fixes],
        is_preferred=safe,
        edit=types.WorkspaceEdit(changes={uri: edits}),
    )


def wants_quick_fixes(only: Sequence[str] | None) -> bool:
    """Whether a code action request's `only` filter admits quick fixes
    ("quickfix" has no parent kind but the empty one)."""
    return only is None or any(kind in ("", types.CodeActionKind.QuickFix) for kind in only)


def asked_about(shown: types.Diagnostic, params: types.CodeActionParams) -> bool:
    """Whether a code action request is about a diagnostic we published: one of
    the diagnostics the client names, else any in the requested range."""
    named = params.context.diagnostics
    if named:
        return any(_same(shown, other) for other in named)
    return _overlaps(shown.range, params.range)


def _same(ours: types.Diagnostic, theirs: types.Diagnostic) -> bool:
    return (theirs.source, theirs.code, theirs.range, theirs.message) == (SOURCE, ours.code, ours.range, ours.message)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _key(position: types.Position) -> tuple[int, int]:
    return (position.line, position.character)
