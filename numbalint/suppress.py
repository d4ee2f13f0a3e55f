"""`# noqa` comments: suppress findings on the line they are reported on, or in a whole file.

    x = f(a, b)  # noqa                      every finding on this line
    x = f(a, b)  # noqa: NBL001, NBL004      these codes (commas or spaces)
    x = f(a, b)  # noqa: kernel-arity        rule names work as codes
    x = f(a, b)  # NOQA:NBL001 why it's ok   case-insensitive; text after the codes is ignored
    # numbalint: noqa                        on a line of its own: nothing in this file
    # numbalint: noqa: NBL004                on a line of its own: these codes in this file

Like Ruff (and unlike flake8), `# noqa:` followed by no code suppresses
nothing: the author meant to name codes, and silencing every rule on the line
would hide more than intended. The directive must be in a comment: a `# noqa`
inside a string literal on that line does not count.

This stage knows no rule but one: the meta-rule UNUSED_NOQA (NBL100), which
reports codes in a `# noqa: ...` that suppress nothing. It is judged here from
the findings of the rules that ran, and only for codes of those rules (a code
of a rule that did not run, or of another tool, such as E501, is left alone).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from numbalint.diagnostics import Finding

UNUSED_NOQA = "NBL100"

_DIRECTIVE = re.compile(r"#\s*noqa(?![\w-])(?P<colon>\s*:)?", re.IGNORECASE)
_FILE_DIRECTIVE = re.compile(r"#\s*numbalint\s*:\s*noqa(?![\w-])(?P<colon>\s*:)?", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")
_WORD = re.compile(r"[^,\s]+")
_CODE_PREFIX = re.compile(r"[A-Za-z]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's line breaks, not str.splitlines'


@dataclass(frozen=True)
class Noqa:
    """A parsed directive: `codes` None means every code (a bare `# noqa`)."""

    codes: frozenset[str] | None

    def suppresses(self, code: str) -> bool:
        return self.codes is None or code in self.codes


class _CodeWord(NamedTuple):
    """A code in a directive as written (`kernel-arity`), the code it means, and where it is."""

    written: str
    code: str
    start: int
    end: int


@dataclass(frozen=True)
class _Directive:
    """Where a directive sits in a line or comment, and the codes it lists."""

    start: int  # its '#'
    codes_at: int | None  # just after the colon; None for a bare directive
    words: tuple[_CodeWord, ...]
    end: int  # before a later '#' in the same comment, else the end of the text

    @property
    def noqa(self) -> Noqa:
        return Noqa(None if self.codes_at is None else frozenset(word.code for word in self.words))


@dataclass(frozen=True)
class UnusedCodes:
    """Codes a line's `# noqa: ...` lists in vain: as written, in order."""

    line: int
    unused: tuple[str, ...]  # codes of rules that ran and reported nothing of the kind here
    unknown: tuple[str, ...]  # numbalint-style codes that name no rule


class Suppressions:
    """The directives of one source text, parsed only as they are asked for."""

    def __init__(self, source: str, *, name_to_code: Mapping[str, str]) -> None:
        self._source = source
        self._name_to_code = name_to_code
        self._directives: dict[int, _Directive | None] = {}

    @cached_property
    def _lines(self) -> list[str]:
        return _LINE_BREAK.split(self._source)

    @cached_property
    def _whole_file(self) -> Noqa | None:
        return _file_noqa(self._source, self._name_to_code)

    def suppresses(self, finding: Finding) -> bool:
        if self._whole_file is not None and self._whole_file.suppresses(finding.code):
            return True
        directive = self._directive(finding.span.line)
        return directive is not None and directive.noqa.suppresses(finding.code)

    def unused(self, findings: Iterable[Finding], *, judged: Collection[str], known: Collection[str]) -> list[UnusedCodes]:
        """Per line, the codes of `judged` rules its directive lists but no
        finding there has, and codes shaped like `known` ones that name no rule.
        A directive that lists UNUSED_NOQA itself is left alone."""
        reported: dict[int, set[str]] = {}
        for finding in findings:
            reported.setdefault(finding.span.line, set()).add(finding.code)
        prefixes = {_CODE_PREFIX.match(code)[0] for code in known}
        found = []
        for number, line in enumerate(self._lines, start=1):
            directive = self._directive(number) if "noqa" in line.lower() else None
            if directive is None or directive.codes_at is None:
                continue  # a bare `# noqa` is other linters' too
            codes = [word.code for word in directive.words]
            if UNUSED_NOQA in codes:
                continue  # kept on purpose
            here = reported.get(number, set())
            unused = tuple(w.written for w in directive.words if w.code in judged and w.code not in here)
            unknown = tuple(w.written for w in directive.words
                            if w.code not in known and _CODE_PREFIX.match(w.code)[0] in prefixes)
            if unused or unknown:
                found.append(UnusedCodes(number, unused, unknown))
        return found

    def _directive(self, number: int) -> _Directive | None:
        if number not in self._directives:
            line = self._lines[number - 1] if 0 < number <= len(self._lines) else ""
            self._directives[number] = _line_directive(line, self._name_to_code)
        return self._directives[number]


def parse_noqa(line: str, *, name_to_code: Mapping[str, str]) -> Noqa | None:
    """The `# noqa` directive in this source line's comment, if any."""
    directive = _line_directive(line, name_to_code)
    return None if directive is None else directive.noqa


def comment_start(line: str) -> int:
    """Index of the `#` that starts this line's comment, or -1.

    Skips string literals that open and close on the line (with escapes and
    triple quotes); a line that continues a multi-line string is read as code."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if line.startswith(quote, index):
                index += len(quote)
                quote = ""
                continue
        elif char == "#":
            return index
        elif char in "'\"":
            quote = char * 3 if line.startswith(char * 3, index) else char
            index += len(quote)
            continue
        index += 1
    return -1


def without_codes(comment: str, words: Collection[str], *, name_to_code: Mapping[str, str]) -> str:
    """The comment with these code words dropped from its `# noqa: ...`; with
    none left, without the directive (and the reason written after it)."""
    directive = _find_directive(comment, 0, _DIRECTIVE, name_to_code)
    if directive is None or not directive.words:
        return comment
    kept = [word.written for word in directive.words if word.written not in words]
    if kept:
        first, last = directive.words[0].start, directive.words[-1].end
        return comment[:first] + ", ".join(kept) + comment[last:]
    before, after = comment[: directive.start].rstrip(), comment[directive.end:]
    return before + ("  " if before and after else "") + after


def add_noqa(source: str, codes_by_line: Mapping[int, Collection[str]], *, name_to_code: Mapping[str, str]) -> tuple[str, list[int]]:
    """`source` with `# noqa: CODES` on each line of `codes_by_line` (codes
    added to a directive already there), and the lines where no comment can
    go (they end inside a string, or continue after a backslash)."""
    commentable = _lines_that_can_end_in_a_comment(source)
    pieces = _LINE_BREAK.split(source)
    breaks = _LINE_BREAK.findall(source)
    skipped = []
    for number, codes in sorted(codes_by_line.items()):
        if number not in commentable:
            skipped.append(number)
            continue
        pieces[number - 1] = _with_codes(pieces[number - 1], sorted(codes), name_to_code)
    return "".join(piece + brk for piece, brk in zip(pieces, [*breaks, ""])), skipped


def _with_codes(line: str, codes: Sequence[str], name_to_code: Mapping[str, str]) -> str:
    directive = _line_directive(line, name_to_code)
    if directive is None:
        return f"{line.rstrip()}  # noqa: {', '.join(codes)}"
    if directive.codes_at is None:
        return line  # a bare `# noqa` suppresses them already
    listed = directive.noqa.codes or frozenset()
    new = [code for code in codes if code not in listed]
    if directive.words:
        end = directive.words[-1].end
        return line[:end] + "".join(f", {code}" for code in new) + line[end:]
    return line[: directive.codes_at] + f" {', '.join(new)}" + line[directive.codes_at:]


def _lines_that_can_end_in_a_comment(source: str) -> set[int]:
    """Lines that end where a comment may start: not inside a string, not after a backslash."""
    lines = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source, newline="").readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass  # keep what was found before the error
    return lines


def _line_directive(line: str, name_to_code: Mapping[str, str]) -> _Directive | None:
    if "noqa" not in line.lower():
        return None  # the common case: no scan
    comment = comment_start(line)
    return None if comment < 0 else _find_directive(line, comment, _DIRECTIVE, name_to_code)


def _find_directive(text: str, start: int, pattern: re.Pattern[str], name_to_code: Mapping[str, str]) -> _Directive | None:
    match = pattern.search(text, start)
    if match is None:
        return None
    later_comment = text.find("#", match.end())
    end = len(text) if later_comment < 0 else later_comment
    if match["colon"] is None:
        return _Directive(match.start(), None, (), end)
    return _Directive(match.start(), match.end(), _code_words(text, match.end(), end, name_to_code), end)


def _code_words(text: str, start: int, end: int, name_to_code: Mapping[str, str]) -> tuple[_CodeWord, ...]:
    """The codes at the start of text[start:end], with their spans; parsing
    stops at the first word that is neither a code nor a rule name (the reason
    people write after them)."""
    words = []
    for match in _WORD.finditer(text, start, end):
        word = match[0]
        code = word.upper() if _CODE.fullmatch(word) else name_to_code.get(word.lower())
        if code is None:
            break
        words.append(_CodeWord(word, code, match.start(), match.end()))
    return tuple(words)


def _file_noqa(source: str, name_to_code: Mapping[str, str]) -> Noqa | None:
    """What `# numbalint: noqa` comments on lines of their own suppress in the whole file."""
    if _FILE_DIRECTIVE.search(source) is None:
        return None  # the common case: no tokenizing
    directives = [_find_directive(comment, 0, _FILE_DIRECTIVE, name_to_code) for comment in _own_line_comments(source)]
    found = [d.noqa for d in directives if d is not None and d.start == 0]
    if not found:
        return None
    if any(noqa.codes is None for noqa in found):
        return Noqa(None)
    return Noqa(frozenset().union(*(noqa.codes or () for noqa in found)))


def _own_line_comments(source: str) -> list[str]:
    """The comments that are alone on their line (tokenized: text in strings is not a comment)."""
    comments = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source, newline="").readline):
            if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
                comments.append(token.string)
    except (tokenize.TokenError, SyntaxError):
        pass  # keep what was found before the error
    return comments
