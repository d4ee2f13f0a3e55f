"""The lint path never imports numba or numpy (start-up time, and linting must
work where numba cannot be imported). Only `numbalint verify` and the
reference suite may import them, and only when they run.

Checked in a fresh interpreter: in the test process, other tests have long
since imported both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from numbalint.output import FORMATS

REPO = Path(__file__).resolve().parent.parent
BLOG = REPO / "fixtures" / "blog" / "verbatim.py"

PROBE = textwrap.dedent(
    """
    import json, sys

    import numbalint.cli, numbalint.runner, numbalint.session, numbalint.verify

    def heavy():
        return sorted(name for name in sys.modules
                      if name.split(".")[0] in ("numba", "numpy"))

    after_import = heavy()
    try:
        numbalint.cli.main(sys.argv[1:])
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    sys.stdout.flush()
    print(json.dumps({"code": code, "after_import": after_import, "after_lint": heavy()}),
          file=sys.stderr)
    """
)


def probe(args: list[str], cwd: Path) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )
    lines = done.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("{"), f"probe failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1]), done.stdout


def test_probe_sees_numba_when_it_is_imported(tmp_path):
    """The control: the probe's check would notice numba and numpy (and not count numbalint)."""
    script = PROBE.replace("import numbalint.cli,", "import numba, numbalint.cli,")
    done = subprocess.run([sys.executable, "-c", script, "--version"], capture_output=True, text=True, timeout=120)
    modules = json.loads(done.stderr.strip().splitlines()[-1])["after_import"]
    assert "numba" in modules and "numpy" in modules
    assert not any(name.startswith("numbalint") for name in modules)


def test_imports_and_linting_the_blog_fixture_leave_numba_and_numpy_unimported():
    report, out = probe([str(BLOG.relative_to(REPO)), "--no-cache"], cwd=REPO)
    assert report["code"] == 1  # the lint ran and found the blog's mistakes
    assert "fixtures/blog/verbatim.py:" in out
    assert report["after_import"] == []
    assert report["after_lint"] == []


@pytest.mark.parametrize("output_format", FORMATS)
def test_cold_and_warm_cache_runs_in_every_format_import_neither(tmp_path, output_format):
    shutil.copy(BLOG, tmp_path / "verbatim.py")
    (tmp_path / "pyproject.toml").write_text("[tool.numbalint]\n")
    for run in ("cold", "warm"):
        report, out = probe(["verbatim.py", "--output-format", output_format], cwd=tmp_path)
        assert report["code"] == 1, run
        assert "NBL001" in out, run
        assert report["after_lint"] == [], run
    assert (tmp_path / ".numbalint_cache").is_dir()
