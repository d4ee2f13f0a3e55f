"""`# noqa` comments: suppress findings on the line they are reported on.

    x = f(a, b)  # noqa                      every finding on this line
    x = f(a, b)  # noqa: NBL001, NBL004      these codes (commas or spaces)
    x = f(a, b)  # noqa: kernel-arity        rule names work as codes
    x = f(a, b)  # NOQA:NBL001 why it's ok   case-insensitive; text after the codes is ignored

Like Ruff (and unlike flake8), `# noqa:` followed by no code suppresses
nothing: the author meant to name codes, and silencing every rule on the line
would hide more than intended. The directive must be in a comment: a `# noqa`
inside a string literal on that line does not count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from numbalint.diagnostics import Finding

_DIRECTIVE = re.compile(r"#\s*noqa(?![\w-])(?P<colon>\s*:)?(?P<codes>.*)", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")
_SEPARATORS = re.compile(r"[,\s]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's line breaks, not str.splitlines'


@dataclass(frozen=True)
class Noqa:
    """A parsed directive: `codes` None means every code (a bare `# noqa`)."""

    codes: frozenset[str] | None

    def suppresses(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def filter_suppressed(
    findings: Sequence[Finding], source: str, *, name_to_code: Mapping[str, str]
) -> list[Finding]:
    """The findings not suppressed by a `# noqa` on their (first) line."""
    if not findings:
        return []
    lines = _LINE_BREAK.split(source)
    directives: dict[int, Noqa | None] = {}

    def is_suppressed(finding: Finding) -> bool:
        number = finding.span.line
        if number not in directives:
            line = lines[number - 1] if 0 < number <= len(lines) else ""
            directives[number] = parse_noqa(line, name_to_code=name_to_code)
        directive = directives[number]
        return directive is not None and directive.suppresses(finding.code)

    return [finding for finding in findings if not is_suppressed(finding)]


def parse_noqa(line: str, *, name_to_code: Mapping[str, str]) -> Noqa | None:
    """The `# noqa` directive in this source line's comment, if any."""
    if "noqa" not in line.lower():
        return None  # the common case: no scan
    comment = comment_start(line)
    if comment < 0:
        return None
    match = _DIRECTIVE.search(line, comment)
    if match is None:
        return None
    if match["colon"] is None:
        return Noqa(None)
    return Noqa(_codes(match["codes"], name_to_code))


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


def _codes(text: str, name_to_code: Mapping[str, str]) -> frozenset[str]:
    """The codes at the start of `text`; parsing stops at the first word that
    is neither a code nor a rule name (the reason people write after them)."""
    codes = set()
    for word in _SEPARATORS.split(text.strip()):
        code = word.upper() if _CODE.fullmatch(word) else name_to_code.get(word.lower())
        if code is None:
            break
        codes.add(code)
    return frozenset(codes)
