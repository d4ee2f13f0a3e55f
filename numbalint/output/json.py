"""One JSON array of findings; nothing else."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from numbalint.diagnostics import Finding, FixSummary, Span
from numbalint.output import Context


def render(findings: Sequence[Finding], context: Context) -> str:
    return json.dumps([_finding(finding) for finding in findings], indent=2, ensure_ascii=False)


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "path": finding.path,
        **_span(finding.span),
        "severity": finding.severity,
        "fix": _fix(finding.fix) if finding.fix else None,
    }


def _fix(fix: FixSummary) -> dict[str, Any]:
    return {
        "applicability": fix.applicability,
        "message": fix.message,
        "edits": [{**_span(edit.span), "content": edit.content} for edit in fix.edits],
    }


def _span(span: Span) -> dict[str, int]:
    return {
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }
