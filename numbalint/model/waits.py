"""Whether the thread or future a launch returns is ever waited for.

Read from how its handle is used in the scope that launched it: a handle that is
only started or configured (`t.start()`, `t.daemon = True`), directly or through the
lists it is kept in, is never joined there. Any other read (`join`, `result`,
`wait`, returned, stored in an attribute, passed to a call) hands it on, and the
model cannot tell what becomes of it.
"""

from __future__ import annotations

from typing import Literal

import libcst as cst

from numbalint.model.arity import keyword
from numbalint.model.facts import Launch
from numbalint.model.scopes import AssignBinding, CallSite, Scope

Unjoined = Literal["thread", "daemon thread", "future"]

# How many lists a handle may be kept in (`threads`, then `for t in threads`) before we stop following.
_LIST_DEPTH = 2


def unjoined(launch: Launch, site: CallSite) -> Unjoined | None:
    """What the launch leaves running when its scope never waits for it; None when it
    does wait, hands the handle on, or the model cannot tell."""
    if launch.api in ("Thread", "Timer"):
        touched = _handle_uses(site)
        if touched is None or "start" not in touched:
            return None
        daemon = keyword(launch.node, "daemon")
        if "daemon" in touched or (isinstance(daemon, cst.Name) and daemon.value == "True"):
            return "daemon thread"
        # At module level the interpreter joins its (non-daemon) threads at exit.
        return "thread" if site.scope.kind != "module" else None
    if launch.api == "submit" and site.scope.kind != "module" and _executor_left_running(launch, site.scope):
        return "future" if _handle_uses(site) == set() else None
    return None


def _executor_left_running(launch: Launch, scope: Scope) -> bool:
    """The executor is a local `ex = ThreadPoolExecutor()` used only to submit and map:
    no `with` block, no `shutdown()`, never handed on."""
    func = launch.node.func
    assert isinstance(func, cst.Attribute)
    executor = func.value
    if not isinstance(executor, cst.Name):
        return False
    bindings = scope.bindings.get(executor.value, [])
    if len(bindings) != 1 or not isinstance(bindings[0], AssignBinding) or bindings[0].in_with:
        return False
    uses = scope.handle_reads.get(executor.value, [])
    return scope.reads.get(executor.value, 0) == len(uses) and set(uses) <= {"submit", "map"}


def _handle_uses(site: CallSite) -> set[str] | None:
    """The attributes a launch's handle is used through (`start`, `daemon`, ...) when it is
    never read in any other way; None when it is, or when the model cannot follow it."""
    use = site.use
    if use.kind == "statement":
        return set()
    if use.kind == "receiver":
        return {use.names[0]} if use.names[0] in ("start", "daemon", "name") else None
    if use.kind in ("assign", "append") and len(use.names) == 1 and use.names[0]:
        return _touches(use.names[0], site.scope, depth=0)
    return None


def _touches(name: str, scope: Scope, depth: int) -> set[str] | None:
    if name in scope.waited or depth > _LIST_DEPTH:
        return None
    how = scope.handle_reads.get(name, [])
    if scope.reads.get(name, 0) != len(how):
        return None
    touched = {use for use in how if use != "iter"}
    if "iter" in how:
        for variable, sources in scope.iterates.items():
            if any(isinstance(source, cst.Name) and source.value == name for source in sources):
                inner = _touches(variable, scope, depth + 1)
                if inner is None:
                    return None
                touched |= inner
    return touched
