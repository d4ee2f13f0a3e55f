"""Jupyter notebooks: their code cells as one Python module, and back.

A notebook's code cells run in one namespace, in order, so they are linted as
one module: a kernel defined in cell 2 and launched from threads in cell 3 is
seen. Each code cell contributes its lines unchanged, so a line's column is
the same in the module and in the cell; a finding is mapped back to the cell
(counted as Jupyter and VS Code show them: every cell, markdown included,
1-based) and the line within it.

IPython syntax is made neutral without moving anything:

- a line magic (`%matplotlib inline`), shell escape (`!pip install numba`,
  `files = !ls`) or help line (`np.sum?`, `?np.sum`) becomes `pass` at the
  same indentation, so a block whose body it is stays a block (lines it
  continues onto, in open brackets or after a backslash, become blank);
- a cell magic that runs its body as Python (`%%time`, `%%timeit`, `%%prun`,
  `%%capture`) has its first line made `pass` and the body linted;
- any other cell magic (`%%bash`, `%%writefile`, `%%cython`, ...) is not
  Python: the cell is skipped.

The test is IPython's: an escape character first in a statement, after
indentation. A line that continues a statement (inside brackets, after a
backslash, inside a triple-quoted string) is code, so Black's
`"%d items"\n    % n` stays a modulo.

Notebooks whose kernel is not Python (`metadata.kernelspec.language` or
`metadata.language_info.name`) are not linted.

The JSON is read with the `json` module: the format needs no more, and
writing a fix must keep every byte outside the changed cells' sources, which
a read-modify-write through a library would reformat. A fix is spliced into
the original text at the place of each changed cell's `source`, written as it
was (a list of lines or one string, same indentation, same escaping).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from numbalint.diagnostics import Finding, Span
from numbalint.files import SourceError

# Cell magics that run the rest of the cell as Python code.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "prun", "capture"})

# A line IPython transforms: a line magic, shell escape or help request,
# possibly assigned (`x = %time f()`, `files = !ls`).
_IPYTHON_LINE = re.compile(
    r"(?P<indent>[ \t]*)(?:(?:[\w.]+[ \t]*=[ \t]*)?[%!]|\?|[\w.\[\]()]+\?\??[ \t]*(?:[\r\n]|$))"
)
_CELL_MAGIC = re.compile(r"%%(?P<name>\w+)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # Python's line breaks, kept
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class _CodeCell:
    number: int  # 1-based, among all cells
    first_line: int  # 1-based line of the module where the cell starts
    lines: tuple[str, ...]  # the cell's source lines as written, breaks kept


class Notebook:
    """A parsed notebook: `code` is its Python module; findings and fixed code
    are mapped back to cells."""

    def __init__(self, text: str, document: dict[str, Any], cells: Sequence[_CodeCell], code_lines: list[str]) -> None:
        self._text = text
        self._document = document
        self._cells = list(cells)
        self._starts = [cell.first_line for cell in cells]
        self._code_lines = code_lines
        self.code = "".join(code_lines).encode("utf-8")

    def cell_at(self, line: int) -> tuple[int, int]:
        """(cell number, line within the cell) of a 1-based module line."""
        cell = self._cells[self._cell_index(line)]
        return cell.number, line - cell.first_line + 1

    def place(self, finding: Finding) -> Finding:
        """The finding in its cell's coordinates."""
        cell = self._cells[self._cell_index(finding.span.line)]
        fix = finding.fix
        if fix is not None:
            fix = replace(fix, edits=tuple(replace(edit, span=self._in_cell(edit.span, cell)) for edit in fix.edits))
        return replace(finding, span=self._in_cell(finding.span, cell), cell=cell.number, fix=fix)

    def with_code(self, fixed: bytes) -> bytes:
        """The notebook's bytes with the cells' sources replaced by `fixed`
        (a changed version of `code`); every other byte is kept."""
        new_sources = {}
        for cell, lines in zip(self._cells, self._split(_lines(fixed.decode("utf-8")))):
            if tuple(lines) != cell.lines:
                new_sources[cell.number - 1] = _cell_text(lines, cell)
        return _splice_sources(self._text, self._document, new_sources).encode("utf-8")

    def _cell_index(self, line: int) -> int:
        return max(bisect.bisect_right(self._starts, line) - 1, 0)

    @staticmethod
    def _in_cell(span: Span, cell: _CodeCell) -> Span:
        shift = cell.first_line - 1
        return Span(span.line - shift, span.column, span.end_line - shift, span.end_column)

    def _split(self, fixed_lines: list[str]) -> list[list[str]]:
        """`fixed_lines` as the cells' source lines: unchanged lines come back
        as written (magics included); a changed line goes to the cell of the
        line it replaces."""
        import difflib  # only when fixing

        per_cell: list[list[str]] = [[] for _ in self._cells]
        owner = [index for index, cell in enumerate(self._cells) for _ in cell.lines]
        written = [line for cell in self._cells for line in cell.lines]
        matcher = difflib.SequenceMatcher(None, self._code_lines, fixed_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for old in range(i1, i2):
                    per_cell[owner[old]].append(written[old])
            elif i2 - i1 == j2 - j1:  # lines changed in place
                for old, new in zip(range(i1, i2), range(j1, j2)):
                    per_cell[owner[old]].append(fixed_lines[new])
            else:
                per_cell[owner[min(i1, len(owner) - 1)]].extend(fixed_lines[j1:j2])
        return per_cell


def read_notebook(path: Path, data: bytes) -> Notebook | None:
    """The notebook in `data` (the file at `path`), or None when its kernel is
    not Python. Raises `SourceError` for anything that is not a notebook."""
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
    except UnicodeDecodeError:
        raise SourceError(path, "cannot read the notebook: it is not UTF-8 (save it from Jupyter again)") from None
    except (ValueError, RecursionError) as error:
        raise SourceError(path, f"cannot read the notebook: invalid JSON ({error}); fix or re-save it") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise SourceError(path, "cannot read the notebook: it has no list of cells (is it a Jupyter notebook?)")
    if not _runs_python(document):
        return None
    code_cells: list[_CodeCell] = []
    code_lines: list[str] = []
    for number, cell in enumerate(cells, start=1):
        lines = _code_lines(path, number, cell)
        if lines:
            code_cells.append(_CodeCell(number, len(code_lines) + 1, tuple(lines)))
            code_lines.extend(_as_python(lines))
    return Notebook(text, document, code_cells, code_lines)


def cell_source(data: bytes, number: int) -> str:
    """The source of cell `number` (1-based) of the notebook in `data`, to show
    it; "" if it cannot be read."""
    try:
        source = _joined(json.loads(data)["cells"][number - 1]["source"])
    except (ValueError, LookupError, TypeError):
        return ""
    return source or ""


def _joined(source: Any) -> str | None:
    """A cell's source as one text (Jupyter stores a list of lines or a string); None if it is not text."""
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _runs_python(document: dict[str, Any]) -> bool:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    languages = [_field(metadata, "kernelspec", "language"), _field(metadata, "language_info", "name")]
    return all(language.lower() == "python" for language in languages if isinstance(language, str))


def _field(mapping: dict[str, Any], outer: str, inner: str) -> Any:
    value = mapping.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _code_lines(path: Path, number: int, cell: Any) -> list[str]:
    """The source lines of a code cell with Python in it; [] for any other cell."""
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return []
    source = _joined(cell.get("source", ""))
    if source is None:
        raise SourceError(path, f"cannot read the notebook: cell {number} has a source that is not text")
    magic = _CELL_MAGIC.match(source)
    if magic and magic["name"] not in PYTHON_CELL_MAGICS:
        return []
    return _lines(source)


def _as_python(lines: list[str]) -> list[str]:
    """The cell's lines with IPython syntax made `pass`, each ending in a line break."""
    python = []
    state = _Continuation()
    in_magic = False
    for line in lines:
        if not state.continues:
            neutral = _neutral(line)
            in_magic = neutral is not line
            python.append(neutral)
        else:  # a magic's own continuation lines (IPython joins them) become blank
            python.append(line[len(line.rstrip("\r\n")):] if in_magic else line)
        state.read(line)
    if not python[-1].endswith(("\n", "\r")):
        python[-1] += "\n"  # the next cell starts on a line of its own
    return python


class _Continuation:
    """Whether the next line continues a statement: open brackets, a trailing
    backslash or an open triple-quoted string, read line by line."""

    def __init__(self) -> None:
        self._brackets = 0
        self._string = ""  # the open triple quote, if any
        self._backslash = False

    @property
    def continues(self) -> bool:
        return bool(self._brackets or self._string or self._backslash)

    def read(self, line: str) -> None:
        code = line.rstrip("\r\n")
        index = 0
        while index < len(code):
            char = code[index]
            if self._string:
                if char == "\\":
                    index += 2
                    continue
                if code.startswith(self._string, index):
                    index += len(self._string)
                    self._string = ""
                    continue
            elif char == "#":
                break
            elif char in "'\"":
                self._string = char * 3 if code.startswith(char * 3, index) else char
                index += len(self._string)
                continue
            elif char in "([{":
                self._brackets += 1
            elif char in ")]}":
                self._brackets = max(self._brackets - 1, 0)
            index += 1
        self._backslash = index == len(code) and code.endswith("\\")
        if len(self._string) == 1:  # a one-quote string ends with its line
            self._string = ""


def _neutral(line: str) -> str:
    match = _IPYTHON_LINE.match(line)
    if match is None:
        return line
    body = line.rstrip("\r\n")
    return match["indent"] + "pass" + line[len(body):]


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _cell_text(lines: list[str], cell: _CodeCell) -> str:
    """The cell's new source; a cell that ended without a line break still does."""
    text = "".join(lines)
    if cell.lines and not cell.lines[-1].endswith(("\n", "\r")) and text.endswith("\n"):
        text = text[:-1]
    return text


def _splice_sources(text: str, document: dict[str, Any], sources: dict[int, str]) -> str:
    """`text` with the `source` of the cells at these 0-based indices replaced,
    each written in the style of the value it replaces."""
    if not sources:
        return text
    escape_non_ascii = text.isascii()
    spans = _source_spans(text, set(sources))
    for index in sorted(sources, reverse=True):
        start, end = spans[index]
        old = document["cells"][index]["source"]
        new = _json_source(sources[index], old, text[start:end], escape_non_ascii)
        text = text[:start] + new + text[end:]
    return text


def _source_spans(text: str, wanted: set[int]) -> dict[int, tuple[int, int]]:
    """Where, in the notebook's JSON text, the `source` of each wanted cell is."""
    spans = {}
    top = _skip_space(text, 0)
    cells_start = next(start for key, start, _ in _entries(text, top) if key == "cells")
    for index, (_, cell_start, _) in enumerate(_entries(text, cells_start)):
        if index in wanted:
            spans[index] = next((s, e) for key, s, e in _entries(text, cell_start) if key == "source")
    return spans


def _entries(text: str, index: int) -> Iterator[tuple[str | None, int, int]]:
    """(key, start, end) of each value in the JSON object or array at `index`
    (key None in an array). The text is known to be valid JSON."""
    closing = "}" if text[index] == "{" else "]"
    index = _skip_space(text, index + 1)
    while text[index] != closing:
        key = None
        if closing == "}":
            key, index = scanstring(text, index + 1)
            index = _skip_space(text, _skip_space(text, index) + 1)  # past the colon
        _, end = _DECODER.raw_decode(text, index)
        yield key, index, end
        index = _skip_space(text, end)
        if text[index] == ",":
            index = _skip_space(text, index + 1)


def _skip_space(text: str, index: int) -> int:
    return _JSON_SPACE.match(text, index).end()  # type: ignore[union-attr]  # always matches


def _json_source(source: str, old: Any, old_json: str, escape_non_ascii: bool) -> str:
    """`source` as JSON in the form of `old` (one string, or a list of lines
    laid out as `old_json` was)."""
    if isinstance(old, str):
        return json.dumps(source, ensure_ascii=escape_non_ascii)
    items = [json.dumps(line, ensure_ascii=escape_non_ascii) for line in _lines(source)]
    if not items:
        return "[]"
    element_spans = [(start, end) for _, start, end in _entries(old_json, 0)]
    opening = old_json[1:element_spans[0][0]] if element_spans else ""
    closing = old_json[element_spans[-1][1]:-1] if element_spans else ""
    between = old_json[element_spans[0][1]:element_spans[1][0]] if len(element_spans) > 1 else "," + opening
    return "[" + opening + between.join(items) + closing + "]"
