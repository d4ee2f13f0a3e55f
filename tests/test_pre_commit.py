"""The pre-commit hook, run by real `pre-commit try-repo` as a user's commit would run it.

The hook repository is a copy of this checkout's package files, committed to a fresh git
repository (pre-commit clones a hook repository at a commit, so new files not yet added to
git in a working checkout would otherwise be missing). pre-commit builds a virtualenv and
pip-installs it from there, which needs PyPI and takes a while: hence `slow`. The project
the hook checks is a second temporary git repository with an excluded folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import BUGGY, CLEAN

CHECKOUT = Path(__file__).resolve().parent.parent
HOOK_REPOSITORY_FILES = ("numbalint", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "numbalint tests", "GIT_AUTHOR_EMAIL": "tests@numbalint.invalid",
    "GIT_COMMITTER_NAME": "numbalint tests", "GIT_COMMITTER_EMAIL": "tests@numbalint.invalid",
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git"),
]


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True,
                   env={**os.environ, **GIT_IDENTITY})


def committed_repository(folder: Path) -> Path:
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "test")
    return folder


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hook")
    for name in HOOK_REPOSITORY_FILES:
        source = CHECKOUT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    return committed_repository(folder)


@pytest.fixture
def project(tmp_path) -> Path:
    """A project with a failing file, a clean one, and a failing one in an excluded folder."""
    (tmp_path / "pyproject.toml").write_text('[tool.numbalint]\nextend-exclude = ["legacy/"]\n')
    (tmp_path / "bad.py").write_text(BUGGY)
    (tmp_path / "good.py").write_text(CLEAN)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "bad.py").write_text(BUGGY)
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                           "source": BUGGY.splitlines(keepends=True)}],
                "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "bad.ipynb").write_text(json.dumps(notebook, indent=1))
    return committed_repository(tmp_path)


def try_repo(hook_repository: Path, project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home"),
                   "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repository), "numbalint",
         "--color", "never", "--files", *files],
        cwd=project, capture_output=True, text=True, env=environment, timeout=600,
    )


def test_the_hook_fails_on_a_bad_file_passes_a_good_one_and_skips_an_excluded_one(hook_repository, project):
    passed = try_repo(hook_repository, project, "good.py", "legacy/bad.py")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "numbalint" in passed.stdout and "Passed" in passed.stdout
    assert "NBL001" not in passed.stdout  # legacy/bad.py was named but excluded

    failed = try_repo(hook_repository, project, "bad.py", "good.py", "legacy/bad.py")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    reported = [line for line in failed.stdout.splitlines() if ": NBL0" in line]
    assert reported and all(line.startswith("bad.py:") for line in reported), failed.stdout
    assert {line.split()[1] for line in reported} == {"NBL001", "NBL004"}


def test_the_hook_lints_notebooks(hook_repository, project):
    failed = try_repo(hook_repository, project, "bad.ipynb")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bad.ipynb:cell 1:" in failed.stdout and "NBL001" in failed.stdout


def test_the_hook_installs_neither_numba_nor_numpy(hook_repository, project):
    # try-repo installs into a store it deletes; `run` with a config keeps it in PRE_COMMIT_HOME.
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repository, check=True,
                              capture_output=True, text=True).stdout.strip()
    config = project.parent / "pre-commit-config.yaml"
    config.write_text(f"repos:\n  - repo: {hook_repository}\n    rev: {revision}\n    hooks:\n      - id: numbalint\n")
    home = project.parent / "pre-commit-home"
    ran = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--config", str(config), "--files", "good.py"],
        cwd=project, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PRE_COMMIT_HOME": str(home)},
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    site_packages = list(home.glob("repo*/py_env-*/lib/python*/site-packages"))
    assert len(site_packages) == 1
    installed = {path.name.split("-")[0].lower() for path in site_packages[0].iterdir()}
    assert {"libcst", "click", "pathspec", "numbalint"} <= installed
    assert not {"numba", "numpy", "llvmlite"} & installed
