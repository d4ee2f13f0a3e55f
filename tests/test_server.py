"""`numbalint server` driven as an editor drives it: a subprocess spoken to in
LSP over its stdin/stdout (see lsp_client.py). Every wait is bounded."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from tests.conftest import FIXTURES  # noqa: E402
from tests.lsp_client import LspClient, apply_edits  # noqa: E402

BLOG = FIXTURES / "blog" / "verbatim.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def client(project: Path) -> Iterator[LspClient]:
    started = LspClient(cwd=project)
    try:
        yield started
    finally:
        started.kill()


def by_code(diagnostics: list[dict]) -> dict[str, dict]:
    return {d["code"]: d for d in diagnostics}


def quick_fixes(client: LspClient, path: Path, diagnostic: dict, *, named: bool = True) -> list[dict]:
    """The quick fixes for `diagnostic`, named in the request's context (as VS
    Code does) or only by its range."""
    return client.request("textDocument/codeAction", {
        "textDocument": {"uri": path.as_uri()},
        "range": diagnostic["range"],
        "context": {"diagnostics": [diagnostic] if named else [], "only": ["quickfix"]},
    })


def test_the_blog_example_in_an_editor(client: LspClient, project: Path) -> None:
    path = project / "verbatim.py"
    text = BLOG.read_text()
    path.write_text(text)
    capabilities = client.initialize(project)["capabilities"]
    assert capabilities["codeActionProvider"]["codeActionKinds"] == ["quickfix"]

    client.open(path, text)
    found = by_code(client.diagnostics(path, version=1))
    assert set(found) == {"NBL001", "NBL002", "NBL003", "NBL004", "NBL005", "NBL006"}
    # `numbalint` prints 22:15 for it: LSP counts from 0 and ends after `chunk_size`.
    assert found["NBL005"]["range"] == {"start": {"line": 21, "character": 14},
                                        "end": {"line": 21, "character": 14 + len("(i + 1) * chunk_size")}}
    nogil = found["NBL004"]
    assert nogil["source"] == "numbalint"
    assert nogil["severity"] == 1
    assert nogil["message"].startswith("missing-nogil: kernel `calculate_squares`")
    assert nogil["codeDescription"]["href"].endswith("/docs/rules/NBL004.md")

    # No quick fix for nogil on a parallel kernel: alone it still aborts (NBL004's Fix section).
    assert quick_fixes(client, path, nogil) == []
    late = found["NBL002"]
    [action] = quick_fixes(client, path, late)
    assert action["kind"] == "quickfix" and action["isPreferred"] is True
    assert action["title"] == "Bind start=start, end=end as default arguments"
    assert action["diagnostics"] == [late]
    fixed = apply_edits(text, action["edit"]["changes"][path.as_uri()])
    assert "target=lambda start=start, end=end: calculate_squares(" in fixed.splitlines()[22]

    [unsafe] = quick_fixes(client, path, found["NBL005"])
    assert unsafe["title"].endswith(" (unsafe)") and unsafe["isPreferred"] is False
    assert quick_fixes(client, path, found["NBL001"]) == []  # nothing mechanical to do
    both_lines = {"start": found["NBL005"]["range"]["start"], "end": late["range"]["end"]}
    in_range = quick_fixes(client, path, {**late, "range": both_lines}, named=False)
    assert sorted(d["code"] for a in in_range for d in a["diagnostics"]) == ["NBL002", "NBL005"]

    client.change(path, fixed, version=2)
    after = by_code(client.diagnostics(path, version=2))
    assert set(after) == {"NBL001", "NBL003", "NBL004", "NBL005", "NBL006"}
    assert path.read_text() == text  # the server never writes: the editor applies edits

    assert client.shutdown() == 0


UNITS = {"utf-16": lambda text: len(text.encode("utf-16-le")) // 2,
         "utf-8": lambda text: len(text.encode("utf-8")), "utf-32": len}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_columns_count_the_negotiated_code_units(client: LspClient, project: Path, encoding: str) -> None:
    """"😀é" is two characters for Python, three UTF-16 code units (the default)
    and six UTF-8 ones: the client's columns are counted in the units it chose."""
    path = project / "emoji.py"
    text = textwrap.dedent("""\
        import threading
        from numba import njit

        @njit(nogil=True)
        def work(x):
            x[0] = 1

        def main(block):
            label = "😀é"; t = threading.Thread(target=work, args=(block))
            t.start()
            t.join()
    """)
    offered = {} if encoding == "utf-16" else {"general": {"positionEncodings": [encoding]}}
    assert client.initialize(project, offered)["capabilities"]["positionEncoding"] == encoding
    client.open(path, text)
    [args] = client.diagnostics(path)
    line = text.splitlines()[8]
    before = line[: line.index("args=(") + len("args=(")]  # the finding is the parenthesised name
    assert args["code"] == "NBL008"
    assert args["range"]["start"] == {"line": 8, "character": UNITS[encoding](before)}

    if encoding == "utf-16":  # as the edit applier counts
        [action] = quick_fixes(client, path, args)
        fixed = apply_edits(text, action["edit"]["changes"][path.as_uri()])
        assert fixed.splitlines()[8].endswith("args=(block,))")


def test_unparsable_text_publishes_nothing_and_the_server_goes_on(client: LspClient, project: Path) -> None:
    path = project / "broken.py"
    client.initialize(project)
    client.open(path, "import threading\ndef f(:\n")
    assert client.diagnostics(path, version=1) == []
    client.change(path, BLOG.read_text(), version=2)
    assert len(client.diagnostics(path, version=2)) == 6


def test_settings_come_from_the_nearest_pyproject(client: LspClient, project: Path) -> None:
    package = project / "pkg"
    package.mkdir()
    (project / "pyproject.toml").write_text('[tool.numbalint]\nignore = ["NBL004", "kernel-arity"]\n')
    client.initialize(project)
    client.open(package / "blog.py", BLOG.read_text())
    assert set(by_code(client.diagnostics(package / "blog.py"))) == {"NBL002", "NBL003", "NBL005", "NBL006"}


def test_a_broken_config_is_shown_not_fatal(client: LspClient, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.numbalint]\nselect = ["NBL04"]\n')
    path = project / "blog.py"
    client.initialize(project)
    client.open(path, BLOG.read_text())
    shown = client.notification("window/showMessage")
    assert shown["type"] == 1 and "unknown rule selector 'NBL04'" in shown["message"]
    assert client.diagnostics(path) == []
    assert client.shutdown() == 0


def test_kernels_come_from_other_files_and_follow_their_edits(client: LspClient, project: Path) -> None:
    """driver.py launches a kernel of kernels.py: the index read from disk says it
    lacks nogil; adding nogil in the editor (unsaved) clears driver.py's finding."""
    for name in ("driver.py", "kernels.py"):
        shutil.copy(FIXTURES / "cross_module" / name, project / name)
    driver, kernels = project / "driver.py", project / "kernels.py"
    client.initialize(project)
    client.open(driver, driver.read_text())
    found = by_code(client.diagnostics(driver))
    assert set(found) == {"NBL001", "NBL004"}
    # nogil=True belongs in kernels.py: driver.py gets no quick fix that would change nothing.
    assert quick_fixes(client, driver, found["NBL004"]) == []

    text = kernels.read_text()
    client.open(kernels, text)
    assert client.diagnostics(kernels) == []
    client.change(kernels, text.replace("@njit\n", "@njit(nogil=True)\n", 1), version=2)
    assert client.diagnostics(kernels, version=2) == []
    assert set(by_code(client.diagnostics(driver))) == {"NBL001"}

    client.notify("textDocument/didClose", {"textDocument": {"uri": kernels.as_uri()}})
    assert set(by_code(client.diagnostics(driver))) == {"NBL001", "NBL004"}  # back to what is on disk


def test_files_changed_on_disk_are_read_again(client: LspClient, project: Path) -> None:
    """A client that can watch files is asked to; what it reports changed on
    disk (a checkout, another tool) reaches the open buffers that depend on it."""
    for name in ("driver.py", "kernels.py"):
        shutil.copy(FIXTURES / "cross_module" / name, project / name)
    driver, kernels, config = project / "driver.py", project / "kernels.py", project / "pyproject.toml"
    client.initialize(project, {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}})
    register = client.receive(lambda m: m.get("method") == "client/registerCapability")
    client.answer(register, None)
    [registration] = register["params"]["registrations"]
    assert registration["method"] == "workspace/didChangeWatchedFiles"
    assert {w["globPattern"] for w in registration["registerOptions"]["watchers"]} == {
        "**/*.py", "**/*.pyi", "**/pyproject.toml"}

    client.open(driver, driver.read_text())
    assert set(by_code(client.diagnostics(driver))) == {"NBL001", "NBL004"}
    kernels.write_text(kernels.read_text().replace("@njit\n", "@njit(nogil=True)\n", 1))
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": kernels.as_uri(), "type": 2}]})
    assert set(by_code(client.diagnostics(driver))) == {"NBL001"}

    config.write_text('[tool.numbalint]\nignore = ["kernel-arity"]\n')
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config.as_uri(), "type": 1}]})
    assert client.diagnostics(driver) == []


def test_without_pygls_the_server_says_what_to_install(tmp_path: Path) -> None:
    blocked = "import sys; sys.modules['pygls'] = None; from numbalint.cli import main; main(['server'])"
    done = subprocess.run([sys.executable, "-c", blocked], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "numbalint: error: the language server needs pygls: pip install 'numbalint[server]'"
    ]


def test_a_folder_named_server_is_linted_as_a_path(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    shutil.copy(BLOG, tmp_path / "server" / "blog.py")
    done = subprocess.run([sys.executable, "-m", "numbalint", "./server"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "NBL004" in done.stdout


def test_the_lint_path_does_not_import_pygls(tmp_path: Path) -> None:
    probe = ("import sys; from numbalint.cli import main\n"
             "try: main(sys.argv[1:])\n"
             "except SystemExit: pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))")
    done = subprocess.run([sys.executable, "-c", probe, str(BLOG)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]"
