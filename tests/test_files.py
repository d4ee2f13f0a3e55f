import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from numbalint import files
from numbalint.diagnostics import FileError
from numbalint.files import (
    DEFAULT_EXCLUDES,
    PathPatterns,
    SourceError,
    discover,
    read_bytes,
    write_atomic,
)


def make_tree(root: Path, *relative_paths: str) -> None:
    for relative in relative_paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def found(tmp_path: Path, paths=(".",), exclude=DEFAULT_EXCLUDES) -> list[str]:
    result, errors = discover(list(paths), exclude=exclude, root=tmp_path)
    assert errors == []
    return [p.as_posix() for p in result]


def test_walks_folders_for_py_and_pyi_only(tmp_path):
    make_tree(tmp_path, "a.py", "pkg/b.pyi", "pkg/sub/c.py", "notes.txt", "pkg/d.pyx")
    assert found(tmp_path) == ["a.py", "pkg/b.pyi", "pkg/sub/c.py"]


def test_default_excludes_skip_tool_folders(tmp_path):
    make_tree(
        tmp_path,
        "keep.py",
        ".git/hooks/x.py",
        ".venv/lib/y.py",
        "__pycache__/z.py",
        "pkg/numbalint.egg-info/w.py",
        "pkg/build/v.py",
    )
    assert found(tmp_path) == ["keep.py"]


def test_explicit_file_is_checked_even_if_excluded_or_not_python(tmp_path):
    make_tree(tmp_path, "build/gen.py", "script")
    assert found(tmp_path, ["build/gen.py", "script"]) == ["build/gen.py", "script"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("tests/fixtures", ["src/tests/fixtures/f.py", "src/x_pb2.py", "tests/t.py"]),
        ("*_pb2.py", ["src/tests/fixtures/f.py", "tests/fixtures/f.py", "tests/t.py"]),
        ("fixtures", ["src/x_pb2.py", "tests/t.py"]),
        ("fixtures/", ["src/x_pb2.py", "tests/t.py"]),
        ("/src", ["tests/fixtures/f.py", "tests/t.py"]),
        ("**/fixtures", ["src/x_pb2.py", "tests/t.py"]),
        ("tests/*.py", ["src/tests/fixtures/f.py", "src/x_pb2.py", "tests/fixtures/f.py"]),
        ("tests/**", ["src/tests/fixtures/f.py", "src/x_pb2.py"]),
        ("[st]*", []),
        ("x_pb[!2].py", ["src/tests/fixtures/f.py", "src/x_pb2.py", "tests/fixtures/f.py", "tests/t.py"]),
    ],
)
def test_exclude_patterns(tmp_path, pattern, expected):
    make_tree(tmp_path, "tests/fixtures/f.py", "tests/t.py", "src/x_pb2.py", "src/tests/fixtures/f.py")
    assert found(tmp_path, exclude=[pattern]) == expected


def test_folder_only_pattern_does_not_match_a_file(tmp_path):
    make_tree(tmp_path, "legacy.py", "legacy/old.py")
    assert found(tmp_path, exclude=["legacy.py/", "legacy/"]) == ["legacy.py"]


def test_anchored_patterns_are_relative_to_root_not_cwd(tmp_path):
    make_tree(tmp_path, "pkg/gen/a.py", "pkg/b.py")
    os.chdir("pkg")
    result, _ = discover(["."], exclude=["pkg/gen"], root=tmp_path)
    assert [p.as_posix() for p in result] == ["b.py"]


def test_missing_path_is_one_clear_error(tmp_path):
    result, errors = discover(["path/x"], exclude=(), root=tmp_path)
    assert result == []
    assert errors == [FileError("path/x", "no such file or directory")]


def test_results_are_sorted_and_deduplicated(tmp_path):
    make_tree(tmp_path, "b.py", "a/z.py", "a/c.py")
    assert found(tmp_path, [".", "a", "a/c.py", "./b.py"]) == ["a/c.py", "a/z.py", "b.py"]


def test_symlink_loop_terminates(tmp_path):
    make_tree(tmp_path, "pkg/a.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg")
    (tmp_path / "pkg" / "up").symlink_to(tmp_path)
    assert found(tmp_path) == ["pkg/a.py"]


def test_symlinked_folder_is_followed_once(tmp_path):
    make_tree(tmp_path, "real/a.py")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    assert len(found(tmp_path)) == 1


def test_unreadable_folder_is_reported(tmp_path, monkeypatch):
    make_tree(tmp_path, "ok.py", "locked/a.py")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(files.os, "scandir", scandir)
    result, errors = discover(["."], exclude=(), root=tmp_path)
    assert [p.as_posix() for p in result] == ["ok.py"]
    assert errors == [FileError("./locked", "permission denied")]


names = st.text(alphabet="abcxyz_.", min_size=1, max_size=6).filter(lambda n: n not in {".", ".."})


@given(st.lists(st.lists(names, min_size=1, max_size=3), max_size=8))
def test_patterns_match_a_folder_and_everything_below(parts_list):
    for parts in parts_list:
        relative = "/".join(parts)
        patterns = PathPatterns([relative])
        assert patterns.matches(relative)
        assert patterns.matches(relative + "/below.py")
        assert not patterns.matches(relative + "x")


@given(names)
def test_bare_name_matches_at_any_depth(name):
    patterns = PathPatterns([name])
    assert patterns.matches(name)
    assert patterns.matches(f"a/{name}")
    assert patterns.matches(f"a/b/{name}/c.py")


def test_read_bytes_returns_exact_bytes(tmp_path):
    path = tmp_path / "m.py"
    data = b"\xef\xbb\xbfx = 1\r\ny = 2\r\n"
    path.write_bytes(data)
    assert read_bytes(path) == data


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file or directory"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
)
def test_read_bytes_errors_are_one_line(tmp_path, make, message):
    path = tmp_path / "m.py"
    make(path)
    with pytest.raises(SourceError) as raised:
        read_bytes(path)
    assert raised.value.message == message
    assert str(raised.value) == f"{path}: {message}"
    assert raised.value.file_error == FileError(str(path), message)


def test_write_atomic_replaces_content_and_keeps_mode(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    path.chmod(0o751)
    write_atomic(path, b"new\r\n")
    assert path.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert os.listdir(tmp_path) == ["m.py"]


def test_write_atomic_through_symlink_replaces_target(tmp_path):
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomic(link, b"new\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_write_atomic_failure_keeps_original_and_cleans_up(tmp_path, monkeypatch, failing):
    path = tmp_path / "m.py"
    path.write_bytes(b"original\n")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, failing, fail)
    with pytest.raises(SourceError, match="cannot write: no space left on device"):
        write_atomic(path, b"new content\n")
    assert path.read_bytes() == b"original\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_write_atomic_cleans_up_on_interrupt(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_bytes(b"original\n")

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new\n")
    assert path.read_bytes() == b"original\n"
    assert os.listdir(tmp_path) == ["m.py"]


# -- .gitignore -------------------------------------------------------------------


def git_tree(root: Path, ignore_files: dict[str, str], *relative_paths: str) -> None:
    (root / ".git" / "info").mkdir(parents=True)
    for relative, text in ignore_files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    make_tree(root, *relative_paths)


def test_gitignore_files_apply_as_git_applies_them(tmp_path):
    git_tree(
        tmp_path,
        {
            ".gitignore": "gen/\n*_pb2.py\n/top_only.py\nscratch*\n!scratch_keep.py\n",
            "pkg/.gitignore": "local.py\n!api_pb2.py\n",
            ".git/info/exclude": "private.py\n",
        },
        "a.py", "gen/g.py", "x_pb2.py", "top_only.py", "scratch1.py", "scratch_keep.py", "private.py",
        "pkg/top_only.py", "pkg/local.py", "pkg/api_pb2.py", "pkg/other_pb2.py", "pkg/sub/local.py",
        "other/local.py",
    )
    assert found(tmp_path) == [
        "a.py", "other/local.py", "pkg/api_pb2.py", "pkg/top_only.py", "scratch_keep.py",
    ]


def test_gitignore_above_the_walked_folder_applies(tmp_path):
    git_tree(tmp_path, {".gitignore": "pkg/gen/\nskip.py\n"}, "pkg/gen/g.py", "pkg/skip.py", "pkg/keep.py")
    os.chdir("pkg")
    result, _ = discover(["."], exclude=(), root=tmp_path)
    assert [p.as_posix() for p in result] == ["keep.py"]


def test_gitignore_can_be_turned_off_and_means_nothing_outside_a_repository(tmp_path):
    git_tree(tmp_path, {".gitignore": "skip.py\n"}, "skip.py", "keep.py")
    result, _ = discover(["."], exclude=(), root=tmp_path, respect_gitignore=False)
    assert [p.as_posix() for p in result] == ["keep.py", "skip.py"]
    (tmp_path / ".git" / "info").rmdir()
    (tmp_path / ".git").rmdir()
    assert found(tmp_path) == ["keep.py", "skip.py"]


def test_a_folder_git_ignores_is_walked_when_named(tmp_path):
    git_tree(tmp_path, {".gitignore": ".venv/\n*_pb2.py\n"}, ".venv/site/pkg/a.py", ".venv/site/pkg/b_pb2.py", "c.py")
    result, _ = discover([".venv/site"], exclude=(), root=tmp_path)
    assert [p.as_posix() for p in result] == [".venv/site/pkg/a.py", ".venv/site/pkg/b_pb2.py"]
    assert found(tmp_path, exclude=()) == ["c.py"]


def test_gitignore_does_not_skip_a_file_named_on_the_command_line(tmp_path):
    git_tree(tmp_path, {".gitignore": "skip.py\n"}, "skip.py")
    assert found(tmp_path, ["skip.py"]) == ["skip.py"]


def test_a_linked_work_tree_has_a_git_file(tmp_path):
    make_tree(tmp_path, "skip.py", "keep.py")
    (tmp_path / ".git").write_text("gitdir: /elsewhere\n")
    (tmp_path / ".gitignore").write_text("skip.py\n")
    assert found(tmp_path) == ["keep.py"]


# -- force-exclude ------------------------------------------------------------------


def test_force_exclude_skips_excluded_paths_named_on_the_command_line(tmp_path):
    make_tree(tmp_path, "build/gen.py", "pkg/x_pb2.py", "pkg/ok.py", "legacy/old.py")
    named = ["build/gen.py", "pkg/x_pb2.py", "pkg/ok.py", "legacy"]
    exclude = [*DEFAULT_EXCLUDES, "*_pb2.py", "legacy/"]
    result, errors = discover(named, exclude=exclude, root=tmp_path, force_exclude=True)
    assert errors == []
    assert [p.as_posix() for p in result] == ["pkg/ok.py"]
    assert found(tmp_path, named, exclude=exclude) == ["build/gen.py", "legacy/old.py", "pkg/ok.py", "pkg/x_pb2.py"]
