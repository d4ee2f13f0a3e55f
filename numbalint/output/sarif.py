"""SARIF 2.1.0: one run with the rules' metadata, a result per finding, and the
files that could not be checked as tool execution notifications (the run is
then not `executionSuccessful`).

Each rule carries its summary (shortDescription), the first paragraph of its
documentation (fullDescription), the whole documentation as help (text and
markdown), and a helpUri to its page under docs/rules/.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from numbalint.diagnostics import FileError, Finding
from numbalint.output import REPOSITORY, Context, Outcome, RuleInfo, cell_place
from numbalint.version import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(outcome: Outcome, context: Context) -> str:
    index_of = {rule.code: index for index, rule in enumerate(context.rules)}
    driver = {
        "name": "numbalint",
        "version": __version__,
        "informationUri": REPOSITORY,
        "rules": [_rule(rule) for rule in context.rules],
    }
    invocation = {
        "executionSuccessful": not outcome.errors,
        "toolExecutionNotifications": [_notification(error) for error in outcome.errors],
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": [_result(finding, index_of) for finding in outcome.findings],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)


def _rule(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.documentation, "markdown": rule.documentation},
        "helpUri": rule.help_uri,
    }


def _result(finding: Finding, index_of: dict[str, int]) -> dict[str, Any]:
    span = finding.span
    region = None if finding.cell is not None else {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": finding.severity,
        "message": {"text": cell_place(finding.cell, span.line, span.column) + finding.message},
        "locations": [_location(finding.path, region)],
    }
    if finding.code in index_of:
        result["ruleIndex"] = index_of[finding.code]
    return result


def _notification(error: FileError) -> dict[str, Any]:
    known = error.line is not None and error.cell is None
    region = {"startLine": error.line, "startColumn": error.column or 1} if known else None
    message = cell_place(error.cell, error.line, error.column) + error.message
    return {"level": "error", "message": {"text": message}, "locations": [_location(error.path, region)]}


def _location(path: str, region: dict[str, int] | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A URI reference for a path: relative ones percent-encoded, absolute ones as file URIs."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix())
