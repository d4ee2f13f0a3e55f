from __future__ import annotations

from typing import Iterator

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import Launch, ModuleModel
from numbalint.rules.base import Rule
from numbalint.rules.edits import as_tuple

# Expressions that are never a tuple at run time: wrapping them in one is what was meant.
_NEVER_TUPLES = (
    cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString,
    cst.FormattedString, cst.Subscript, cst.BinaryOperation, cst.UnaryOperation,
    cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp, cst.Lambda,
)


def _holds_tuple(model: ModuleModel, value: cst.BaseExpression, launch: Launch) -> bool:
    """`args=(params)` where `params = (a, b)` or `tuple(...)`: odd, but it works."""
    bound = model.names.assigned_value(value, launch.scope)
    if isinstance(bound, cst.Tuple):
        return True
    return isinstance(bound, cst.Call) and isinstance(bound.func, cst.Name) and bound.func.value == "tuple"


class ArgsNotTuple(Rule):
    """
    ## What it does
    Flags `args=(x)` in a `Thread`, `Timer` or `apply_async` launch: parentheses
    around one expression, without the comma that makes a one-element tuple.

    ## Why is this bad?
    `(x)` is just `x`. The thread unpacks `x` itself as its argument list: an
    array becomes one argument per element (a `TypeError` in the thread for any
    array longer than the target's parameter list), a number raises
    `TypeError: ... argument after * must be an iterable`. The error is printed
    by the thread; the main thread never hears of it.

    ## Example
    ```python
    threading.Thread(target=fill, args=(out))
    ```

    ## Use instead
    ```python
    threading.Thread(target=fill, args=(out,))
    ```

    ## Fix
    Safe when the expression can never be a tuple (a slice `x[a:b]`, a literal,
    arithmetic); unsafe for a plain name, which could already hold a tuple.
    """

    code = "NBL008"
    name = "args-not-tuple"
    summary = "args=(x) is not a tuple"
    fix = "safe/unsafe"

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        for launch in model.launches.all:
            value = launch.args
            if value is None or not value.lpar or isinstance(value, (cst.Tuple, cst.GeneratorExp)):
                continue
            if _holds_tuple(model, value, launch):
                continue
            code = model.code(value)
            fix = Fix("Add the comma that makes a one-element tuple",
                      "safe" if isinstance(value, _NEVER_TUPLES) else "unsafe",
                      (Replacement(value, as_tuple(value)),))
            yield self.report(value, (
                f"`args={code}` is not a tuple, just parentheses, so {launch.api} unpacks the value itself "
                f"as the argument list. An array gives one argument per element; a number raises "
                f"TypeError in the thread. Write `args={code[:-1]},)`."
            ), fix)
