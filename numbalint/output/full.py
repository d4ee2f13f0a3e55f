"""Each finding as Ruff shows it: the first line, the source with the span
underlined, then the help text and the fix.

    k.py:11:9: NBL001 [kernel-arity] kernel `kernel` takes 1 argument (x) but ...
       |
    11 |     t = threading.Thread(target=kernel, args=(a, b))
       |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ NBL001
       |
       = help: On a thread the error is only printed, ...

Source is read here, at output time, and only for files with findings, so the
lint path carries no text. A file that cannot be read any more (deleted since)
is shown without its source.
"""

from __future__ import annotations

import io
import re
import textwrap
import tokenize
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import click

from numbalint.diagnostics import Finding, Span
from numbalint.output import Context, Outcome, applicable
from numbalint.output.human import headline, severity_color, with_summary

# A long span shows its first and last lines around an elision.
_MAX_LINES = 6
_EDGE_LINES = 2
_TAB_WIDTH = 4
_HELP_WIDTH = 100


def render(outcome: Outcome, context: Context) -> str:
    read = lru_cache(maxsize=None)(_source_lines)
    blocks = [_block(finding, read(finding.path, finding.cell), context) for finding in outcome.findings]
    return with_summary(["\n\n".join(blocks)] if blocks else [], outcome, context)


def _block(finding: Finding, source: Sequence[str], context: Context) -> str:
    lines = [headline(finding, context)]
    shown = _shown_lines(finding.span, len(source))
    width = len(str(shown[-1])) if shown else 1
    gutter = _gutter(" " * width, context)
    if shown:
        lines.append(gutter)
        lines += _snippet(finding, source, shown, width, context)
        lines.append(gutter)
    lines += _notes(finding, width, context)
    return "\n".join(lines)


def _shown_lines(span: Span, available: int) -> list[int]:
    """1-based numbers of the span's lines to show; [] without source."""
    last = min(span.end_line, available)
    numbers = list(range(span.line, last + 1))
    if len(numbers) > _MAX_LINES:
        numbers = numbers[:_EDGE_LINES] + [0] + numbers[-_EDGE_LINES:]  # 0: the elision
    return numbers


def _snippet(finding: Finding, source: Sequence[str], shown: list[int], width: int, context: Context) -> list[str]:
    lines = []
    for number in shown:
        if number == 0:
            lines.append(_gutter("." * width, context))
            continue
        text = source[number - 1]
        start, end = _underlined(finding.span, number, text)
        label = f" {finding.code}" if number == shown[-1] else ""
        carets = " " * start + "^" * max(1, end - start) + label
        lines.append(f"{_gutter(f'{number:>{width}}', context)} {_display(text)}".rstrip())
        lines.append(f"{_gutter(' ' * width, context)} {_style(carets, context, fg=severity_color(finding), bold=True)}")
    return lines


def _underlined(span: Span, number: int, text: str) -> tuple[int, int]:
    """Display columns [start, end) of the span on line `number`: from the span's
    start (or the first non-blank of a continuation line) to its end (or the line's)."""
    first = span.column - 1 if number == span.line else len(text) - len(text.lstrip())
    last = span.end_column - 1 if number == span.end_line else len(text.rstrip())
    return len(_display(text[:first])), len(_display(text[:max(first, last)]))


def _notes(finding: Finding, width: int, context: Context) -> list[str]:
    notes = []
    if finding.help:
        notes.append(_note("help", finding.help, width))
    if finding.fix is not None:
        needs = "" if applicable(finding, context) else f" ({finding.fix.applicability}: with --unsafe-fixes)"
        notes.append(_note("fix", finding.fix.message + needs, width))
    return notes


def _note(label: str, text: str, width: int) -> str:
    prefix = " " * width + f" = {label}: "
    return textwrap.fill(text, _HELP_WIDTH, initial_indent=prefix, subsequent_indent=" " * len(prefix),
                         break_on_hyphens=False, break_long_words=False)


def _gutter(label: str, context: Context) -> str:
    """The line-number column: `12 |`, or blank, or `.. |` where lines are left out."""
    return _style(f"{label} |", context, fg="blue", bold=True)


def _display(text: str) -> str:
    return text.expandtabs(_TAB_WIDTH)


def _style(text: str, context: Context, **style: object) -> str:
    return click.style(text, **style) if context.color else text  # type: ignore[arg-type]


def _source_lines(path: str, cell: int | None) -> list[str]:
    """The file's lines (a notebook's: the cell's), decoded as Python decodes it
    (PEP 263); [] if unreadable. Only CR and LF end lines, as for the parser
    (str.splitlines also splits at form feeds)."""
    try:
        data = Path(path).read_bytes()
        if cell is not None:
            from numbalint.notebook import cell_source

            return _LINE_END.split(cell_source(data, cell))
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return _LINE_END.split(data.decode(encoding, errors="replace"))
    except (OSError, SyntaxError, LookupError):
        return []


_LINE_END = re.compile(r"\r\n|\r|\n")
