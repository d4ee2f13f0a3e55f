"""GitHub Actions workflow commands: an annotation per finding and per file
that could not be checked (at its line and column when known).

Escaping follows the runner's rules: '%', CR and LF in the message; also ':'
and ',' in property values, which would otherwise end the property.
"""

from __future__ import annotations

from numbalint.diagnostics import FileError, Finding
from numbalint.output import Context, Outcome, cell_place

_MESSAGE_ESCAPES = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY_ESCAPES = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def render(outcome: Outcome, context: Context) -> str:
    lines = [_finding(finding) for finding in outcome.findings]
    lines += [_error(error) for error in outcome.errors]
    return "\n".join(lines)


def _finding(finding: Finding) -> str:
    span = finding.span
    place = {} if finding.cell is not None else {
        "line": span.line, "col": span.column, "endLine": span.end_line, "endColumn": span.end_column,
    }
    message = cell_place(finding.cell, span.line, span.column) + finding.message
    return _command(finding.severity, message, {
        "file": finding.path, **place, "title": f"{finding.code} {finding.name}",
    })


def _error(error: FileError) -> str:
    known = error.line is not None and error.cell is None
    place = {"line": error.line, "col": error.column or 1} if known else {}
    message = cell_place(error.cell, error.line, error.column) + error.message
    return _command("error", message, {"file": error.path, **place, "title": "numbalint: not checked"})


def _command(level: str, message: str, properties: dict[str, object]) -> str:
    listed = ",".join(f"{key}={str(value).translate(_PROPERTY_ESCAPES)}" for key, value in properties.items())
    return f"::{level} {listed}::{message.translate(_MESSAGE_ESCAPES)}"
