"""The model's single pass over a module's tree.

It records scopes, bindings, name reads, call sites and the arithmetic that
chunking is built from. Everything that needs resolving (which name is a
kernel, which call launches a thread) is decided afterwards by `ModuleModel`,
from these records, without walking the tree again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from numbalint.model.scopes import (
    UNFOLLOWED,
    AssignBinding,
    Binding,
    CallSite,
    ClassBinding,
    DefBinding,
    ImportBinding,
    LoopRecord,
    Scope,
    ScopeKind,
    Use,
)
from numbalint.model.prange_collector import PrangeCollector, PrangeRecord
from numbalint.model.syntax import all_params, dotted, stored_names
from numbalint.model.walk import Walker, names_in

# Attributes of a thread or executor handle (or of the list that keeps them) that start,
# configure or collect it without waiting for it.
HANDLE_ATTRIBUTES = frozenset({"start", "daemon", "setDaemon", "name", "setName", "submit", "map", "append"})


@dataclass
class ArithmeticRecord:
    """Multiplications, additions and remainders, with where they stand."""

    node: cst.BinaryOperation
    scope: Scope
    loops: tuple[LoopRecord, ...]
    in_sum: bool  # a term of a larger sum or difference: `i*n + n + halo`


@dataclass
class ConditionRecord:
    """Names tested by an `if` or a conditional expression inside loops."""

    names: frozenset[str]
    loops: tuple[LoopRecord, ...]


@dataclass
class PassRecords:
    root: Scope
    scope_of: dict[int, Scope] = field(default_factory=dict)  # id(def or lambda) -> its scope
    loop_targets: dict[int, frozenset[str]] = field(default_factory=dict)  # id(loop) -> targets
    arithmetic: list[ArithmeticRecord] = field(default_factory=list)
    conditions: list[ConditionRecord] = field(default_factory=list)
    # `module.attr = value` statements: (the statement, its scope).
    attribute_assignments: list[tuple[cst.Assign, Scope]] = field(default_factory=list)
    # ids of the values of `x = value` statements (the whole right-hand side).
    assigned_values: set[int] = field(default_factory=set)
    # Modules named whole by a top-level `import a.b.c` (which binds only `a`).
    imported_modules: list[str] = field(default_factory=list)
    # Modules whose names a top-level `from module import *` binds.
    star_imports: list[str] = field(default_factory=list)
    # `x[key] = value` statements (as `os.environ["NUMBA_NUM_THREADS"] = "4"`): (the statement, its scope).
    item_assignments: list[tuple[cst.Assign, Scope]] = field(default_factory=list)
    # Module order: id(call or assignment) -> the index of the top-level statement holding it,
    # and each top-level package -> the index of the first top-level statement importing it.
    statement_of: dict[int, int] = field(default_factory=dict)
    first_import: dict[str, int] = field(default_factory=dict)
    prange_loops: list[PrangeRecord] = field(default_factory=list)  # loops over what may be prange


class ModelBuilder(Walker):
    """Collects `PassRecords` in one traversal."""

    def __init__(self) -> None:
        super().__init__()
        self.records = PassRecords(root=Scope("module", None, None))
        self._scope = self.records.root
        self._loops: list[LoopRecord] = []
        self._saved_loops: list[list[LoopRecord]] = []
        self._not_reads: set[int] = set()
        self._uses: dict[int, Use] = {}
        self._waited: set[int] = set()
        self._handle_reads: dict[int, str] = {}  # id(name) -> how it is used: HANDLE_ATTRIBUTES or "iter"
        self._contexts: list[cst.Call] = []
        self._in_sum: set[int] = set()
        self._expecting_errors = 0
        self._statement = 0  # index of the top-level statement being walked
        self._prange = PrangeCollector()
        self.records.prange_loops = self._prange.records

    # -- module order: which top-level statement runs what ---------------------

    def visit_Module(self, node: cst.Module) -> bool:
        for index, statement in enumerate(node.body):
            self._statement = index
            self.walk(statement)
        return False

    def _note_order(self, node: cst.CSTNode) -> None:
        self.records.statement_of[id(node)] = self._statement

    def _note_import(self, qualified: str) -> None:
        if self._scope is self.records.root and not qualified.startswith("."):
            self.records.first_import.setdefault(qualified.split(".")[0], self._statement)

    # -- scopes ---------------------------------------------------------------

    def _enter(self, kind: ScopeKind, node: cst.CSTNode) -> Scope:
        scope = Scope(
            kind, node, self._scope,
            loops_at_creation=tuple(self._loops),
            # What this iteration has bound so far: a closure made now may bind these as defaults.
            bound_at_creation=frozenset().union(*(loop.rebinds for loop in self._loops)),
        )
        self._scope.children.append(scope)
        self.records.scope_of[id(node)] = scope
        self._scope = scope
        self._saved_loops.append(self._loops)
        self._loops = []
        return scope

    def _leave(self) -> None:
        child = self._scope
        assert child.parent is not None
        self._scope = child.parent
        for name in child.free_reads():
            self._scope.read(name)
        self._loops = self._saved_loops.pop()

    def _bind(self, name: cst.Name, binding: Binding) -> None:
        self._not_reads.add(id(name))
        self._scope.bind(name.value, binding)
        if self._prange.active:
            self._prange.bound(name.value, binding, self._scope)
        for loop in self._loops:
            loop.rebinds.add(name.value)

    def _bind_params(self, params: cst.Parameters) -> None:
        for param in all_params(params):
            self._bind(param.name, UNFOLLOWED)

    # Visits that walk their children themselves return False: the walker must not walk them again.

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._bind(node.name, DefBinding(node))
        # Decorators and defaults are evaluated in the enclosing scope: visit them here.
        for decorator in node.decorators:
            self.walk(decorator)
        self.walk(node.params)
        self._enter("function", node)
        self._bind_params(node.params)
        self.walk(node.body)
        self._leave()
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.walk(node.params)
        self._enter("lambda", node)
        self._bind_params(node.params)
        self._note_use(node.body, Use("return"))
        self.walk(node.body)
        self._leave()
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._bind(node.name, ClassBinding(node))
        for decorator in node.decorators:
            self.walk(decorator)
        for arg in (*node.bases, *node.keywords):
            self.walk(arg)
        self._enter("class", node)
        self.walk(node.body)
        self._leave()
        return False

    # -- bindings -------------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            name = dotted(alias.name)
            self._note_import(name)
            if alias.asname is not None:
                self._bind_alias(alias.asname.name, name)
            else:  # `import numba.core` binds `numba`
                self._bind(_first_name(alias.name), ImportBinding(name.split(".")[0]))
                if self._scope is self.records.root:
                    self.records.imported_modules.append(name)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        base = "." * len(node.relative) + (dotted(node.module) if node.module else "")
        self._note_import(base)
        if isinstance(node.names, cst.ImportStar):
            if self._scope is self.records.root:
                self.records.star_imports.append(base)
            return False
        for alias in node.names:
            name = dotted(alias.name)
            qualified = f"{base}.{name}" if not base.endswith(".") else base + name
            target = alias.asname.name if alias.asname is not None else alias.name
            self._bind_alias(target, qualified)
        return False

    def _bind_alias(self, target: cst.BaseExpression, qualified: str) -> None:
        if isinstance(target, cst.Name):
            self._bind(target, ImportBinding(qualified))

    def _note_item_store(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self._scope.item_stores.add(target.value.value)

    # An assignment binds its targets after its value has run: `t = Thread(target=lambda: t)`
    # reads the previous `t`. Targets are marked as stores on the way in, bound on the way out.

    def visit_Assign(self, node: cst.Assign) -> None:
        self.records.assigned_values.add(id(node.value))
        self._note_order(node)
        names = tuple(n.value for target in node.targets for n in stored_names(target.target))
        for target in node.targets:
            self._note_item_store(target.target)
            self._not_reads.update(id(n) for n in stored_names(target.target))
            if isinstance(target.target, cst.Attribute):
                self.records.attribute_assignments.append((node, self._scope))
            elif isinstance(target.target, cst.Subscript):
                self.records.item_assignments.append((node, self._scope))
        self._note_use(node.value, Use("assign", names))
        if self._prange.active:
            self._prange.assigned(node, self._scope)
        if isinstance(node.value, cst.ListComp):  # `futures = [ex.submit(...) for ...]`: the list holds them
            self._note_use(node.value.elt, Use("assign", names))

    def leave_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            single = isinstance(target.target, cst.Name)
            for name in stored_names(target.target):
                self._bind(name, AssignBinding(node.value if single else None))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.records.assigned_values.add(id(node.value))
        self._note_item_store(node.target)
        self._not_reads.update(id(n) for n in stored_names(node.target))
        self._note_use(node.value, Use("assign", tuple(n.value for n in stored_names(node.target))))

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        for name in stored_names(node.target):
            self._bind(name, AssignBinding(node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._note_item_store(node.target)
        if self._prange.active:
            self._prange.aug_assigned(node, self._scope)
        for name in stored_names(node.target):
            self._scope.read(name.value)
            self._not_reads.add(id(name))

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        for name in stored_names(node.target):
            self._bind(name, UNFOLLOWED)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._not_reads.update(id(n) for n in stored_names(node.target))

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        for name in stored_names(node.target):
            self._bind(name, UNFOLLOWED)

    def visit_With(self, node: cst.With) -> None:
        if any(_expects_error(item.item) for item in node.items):
            self._expecting_errors += 1
        self._contexts.extend(item.item for item in node.items if isinstance(item.item, cst.Call))

    def leave_With(self, node: cst.With) -> None:
        if any(_expects_error(item.item) for item in node.items):
            self._expecting_errors -= 1
        del self._contexts[len(self._contexts) - sum(isinstance(item.item, cst.Call) for item in node.items):]

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            for name in stored_names(node.asname.name):
                self._bind(name, AssignBinding(node.item, in_with=True))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            for name in stored_names(node.name.name):
                self._bind(name, UNFOLLOWED)

    def visit_Global(self, node: cst.Global) -> bool:
        self._scope.declared_outside.update(item.name.value for item in node.names)
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        self._scope.declared_outside.update(item.name.value for item in node.names)
        return False

    # -- loops ----------------------------------------------------------------

    def visit_For(self, node: cst.For) -> bool:
        self._note_iteration(node.target, node.iter)
        self.walk(node.iter)
        loop = LoopRecord(node)
        self.records.loop_targets[id(node)] = frozenset(n.value for n in stored_names(node.target))
        self._loops.append(loop)
        in_prange = self._prange.enter_loop(node, self._scope)
        for name in stored_names(node.target):
            self._bind(name, UNFOLLOWED)
        self.walk(node.body)
        if in_prange:
            self._prange.leave_loop()
        self._loops.pop()
        if node.orelse is not None:
            self.walk(node.orelse)
        return False

    def visit_While(self, node: cst.While) -> bool:
        self.walk(node.test)
        self._loops.append(LoopRecord(node))
        self._conditions(node.test)
        self.walk(node.body)
        self._loops.pop()
        if node.orelse is not None:
            self.walk(node.orelse)
        return False

    def _visit_comprehension(self, node: cst.BaseComp | cst.DictComp) -> None:
        # A comprehension is a loop whose targets are rebound for each element.
        # It is not made a scope of its own: its targets are recorded on the loop only.
        targets: list[cst.Name] = []
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            targets.extend(stored_names(clause.target))
            self._note_iteration(clause.target, clause.iter)
            clause = clause.inner_for_in
        loop = LoopRecord(node, {t.value for t in targets})
        self.records.loop_targets[id(node)] = frozenset(loop.rebinds)
        self._not_reads.update(id(t) for t in targets)
        self._loops.append(loop)

    def _note_iteration(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        """`for job in jobs`: where `job` comes from, and `jobs` read only to iterate over it."""
        if isinstance(target, cst.Name):
            self._scope.iterates.setdefault(target.value, []).append(iterable)
            if isinstance(iterable, cst.Name):
                self._handle_reads[id(iterable)] = "iter"

    def _leave_comprehension(self) -> None:
        self._loops.pop()

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._visit_comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._visit_comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._visit_comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._visit_comprehension(node)

    def leave_ListComp(self, node: cst.ListComp) -> None:
        self._leave_comprehension()

    def leave_SetComp(self, node: cst.SetComp) -> None:
        self._leave_comprehension()

    def leave_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._leave_comprehension()

    def leave_DictComp(self, node: cst.DictComp) -> None:
        self._leave_comprehension()

    def visit_CompIf(self, node: cst.CompIf) -> None:
        self._conditions(node.test)

    def visit_If(self, node: cst.If) -> None:
        self._conditions(node.test)
        if self._prange.active:
            self._prange.branch(node, self._scope)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._conditions(node.test)

    def _conditions(self, test: cst.BaseExpression) -> None:
        if self._loops:
            self.records.conditions.append(ConditionRecord(names_in(test), tuple(self._loops)))

    # -- uses of values -------------------------------------------------------

    def _note_use(self, value: cst.CSTNode | None, use: Use) -> None:
        # Only calls ask how their value is used (a launch's thread, future or result).
        if isinstance(value, cst.Await):  # `await asyncio.to_thread(k, x)` uses the call's result
            value = value.expression
        if isinstance(value, cst.Call):
            self._uses[id(value)] = use

    def visit_Expr(self, node: cst.Expr) -> None:
        self._note_use(node.value, Use("statement"))

    def visit_Return(self, node: cst.Return) -> None:
        self._scope.returns.append(node.value)
        self._note_use(node.value, Use("return"))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._note_use(node.value, Use("receiver", (node.attr.value,)))
        if isinstance(node.value, cst.Name) and node.attr.value in HANDLE_ATTRIBUTES:
            self._handle_reads[id(node.value)] = node.attr.value

    def visit_Call(self, node: cst.Call) -> None:
        if self._is_wait(node.func):
            self._waited.update(id(name) for arg in node.args for name in _listed_names(arg.value))
        self._note_order(node)
        use = self._uses.pop(id(node), Use("other"))
        site = CallSite(node, self._scope, tuple(self._loops), use, self._expecting_errors > 0, tuple(self._contexts))
        self._scope.calls.append(site)
        if self._prange.active:
            self._prange.call(site)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "append" and node.args:
            owner = func.value.value if isinstance(func.value, cst.Name) else ""
            self._note_use(node.args[0].value, Use("append", (owner,)))
            if owner:
                self._scope.appended.setdefault(owner, []).append(node.args[0].value)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.Add, cst.Subtract)):
            self._in_sum.update((id(node.left), id(node.right)))
        if isinstance(node.operator, (cst.Multiply, cst.Add, cst.Modulo)):
            in_sum = id(node) in self._in_sum
            self.records.arithmetic.append(ArithmeticRecord(node, self._scope, tuple(self._loops), in_sum))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self._prange.active:
            self._prange.subscript(node, self._scope)

    def visit_Name(self, node: cst.Name) -> None:
        # A future only passed to `wait()` is never read: wait() does not look at results.
        if id(node) in self._waited:
            self._scope.waited.add(node.value)
        elif id(node) not in self._not_reads:
            self._scope.read(node.value)
            how = self._handle_reads.get(id(node))
            if how is not None:
                self._scope.handle_reads.setdefault(node.value, []).append(how)
            if self._prange.active:
                self._prange.name_read(node, self._scope)

    def _is_wait(self, func: cst.BaseExpression) -> bool:
        """`wait` imported from concurrent.futures, or `futures.wait`/`concurrent.futures.wait`."""
        if isinstance(func, cst.Name):
            bindings = self._scope.lookup(func.value) or []
            return any(isinstance(b, ImportBinding) and b.qualified == "concurrent.futures.wait" for b in bindings)
        if isinstance(func, cst.Attribute) and func.attr.value == "wait":
            base = func.value
            root = base.value if isinstance(base, cst.Attribute) else base
            if isinstance(root, cst.Name):
                bindings = self._scope.lookup(root.value) or []
                return any(isinstance(b, ImportBinding) and b.qualified.startswith("concurrent") for b in bindings)
        return False


_RAISES = {"raises", "assertRaises", "assertRaisesRegex"}


def _expects_error(expr: cst.BaseExpression) -> bool:
    """`pytest.raises(...)`, `self.assertRaises(...)`: code in the block is meant to fail."""
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
    return name in _RAISES


def _listed_names(expr: cst.BaseExpression) -> list[cst.Name]:
    """`f` in `wait(f)`, `wait([f, g])`."""
    if isinstance(expr, cst.Name):
        return [expr]
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [e.value for e in expr.elements if isinstance(e.value, cst.Name)]
    return []


def _first_name(node: cst.BaseExpression) -> cst.Name:
    while isinstance(node, cst.Attribute):
        node = node.value
    assert isinstance(node, cst.Name)
    return node


def build_records(module: cst.Module) -> PassRecords:
    builder = ModelBuilder()
    builder.walk(module)
    return builder.records
