"""How fast does the language server answer an edit? Against libcst's bare parse,
measured in the same run.

    python benchmarks/server_speed.py [--lines 1000] [--repeats 15]

Writes a file of about `--lines` lines made of the blog fixtures' patterns
(mistakes.py's six mistakes and fixed_threads.py's correct program, taken in
turn, each copy's names made unique), starts `numbalint server` over stdio,
opens the file, then times didChange -> publishDiagnostics round trips, each
edit a full-text change of one number (so every round trip parses new text).
A control does the same with fixed_threads.py's pattern alone: no findings,
so it shows what the server costs apart from locating and fixing findings. The budget (DESIGN.md): about one libcst parse of the file; the
target, within 2x. Each timing is the best of the repeats (shared, noisy
machines), round trips and parses taken in turn. Needs pygls (`pip install 'numbalint[server]'`).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import libcst as cst

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.lsp_client import LspClient  # noqa: E402

PATTERNS = (REPO / "fixtures" / "blog" / "mistakes.py", REPO / "fixtures" / "blog" / "fixed_threads.py")
HEADER = "import threading\n\nimport numba as nb\nimport numpy as np\nfrom numba import njit\n"


def body(path: Path) -> str:
    """A fixture without its docstring, imports and `__main__` block."""
    text = path.read_text()
    return text[text.index("\n@") + 1: text.index("\nif __name__")]


def generated_source(lines: int, patterns: tuple[Path, ...] = PATTERNS) -> str:
    """About `lines` lines: the patterns in turn, each copy's functions renamed."""
    parts, count, copy = [HEADER], HEADER.count("\n"), 0
    while count < lines:
        block = re.sub(r"\b(squared_magnitude_into|squared_magnitude|main)\b", rf"\1_{copy}",
                       body(patterns[copy % len(patterns)]))
        parts.append("\n\n" + block)
        count += block.count("\n") + 2
        copy += 1
    return "".join(parts)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def edited(text: str, attempt: int) -> str:
    """A different text each time, as typing makes: one name changed."""
    return text.replace("n_workers = 4", f"n_workers = {attempt + 5}", 1)


def measure(text: str, repeats: int) -> tuple[int, float, float]:
    """Diagnostics published, best round trip, best bare parse (seconds). The
    two are timed in turn on the same edited text, so that a machine busy for
    a while slows both alike."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "generated.py"
        path.write_text(text)
        client = LspClient(cwd=root)
        try:
            client.initialize(root)
            client.open(path, text)
            findings = len(client.diagnostics(path, version=1))
            server, parse = [], []
            for attempt in range(repeats):
                version, changed = attempt + 2, edited(text, attempt)
                server.append(timed(lambda: (client.change(path, changed, version), client.diagnostics(path, version))))
                parse.append(timed(lambda: cst.parse_module(changed.encode())))
            client.shutdown()
        finally:
            client.kill()
    return findings, min(server), min(parse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    options = parser.parse_args()
    print(f"best of {options.repeats}; round trip = didChange -> publishDiagnostics over stdio")
    for label, patterns in (("fixture patterns", PATTERNS), ("control: no findings", PATTERNS[1:])):
        text = generated_source(options.lines, patterns)
        findings, server, parse = measure(text, options.repeats)
        print(f"{label:21} {text.count(chr(10))} lines, {findings:3} diagnostics: parse {parse * 1000:6.1f} ms, "
              f"round trip {server * 1000:6.1f} ms = {server / parse:.2f}x (target 2x)")


if __name__ == "__main__":
    main()
