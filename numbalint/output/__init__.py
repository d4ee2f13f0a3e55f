"""Formatting findings for people and machines; no format knows any rule.

Each format module has `render(findings, context) -> str`. They are imported
only when used, so a run pays for the one it prints.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from numbalint.diagnostics import FileError, Finding

FORMATS: tuple[str, ...] = ("text", "json", "github", "sarif")

# (code, name, summary, help text) of a rule, for formats that describe rules.
RuleMetadata = tuple[str, str, str, str]


@dataclass(frozen=True)
class Context:
    """What a format may need beyond the findings."""

    files_checked: int
    unchecked: int = 0  # files that could not be checked (reported on stderr)
    fixed: int = 0
    unsafe_fixes: bool = False
    color: bool = False
    rules: Sequence[RuleMetadata] = ()


def render(
    fmt: str,
    findings: Sequence[Finding],
    *,
    files_checked: int,
    unchecked: int = 0,
    fixed: int = 0,
    unsafe_fixes: bool = False,
    color: bool = False,
    rules: Sequence[RuleMetadata] = (),
) -> str:
    """The report in format `fmt` (one of FORMATS), findings sorted by
    path, line and column. `fixed` counts fixes already applied; with
    `unsafe_fixes` an unsafe fix counts as applicable by --fix."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    formatter = importlib.import_module(f"{__name__}.{fmt}")
    context = Context(files_checked, unchecked, fixed, unsafe_fixes, color, rules)
    return formatter.render(sorted(findings, key=lambda f: f.sort_key), context)


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
