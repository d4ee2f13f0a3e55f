import pytest
from hypothesis import given
from hypothesis import strategies as st

from numbalint.diagnostics import Finding, Span
from numbalint.suppress import (
    Noqa,
    Suppressions,
    UnusedCodes,
    add_noqa,
    comment_start,
    parse_noqa,
    without_codes,
)

NAMES = {"kernel-arity": "NBL001", "missing-nogil": "NBL004"}


def noqa(line: str) -> Noqa | None:
    return parse_noqa(line, name_to_code=NAMES)


def finding(line: int, code: str) -> Finding:
    return Finding("m.py", Span(line, 1, line, 2), code, "name", "error", "message")


def filter_suppressed(findings: list[Finding], source: str) -> list[Finding]:
    suppressions = Suppressions(source, name_to_code=NAMES)
    return [f for f in findings if not suppressions.suppresses(f)]


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
    kept = filter_suppressed(findings, source)
    assert [(f.span.line, f.code) for f in kept] == [(1, "NBL004"), (3, "NBL001"), (4, "NBL001")]


def test_form_feed_is_not_a_line_break():
    source = "x = '\x0c'\ny()  # noqa\n"
    assert filter_suppressed([finding(2, "NBL001")], source) == []


def test_nothing_is_scanned_until_asked(monkeypatch):
    from numbalint import suppress

    class Unscannable:
        def split(self, source):
            raise AssertionError("scanned the source")

        search = split

    monkeypatch.setattr(suppress, "_LINE_BREAK", Unscannable())
    monkeypatch.setattr(suppress, "_FILE_DIRECTIVE", Unscannable())
    suppressions = Suppressions("x  # noqa\n# numbalint: noqa\n", name_to_code=NAMES)  # free
    with pytest.raises(AssertionError, match="scanned the source"):
        suppressions.suppresses(finding(1, "NBL001"))  # the first question pays


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


# -- whole-file directives ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("# numbalint: noqa\n", []),
        ("# NumbaLint:NOQA\n", []),
        ("# numbalint: noqa: NBL004\n", [(1, "NBL001"), (2, "NBL001")]),
        ("# numbalint: noqa: missing-nogil, NBL001\n", []),
        ("x = 1  # numbalint: noqa\n", [(1, "NBL001"), (1, "NBL004"), (2, "NBL001"), (2, "NBL004")]),
        ('"""\n# numbalint: noqa\n"""\n', [(1, "NBL001"), (1, "NBL004"), (2, "NBL001"), (2, "NBL004")]),
        ("# numbalint: noqa:\n", [(1, "NBL001"), (1, "NBL004"), (2, "NBL001"), (2, "NBL004")]),
    ],
)
def test_a_whole_file_directive_on_a_line_of_its_own(header, kept):
    source = header + "a()\nb()\n"
    offset = header.count("\n")
    findings = [finding(line + offset, code) for line in (1, 2) for code in ("NBL001", "NBL004")]
    left = filter_suppressed(findings, source)
    assert [(f.span.line - offset, f.code) for f in left] == kept


# -- unused codes (NBL100) -------------------------------------------------------------


def unused(source: str, findings, judged=("NBL001", "NBL004")) -> list[UnusedCodes]:
    suppressions = Suppressions(source, name_to_code=NAMES)
    return suppressions.unused(findings, judged=frozenset(judged), known={"NBL001", "NBL004", "NBL100"})


def test_unused_and_unknown_codes_are_found_per_line():
    source = (
        "a()  # noqa: NBL001, NBL004\n"       # NBL004 reported here, NBL001 not
        "b()  # noqa: kernel-arity E501\n"   # a name as written; another tool's code is not judged
        "c()  # noqa: NBL999\n"               # no such rule
        "d()  # noqa\n"                       # bare: other linters read it too
        "e()  # noqa: NBL001, NBL100\n"       # lists the meta-rule itself: left alone
        "f = '# noqa: NBL001'\n"              # not a comment
    )
    found = unused(source, [finding(1, "NBL004")])
    assert found == [
        UnusedCodes(1, ("NBL001",), ()),
        UnusedCodes(2, ("kernel-arity",), ()),
        UnusedCodes(3, (), ("NBL999",)),
    ]


def test_codes_of_rules_that_did_not_run_are_not_judged():
    assert unused("a()  # noqa: NBL004\n", [], judged=("NBL001",)) == []


@pytest.mark.parametrize(
    ("comment", "words", "expected"),
    [
        ("# noqa: NBL001, NBL004", {"NBL001"}, "# noqa: NBL004"),
        ("# noqa: NBL001 NBL004 because", {"NBL004"}, "# noqa: NBL001 because"),
        ("# noqa: NBL001, E501", {"NBL001"}, "# noqa: E501"),
        ("# noqa: NBL004 the reason", {"NBL004"}, ""),
        ("# type: ignore  # noqa: NBL004", {"NBL004"}, "# type: ignore"),
        ("# noqa: NBL004  # expect: NBL100", {"NBL004"}, "# expect: NBL100"),
        ("# noqa: kernel-arity", {"kernel-arity"}, ""),
    ],
)
def test_without_codes(comment, words, expected):
    assert without_codes(comment, words, name_to_code=NAMES) == expected


# -- adding directives (--add-noqa) ----------------------------------------------------


def test_add_noqa_appends_merges_and_keeps_line_endings():
    source = "a()\r\nb()  # noqa: NBL001 why\r\nc()  # type: ignore\nd()  # noqa:\ne()  # noqa\n"
    codes = {1: {"NBL004", "NBL001"}, 2: {"NBL004", "NBL001"}, 3: {"NBL001"}, 4: {"NBL004"}, 5: {"NBL001"}}
    added, skipped = add_noqa(source, codes, name_to_code=NAMES)
    assert added == (
        "a()  # noqa: NBL001, NBL004\r\n"
        "b()  # noqa: NBL001, NBL004 why\r\n"
        "c()  # type: ignore  # noqa: NBL001\n"
        "d()  # noqa: NBL004\n"
        "e()  # noqa\n"
    )
    assert skipped == []
    assert all(noqa(line).suppresses("NBL001") for line in added.splitlines()[:3])


def test_add_noqa_never_writes_into_a_string_or_after_a_backslash():
    source = 'x = f("""\n  text\n""")\ny = 1 + \\\n    2\nz = [\n    1,\n]\n'
    added, skipped = add_noqa(source, {1: {"NBL001"}, 4: {"NBL001"}, 6: {"NBL001"}}, name_to_code=NAMES)
    assert skipped == [1, 4]
    assert added == source.replace("z = [\n", "z = [  # noqa: NBL001\n")
