from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import ModuleModel
from numbalint.model.builder import stored_names
from numbalint.model.scopes import Scope
from numbalint.rules.base import Rule, quoted
from numbalint.rules.edits import bind_as_defaults


class LateBindingClosure(Rule):
    """
    ## What it does
    Flags a lambda or a def created inside a loop (or comprehension) and run on
    another thread, when it reads a name that the loop rebinds: the loop
    variable, or a name assigned in the loop body.

    It stays silent when the names are bound at creation (`lambda lo=lo: ...`),
    passed with `args=`, or when the thread is started and joined (the future's
    result read) in the same iteration.

    ## Why is this bad?
    A closure reads its free names when it runs, not when it is created. By the
    time a thread gets to run, the loop has moved on: several threads see the
    same (often the last) chunk bounds, some chunks are done twice and others
    never. Whether it happens depends on timing, so tests may pass.

    ## Example
    ```python
    for i in range(k):
        lo, hi = bounds[i]
        threading.Thread(target=lambda: work(x[lo:hi], out[lo:hi])).start()
    ```

    ## Use instead
    ```python
    for i in range(k):
        lo, hi = bounds[i]
        threading.Thread(target=work, args=(x[lo:hi], out[lo:hi])).start()
    ```
    or bind now: `lambda lo=lo, hi=hi: work(x[lo:hi], out[lo:hi])`.

    ## Fix
    The names are bound as default arguments, in the order the closure reads
    them: `lambda: f(a[lo:hi])` becomes `lambda lo=lo, hi=hi: f(a[lo:hi])`, and
    `def work():` becomes `def work(lo=lo, hi=hi):`.

    Safe when the closure takes no parameters of its own and every name is
    bound, in the iteration that creates the closure, before it is created (a
    loop variable, or a name assigned in an earlier statement of the loop
    body): the default then holds exactly the value the code meant.

    Unsafe otherwise. A closure with parameters gets parameters that a caller
    passing one argument too many would now fill silently (they are made
    keyword-only after a `*args`). A name assigned only later in the loop
    body (`start = stop` at the end of a `while`, or `t = Thread(target=lambda:
    t.join())`) is bound to its value from the previous iteration, which may
    not be what the closure wanted.

    No fix when the closure reads its own name (a def calling itself), or
    declares one of the names `global` or `nonlocal`.
    """

    code = "NBL002"
    name = "late-binding-closure"
    summary = "closure created in a loop and run on a thread reads names the loop rebinds"
    fix = "sometimes"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch in model.launches:
            closure = model.closure_of(launch)
            if closure is None or launch.fate == "awaited_in_iteration":
                continue
            node, body = closure
            rebound = set().union(*(loop.rebinds for loop in body.loops_at_creation))
            late = body.free_reads() & rebound
            if late and isinstance(body.node, (cst.Lambda, cst.FunctionDef)):
                what = "the lambda" if node is body.node else f"`{model.code(node)}`"
                names = _in_reading_order(body.node, late)
                yield self.report(node, self._message(what, names), _fix(body, names))

    @staticmethod
    def _message(what: str, names: list[str]) -> str:
        return (
            f"{what} reads {quoted(names)} when the thread runs, not when it is created: by then "
            "the loop has rebound them, so threads may all work on the same (last) values. "
            f"Pass them with args=, or bind them now as defaults ({_defaults(names)})."
        )


def _defaults(names: list[str]) -> str:
    return ", ".join(f"{name}={name}" for name in names)


def _fix(body: Scope, names: list[str]) -> Fix | None:
    closure = body.node
    assert isinstance(closure, (cst.Lambda, cst.FunctionDef))
    late = set(names)
    if isinstance(closure, cst.FunctionDef) and closure.name.value in late:
        return None  # `def work(work=work)` would bind the previous iteration's function
    if _declared_outside(closure) & late:
        return None  # a parameter cannot also be global or nonlocal
    params = closure.params
    has_own = bool(params.params or params.posonly_params or params.kwonly_params
                   or params.star_arg != cst.MaybeSentinel.DEFAULT or params.star_kwarg)
    bound = set().union(*(_bound_before(loop.node, closure) for loop in body.loops_at_creation))
    applicability = "unsafe" if has_own or not late <= bound else "safe"
    return Fix(f"Bind {_defaults(names)} as default arguments", applicability,
               (Replacement(params, bind_as_defaults(params, names)),))


def _in_reading_order(closure: cst.Lambda | cst.FunctionDef, names: set[str]) -> list[str]:
    """`names` in the order the closure's body first reads them."""
    seen: list[str] = []

    class _Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value in names and node.value not in seen:
                seen.append(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)  # `x.lo` does not read `lo`
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)  # nor does `f(lo=1)`
            return False

    closure.body.visit(_Reads())
    return seen + sorted(names - set(seen))


def _declared_outside(closure: cst.CSTNode) -> set[str]:
    """Names a `global` or `nonlocal` statement anywhere in the closure names."""
    found: set[str] = set()

    class _Declarations(cst.CSTVisitor):
        def visit_Global(self, node: cst.Global) -> None:
            found.update(item.name.value for item in node.names)

        def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
            found.update(item.name.value for item in node.names)

    closure.visit(_Declarations())
    return found


def _bound_before(loop: cst.CSTNode, closure: cst.CSTNode) -> set[str]:
    """Names bound, in one iteration of `loop`, before `closure` is created: the
    loop's targets, and what the statements before the one holding it bind."""
    if isinstance(loop, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        names: set[str] = set()
        clause: cst.CompFor | None = loop.for_in
        while clause is not None:
            names.update(n.value for n in stored_names(clause.target))
            clause = clause.inner_for_in
        return names
    if isinstance(loop, cst.For):
        return {n.value for n in stored_names(loop.target)} | _bound_in_block(loop.body, closure)
    if isinstance(loop, cst.While):
        return _bound_in_block(loop.body, closure)
    return set()


def _bound_in_block(block: cst.BaseSuite, closure: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    for statement in block.body:
        if _contains(statement, closure):
            return names | _bound_inside(statement, closure)
        names |= _bound_by(statement)
    return names


def _bound_inside(statement: cst.CSTNode, closure: cst.CSTNode) -> set[str]:
    """In the compound statement that holds the closure: what is bound before it
    in the block that holds it (and a nested loop's targets)."""
    names: set[str] = set()
    if isinstance(statement, cst.For) and _contains(statement.body, closure):
        names.update(n.value for n in stored_names(statement.target))
    for child in statement.children:
        if not _contains(child, closure):
            continue
        if isinstance(child, cst.BaseSuite):
            names |= _bound_in_block(child, closure)
        elif isinstance(child, (cst.If, cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler)):
            names |= _bound_inside(child, closure)  # `elif`, `else`, `except`, `finally`
    return names


def _contains(node: cst.CSTNode, target: cst.CSTNode) -> bool:
    pending = [node]
    while pending:
        current = pending.pop()
        if current is target:
            return True
        pending.extend(current.children)
    return False


def _bound_by(statement: cst.CSTNode) -> set[str]:
    """Names a statement binds in the scope it runs in (nested scopes left out)."""
    names: set[str] = set()

    class _Bindings(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            names.update(n.value for n in stored_names(node.target))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            names.update(n.value for n in stored_names(node.target))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if node.value is not None:
                names.update(n.value for n in stored_names(node.target))

        def visit_For(self, node: cst.For) -> None:
            names.update(n.value for n in stored_names(node.target))

        def visit_AsName(self, node: cst.AsName) -> None:
            names.update(n.value for n in stored_names(node.name))  # type: ignore[arg-type]

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            names.update(n.value for n in stored_names(node.target))

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            if node.asname is None:
                name = node.name
                while isinstance(name, cst.Attribute):
                    name = name.value
                if isinstance(name, cst.Name):
                    names.add(name.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            names.add(node.name.value)
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            names.add(node.name.value)
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    statement.visit(_Bindings())
    return names
