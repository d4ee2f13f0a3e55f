"""The server's linting, in-process: what an edit costs and what it keeps in memory."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from numbalint.lsp import live
from numbalint.lsp.live import LiveLinter, source_bytes
from tests.conftest import FIXTURES

CROSS_MODULE = FIXTURES / "cross_module"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("driver.py", "kernels.py"):
        shutil.copy(CROSS_MODULE / name, tmp_path / name)
    return tmp_path


def codes(linted: live.Linted) -> set[str]:
    return {f.code for f in linted.result.findings}


class Calls:
    """Counts the calls of a function it stands in for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.count = 0
        real = getattr(owner, name)

        def counting(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)


def test_an_edit_costs_one_check_and_reads_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    linter = LiveLinter([project])
    driver = str(project / "driver.py")
    text = (project / "driver.py").read_text()
    assert codes(linter.lint(driver, text)) == {"NBL001", "NBL004"}  # reads the project once

    checks = Calls(monkeypatch, live, "check_bytes")
    reads = Calls(monkeypatch, live, "check_file")
    configs = Calls(monkeypatch, live, "load_settings")
    edited = linter.lint(driver, text.replace("900", "901"))
    assert codes(edited) == {"NBL001", "NBL004"}
    assert (checks.count, reads.count, configs.count) == (1, 0, 0)


def test_a_new_import_is_linted_with_what_it_reaches(project: Path) -> None:
    linter = LiveLinter([project])
    driver = str(project / "driver.py")
    text = (project / "driver.py").read_text()
    without = text.replace("from kernels import accumulate_into, accumulate_into_nogil\n", "")
    assert codes(linter.lint(driver, without)) == set()  # the kernels are unknown names
    assert codes(linter.lint(driver, text)) == {"NBL001", "NBL004"}


def test_an_edited_kernel_makes_its_importers_stale(project: Path) -> None:
    linter = LiveLinter([project])
    driver, kernels = str(project / "driver.py"), str(project / "kernels.py")
    linter.lint(driver, (project / "driver.py").read_text())
    text = (project / "kernels.py").read_text()
    assert linter.lint(kernels, text).stale == ()
    assert linter.lint(kernels, text.replace("@njit\n", "@njit(nogil=True)\n", 1)).stale == (driver,)
    assert linter.lint(kernels, text.replace("@njit\n", "@njit(nogil=True)\n", 1) + "\n").stale == ()
    assert codes(linter.lint(driver, (project / "driver.py").read_text())) == {"NBL001"}
    assert linter.close(kernels) == (driver,)  # back to the file on disk


def test_settings_are_read_again_when_the_config_changes(project: Path) -> None:
    config = project / "pyproject.toml"
    config.write_text('[tool.numbalint]\nignore = ["NBL004"]\n')
    linter = LiveLinter([project])
    driver = str(project / "driver.py")
    text = (project / "driver.py").read_text()
    assert codes(linter.lint(driver, text)) == {"NBL001"}
    config.write_text('[tool.numbalint]\nignore = ["NBL001"]\n')
    stamp = config.stat().st_mtime_ns + 1_000_000_000
    os.utime(config, ns=(stamp, stamp))
    assert codes(linter.lint(driver, text)) == {"NBL004"}


def test_a_buffer_is_encoded_as_its_coding_cookie_says() -> None:
    text = "# -*- coding: latin-1 -*-\nname = 'café'\n"
    assert source_bytes(text) == text.encode("latin-1")
    assert source_bytes("name = 'café'\n") == "name = 'café'\n".encode()


def test_a_file_changed_on_disk_counts_unless_it_is_open(project: Path) -> None:
    linter = LiveLinter([project])
    driver, kernels = str(project / "driver.py"), str(project / "kernels.py")
    linter.lint(driver, (project / "driver.py").read_text())
    on_disk = (project / "kernels.py").read_text()
    linter.lint(kernels, on_disk)
    (project / "kernels.py").write_text(on_disk.replace("@njit\n", "@njit(nogil=True)\n", 1))
    assert linter.changed_on_disk(kernels) == ()  # the editor's buffer is what counts
    linter.close(kernels)  # now the disk is
    (project / "kernels.py").unlink()
    assert linter.changed_on_disk(kernels) == (driver,)  # its kernels are gone
