"""SARIF 2.1.0: one run, the rules' metadata, one result per finding."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from numbalint.version import __version__
from numbalint.diagnostics import Finding
from numbalint.output import Context

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(findings: Sequence[Finding], context: Context) -> str:
    index_of = {code: index for index, (code, *_) in enumerate(context.rules)}
    driver = {
        "name": "numbalint",
        "version": __version__,
        "rules": [_rule(*metadata) for metadata in context.rules],
    }
    run = {"tool": {"driver": driver}, "results": [_result(f, index_of) for f in findings]}
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _rule(code: str, name: str, summary: str, help_text: str) -> dict[str, Any]:
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "help": {"text": help_text},
    }


def _result(finding: Finding, index_of: dict[str, int]) -> dict[str, Any]:
    span = finding.span
    region = {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }
    location = {"artifactLocation": {"uri": finding.path.replace("\\", "/")}, "region": region}
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": finding.severity,
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": location}],
    }
    if finding.code in index_of:
        result["ruleIndex"] = index_of[finding.code]
    return result
