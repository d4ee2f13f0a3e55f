"""`ModuleModel`: what a module means in Numba terms, answered from one pass."""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Iterator

import libcst as cst

from numbalint.model.arity import (
    Arguments,
    argument,
    arguments_of,
    mapping_arguments,
    positional_args,
    sequence_arguments,
)
from numbalint.model.builder import PassRecords, build_records
from numbalint.model.facts import Kernel, KernelUse, Launch
from numbalint.model.kernels import kernel_kind, layout_of, options_of, signature_of
from numbalint.model.scopes import Binding, CallSite, LoopRecord, Scope

# Looks up a kernel exported by another module of the project: (importer, qualified name).
KernelLookup = Callable[[str], "Kernel | None"]

_THREAD_CLASSES = {"threading.Thread": "Thread", "threading.Timer": "Timer"}
_POOL_CLASSES = {
    "concurrent.futures.ThreadPoolExecutor": "executor",
    "concurrent.futures.thread.ThreadPoolExecutor": "executor",
    "multiprocessing.pool.ThreadPool": "pool",
    "multiprocessing.dummy.Pool": "pool",
}
_POOL_METHODS = {
    "executor": {"submit", "map"},
    "pool": {"map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async", "apply", "apply_async"},
}
_PARTIAL = "functools.partial"
_GPU_TARGETS = {"cuda", "gpu", "roc", "opencl"}
_PRANGE = {"numba.prange", "numba.parfors.parfor.prange"}
# How many `alias = name` assignments qualify() follows.
_ALIAS_DEPTH = 3
# How deep a worker function may call other functions before we stop following.
_CALL_DEPTH = 3


class ModuleModel:
    """Answers the rules' questions about one module."""

    def __init__(self, module: cst.Module, *, lookup: KernelLookup | None = None) -> None:
        self.module = module
        self._records: PassRecords = build_records(module)
        self._lookup = lookup
        self._kernel_cache: dict[tuple[int, str], Kernel | None] = {}
        self._launch_sites: dict[int, CallSite] = {}

    # -- names ----------------------------------------------------------------

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def _only_binding(self, name: str, scope: Scope) -> Binding | None:
        bindings = scope.lookup(name)
        return bindings[0] if bindings is not None and len(bindings) == 1 else None

    def qualify(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> str | None:
        """`nb.njit` -> "numba.njit" when `nb` is `import numba as nb`, else None.

        A name assigned once from another (`Thread = threading.Thread`) is followed."""
        if isinstance(expr, cst.Name):
            binding = self._only_binding(expr.value, scope)
            if binding is not None and binding.kind == "import":
                return str(binding.value)
            if binding is not None and binding.kind == "assign" and depth < _ALIAS_DEPTH:
                if isinstance(binding.value, (cst.Name, cst.Attribute)):
                    return self.qualify(binding.value, scope, depth + 1)
            return None
        if isinstance(expr, cst.Attribute):
            base = self.qualify(expr.value, scope, depth)
            return f"{base}.{expr.attr.value}" if base else None
        return None

    def _callee_qualified(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        return self.qualify(expr.func, scope) if isinstance(expr, cst.Call) else None

    # -- kernels --------------------------------------------------------------

    def kernel_of(self, expr: cst.BaseExpression, scope: Scope) -> Kernel | None:
        """The kernel that `expr` names here, or None when it is not one or we cannot tell."""
        if isinstance(expr, cst.Name):
            key = (id(scope), expr.value)
            if key not in self._kernel_cache:
                self._kernel_cache[key] = self._resolve_kernel_name(expr.value, scope)
            return self._kernel_cache[key]
        if isinstance(expr, cst.Attribute) and self._lookup is not None:
            qualified = self.qualify(expr, scope)
            return self._lookup(qualified) if qualified else None
        return None

    def _resolve_kernel_name(self, name: str, scope: Scope) -> Kernel | None:
        bindings = scope.lookup(name)
        if not bindings:
            return None
        # `def f` followed by `f = njit(f)` is one kernel; any other rebinding is ambiguous.
        *earlier, last = bindings
        if last.kind == "import":
            return self._lookup(str(last.value)) if self._lookup and not earlier else None
        kernel = self._kernel_from_binding(name, last, scope)
        if kernel is None:
            return None
        wrapped = _wrapped_name(last)
        if all(b.kind == "def" and wrapped == b.value.name.value for b in earlier):  # type: ignore[union-attr]
            return kernel
        return None

    def _kernel_from_binding(self, name: str, binding: Binding, scope: Scope) -> Kernel | None:
        if binding.kind == "def":
            return self._kernel_from_def(binding.value, scope)  # type: ignore[arg-type]
        if binding.kind == "assign" and isinstance(binding.value, cst.Call):
            return self._kernel_from_wrap(name, binding.value, scope)
        return None

    def _kernel_from_def(self, node: cst.FunctionDef, scope: Scope) -> Kernel | None:
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            kind = kernel_kind(self.qualify(call.func if call else expr, scope))
            if kind is not None:
                return self._make_kernel(node.name.value, kind, node, call, expr)
        return None

    def _kernel_from_wrap(self, name: str, call: cst.Call, scope: Scope) -> Kernel | None:
        """`g = njit(f)`, `g = njit(f, parallel=True)`, `g = njit(parallel=True)(f)`,
        `g = vectorize([...])(f)`. Options go in the call that holds them."""
        if isinstance(call.func, cst.Call):  # njit(...)(f)
            options_call, factory = call.func, call.func.func
        else:  # njit(f, **options)
            options_call, factory = call, call.func
        kind = kernel_kind(self.qualify(factory, scope))
        positional = positional_args(call)
        if kind is None or len(positional) != 1:
            return None
        wrapped = positional[0].value
        if options_call is call and not isinstance(wrapped, (cst.Name, cst.Lambda, cst.Attribute)):
            return None  # njit("f8(f8)") makes a decorator, not a kernel
        function: cst.FunctionDef | cst.Lambda | None = wrapped if isinstance(wrapped, cst.Lambda) else None
        if isinstance(wrapped, cst.Name):
            target = self._only_binding(wrapped.value, scope) or _def_binding(scope, wrapped.value)
            if target is not None and target.kind == "def":
                function = target.value  # type: ignore[assignment]
        return self._make_kernel(name, kind, function, options_call, options_call)

    def _make_kernel(
        self,
        name: str,
        kind: str,
        function: cst.FunctionDef | cst.Lambda | None,
        options_call: cst.Call | None,
        decorator: cst.BaseExpression,
    ) -> Kernel | None:
        """The kernel, or None for a GPU target: device kernels are launched differently."""
        options = options_of(options_call)
        if options.get("target") in _GPU_TARGETS:
            return None
        body = self._records.scope_of.get(id(function)) if function is not None else None
        params = {p.name.value for p in _all_params(function.params)} if function is not None else set()
        return Kernel(
            name=name,
            kind=kind,  # type: ignore[arg-type]
            signature=signature_of(function.params) if function is not None else None,
            options=options,
            returns_value=body is not None and _returns_new_value(function, body, params),
            pranges=self._prange_calls(body) if body is not None else (),
            layout=layout_of(options_call) if kind == "guvectorize" else None,
            decorator=decorator,
        )

    def _prange_calls(self, scope: Scope) -> tuple[cst.Call, ...]:
        return tuple(site.node for site in scope.calls if self.qualify(site.node.func, scope) in _PRANGE)

    @cached_property
    def kernels(self) -> list[Kernel]:
        """Kernels defined in this module, at any depth."""
        found: list[Kernel] = []
        for scope in self._scopes():
            for name in scope.bindings:
                kernel = self._resolve_kernel_name(name, scope)
                if kernel is not None and kernel.decorator is not None:
                    found.append(kernel)
        return found

    def exported_kernels(self) -> dict[str, Kernel]:
        """Module-level kernels, which other modules may import."""
        root = self._records.root
        exported = {}
        for name in root.bindings:
            kernel = self._resolve_kernel_name(name, root)
            if kernel is not None and kernel.decorator is not None:
                exported[name] = kernel
        return exported

    def imported_names(self) -> list[str]:
        """Qualified names this module imports (candidates for the project index)."""
        return sorted(
            str(b.value) for bindings in self._records.root.bindings.values()
            for b in bindings if b.kind == "import"
        )

    def _scopes(self) -> Iterator[Scope]:
        stack = [self._records.root]
        while stack:
            scope = stack.pop()
            yield scope
            stack.extend(scope.children)

    def _call_sites(self) -> Iterator[CallSite]:
        for scope in self._scopes():
            yield from scope.calls

    @cached_property
    def kernel_calls(self) -> list[tuple[CallSite, Kernel]]:
        """Every direct call of a kernel: `square(a, out)`."""
        return [
            (site, kernel) for site in self._call_sites()
            if (kernel := self.kernel_of(site.node.func, site.scope)) is not None
        ]

    # -- launches -------------------------------------------------------------

    @cached_property
    def launches(self) -> list[Launch]:
        found = []
        for site in self._call_sites():
            launch = self._launch_at(site)
            if launch is not None:
                found.append(launch)
        return found

    def _launch_at(self, site: CallSite) -> Launch | None:
        call = site.node
        api = _THREAD_CLASSES.get(self.qualify(call.func, site.scope) or "")
        if api == "Thread":
            return self._launch(site, api, argument(call, 1, "target"), argument(call, 3, "args"),
                                argument(call, 4, "kwargs"))
        if api == "Timer":
            return self._launch(site, api, argument(call, 1, "function"), argument(call, 2, "args"),
                                argument(call, 3, "kwargs"))
        if not isinstance(call.func, cst.Attribute):
            return None
        method = call.func.attr.value
        pool = self._pool_kind(call.func.value, site.scope)
        if pool is None or method not in _POOL_METHODS[pool]:
            return None
        target = argument(call, 0, "fn" if pool == "executor" else "func")
        if method in ("apply", "apply_async"):
            return self._launch(site, method, target, argument(call, 1, "args"), argument(call, 2, "kwds"))
        extra = tuple(positional_args(call)[1:])
        if method == "submit":
            extra += tuple(a for a in call.args if a.keyword is not None and a.keyword.value != "fn")
        return self._launch(site, method, target, None, None, extra)

    def _pool_kind(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """Is `expr` a thread pool: a name bound to `ThreadPoolExecutor(...)`, or the call itself?"""
        if isinstance(expr, cst.Name):
            binding = self._only_binding(expr.value, scope)
            if binding is None or binding.kind != "assign" or binding.value is None:
                return None
            expr = binding.value  # type: ignore[assignment]
        return _POOL_CLASSES.get(self._callee_qualified(expr, scope) or "")

    def _launch(
        self,
        site: CallSite,
        api: str,
        target: cst.BaseExpression | None,
        args: cst.BaseExpression | None,
        kwargs: cst.BaseExpression | None,
        extra: tuple[cst.Arg, ...] = (),
    ) -> Launch:
        launch = Launch(site.node, api, target, args, kwargs, extra, self._fate(site))
        self._launch_sites[id(site.node)] = site
        return launch

    def site_of(self, launch: Launch) -> CallSite:
        return self._launch_sites[id(launch.node)]

    def _fate(self, site: CallSite) -> str:
        """What happens to the thread, future or result a launch returns."""
        use = site.use
        if use.kind == "statement":
            return "dropped"
        if use.kind == "receiver" and use.names[0] in ("join", "result"):
            return "awaited_in_iteration"
        if use.kind == "assign" and len(use.names) == 1:
            handle = use.names[0]
            if handle not in site.scope.reads:
                return "dropped"
            if site.loops and self._awaited_in_loop(handle, site.scope, site.loops[-1]):
                return "awaited_in_iteration"
        return "kept"

    def _awaited_in_loop(self, handle: str, scope: Scope, loop: LoopRecord) -> bool:
        for site in scope.calls:
            func = site.node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("join", "result")
                and isinstance(func.value, cst.Name)
                and func.value.value == handle
                and loop in site.loops
            ):
                return True
        return False

    # -- what a launch runs ---------------------------------------------------

    def partial_parts(self, expr: cst.BaseExpression, scope: Scope) -> tuple[cst.BaseExpression, list[cst.Arg]] | None:
        """`partial(k, a)` (or a name bound to it) -> (k, [a])."""
        if isinstance(expr, cst.Name):
            binding = self._only_binding(expr.value, scope)
            if binding is None or binding.kind != "assign" or not isinstance(binding.value, cst.Call):
                return None
            expr = binding.value
        if self._callee_qualified(expr, scope) != _PARTIAL:
            return None
        assert isinstance(expr, cst.Call)
        if not expr.args or expr.args[0].keyword is not None or expr.args[0].star:
            return None
        return expr.args[0].value, list(expr.args[1:])

    def function_scope(self, expr: cst.BaseExpression, scope: Scope) -> Scope | None:
        """The body of the plain (non-kernel) function or lambda that `expr` names."""
        if isinstance(expr, cst.Lambda):
            return self._records.scope_of.get(id(expr))
        if isinstance(expr, cst.Name):
            binding = self._only_binding(expr.value, scope)
            if binding is not None and binding.kind == "def" and self.kernel_of(expr, scope) is None:
                return self._records.scope_of.get(id(binding.value))
        return None

    def kernels_run_by(self, launch: Launch) -> list[KernelUse]:
        """The kernels a launch runs on its thread: directly, through partial, lambda or worker."""
        if launch.target is None:
            return []
        site = self.site_of(launch)
        result_lost = launch.api in ("Thread", "Timer") or launch.fate == "dropped"
        target = launch.target
        via = ""
        parts = self.partial_parts(target, site.scope)
        if parts is not None:
            target, via = parts[0], "partial"
        kernel = self.kernel_of(target, site.scope)
        if kernel is not None:
            return [KernelUse(kernel, via, None, result_lost and kernel.returns_value)]
        body = self.function_scope(target, site.scope)
        if body is None:
            return []
        label = "lambda" if isinstance(target, cst.Lambda) else f"{self.code(target)}()"
        return list(self._kernels_called(body, label, result_lost, depth=0, seen=set()))

    def launched_kernels(self, keep: Callable[[KernelUse], bool]) -> Iterator[tuple[Launch, KernelUse]]:
        """Each launch with each kernel it runs that `keep` accepts, once per kernel."""
        for launch in self.launches:
            seen: set[str] = set()
            for use in self.kernels_run_by(launch):
                if use.kernel.name not in seen and keep(use):
                    seen.add(use.kernel.name)
                    yield launch, use

    def _kernels_called(
        self, body: Scope, via: str, result_lost: bool, depth: int, seen: set[int]
    ) -> Iterator[KernelUse]:
        seen.add(id(body))
        for site in body.all_calls():
            kernel = self.kernel_of(site.node.func, site.scope)
            if kernel is not None:
                dropped = site.use.kind == "statement" or (site.use.kind == "return" and result_lost)
                yield KernelUse(kernel, via, site.node, dropped and kernel.returns_value)
                continue
            inner = self.function_scope(site.node.func, site.scope)
            if inner is not None and id(inner) not in seen and depth < _CALL_DEPTH:
                yield from self._kernels_called(inner, via, False, depth + 1, seen)

    def closure_of(self, launch: Launch) -> tuple[cst.CSTNode, Scope] | None:
        """The lambda or local def a launch runs, with its body's scope."""
        if launch.target is None:
            return None
        site = self.site_of(launch)
        body = self.function_scope(launch.target, site.scope)
        if body is None or body.node is None:
            return None
        node = body.node.name if isinstance(body.node, cst.FunctionDef) else body.node
        return node, body

    def launch_arguments(self, launch: Launch) -> Arguments | None:
        """The arguments a launch passes to its target, when they can be counted."""
        if launch.api in ("Thread", "Timer", "apply", "apply_async"):
            args, kwargs = sequence_arguments(launch.args), mapping_arguments(launch.kwargs)
            return args + kwargs if args is not None and kwargs is not None else None
        if launch.api == "submit":
            return arguments_of(list(launch.extra))
        if launch.api == "map" or launch.api in ("imap", "imap_unordered", "map_async"):
            if any(a.star for a in launch.extra):
                return None
            return Arguments(len(launch.extra) if launch.api == "map" and self._is_executor(launch) else 1)
        return None  # starmap: each element is unpacked, we cannot count it

    def _is_executor(self, launch: Launch) -> bool:
        func = launch.node.func
        assert isinstance(func, cst.Attribute)
        return self._pool_kind(func.value, self.site_of(launch).scope) == "executor"

    def rebound_numba_names(self) -> Iterator[tuple[cst.Assign, cst.Attribute, str]]:
        """`numba.set_num_threads = 4`: (statement, target, "numba.set_num_threads")."""
        for statement, scope in self._records.attribute_assignments:
            for target in statement.targets:
                qualified = self.qualify(target.target, scope) if isinstance(target.target, cst.Attribute) else None
                if qualified and qualified.startswith("numba.") and qualified.count(".") == 1:
                    yield statement, target.target, qualified  # type: ignore[misc]

    @property
    def records(self) -> PassRecords:
        return self._records

    def only_binding(self, name: str, scope: Scope) -> Binding | None:
        """The one binding `name` has here; None when it has none or several."""
        return self._only_binding(name, scope)


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    stars = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return [*params.posonly_params, *params.params, *params.kwonly_params, *stars]


def _returns_new_value(function: cst.CSTNode, body: Scope, params: set[str]) -> bool:
    """Is what the kernel returns its result: something new, while it writes into none of
    its arguments? (A kernel that fills `out` and returns a count has done its work.)"""
    if body.item_stores & params:
        return False
    if isinstance(function, cst.Lambda):
        return not (isinstance(function.body, cst.Name) and function.body.value in params)
    for value in body.returns:
        if value is None or (isinstance(value, cst.Name) and value.value in ("None", *params)):
            continue
        return True
    return False


def _wrapped_name(binding: Binding) -> str | None:
    """`f` in `g = njit(f)` or `g = njit(...)(f)`."""
    call = binding.value
    if binding.kind != "assign" or not isinstance(call, cst.Call) or not call.args:
        return None
    first = call.args[0].value
    return first.value if isinstance(first, cst.Name) else None


def _def_binding(scope: Scope, name: str) -> Binding | None:
    """The def behind `f = njit(f)`, where `f` has two bindings by design."""
    bindings = scope.lookup(name) or []
    defs = [b for b in bindings if b.kind == "def"]
    return defs[0] if len(defs) == 1 else None
