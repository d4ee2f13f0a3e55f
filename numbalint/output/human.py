"""What the two formats for people share: a finding's first line and the summary.

`path:line:col: CODE [name] [*] title` (in a notebook `path:cell N:line:col:`,
the line within the cell): `[*]` marks a finding that `--fix` would
repair (with --unsafe-fixes, unsafe fixes too), as Ruff does; findings with only
an unsafe fix are counted in the summary.
"""

from __future__ import annotations

import click

from numbalint.diagnostics import Finding
from numbalint.output import Context, Outcome, applicable
from numbalint.text import plural

FIXABLE_MARKER = "[*]"


def headline(finding: Finding, context: Context) -> str:
    """`path:line:col: CODE [name] [*] title`."""
    span = finding.span
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    location = f"{finding.path}:{cell}{span.line}:{span.column}:"
    code = finding.code
    marker = f" {FIXABLE_MARKER}" if applicable(finding, context) else ""
    if context.color:
        location = click.style(location, bold=True)
        code = click.style(code, fg=severity_color(finding), bold=True)
        marker = click.style(marker, fg="cyan")
    return f"{location} {code} [{finding.name}]{marker} {finding.title}"


def severity_color(finding: Finding) -> str:
    return "red" if finding.severity == "error" else "yellow"


def with_summary(blocks: list[str], outcome: Outcome, context: Context) -> str:
    """The findings' blocks, then (unless --quiet) a blank line and the summary."""
    if context.summary:
        blocks = [*blocks, "", summary(outcome, context)] if blocks else [summary(outcome, context)]
    return "\n".join(blocks)


def summary(outcome: Outcome, context: Context) -> str:
    """What was fixed, what was found, and how many files were checked, skipped or not checkable."""
    sentences = [f"Applied {plural(outcome.edits_applied, 'edit')}."] if outcome.edits_applied else []
    if not (outcome.files_checked or outcome.files_skipped or outcome.errors):
        return " ".join([*sentences, "No Python files found: nothing was checked."])
    sentences.append(_verdict(outcome, context))
    sentences.append(_files(outcome))
    return " ".join(sentences)


def _verdict(outcome: Outcome, context: Context) -> str:
    findings = outcome.findings
    if findings:
        files = len({finding.path for finding in findings})
        return f"Found {plural(len(findings), 'problem')} in {plural(files, 'file')}{_fixable(outcome, context)}."
    if outcome.errors:
        return "No problems found in the files that could be checked."
    return "All checks passed."


def _files(outcome: Outcome) -> str:
    """'Checked 3 files; 41 skipped: no numba or threads; 1 path could not be checked (...).'"""
    clauses = [f"Checked {plural(outcome.files_checked, 'file')}"]
    if outcome.files_skipped:
        clauses.append(f"{outcome.files_skipped} skipped: no numba or threads")
    if outcome.errors:
        clauses.append(f"{plural(len(outcome.errors), 'path')} could not be checked (see the errors)")
    return "; ".join(clauses) + "."


def _fixable(outcome: Outcome, context: Context) -> str:
    with_fix = [finding for finding in outcome.findings if finding.fix is not None]
    now = sum(applicable(finding, context) for finding in with_fix)
    unsafe = len(with_fix) - now
    clauses = [f"{now} fixable with --fix"] if now else []
    if unsafe:
        clauses.append(f"{unsafe} {'more ' if now else ''}fixable with --unsafe-fixes")
    return f" ({', '.join(clauses)})" if clauses else ""
