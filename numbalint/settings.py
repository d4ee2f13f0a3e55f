"""Configuration: `[tool.numbalint]` in pyproject.toml, then command-line overrides.

    [tool.numbalint]
    select = ["ALL"]                 # default: every rule
    extend-select = []               # added to select
    ignore = ["NBL005"]              # codes, kebab-case names, code prefixes or ALL
    exclude = [...]                  # replaces files.DEFAULT_EXCLUDES
    extend-exclude = ["tests/fixtures", "*_pb2.py"]
    per-file-ignores = { "tests/*" = ["NBL001"] }
    respect-gitignore = true         # skip what .gitignore files ignore when walking folders
    force-exclude = false            # apply excludes to paths named on the command line too

The nearest pyproject.toml at or above the starting folder that has a
`[tool.numbalint]` table is the configuration; its folder is the project root
that exclude and per-file-ignores patterns are relative to.

Rule selection is decided in layers, as Ruff does: the config file's, then the
command line's. A layer with `select` starts afresh from what it selects; a
layer without one adds its `extend-select` to, and takes its `ignore` from,
what the layers before it left. So `--select NBL005` reports NBL005 even when
the config ignores it, and `--ignore NBL005` wins over the config's select.
Within a layer the most specific selector wins (a code or name beats a prefix,
a longer prefix beats a shorter one, any of them beats ALL); on a tie, ignore
wins. So `select = ["ALL"]`, `ignore = ["NBL00"]`, `extend-select = ["NBL004"]`
enables NBL004 and every rule from NBL010 on. Rules that are off by default
(NBL100) run only when a selector names them (ALL does). Selecting no rule at
all is an error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from numbalint.files import DEFAULT_EXCLUDES, PathPatterns, relative_to_root
from numbalint.rules import OFF_BY_DEFAULT, RULE_IDS
from numbalint.text import closest

CONFIG_FILE = "pyproject.toml"
ALL = "ALL"

PerFileIgnores = tuple[tuple[str, tuple[str, ...]], ...]


class ConfigError(Exception):
    """A configuration mistake; `str()` is one line saying where and what to do."""


@dataclass(frozen=True)
class RuleSelection:
    """One layer of select / extend-select / ignore (see the module docstring).

    `origin` is where the layer was written, for error messages: the config
    file's table, or None for the command line."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    origin: str | None = None

    def where(self, key: str) -> str:
        return f"--{key}" if self.origin is None else f"{self.origin} {key}"


@dataclass(frozen=True)
class Settings:
    """What to check and how, after the config file and the command line.

    `exclude` holds every pattern discovery must apply: the defaults (or the
    config's `exclude`, which replaces them), the config's `extend-exclude`
    and the command line's `--exclude`. `selections` are the rule-selection
    layers, config file first."""

    root: Path
    config_path: Path | None = None
    selections: tuple[RuleSelection, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    per_file_ignores: PerFileIgnores = ()
    respect_gitignore: bool = True
    force_exclude: bool = False


@dataclass(frozen=True)
class _Key:
    """How one `[tool.numbalint]` key is checked."""

    expected: str
    is_valid: Callable[[Any], bool]


def _is_string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_per_file_table(value: Any) -> bool:
    return isinstance(value, dict) and all(_is_string_list(v) for v in value.values())


_SELECTORS = _Key("a list of rule codes or names", _is_string_list)
_PATTERNS = _Key("a list of glob patterns", _is_string_list)
_KEYS: Mapping[str, _Key] = {
    "select": _SELECTORS,
    "extend-select": _SELECTORS,
    "ignore": _SELECTORS,
    "exclude": _PATTERNS,
    "extend-exclude": _PATTERNS,
    "per-file-ignores": _Key(
        'a table of glob = [rule codes or names], e.g. { "tests/*" = ["NBL001"] }',
        _is_per_file_table,
    ),
    "respect-gitignore": _Key("true or false", _is_bool),
    "force-exclude": _Key("true or false", _is_bool),
}


def load_settings(
    start: Path,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    config: Path | None = None,
    respect_gitignore: bool | None = None,
    force_exclude: bool | None = None,
) -> Settings:
    """Settings from the config file found from `start` (or `config`), then
    the command line: its selectors form a layer applied after the config's,
    `exclude` adds to the config's, and the flags given (not None) replace
    the config's. Selectors given as 'NBL001,NBL002' are split on commas."""
    if config is not None:
        config_path, table = config, _read_table(config, required=True)
    else:
        config_path, table = _locate(start) or (None, {})
    _check_keys(table, config_path)
    base_exclude = tuple(table.get("exclude", DEFAULT_EXCLUDES))
    extend_exclude = (*table.get("extend-exclude", ()), *(exclude or ()))
    file_layer = RuleSelection(
        select=_optional_tuple(table.get("select")),
        extend_select=tuple(table.get("extend-select", ())),
        ignore=tuple(table.get("ignore", ())),
        origin=f"{_display(config_path)}: [tool.numbalint]",
    )
    command_line_layer = RuleSelection(
        select=_split(select) if select is not None else None,
        extend_select=_split(extend_select),
        ignore=_split(ignore),
    )
    return Settings(
        root=config_path.resolve().parent if config_path else Path.cwd(),
        config_path=config_path,
        selections=(file_layer, command_line_layer),
        exclude=base_exclude + extend_exclude,
        per_file_ignores=tuple(
            (glob, tuple(codes)) for glob, codes in table.get("per-file-ignores", {}).items()
        ),
        respect_gitignore=_flag(respect_gitignore, table.get("respect-gitignore", True)),
        force_exclude=_flag(force_exclude, table.get("force-exclude", False)),
    )


def resolve_selection(
    settings: Settings,
    rules: Sequence[tuple[str, str]],
    *,
    off_by_default: frozenset[str] = frozenset(),
) -> frozenset[str]:
    """The codes the settings' selection layers enable, given the (code, name)
    of every rule; rules in `off_by_default` start disabled. Raises
    ConfigError for an unknown selector, or when no rule is left."""
    selectors = RuleSelectors(rules)
    enabled = {code for code, _ in rules} - off_by_default
    for layer in settings.selections:
        decided = _decide(selectors, layer)
        turned_on = {code for code, on in decided.items() if on}
        turned_off = decided.keys() - turned_on
        enabled = turned_on if layer.select is not None else (enabled | turned_on) - turned_off
    if not enabled:
        raise ConfigError(
            "no rule is selected (select, extend-select and ignore leave none); "
            "select at least one, e.g. --select ALL"
        )
    return frozenset(enabled)


def _decide(selectors: RuleSelectors, layer: RuleSelection) -> dict[str, bool]:
    """What one layer says about each code it mentions: enabled or not."""
    chosen: dict[str, tuple[int, bool]] = {}
    for key, values, enabled in (
        ("select", layer.select or (), True),
        ("extend-select", layer.extend_select, True),
        ("ignore", layer.ignore, False),
    ):
        selectors.mark(chosen, values, enabled=enabled, where=layer.where(key))
    return {code: enabled for code, (_, enabled) in chosen.items()}


def rules_enabled_for(settings: Settings) -> Callable[[str | Path], frozenset[str]]:
    """The codes checked in each file: every rule's selection (default-off rules
    only when selected), less the file's per-file-ignores. Raises ConfigError for
    an unknown selector."""
    enabled = resolve_selection(settings, RULE_IDS, off_by_default=OFF_BY_DEFAULT)
    ignored_in = resolve_per_file_ignores(settings, RULE_IDS)
    return lambda path: enabled - ignored_in(path)


def resolve_per_file_ignores(
    settings: Settings, rules: Sequence[tuple[str, str]]
) -> Callable[[str | Path], frozenset[str]]:
    """A function from a file's path to the codes ignored in that file.
    Raises ConfigError for an unknown selector."""
    selectors = RuleSelectors(rules)
    compiled = [
        (PathPatterns([glob]), selectors.codes(codes, where=_per_file_where(settings, glob)))
        for glob, codes in settings.per_file_ignores
    ]

    def ignored_in(path: str | Path) -> frozenset[str]:
        if not compiled:
            return frozenset()
        relative = relative_to_root(path, settings.root)
        return frozenset().union(
            *(codes for patterns, codes in compiled if patterns.matches(relative))
        )

    return ignored_in


def _per_file_where(settings: Settings, glob: str) -> str:
    return f"{_display(settings.config_path)}: [tool.numbalint] per-file-ignores {glob!r}"


class RuleSelectors:
    """Turns selectors (code, name, code prefix, ALL) into rule codes."""

    def __init__(self, rules: Sequence[tuple[str, str]]) -> None:
        self._codes = tuple(code.upper() for code, _ in rules)
        self._code_of_name = {name.lower(): code.upper() for code, name in rules}

    def match(self, selector: str, *, where: str) -> tuple[frozenset[str], int]:
        """The codes a selector names, and how specific it is."""
        text = selector.strip()
        upper = text.upper()
        if upper == ALL:
            return frozenset(self._codes), 0
        code = self._code_of_name.get(text.lower())
        if code is not None:
            return frozenset({code}), len(code)
        prefixed = frozenset(c for c in self._codes if upper and c.startswith(upper))
        if prefixed:
            return prefixed, len(upper)
        raise ConfigError(f"{where}: unknown rule selector {selector!r}{self._hint(text)}")

    def codes(self, selectors: Iterable[str], *, where: str) -> frozenset[str]:
        return frozenset().union(*(self.match(s, where=where)[0] for s in selectors))

    def mark(
        self,
        chosen: dict[str, tuple[int, bool]],
        selectors: Iterable[str],
        *,
        enabled: bool,
        where: str,
    ) -> None:
        """Record `enabled` for each selected code unless a more specific selector decided it."""
        for selector in selectors:
            codes, specificity = self.match(selector, where=where)
            for code in codes:
                if specificity >= chosen.get(code, (-1, False))[0]:
                    chosen[code] = (specificity, enabled)

    def _hint(self, text: str) -> str:
        guess = closest(text, [*self._codes, *self._code_of_name])
        return f" (did you mean {guess!r}?)" if guess else "; expected a rule code, name, code prefix or ALL"


def _locate(start: Path) -> tuple[Path, dict[str, Any]] | None:
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            table = _read_table(candidate, required=False)
            if table is not None:
                return candidate, table
    return None


def _read_table(path: Path, *, required: bool) -> dict[str, Any] | None:
    """The file's [tool.numbalint] table; None if it has none and none is required."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{_display(path)}: cannot read: {error.strerror}") from None
    if b"numbalint" not in data and not required:
        return None  # not ours: skip the parse
    table = _parse_toml(path, data).get("tool", {}).get("numbalint")
    if table is None and required:
        raise ConfigError(f"{_display(path)}: no [tool.numbalint] table")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [tool.numbalint] must be a table")
    return table


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{_display(path)}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{_display(path)}: invalid TOML: {error}") from None


def _check_keys(table: Mapping[str, Any], path: Path | None) -> None:
    for key, value in table.items():
        where = f"{_display(path)}: [tool.numbalint]"
        rule = _KEYS.get(key)
        if rule is None:
            guess = closest(key, list(_KEYS))
            hint = f"did you mean {guess!r}?" if guess else f"known keys: {', '.join(_KEYS)}"
            raise ConfigError(f"{where} unknown key {key!r} ({hint})")
        if not rule.is_valid(value):
            raise ConfigError(f"{where} {key}: expected {rule.expected}, got {value!r}")


def _split(values: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or () for part in value.split(",") if part.strip())


def _flag(given: bool | None, configured: bool) -> bool:
    return configured if given is None else given


def _optional_tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _display(path: Path | None) -> str:
    if path is None:
        return "command line"
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
