"""One JSON object: `{"findings": [...], "errors": [...], "summary": {...}}`.

The shape is documented in `numbalint.output` and the README; keep it stable.
"""

from __future__ import annotations

import json
from typing import Any

from numbalint.diagnostics import FileError, Finding, FixSummary, Span
from numbalint.output import Context, Outcome, applicable


def render(outcome: Outcome, context: Context) -> str:
    document = {
        "findings": [finding_record(finding) for finding in outcome.findings],
        "errors": [error_record(error) for error in outcome.errors],
        "summary": _summary(outcome, context),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "path": finding.path,
        "cell": finding.cell,
        **_span(finding.span),
        "severity": finding.severity,
        "fix": _fix(finding.fix) if finding.fix else None,
    }


def error_record(error: FileError) -> dict[str, Any]:
    """A file that could not be checked; line and column are null when unknown, cell outside notebooks."""
    return {"path": error.path, "cell": error.cell, "line": error.line, "column": error.column,
            "message": error.message}


def _summary(outcome: Outcome, context: Context) -> dict[str, int]:
    return {
        "findings": len(outcome.findings),
        "fixable": sum(applicable(finding, context) for finding in outcome.findings),
        "errors": len(outcome.errors),
        "files_checked": outcome.files_checked,
        "files_skipped": outcome.files_skipped,
        "edits_applied": outcome.edits_applied,
    }


def _fix(fix: FixSummary) -> dict[str, Any]:
    return {
        "applicability": fix.applicability,
        "message": fix.message,
        "edits": [{**_span(edit.span), "content": edit.content} for edit in fix.edits],
        # Edits that belong in another file (nogil=True on an imported kernel), made by --fix there.
        "elsewhere": [{"path": e.path, "kernel": e.kernel, "option": e.option} for e in fix.elsewhere],
    }


def _span(span: Span) -> dict[str, int]:
    return {
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }
