"""Worker processes: each task's outcome is pinned on it, and a task that dies
or runs out of time is started once, never retried (the budget is paid once)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from numbalint import pool


def act(task: tuple[str, str]) -> str:
    """A task that logs its start, then does what it says."""
    log, action = task
    with open(log, "a") as file:
        file.write(action + "\n")
    if action == "hang":
        time.sleep(60)
    elif action == "die":
        os._exit(3)  # as a segfault would end the worker: no result, no exception
    return action.upper()


@pytest.mark.parametrize("method", ["fork", pytest.param("spawn", marks=pytest.mark.slow)])
def test_outcomes_are_pinned_on_their_tasks_and_nothing_is_retried(tmp_path: Path, monkeypatch, method):
    monkeypatch.setenv(pool.START_METHOD_VARIABLE, method)
    log = str(tmp_path / "log")
    actions = ["a", "hang", "b", "die", "c", "d"]
    started = time.monotonic()
    results = pool.run_isolated(act, [(log, action) for action in actions], jobs=2, seconds=1,
                                on_crash=lambda task: f"crashed {task[1]}",
                                on_timeout=lambda task: f"timed out {task[1]}")
    assert results == ["A", "timed out hang", "B", "crashed die", "C", "D"]
    assert sorted(Path(log).read_text().split()) == sorted(actions)  # each started exactly once
    assert time.monotonic() - started < 30  # the hung task was not waited for (it sleeps 60 s)


def test_no_tasks_start_no_workers():
    assert pool.run_isolated(act, [], jobs=4, on_crash=str, on_timeout=str) == []
