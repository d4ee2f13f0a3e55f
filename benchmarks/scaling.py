"""Does the cost of linting grow linearly with a file's size and its findings?

    python benchmarks/scaling.py [--functions 25] [--repeats 3]

Generates the pattern of issue 11: a module of N small functions, each splitting
an array into k parts with `chunk = n // k` and `x[j * chunk:(j + 1) * chunk]`,
which drops the remainder (one NBL005 finding per function). At 1x, 4x and 16x
it lints the file in this process (`pipeline.check_file`, no worker pool, no
cache) and parses the same text with libcst alone, and prints the time per line
and per finding. Linear cost shows as flat per-line and per-finding times and a
steady ratio to the bare parse. Each time is the best of a few repeats.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import libcst as cst
from lint_speed import best_of  # this folder is on sys.path when a script in it runs

from numbalint.pipeline import Task, check_file
from numbalint.rules import ALL_RULES

SCALES = (1, 4, 16)


def chunked_functions(count: int) -> str:
    """A module of `count` functions, each with one dropped-remainder chunking."""
    functions = [
        f"def part_sum_{index}(x, k):\n"
        f"    n = len(x)\n"
        f"    chunk = n // k\n"
        f"    total = 0\n"
        f"    for j in range(k):\n"
        f"        total += x[j * chunk:(j + 1) * chunk].sum()\n"
        f"    return total\n"
        for index in range(count)
    ]
    return "import numba\n\n\n" + "\n\n".join(functions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", type=int, default=25, help="functions at 1x (default 25: 16x is issue 11's file)")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    codes = frozenset(rule.code for rule in ALL_RULES if rule.selected_by_default)  # what users run
    print(f"{'scale':>5} {'lines':>6} {'findings':>8} {'parse s':>8} {'lint s':>8} {'lint/parse':>10}"
          f" {'us/line':>8} {'ms/finding':>10}")
    with tempfile.TemporaryDirectory() as scratch:
        for scale in SCALES:
            text = chunked_functions(options.functions * scale)
            path = Path(scratch) / f"chunks_{scale}x.py"
            path.write_text(text)
            task = Task(str(path), codes, edits=False)  # as the default output: fix titles, no edits
            result = check_file(task)
            assert result.error is None, result.error
            parse = best_of(options.repeats, lambda: cst.parse_module(text))
            lint = best_of(options.repeats, lambda: check_file(task))
            lines, findings = text.count("\n") + 1, len(result.findings)
            print(f"{scale:>4}x {lines:>6} {findings:>8} {parse:>8.3f} {lint:>8.3f} {lint / parse:>9.2f}x"
                  f" {1e6 * lint / lines:>8.0f} {1e3 * lint / max(findings, 1):>10.2f}")


if __name__ == "__main__":
    main()
