"""`path:line:col: CODE [name] [*] message`, then a summary line.

`[*]` marks a finding that `--fix` would repair (with --unsafe-fixes, unsafe
fixes too), as Ruff does; findings with only an unsafe fix are counted in the
summary.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from numbalint.diagnostics import Finding
from numbalint.output import Context, applicable
from numbalint.text import plural

FIXABLE_MARKER = "[*]"


def render(findings: Sequence[Finding], context: Context) -> str:
    lines = [_line(finding, context) for finding in findings]
    if lines:
        lines.append("")
    lines.append(summary(findings, context))
    return "\n".join(lines)


def summary(findings: Sequence[Finding], context: Context) -> str:
    sentences = [f"Fixed {plural(context.fixed, 'problem')}."] if context.fixed else []
    if findings:
        files = len({finding.path for finding in findings})
        found = f"Found {plural(len(findings), 'problem')} in {plural(files, 'file')}"
        sentences.append(found + _fixable(findings, context) + ".")
    elif context.unchecked:
        sentences.append("No problems found in the files that could be checked.")
    elif context.files_checked:
        sentences.append(f"All checks passed ({plural(context.files_checked, 'file')} checked).")
    else:
        sentences.append("No Python files found: nothing was checked.")
    if context.unchecked:
        sentences.append(f"{plural(context.unchecked, 'path')} could not be checked (see the errors).")
    return " ".join(sentences)


def _line(finding: Finding, context: Context) -> str:
    span = finding.span
    location = f"{finding.path}:{span.line}:{span.column}:"
    code = finding.code
    marker = f" {FIXABLE_MARKER}" if applicable(finding, context) else ""
    if context.color:
        location = click.style(location, bold=True)
        code = click.style(code, fg="red" if finding.severity == "error" else "yellow", bold=True)
        marker = click.style(marker, fg="cyan")
    return f"{location} {code} [{finding.name}]{marker} {finding.message}"


def _fixable(findings: Sequence[Finding], context: Context) -> str:
    with_fix = [finding for finding in findings if finding.fix is not None]
    now = sum(applicable(finding, context) for finding in with_fix)
    unsafe = len(with_fix) - now
    clauses = [f"{now} fixable with --fix"] if now else []
    if unsafe:
        clauses.append(f"{unsafe} {'more ' if now else ''}fixable with --unsafe-fixes")
    return f" ({', '.join(clauses)})" if clauses else ""

