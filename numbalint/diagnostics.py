"""What a rule reports, and what leaves a worker once positions are known.

Rules produce `Diagnostic`s that point at CST nodes and may carry a `Fix` (node
replacements). The runner turns them into `Finding`s: plain, picklable data with
1-based spans, which output, suppression and caching work with. None of these
stages knows anything about a particular rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Literal

import libcst as cst

Severity = Literal["error", "warning"]
Applicability = Literal["safe", "unsafe"]


@dataclass(frozen=True)
class Span:
    """A source range: 1-based lines, 1-based columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Replacement:
    """Replace one node of the module's tree by another."""

    old: cst.CSTNode
    new: cst.CSTNode


@dataclass(frozen=True)
class OptionElsewhere:
    """Turn `option` on in the decorator of the kernel `kernel` defined in the file at
    `path` (another file). The runner makes it part of that file's fix task, so one
    kernel launched from several files gets one edit."""

    path: str
    kernel: str
    option: str


Replacements = tuple[Replacement, ...]


@dataclass(frozen=True)
class Fix:
    """A mechanical repair: node replacements applied together, or not at all, and
    edits that belong to other files (applied when those files are fixed).

    `build` is the replacements, or a function that makes them: a fix that is
    never shown or applied then costs only its title (the `[*]` marker needs to
    know a fix exists, not its edits)."""

    message: str
    applicability: Applicability
    build: Replacements | Callable[[], Replacements]
    elsewhere: tuple[OptionElsewhere, ...] = ()

    @cached_property
    def replacements(self) -> Replacements:
        return self.build() if callable(self.build) else self.build


@dataclass(frozen=True)
class Diagnostic:
    """A rule's report, still tied to the tree it was found in."""

    code: str
    name: str
    severity: Severity
    message: str
    node: cst.CSTNode
    fix: Fix | None = None


@dataclass(frozen=True)
class Edit:
    """A located text edit: the text in `span` becomes `content`."""

    span: Span
    content: str


@dataclass(frozen=True)
class FixSummary:
    """A fix as text, for output: no tree attached."""

    message: str
    applicability: Applicability
    edits: tuple[Edit, ...]
    elsewhere: tuple[OptionElsewhere, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A located diagnostic, detached from the tree (picklable, cacheable)."""

    path: str
    span: Span
    code: str
    name: str
    severity: Severity
    message: str
    fix: FixSummary | None = None
    cell: int | None = None  # in a notebook: the cell (1-based, every cell counted); `span` is within it

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.span.line, self.span.column, self.code)

    @property
    def title(self) -> str:
        """The message's first sentence: what goes wrong, standing alone."""
        return split_message(self.message)[0]

    @property
    def help(self) -> str:
        """The rest of the message: why it matters and what to write instead."""
        return split_message(self.message)[1]


# A backtick span, or a sentence end: '.', '!' or '?' before whitespace or the end.
_CODE_OR_SENTENCE_END = re.compile(r"`[^`]*`|[.!?](?=\s|$)")


def split_message(message: str) -> tuple[str, str]:
    """(first sentence, rest): split at the first sentence end outside backticks,
    so that `x = ...` or `a.b` in quoted code never ends a sentence."""
    for match in _CODE_OR_SENTENCE_END.finditer(message):
        if not match.group().startswith("`"):
            return message[: match.end()], message[match.end() :].strip()
    return message, ""


@dataclass(frozen=True)
class FileError:
    """A file (or path) that could not be checked, said in one line for people.

    `line` and `column` (1-based) say where, when known (a syntax error); in a
    notebook, `line` counts within `cell`."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    cell: int | None = None

    @property
    def location(self) -> str:
        """`path`, or `path:line:col` (`path:cell N:line:col`) when the place in the file is known."""
        if self.line is None:
            return self.path
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column or 1}"
