"""The layering of numbalint/, read from its own imports (every import, lazy ones too).

    model/  <-  rules/  <-  pipeline, runner, session, cli       output/ knows no rule
    reference/ (numba, numpy) is reached only from `numbalint verify`
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "numbalint"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path) -> set[str]:
    """The numbalint modules a file imports, at any depth of its code. `from pkg import mod`
    imports the module `pkg.mod`, not `pkg`'s own code beyond its __init__."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES
            found |= submodules if len(submodules) == len(node.names) else {base}
    return {name for name in found if name.split(".")[0] == "numbalint"}


GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def edges(source: str) -> set[str]:
    return {target for target in GRAPH[source] if target in MODULES and target != source}


def first_cycle() -> list[str] | None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(edges(node)):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for module in sorted(MODULES):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_graph_is_read() -> None:
    assert "numbalint.model.builder" in edges("numbalint.model.module")  # the reader works


def test_no_import_cycles() -> None:
    # A package's __init__ that re-exports its modules is not a cycle with them.
    assert first_cycle() is None


def in_folder(module: str, *folders: str) -> bool:
    return any(module == f"numbalint.{f}" or module.startswith(f"numbalint.{f}.") for f in folders)


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("model", ("rules", "output", "runner", "pipeline", "session", "cli", "api", "reference")),
    ("rules", ("output", "runner", "pipeline", "session", "cli", "api", "reference")),
    ("output", ("model", "rules", "runner", "pipeline", "reference")),
])
def test_layers_import_only_what_is_below_them(layer: str, forbidden: tuple[str, ...]) -> None:
    crossing = {
        (source, target) for source in MODULES if in_folder(source, layer)
        for target in edges(source) if in_folder(target, *forbidden)
    }
    assert crossing == set()


def test_nothing_in_the_lint_path_imports_the_reference_suite() -> None:
    lint_path = {m for m in MODULES if not in_folder(m, "reference", "verify")}
    crossing = {(s, t) for s in lint_path for t in edges(s) if in_folder(t, "reference")}
    assert crossing == set()


def test_numbalint_on_its_own_project_is_clean(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """What is bad on purpose is excluded in pyproject.toml or carries a `# noqa` with a reason."""
    from tests.conftest import ROOT, invoke

    monkeypatch.chdir(ROOT)
    run = invoke(capsys, "--no-cache", ".")
    assert (run.code, run.err) == (0, ""), run.out
