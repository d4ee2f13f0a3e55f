"""numbalint verify: loads the user's function, runs it against a reference, explains mismatches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from numbalint.verify import TargetError, load_target, verify, verify_function

TARGETS = Path(__file__).parent / "verify_targets"
SMALL_RUN = ["--large", "200000"]


def run_verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(verify, list(args))
    return result.exit_code, result.output


def target(file_name: str, function: str = "square") -> str:
    return f"{TARGETS / file_name}:{function}"


def test_importing_verify_imports_neither_numba_nor_numpy() -> None:
    code = "import sys, numbalint.verify; print(sorted({'numba', 'numpy'} & set(sys.modules)))"
    root = Path(__file__).parent.parent
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_list_names_the_references() -> None:
    status, output = run_verify("--list")
    assert status == 0
    names = {line.split("(")[0] for line in output.splitlines()}
    assert {"square", "sum", "histogram", "prefix_sum"} <= names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--against NAME"),
        ([target("good_square.py")], "--against NAME"),
        (["no_colon", "--against", "square"], "MODULE:FUNCTION"),
        (["missing.py:f", "--against", "square"], "no such file: missing.py"),
        (["no_such_module_here:f", "--against", "square"], "no module named"),
        ([target("fails_to_import.py"), "--against", "square"], "settings.toml not found"),
        ([target("good_square.py", "nope"), "--against", "square"], "no attribute 'nope'"),
        ([target("good_square.py", "np"), "--against", "square"], "not a function"),
        ([target("good_square.py"), "--against", "cube"], "no reference named 'cube'"),
        ([target("good_square.py"), "--against", "square", "--threads", "2,x"], "--threads"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    status, output = run_verify(*args)
    assert status == 2
    assert message in output
    assert len(output.strip().splitlines()) == 1
    assert "Traceback" not in output


@pytest.mark.parametrize("module", ["numba", "numpy"])
def test_without_numba_or_numpy_verify_says_what_to_install(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    for args in (["--list"], [target("good_square.py"), "--against", "square"]):
        status, output = run_verify(*args)
        assert status == 2
        assert output.strip().splitlines() == [
            f"Error: verify runs real kernels and needs numba and numpy ({module} cannot be imported): "
            "pip install 'numbalint[reference]'"
        ]


def test_module_targets_import_from_the_current_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TARGETS)
    assert load_target("good_square:square").__name__ == "square"


def test_load_target_names_what_is_wrong_in_one_line() -> None:
    with pytest.raises(TargetError, match="^importing .*fails_to_import.py failed: RuntimeError"):
        load_target(target("fails_to_import.py"))


@pytest.mark.slow
def test_a_correct_threaded_square_passes_and_reports_its_speed() -> None:
    status, output = run_verify(target("good_square.py"), "--against", "square", *SMALL_RUN)
    assert status == 0, output
    assert output.startswith("ok: matches 'square' in all")
    assert "x the reference's speed" in output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file_name", "function", "against", "diagnosis"),
    [
        ("dropped_remainder.py", "square", "square", "the last element was never written: "
         "is the remainder chunk dropped?"),
        ("dropped_remainder.py", "total", "sum", "the last 1 never counted: "
         "is the remainder chunk dropped?"),
        ("late_binding.py", "square", "square", "only the last chunk (items 510..1018) is right, "
         "as if every worker got the last chunk's data: are loop variables bound late?"),
        ("never_written.py", "square", "square", "the output is never written "
         "(is the result thrown away?)"),
        ("worker_raises.py", "square", "square", "a worker thread raised TypeError: "
         "too many arguments"),
        ("float_square.py", "square", "square", "int32: the values are right but their dtype is "
         "float64, not int32 like the reference's"),
    ],
)
def test_mistakes_fail_with_a_diagnosis(
    file_name: str, function: str, against: str, diagnosis: str
) -> None:
    status, output = run_verify(target(file_name, function), "--against", against, *SMALL_RUN)
    assert status == 1
    assert diagnosis in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_python_api_reports_the_first_mismatch_and_where() -> None:
    report = verify_function(
        load_target(target("dropped_remainder.py")), "square", dtypes=["float64"], large_size=5000
    )
    assert not report.passed
    assert report.mismatch is not None
    assert report.mismatch.startswith("n=1019, n_threads=2, float64: the last element")
    assert report.speed is None


@pytest.mark.slow
def test_python_api_accepts_the_reference_suite_itself() -> None:
    from numbalint.reference import histogram, prefix_sum

    for func, against in [(histogram, "histogram"), (prefix_sum, "prefix_sum")]:
        report = verify_function(func, against, dtypes=["int32", "float32"], large_size=5000)
        assert report.passed, report.mismatch
