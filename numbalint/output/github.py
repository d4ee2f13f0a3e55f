"""GitHub Actions workflow commands: each finding becomes an annotation.

Escaping follows the runner's rules: '%', CR and LF in the message; also ':'
and ',' in property values, which would otherwise end the property.
"""

from __future__ import annotations

from collections.abc import Sequence

from numbalint.diagnostics import Finding
from numbalint.output import Context

_MESSAGE_ESCAPES = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY_ESCAPES = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def render(findings: Sequence[Finding], context: Context) -> str:
    return "\n".join(_annotation(finding) for finding in findings)


def _annotation(finding: Finding) -> str:
    span = finding.span
    properties = {
        "file": finding.path,
        "line": span.line,
        "col": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
        "title": f"{finding.code} {finding.name}",
    }
    listed = ",".join(f"{key}={str(value).translate(_PROPERTY_ESCAPES)}" for key, value in properties.items())
    return f"::{finding.severity} {listed}::{finding.message.translate(_MESSAGE_ESCAPES)}"
