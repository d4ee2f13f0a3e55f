import libcst as cst

from numbalint.diagnostics import Span
from numbalint.positions import positions

SOURCE = "import x\n\n# lead\n@njit(cache=True)  # trailing\ndef f(a):\n    return a\n"


def decorator_of(module: cst.Module) -> cst.Decorator:
    function = module.body[1]
    assert isinstance(function, cst.FunctionDef)
    return function.decorators[0]


def test_span_is_one_based_and_end_exclusive():
    module = cst.parse_module(SOURCE)
    locate = positions(module)
    assert locate(decorator_of(module).decorator) == Span(4, 2, 4, 18)
    assert locate(module.body[0]) == Span(1, 1, 1, 9)


def test_span_skips_owned_whitespace_but_extent_covers_it():
    module = cst.parse_module(SOURCE)
    locate = positions(module)
    decorator = decorator_of(module)
    assert locate(decorator) == Span(4, 1, 4, 18)
    # The decorator owns its trailing comment and newline.
    assert locate.extent(decorator) == Span(4, 1, 5, 1)


def test_extent_matches_code_for_node():
    module = cst.parse_module(SOURCE)
    lines = SOURCE.splitlines(keepends=True)
    function = module.body[1]
    span = positions(module).extent(function)
    text = "".join(lines[span.line - 1 : span.end_line - 1])
    assert text == module.code_for_node(function)


def test_columns_count_characters_not_bytes():
    module = cst.parse_module("s = 'é' ; t = 1\n")
    assign = module.body[0].body[1]
    assert positions(module)(assign) == Span(1, 11, 1, 16)


def test_nothing_is_resolved_until_asked(monkeypatch):
    import numbalint.positions as positions_module

    def fail(*args, **kwargs):
        raise AssertionError("resolved eagerly")

    monkeypatch.setattr(positions_module, "MetadataWrapper", fail)
    positions(cst.parse_module(SOURCE))
