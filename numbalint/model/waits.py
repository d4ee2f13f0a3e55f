"""Whether the thread or future a launch returns is ever waited for.

Read from how its handle is used in the scope that launched it: a handle that is
only started or configured (`t.start()`, `t.daemon = True`), directly or through the
lists it is kept in, is never joined there. Any other read (`join`, `result`,
`wait`, returned, stored in an attribute, passed to a call) hands it on, and the
model cannot tell what becomes of it.
"""

from __future__ import annotations

import libcst as cst

from numbalint.model.scopes import CallSite, Scope

# How many lists a handle may be kept in (`threads`, then `for t in threads`) before we stop following.
_LIST_DEPTH = 2


def never_waited(site: CallSite) -> set[str] | None:
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
