"""Command line: argv -> settings -> runner -> output. Thin on purpose.

`numbalint [OPTIONS] PATH...` lints (`-` is standard input); `numbalint rule CODE`,
`numbalint verify ...` and `numbalint server` are subcommands. A folder named like
a subcommand is linted when written as a path (`./rule`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import click

from numbalint.version import __version__
from numbalint.output import FORMATS
from numbalint.limits import TASK_SECONDS
from numbalint.rules import ALL_RULES, find_rule

_LINT = "check"


class _LintByDefault(click.Group):
    """Anything that is not a subcommand goes to the hidden `check` command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands or args[0] == _LINT:
            args = [_LINT, *args]
        return super().parse_args(ctx, args)


class _LintCommand(click.Command):
    """The hidden `check` command, shown to users as plain `numbalint`."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        program = ctx.parent.command_path if ctx.parent is not None else ctx.command_path
        formatter.write_usage(program, " ".join(self.collect_usage_pieces(ctx)))


@click.group(cls=_LintByDefault, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """numbalint: a linter for multi-threaded Numba code."""


_EPILOG = """\b
Subcommands:
  numbalint rule CODE                       explain a rule (code or name)
  numbalint verify MODULE:FUNCTION --against NAME
                                            run your function against a reference kernel
  numbalint server                          the language server (LSP on stdin/stdout) for editors
Exit status: 0 no findings, 1 findings, 2 usage error or a file that could not be checked."""


@cli.command(_LINT, cls=_LintCommand, hidden=True, epilog=_EPILOG, context_settings={"max_content_width": 100})
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--output-format", type=click.Choice(FORMATS),
              help="How to print findings [default: full on a terminal, else concise].")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (codes, names, prefixes, ALL; comma-separated).")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to leave out.")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Paths to skip (gitignore-style), added to the config's.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Skip files that .gitignore files ignore when walking folders (default: on).")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply excludes to paths named on the command line too (as pre-commit names them).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Read this pyproject.toml instead of the nearest one.")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List each edit --fix made, once.")
@click.option("--add-noqa", is_flag=True, help="Add a `# noqa: CODE` to the line of every finding, in place.")
@click.option("--stdin-filename", metavar="PATH",
              help="Lint standard input as if it were the file PATH (its config applies; PATH is shown).")
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of stdout.")
@click.option("--statistics", is_flag=True, help="Print how many findings each rule made instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (2 still means a file could not be checked).")
@click.option("-q", "--quiet", count=True, help="Print findings only, no summary; -qq prints nothing.")
@click.option("--silent", is_flag=True, help="Print nothing; the exit status tells (same as -qq).")
@click.option("-v", "--verbose", is_flag=True, help="Say on stderr which configuration was read, the file counts and the time.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the results cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the results cache here (default: $NUMBALINT_CACHE_DIR, else .numbalint_cache in the project root).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=TASK_SECONDS, show_default=True,
              metavar="SECONDS", help="Give up on a file that takes longer than this to check.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: one per core for many files).")
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.version_option(__version__, "--version", prog_name="numbalint")
def check(
    paths: tuple[str, ...],
    output_format: str | None,
    output_file: Path | None,
    statistics: bool,
    exit_zero: bool,
    quiet: int,
    silent: bool,
    verbose: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    respect_gitignore: bool | None,
    force_exclude: bool | None,
    config_path: Path | None,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    add_noqa: bool,
    stdin_filename: str | None,
    no_cache: bool,
    cache_dir: Path | None,
    timeout: float,
    jobs: int | None,
    list_rules: bool,
) -> None:
    """Lint PATHs (files, folders, `-` for standard input; default: the current folder)
    for Numba threading mistakes."""
    if list_rules:
        click.echo(_rule_table() if output_format != "json" else _rule_json())
        return
    if add_noqa and (fix or diff):
        raise click.UsageError("--add-noqa cannot be combined with --fix or --diff: fix first, then add noqa")
    from numbalint.session import SILENT, LintRequest, lint

    stdin_name = _stdin_name(paths, stdin_filename)
    if add_noqa and stdin_name is not None:
        raise click.UsageError("--add-noqa writes the files it lints: name them instead of standard input")
    request = LintRequest(
        paths=() if stdin_name is not None else paths or (".",), stdin_filename=stdin_name,
        output_format=output_format, select=select or None,
        extend_select=extend_select, ignore=ignore, exclude=exclude, config=config_path,
        respect_gitignore=respect_gitignore, force_exclude=force_exclude,
        fix="off" if not (fix or diff) else ("unsafe" if unsafe_fixes else "safe"), diff=diff,
        show_fixes=show_fixes, cache=not no_cache, cache_dir=cache_dir, jobs=jobs, timeout=timeout,
        unsafe_fixes=unsafe_fixes,
        statistics=statistics, output_file=output_file, exit_zero=exit_zero,
        quiet=SILENT if silent else min(quiet, SILENT), verbose=verbose, add_noqa=add_noqa,
    )
    sys.exit(lint(request))


def _stdin_name(paths: tuple[str, ...], stdin_filename: str | None) -> str | None:
    """The path standard input is linted as (`-` when unnamed), or None when
    files are linted. `--stdin-filename` alone reads standard input, as in Ruff."""
    others = [path for path in paths if path != "-"]
    if stdin_filename is None and len(others) == len(paths):
        return None
    if others:
        raise click.UsageError(f"cannot lint {others[0]!r} together with standard input (`-` or --stdin-filename)")
    return stdin_filename or "-"


@cli.command("rule")
@click.argument("selector", metavar="CODE")
def rule(selector: str) -> None:
    """Explain a rule: what it flags, why, an example, what to write instead.

    \b
    CODE is a rule's code (NBL001) or its name (kernel-arity).
    numbalint --list-rules lists every rule."""
    found = find_rule(selector)
    if found is None:
        raise click.UsageError(f"no rule {selector!r}{_rule_hint(selector)}")
    click.echo(f"{found.code} ({found.name}): {found.summary}\nFix: {found.fix}\n")
    click.echo(found.documentation())


def _rule_hint(selector: str) -> str:
    """' (did you mean ...?)' for a near miss, else where to find the rules."""
    from numbalint.text import closest

    guess = closest(selector, [name for rule in ALL_RULES for name in (rule.code, rule.name)])
    return f" (did you mean {guess!r}?)" if guess else "; `numbalint --list-rules` lists them"


def _rule_json() -> str:
    import json

    rules = [{"code": r.code, "name": r.name, "summary": r.summary, "fix": r.fix} for r in ALL_RULES]
    return json.dumps(rules, indent=2)


def _rule_table() -> str:
    width = max(len(rule.name) for rule in ALL_RULES)
    fix_width = max(len(rule.fix) for rule in ALL_RULES)
    lines = [f"{'code':<7} {'name':<{width}}  {'fix':<{fix_width}}  summary"]
    lines += [f"{r.code:<7} {r.name:<{width}}  {r.fix:<{fix_width}}  {r.summary}" for r in ALL_RULES]
    return "\n".join(lines)


@cli.command("server")
def server() -> None:
    """Run the language server: LSP over stdin/stdout, for editors.

    \b
    Needs the `server` extra: pip install 'numbalint[server]'."""
    # pygls is imported here only: the lint path must not pay for it at start-up.
    try:
        from numbalint.lsp.server import serve
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] not in ("pygls", "lsprotocol"):
            raise
        click.echo("numbalint: error: the language server needs pygls: pip install 'numbalint[server]'", err=True)
        sys.exit(2)
    serve()


def _add_verify() -> None:
    # verify imports numba only when it runs; the command object itself is light.
    from numbalint.verify import verify

    cli.add_command(verify)


_add_verify()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: usage errors are one line on stderr and exit 2, never a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="numbalint", standalone_mode=False)
    except click.UsageError as error:
        click.echo(f"numbalint: error: {error.format_message()}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("numbalint: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        click.echo(f"numbalint: error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
