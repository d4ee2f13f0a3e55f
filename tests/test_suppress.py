import pytest
from hypothesis import given
from hypothesis import strategies as st

from numbalint.diagnostics import Finding, Span
from numbalint.suppress import Noqa, comment_start, filter_suppressed, parse_noqa

NAMES = {"kernel-arity": "NBL001", "missing-nogil": "NBL004"}


def noqa(line: str) -> Noqa | None:
    return parse_noqa(line, name_to_code=NAMES)


def finding(line: int, code: str) -> Finding:
    return Finding("m.py", Span(line, 1, line, 2), code, "name", "error", "message")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = 1", None),
        ("x = 1  # noqa", Noqa(None)),
        ("x = 1  #noqa", Noqa(None)),
        ("x = 1  # NoQA", Noqa(None)),
        ("x = 1  # noqa because reasons", Noqa(None)),
        ("x = 1  # noqa: NBL001", Noqa(frozenset({"NBL001"}))),
        ("x = 1  # noqa:NBL001,NBL004", Noqa(frozenset({"NBL001", "NBL004"}))),
        ("x = 1  # noqa: NBL001 NBL004", Noqa(frozenset({"NBL001", "NBL004"}))),
        ("x = 1  # noqa : nbl001", Noqa(frozenset({"NBL001"}))),
        ("x = 1  # noqa: kernel-arity, NBL004", Noqa(frozenset({"NBL001", "NBL004"}))),
        ("x = 1  # noqa: NBL001 the thread is joined below", Noqa(frozenset({"NBL001"}))),
        ("x = 1  # noqa: ", Noqa(frozenset())),
        ("x = 1  # noqa:", Noqa(frozenset())),
        ("x = 1  # type: ignore  # noqa: NBL004", Noqa(frozenset({"NBL004"}))),
        ("x = 1  # noqabc", None),
        ("x = 1  # noqa-ish", None),
        ("x = '# noqa'", None),
        ('x = "# noqa: NBL001"  # real comment', None),
        ('x = "it\'s # noqa"  # noqa: NBL004', Noqa(frozenset({"NBL004"}))),
        ("x = '''# noqa'''", None),
        ('x = "a\\"# noqa"', None),
    ],
)
def test_parse_noqa(line, expected):
    assert noqa(line) == expected


def test_bare_noqa_suppresses_everything_and_empty_list_nothing():
    assert Noqa(None).suppresses("NBL001")
    assert not Noqa(frozenset()).suppresses("NBL001")


def test_filter_suppressed_by_line_and_code():
    source = "a()  # noqa: NBL001\r\nb()  # noqa\nc()\rd()  # noqa: missing-nogil\n"
    findings = [
        finding(1, "NBL001"),
        finding(1, "NBL004"),
        finding(2, "NBL009"),
        finding(3, "NBL001"),
        finding(4, "NBL004"),
        finding(4, "NBL001"),
    ]
    kept = filter_suppressed(findings, source, name_to_code=NAMES)
    assert [(f.span.line, f.code) for f in kept] == [(1, "NBL004"), (3, "NBL001"), (4, "NBL001")]


def test_form_feed_is_not_a_line_break():
    source = "x = '\x0c'\ny()  # noqa\n"
    assert filter_suppressed([finding(2, "NBL001")], source, name_to_code=NAMES) == []


def test_no_findings_does_no_work(monkeypatch):
    from numbalint import suppress

    class Unsplittable:
        def split(self, source):
            raise AssertionError("split a file that has no findings")

    monkeypatch.setattr(suppress, "_LINE_BREAK", Unsplittable())
    assert filter_suppressed([], "x  # noqa", name_to_code=NAMES) == []


codes = st.from_regex(r"NBL[0-9]{3}", fullmatch=True)
separators = st.sampled_from([",", ", ", " ", "  ,  "])


@given(st.lists(codes, min_size=1, max_size=5), separators, st.sampled_from(["noqa", "NOQA", "NoQa"]))
def test_listed_codes_round_trip(listed, separator, word):
    line = f"call(x)  # {word}: {separator.join(listed)}"
    assert noqa(line) == Noqa(frozenset(listed))


@given(st.text(alphabet="ab #'\"\\", max_size=12))
def test_directive_inside_a_closed_string_never_counts(text):
    literal = repr("# noqa" + text)
    assert noqa(f"x = {literal}") is None
    assert comment_start(f"x = {literal}  # c") == len(f"x = {literal}  ")
