"""How fast is the lint path? Every number against a baseline measured in the same run.

    python benchmarks/lint_speed.py [TREE]      (default: numba's installed source)

Prints, for the budgets in DESIGN.md:
- start-up: `import numbalint.cli` vs `import libcst, click` (budget 1.5x);
- cold, one process: numbalint's work per file vs libcst's bare parse of the
  files numbalint must parse (budget 1.3x);
- cold with worker processes (the CLI, --no-cache, -j N) vs one process;
- warm: the CLI again with its cache vs cold (budget 10%).
The machines are shared and noisy: each timing is the best of a few repeats.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import libcst as cst

from numbalint.rules import ALL_RULES
from numbalint.pipeline import MAY_MATTER, Task, check_file


def best_of(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def python(code: str) -> Callable[[], object]:
    return lambda: subprocess.run([sys.executable, "-c", code], check=True)


def _parse_each(sources: list[bytes]) -> None:
    # One tree at a time, as the linter holds them: keeping them all alive would
    # charge the baseline for memory growth and garbage collection.
    for data in sources:
        cst.parse_module(data)


def cli(*args: str, cwd: Path) -> Callable[[], object]:
    command = [sys.executable, "-m", "numbalint", *args]
    return lambda: subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def default_tree() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("numba")
    if spec is None or spec.origin is None:
        sys.exit("numba is not installed: pass a folder to measure")
    return Path(spec.origin).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", nargs="?", type=Path, help="folder of Python files (default: numba's source)")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    tree = (options.tree or default_tree()).resolve()
    files = sorted(tree.rglob("*.py"))
    sources = [(path, path.read_bytes()) for path in files]
    parsed = [data for _, data in sources if MAY_MATTER.search(data)]
    lines = sum(data.count(b"\n") for _, data in sources)
    print(f"tree: {tree}\n{len(files)} files, {lines} lines; {len(parsed)} files must be parsed; {os.cpu_count()} cores\n")

    baseline_start = best_of(5, python("import libcst, click"))
    our_start = best_of(5, python("import numbalint.cli"))
    print(f"start-up    import libcst, click {baseline_start:6.3f} s | import numbalint.cli {our_start:6.3f} s"
          f" | {our_start / baseline_start:.2f}x (budget 1.5x)")

    parse = best_of(options.repeats, lambda: _parse_each(parsed))
    codes = frozenset(rule.code for rule in ALL_RULES if rule.selected_by_default)  # what users run
    tasks = [Task(str(path), codes) for path, _ in sources]
    single = best_of(options.repeats, lambda: [check_file(task) for task in tasks])
    print(f"cold, 1 proc libcst parse {parse:6.2f} s | numbalint {single:6.2f} s | {single / parse:.2f}x (budget 1.3x)")

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "pyproject.toml").write_text("[tool.numbalint]\n")
        copy = work / "tree"
        shutil.copytree(tree, copy, ignore=shutil.ignore_patterns("__pycache__"))
        workers = os.cpu_count() or 1
        one = best_of(options.repeats, cli("--no-cache", "-j", "1", "tree", cwd=work))
        many = best_of(options.repeats, cli("--no-cache", "-j", str(workers), "tree", cwd=work))
        print(f"CLI cold    -j 1 {one:6.2f} s | -j {workers} {many:6.2f} s | speed-up {one / many:.2f}x")
        cold = best_of(1, cli("tree", cwd=work))  # fills the cache
        warm = best_of(options.repeats, cli("tree", cwd=work))
        print(f"CLI cache   cold {cold:6.2f} s | warm {warm:6.2f} s | {100 * warm / cold:.1f}% of cold (budget 10%)")


if __name__ == "__main__":
    main()
