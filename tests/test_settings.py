from pathlib import Path

import pytest

from numbalint.files import DEFAULT_EXCLUDES
from numbalint.settings import (
    ConfigError,
    RuleSelection,
    Settings,
    load_settings,
    resolve_per_file_ignores,
    resolve_selection,
)

RULES = [
    ("NBL001", "kernel-arity"),
    ("NBL002", "late-binding-closure"),
    ("NBL004", "missing-nogil"),
    ("NBL010", "prange-without-parallel"),
    ("NBL011", "parallel-without-prange"),
    ("NBL012", "prange-shared-write"),
]
ALL_CODES = frozenset(code for code, _ in RULES)


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def write_config(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    path.write_text(body)
    return path


def selection(**fields) -> frozenset[str]:
    return resolve_selection(Settings(root=Path("."), selections=(RuleSelection(**fields),)), RULES)


def layered(config: RuleSelection, command_line: RuleSelection) -> frozenset[str]:
    return resolve_selection(Settings(root=Path("."), selections=(config, command_line)), RULES)


def test_the_config_is_the_nearest_file_with_our_table(tmp_path):
    outer = write_config(tmp_path, "[tool.numbalint]\nignore = []\n")
    write_config(tmp_path / "pkg", "[project]\nname = 'x'\n")
    (tmp_path / "pkg" / "sub").mkdir()
    assert load_settings(tmp_path / "pkg" / "sub").config_path == outer
    inner = write_config(tmp_path / "pkg", "[tool.numbalint]\n")
    assert load_settings(tmp_path / "pkg" / "sub").config_path == inner


def test_no_config_means_defaults_rooted_at_cwd(tmp_path):
    settings = load_settings(tmp_path)
    assert (settings.root, settings.config_path) == (tmp_path, None)
    assert settings.exclude == DEFAULT_EXCLUDES
    assert (settings.respect_gitignore, settings.force_exclude) == (True, False)
    assert resolve_selection(settings, RULES) == ALL_CODES


def test_config_values_and_root(tmp_path):
    path = write_config(
        tmp_path,
        """
[tool.numbalint]
select = ["NBL00"]
extend-select = ["prange-shared-write"]
ignore = ["NBL002"]
extend-exclude = ["tests/fixtures"]
per-file-ignores = { "tests/*" = ["NBL001"] }
""",
    )
    (tmp_path / "src").mkdir()
    settings = load_settings(tmp_path / "src")
    assert settings.root == tmp_path
    assert settings.config_path == path
    assert settings.selections[0].select == ("NBL00",)
    assert settings.exclude == (*DEFAULT_EXCLUDES, "tests/fixtures")
    assert settings.per_file_ignores == (("tests/*", ("NBL001",)),)
    assert resolve_selection(settings, RULES) == {"NBL001", "NBL004", "NBL012"}


def test_cli_select_replaces_and_ignore_exclude_add(tmp_path):
    write_config(tmp_path, '[tool.numbalint]\nselect = ["NBL001"]\nignore = ["NBL002"]\nexclude = ["gen"]\n')
    settings = load_settings(
        tmp_path, select=["NBL004,NBL010"], ignore=["NBL010"], exclude=["*_pb2.py"]
    )
    config_layer, command_line_layer = settings.selections
    assert (config_layer.select, config_layer.ignore) == (("NBL001",), ("NBL002",))
    assert (command_line_layer.select, command_line_layer.ignore) == (("NBL004", "NBL010"), ("NBL010",))
    assert settings.exclude == ("gen", "*_pb2.py")
    assert resolve_selection(settings, RULES) == {"NBL004"}


def test_explicit_config_path(tmp_path):
    path = write_config(tmp_path / "conf", '[tool.numbalint]\nignore = ["NBL001"]\n')
    settings = load_settings(tmp_path, config=path)
    assert settings.selections[0].ignore == ("NBL001",)
    assert settings.root == tmp_path / "conf"


def test_gitignore_and_force_exclude_flags_from_config_then_command_line(tmp_path):
    write_config(tmp_path, "[tool.numbalint]\nrespect-gitignore = false\nforce-exclude = true\n")
    settings = load_settings(tmp_path)
    assert (settings.respect_gitignore, settings.force_exclude) == (False, True)
    settings = load_settings(tmp_path, respect_gitignore=True, force_exclude=False)
    assert (settings.respect_gitignore, settings.force_exclude) == (True, False)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[tool.numbalint]\nselect = "NBL001"\n',
            "pyproject.toml: [tool.numbalint] select: expected a list of rule codes or names, got 'NBL001'",
        ),
        (
            "[tool.numbalint]\nselct = []\n",
            "pyproject.toml: [tool.numbalint] unknown key 'selct' (did you mean 'select'?)",
        ),
        (
            "[tool.numbalint]\nextend_exclude = []\n",
            "pyproject.toml: [tool.numbalint] unknown key 'extend_exclude' (did you mean 'extend-exclude'?)",
        ),
        (
            "[tool.numbalint]\ncolour = true\n",
            "pyproject.toml: [tool.numbalint] unknown key 'colour' (known keys: select, "
            "extend-select, ignore, exclude, extend-exclude, per-file-ignores, respect-gitignore, "
            "force-exclude)",
        ),
        (
            '[tool.numbalint]\nforce-exclude = "yes"\n',
            "pyproject.toml: [tool.numbalint] force-exclude: expected true or false, got 'yes'",
        ),
        (
            '[tool.numbalint]\nper-file-ignores = { "a.py" = "NBL001" }\n',
            "pyproject.toml: [tool.numbalint] per-file-ignores: expected a table of glob = "
            "[rule codes or names], e.g. { \"tests/*\" = [\"NBL001\"] }, got {'a.py': 'NBL001'}",
        ),
        (
            "[tool.numbalint]\nselect = [\n",
            "pyproject.toml: invalid TOML: ",
        ),
        ("tool.numbalint = 3\n", "pyproject.toml: [tool.numbalint] must be a table"),
    ],
)
def test_config_errors_are_one_line(tmp_path, body, message):
    write_config(tmp_path, body)
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_invalid_toml_names_the_line(tmp_path):
    write_config(tmp_path, "[tool.numbalint]\nignore = []\nselect = [,]\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML: .*line 3"):
        load_settings(tmp_path)


def test_missing_explicit_config(tmp_path):
    with pytest.raises(ConfigError, match="nope.toml: cannot read: No such file"):
        load_settings(tmp_path, config=tmp_path / "nope.toml")


def test_explicit_config_without_our_table(tmp_path):
    path = write_config(tmp_path, "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: no \[tool.numbalint\] table"):
        load_settings(tmp_path, config=path)


def test_unrelated_broken_pyproject_is_skipped(tmp_path):
    write_config(tmp_path / "pkg", "[project\n")
    assert load_settings(tmp_path / "pkg").config_path is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ALL_CODES),
        ({"select": ("ALL",)}, ALL_CODES),
        ({"select": ("nbl001",)}, {"NBL001"}),
        ({"select": ("kernel-arity", "Missing-Nogil")}, {"NBL001", "NBL004"}),
        ({"select": ("NBL01",)}, {"NBL010", "NBL011", "NBL012"}),
        ({"ignore": ("NBL01",)}, {"NBL001", "NBL002", "NBL004"}),
        ({"select": ("ALL",), "ignore": ("NBL01",), "extend_select": ("NBL012",)},
         {"NBL001", "NBL002", "NBL004", "NBL012"}),
        ({"select": ("NBL012",), "ignore": ("ALL",)}, {"NBL012"}),
        ({"select": (), "extend_select": ("NBL004",)}, {"NBL004"}),
    ],
)
def test_selection(fields, expected):
    assert selection(**fields) == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"select": ("NBL-001",)}, "--select: unknown rule selector 'NBL-001' (did you mean 'NBL001'?)"),
        ({"ignore": ("kernal-arity",)}, "--ignore: unknown rule selector 'kernal-arity' (did you mean 'kernel-arity'?)"),
        ({"select": ("zzz",)}, "--select: unknown rule selector 'zzz'; expected a rule code, name, code prefix or ALL"),
    ],
)
def test_unknown_selector(fields, message):
    with pytest.raises(ConfigError) as raised:
        selection(**fields)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("config", "command_line", "expected"),
    [
        # The command line's select starts afresh: the config's ignore no longer applies.
        (RuleSelection(ignore=("NBL004",)), RuleSelection(select=("NBL004",)), {"NBL004"}),
        # Without a select, the command line adds to and takes from what the config left.
        (RuleSelection(select=("NBL001", "NBL004")), RuleSelection(ignore=("NBL004",)), {"NBL001"}),
        (RuleSelection(ignore=("NBL00",)), RuleSelection(extend_select=("NBL004",)), {"NBL004", "NBL010", "NBL011", "NBL012"}),
        (RuleSelection(select=("NBL01",)), RuleSelection(), {"NBL010", "NBL011", "NBL012"}),
    ],
)
def test_command_line_layer_applies_after_the_config(config, command_line, expected):
    assert layered(config, command_line) == expected


def test_command_line_select_reports_a_rule_the_config_ignores(tmp_path):
    write_config(tmp_path, '[tool.numbalint]\nignore = ["NBL004"]\n')
    assert resolve_selection(load_settings(tmp_path, select=["NBL004"]), RULES) == {"NBL004"}


def test_rules_off_by_default_run_only_when_named():
    off = frozenset({"NBL012"})
    default = resolve_selection(Settings(root=Path(".")), RULES, off_by_default=off)
    assert default == ALL_CODES - off
    for named in (("NBL012",), ("prange-shared-write",), ("NBL01",), ("ALL",)):
        settings = Settings(root=Path("."), selections=(RuleSelection(extend_select=named),))
        assert "NBL012" in resolve_selection(settings, RULES, off_by_default=off), named


@pytest.mark.parametrize(
    "fields",
    [
        {"select": ()},
        {"select": ("NBL001",), "ignore": ("kernel-arity",)},
        {"ignore": ("ALL",)},
    ],
)
def test_an_empty_selection_is_an_error(fields):
    with pytest.raises(ConfigError, match=r"^no rule is selected .*--select ALL$"):
        selection(**fields)


def test_unknown_selector_from_the_config_names_the_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.numbalint]\nignore = ["NBL999"]\n')
    settings = load_settings(tmp_path, ignore=["NBL001"])
    with pytest.raises(ConfigError, match=r"pyproject.toml: \[tool.numbalint\] ignore: unknown rule selector 'NBL999'"):
        resolve_selection(settings, RULES)


def test_per_file_ignores(tmp_path):
    write_config(
        tmp_path,
        '[tool.numbalint]\nper-file-ignores = { "tests/*" = ["NBL001"], "__init__.py" = ["NBL00"] }\n',
    )
    ignored_in = resolve_per_file_ignores(load_settings(tmp_path), RULES)
    assert ignored_in("tests/test_a.py") == {"NBL001"}
    assert ignored_in(tmp_path / "pkg" / "__init__.py") == {"NBL001", "NBL002", "NBL004"}
    assert ignored_in("src/a.py") == frozenset()


def test_per_file_ignores_unknown_selector_names_file(tmp_path):
    write_config(tmp_path, '[tool.numbalint]\nper-file-ignores = { "a.py" = ["NBL999"] }\n')
    with pytest.raises(
        ConfigError,
        match=r"^pyproject.toml: \[tool.numbalint\] per-file-ignores 'a.py': unknown rule selector 'NBL999'",
    ):
        resolve_per_file_ignores(load_settings(tmp_path), RULES)
