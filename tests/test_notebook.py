"""Jupyter notebooks: code cells linted as one module, findings in cells, fixes spliced back.

The reference for every position is the same code in a .py file: a notebook
finding must have the .py finding's line and column, counted from its cell.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import numbalint
from numbalint.api import LintError
from numbalint.diagnostics import Finding
from tests.conftest import FIXTURES, invoke, sarif_schema

BLOG = (FIXTURES / "blog" / "verbatim.py").read_text()
EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>NBL\d{3}(?:\s*,\s*NBL\d{3})*)")


def code(source: str | list[str]) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": 1, "metadata": {"tags": []},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["done\n"]}], "source": source}


def markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells: dict[str, Any], language: str = "python") -> dict[str, Any]:
    metadata = {"kernelspec": {"display_name": "Python 3", "language": language, "name": "python3"},
                "language_info": {"name": language}}
    return {"cells": list(cells), "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def as_lines(text: str) -> list[str]:
    """A cell source as Jupyter stores it: a list of lines, the last without its newline."""
    return text.rstrip("\n").splitlines(keepends=True)


# The blog's program whole in the third cell, after a markdown cell and a cell of IPython lines.
BLOG_NOTEBOOK = notebook(
    markdown("# Squares in threads\n\nThe blog's program, verbatim."),
    code(["%load_ext autoreload\n", "!pip install numba\n", "np.empty_like?"]),
    code(as_lines(BLOG)),
)


def where(findings: list[Finding]) -> list[tuple[int | None, int, int, int, int, str]]:
    return sorted((f.cell, f.span.line, f.span.column, f.span.end_line, f.span.end_column, f.code) for f in findings)


def blog_positions(cell: int, line_offset: int = 0) -> list[tuple[int | None, int, int, int, int, str]]:
    """The .py file's findings, placed in `cell` with lines moved by `line_offset`."""
    return [(cell, line + line_offset, column, end_line + line_offset, end_column, code)
            for _, line, column, end_line, end_column, code in where(numbalint.lint_source(BLOG, path="blog.py"))]


def lint_notebook(document: dict[str, Any], path: str = "nb.ipynb") -> list[Finding]:
    return numbalint.lint_source(json.dumps(document, indent=1), path=path)


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run `numbalint ARGS...` in-process in an empty project: (exit status, stdout, stderr)."""
    (tmp_path / "pyproject.toml").write_text("[tool.numbalint]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> tuple[int, str, str]:
        done = invoke(capsys, "--no-cache", *args)
        return done.code, done.out, done.err

    return run


# -- positions ----------------------------------------------------------------------


def test_the_blogs_bug_in_the_third_cell_is_reported_there_at_the_py_files_lines_and_columns():
    assert where(lint_notebook(BLOG_NOTEBOOK)) == blog_positions(cell=3)


def test_text_output_names_the_cell_and_json_has_a_cell_field(cli, tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(BLOG_NOTEBOOK))
    (tmp_path / "blog.py").write_text(BLOG)
    status, out, _ = cli("nb.ipynb")
    assert status == 1
    assert "nb.ipynb:cell 3:23:50: NBL001 [kernel-arity]" in out
    status, out, _ = cli("--output-format", "json", "nb.ipynb", "blog.py")
    cells = {(finding["path"], finding["cell"]) for finding in json.loads(out)["findings"]}
    assert cells == {("nb.ipynb", 3), ("blog.py", None)}


def test_github_and_sarif_point_at_the_notebook_and_name_the_cell_in_the_message(cli, tmp_path):
    """Their lines are the file's, and a notebook's file is JSON: a line within a cell
    would point at the wrong place, so the annotation is on the file and the message
    says where in which cell."""
    (tmp_path / "nb.ipynb").write_text(json.dumps(BLOG_NOTEBOOK))
    (tmp_path / "broken.ipynb").write_text(json.dumps(notebook(code("import numba\n"), code("x = (\n"))))
    _, out, _ = cli("--output-format", "github", "nb.ipynb", "broken.ipynb")
    [arity] = [line for line in out.splitlines() if "NBL001" in line]
    assert arity.startswith("::error file=nb.ipynb,title=NBL001 kernel-arity::cell 3, line 23, column 50: kernel")
    [broken] = [line for line in out.splitlines() if "broken.ipynb" in line]
    assert broken.startswith("::error file=broken.ipynb,title=numbalint%3A not checked::cell 2, line 1, column 5: ")
    _, out, _ = cli("--output-format", "sarif", "nb.ipynb", "broken.ipynb")
    import jsonschema

    jsonschema.validate(json.loads(out), sarif_schema())
    [result] = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "NBL001"]
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert result["message"]["text"].startswith("cell 3, line 23, column 50: kernel")


def test_magics_shell_escapes_and_help_lines_do_not_move_positions():
    lines = BLOG.splitlines(keepends=True)
    assert lines[3] == lines[10] == lines[15] == "\n"  # blank lines, replaced below
    lines[3] = "%load_ext autoreload\n"
    lines[10] = "files = !ls\n"
    lines[15] = "    np.empty_like??  \n"  # indented, inside the `if` block
    cell = "".join(lines).replace("    output = np.empty_like(arr)\n", "    %time output = np.empty_like(arr)\n")
    assert where(lint_notebook(notebook(code(cell)))) == blog_positions(cell=1)


def test_a_line_that_continues_a_statement_is_code_even_if_it_starts_like_a_magic():
    continued = ('msg = (\n    "%d items"\n    % 3\n)\ny = 10 \\\n    % 3\ndoc = """\n!not a command\n"""  # (\n')
    magic = "%time total = sum([1,\n 2])\n"  # IPython joins the magic's lines
    as_python = continued + "pass\n\n" + BLOG
    expected = [(1, *position) for _, *position in where(numbalint.lint_source(as_python, path="a.py"))]
    assert where(lint_notebook(notebook(code(continued + magic + BLOG)))) == expected
    assert len(expected) == 5  # (NBL005 keeps silent in a module that uses `%`)


def test_a_time_cell_magic_keeps_its_body_and_another_cell_magic_skips_the_cell():
    timed = notebook(code("%%time\n" + BLOG), code("%%bash\nif (( 1 % 2 )); then echo odd; fi\n"))
    assert where(lint_notebook(timed)) == blog_positions(cell=1, line_offset=1)


def test_a_kernel_in_one_cell_launched_from_another_is_seen():
    fixture = FIXTURES / "notebooks" / "blog.ipynb"
    document = json.loads(fixture.read_text())
    expected = set()
    for number, cell in enumerate(document["cells"], start=1):
        for line_number, line in enumerate("".join(cell["source"]).splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                expected |= {(number, line_number, c.strip()) for c in match["codes"].split(",")}
    findings = numbalint.lint_source(fixture.read_text(), path=str(fixture))
    assert {(f.cell, f.span.line, f.code) for f in findings} == expected
    assert {"NBL003", "NBL004"} <= {code for _, _, code in expected}  # they need the kernel of cell 2


def test_noqa_in_a_cell():
    suppressed = BLOG.replace("# expect: NBL001, NBL002", "# noqa: NBL001, NBL002  expect:")
    findings = lint_notebook(notebook(markdown("intro"), code(as_lines(suppressed))))
    assert {f.code for f in findings} == {"NBL003", "NBL004", "NBL005", "NBL006"}
    assert {f.cell for f in findings} == {2}


def test_syntax_error_names_the_cell(cli, tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(markdown("x"), code("import numba\n"), code("x = (\n"))))
    status, out, err = cli("nb.ipynb")
    assert status == 2
    assert err.startswith("nb.ipynb:cell 3:1:5: cannot parse"), err


# -- what is and is not a Python notebook -------------------------------------------------


def test_a_notebook_of_another_language_is_skipped(cli, tmp_path):
    julia = notebook(code("using Base.Threads  # numba\n@threads for i in 1:10 end\n"), language="julia")
    assert lint_notebook(julia) == []
    (tmp_path / "julia.ipynb").write_text(json.dumps(julia))
    assert cli("julia.ipynb") == (0, "All checks passed. Checked 0 files; 1 skipped: no numba or threads.\n", "")


def test_invalid_json_is_one_line_naming_the_file(cli, tmp_path):
    (tmp_path / "broken.ipynb").write_text('{"cells": [{"source": "import numba"\n')  # cut short
    status, out, err = cli("broken.ipynb")
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("broken.ipynb: cannot read the notebook: invalid JSON"), err


def test_a_json_file_that_is_not_a_notebook_is_one_line(cli, tmp_path):
    (tmp_path / "data.ipynb").write_text('{"numba": 1}')
    status, _, err = cli("data.ipynb")
    assert status == 2
    assert err == "data.ipynb: cannot read the notebook: it has no list of cells (is it a Jupyter notebook?)\n"


def test_folders_are_searched_for_notebooks_but_not_checkpoints(cli, tmp_path):
    for folder in ("src", "src/.ipynb_checkpoints"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "nb.ipynb").write_text(json.dumps(BLOG_NOTEBOOK))
    status, out, _ = cli("--output-format", "json", "src")
    assert status == 1
    assert {finding["path"] for finding in json.loads(out)["findings"]} == {str(Path("src") / "nb.ipynb")}


# -- --fix --------------------------------------------------------------------------------


def changed_region(before: str, after: str) -> tuple[int, int]:
    """Where `before` and `after` differ, as a range of `before`."""
    start = next(i for i, (a, b) in enumerate(zip(before, after)) if a != b)
    common_tail = next(i for i, (a, b) in enumerate(zip(reversed(before), reversed(after))) if a != b)
    return start, len(before) - common_tail


NOTEBOOK_STYLES = {
    "jupyter": lambda document: json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
    "two-space, escaped, unsorted, no final newline": lambda document: json.dumps(document, indent=2),
}


@pytest.mark.parametrize("style", NOTEBOOK_STYLES)
@pytest.mark.parametrize("source_as", ["lines", "string"])
def test_fix_changes_only_the_fixed_cells_source(cli, tmp_path, style, source_as):
    blog = BLOG.replace("import threading\n", "import threading  # threads — as the blog has them\n")
    blog_cell = as_lines(blog) if source_as == "lines" else blog
    document = notebook(markdown("Squares — in threads"), code(["%matplotlib inline\n", "x = 1"]), code(blog_cell))
    before = NOTEBOOK_STYLES[style](document)
    path = tmp_path / "nb.ipynb"
    path.write_text(before, encoding="utf-8")
    status, _, err = cli("--fix", "nb.ipynb")
    assert err == ""
    after = path.read_text(encoding="utf-8")

    # Every byte outside the third cell's source is as it was.
    source_start = before.index(json.dumps(blog_cell[0] if source_as == "lines" else blog_cell)[:40])
    source_end = before.index("\n", before.index("print(output)")) + 1
    # (The blog's safe fix, NBL002's defaults, only inserts: the changed range of `before` may be empty.)
    start, end = changed_region(before, after)
    assert after != before and source_start <= start <= end <= source_end
    assert after.count("—") == before.count("—")  # escaped as the file escapes it
    fixed = json.loads(after)
    assert type(fixed["cells"][2]["source"]) is type(blog_cell)
    assert fixed["cells"][:2] == document["cells"][:2]

    # The cell's new source is what --fix makes of the same code in a .py file.
    (tmp_path / "blog.py").write_text(blog, encoding="utf-8")
    cli("--fix", "blog.py")
    assert "".join(fixed["cells"][2]["source"]) == (tmp_path / "blog.py").read_text(encoding="utf-8").rstrip("\n") + (
        "\n" if source_as == "string" else "")


def test_fix_keeps_magic_lines_and_diff_shows_the_notebook_change(cli, tmp_path):
    cell = "%%time\n" + BLOG.replace("\n    threads = []\n", "\n    !nproc\n    threads = []\n")
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook(code(as_lines(cell))), indent=1))
    status, out, _ = cli("--diff", "nb.ipynb")
    assert status == 1
    assert '+    "        thread = threading.Thread(target=lambda start=start, end=end: calculate_squares(' in out
    cli("--fix", "nb.ipynb")
    source = "".join(json.loads(path.read_text())["cells"][0]["source"])
    assert source.startswith("%%time\n") and "\n    !nproc\n" in source
    assert "target=lambda start=start, end=end: calculate_squares(" in source


# -- the Python API ---------------------------------------------------------------------


def test_lint_paths_finds_notebooks_in_folders(tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(BLOG_NOTEBOOK))
    report = numbalint.lint_paths([tmp_path], jobs=1)
    assert where(report.findings) == blog_positions(cell=3)
    assert {f.path for f in report.findings} == {str(tmp_path / "nb.ipynb")}


def test_lint_source_raises_for_a_notebook_it_cannot_read():
    with pytest.raises(LintError, match=r"^nb\.ipynb: cannot read the notebook: invalid JSON"):
        numbalint.lint_source('{"cells": [', path="nb.ipynb")


def test_a_notebook_exports_no_kernels_to_python_files(tmp_path):
    kernel = "import numba\n\n@numba.njit\ndef square(a):\n    a[:] = a * a\n"
    (tmp_path / "analysis.ipynb").write_text(json.dumps(notebook(code(kernel))))
    driver = ("import threading\nfrom analysis import square\n\n\ndef run(a):\n"
              "    t = threading.Thread(target=square, args=(a,))\n    t.start()\n    t.join()\n")
    (tmp_path / "driver.py").write_text(driver)
    assert numbalint.lint_paths([tmp_path], jobs=1).findings == []
    (tmp_path / "analysis.py").write_text(kernel)
    assert {(Path(f.path).name, f.code) for f in numbalint.lint_paths([tmp_path], jobs=1).findings} == {
        ("driver.py", "NBL004")}


def test_a_notebook_launching_a_kernel_from_a_python_file_is_checked_against_it(tmp_path):
    (tmp_path / "kernels.py").write_text("import numba\n\n@numba.njit\ndef square(a):\n    a[:] = a * a\n")
    launch = "t = threading.Thread(target=square, args=(a,))\n"
    cell = "import threading\nfrom kernels import square\n" + launch + "t.start()\nt.join()\n"
    (tmp_path / "analysis.ipynb").write_text(json.dumps(notebook(markdown("intro"), code(as_lines(cell)))))
    findings = numbalint.lint_paths([tmp_path], jobs=1).findings
    assert [(Path(f.path).name, f.cell, f.span.line, f.span.column, f.code) for f in findings] == [
        ("analysis.ipynb", 2, 3, 5, "NBL004")]


def test_the_full_format_shows_the_cells_line_and_json_errors_name_the_cell(cli, tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(BLOG_NOTEBOOK, indent=1))
    _, out, _ = cli("--output-format", "full", "nb.ipynb")
    thread_line = next(line for line in BLOG.splitlines() if "threading.Thread(target=lambda" in line)
    assert f"23 | {thread_line}" in out.splitlines()
    (tmp_path / "broken.ipynb").write_text(json.dumps(notebook(markdown("x"), code("import numba\nx = (\n"))))
    _, out, _ = cli("--output-format", "json", "broken.ipynb")
    assert [(e["path"], e["cell"], e["line"]) for e in json.loads(out)["errors"]] == [("broken.ipynb", 2, 2)]
