"""The ``modtool`` command line: a thin layer over the library.

Each command group lives in its own module and is registered here. Commands
raise :class:`~modtool.errors.ModtoolError`; :class:`ModtoolGroup` turns it,
any SQLite error (translated once, naming the file) and click's usage errors
into one line on stderr and exit status 1 (2 for usage errors, 130 for Ctrl-C).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from modtool import __version__
from modtool.cli import output
from modtool.errors import ModtoolError

ENV_PREFIX = "MODTOOL_"


class ModtoolGroup(click.Group):
    """A click group that reports user errors in one line, without a traceback."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        problem = undecodable_input(words, os.environ)
        if problem:
            output.error(problem)
            sys.exit(2)
        try:
            result = super().main(
                words, prog_name or "modtool", complete_var, standalone_mode=False, **extra
            )
        except click.exceptions.Abort:
            output.error("interrupted; everything committed so far is kept")
            sys.exit(130)
        except click.ClickException as exc:
            help_only = getattr(click.exceptions, "NoArgsIsHelpError", ())
            if isinstance(exc, help_only) and exc.ctx is not None:  # `modtool` alone
                output.echo(exc.ctx.get_help())
                sys.exit(0)
            output.error(_usage_line(exc))
            sys.exit(exc.exit_code)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ModtoolError as exc:
            output.error(exc.message)
            sys.exit(exc.exit_code)
        except sqlite3.Error as exc:
            from modtool.store import last_opened
            from modtool.store.sqlite_errors import translate

            output.error(translate(exc, last_opened()).message)
            sys.exit(1)
        except OverflowError as exc:
            if "SQLite" not in str(exc):
                raise
            output.error("a number is too large for the database (ids go up to 2^63-1)")
            sys.exit(2)
        except KeyboardInterrupt:
            output.error("interrupted; everything committed so far is kept")
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`modtool queue --json | head -50`): not an error.
            # Point stdout at /dev/null so Python's exit flush does not fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)


def _usage_line(exc: click.ClickException) -> str:
    """click's error in one line, with where to look (no usage block)."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message
    return f"{ctx.command_path}: {message} (see `{ctx.command_path} --help`)"


def undecodable_input(words: Sequence[str], environ: os._Environ[str] | dict[str, str]) -> str:
    """A message naming the first argument or ``MODTOOL_*`` variable that is not UTF-8.

    Python decodes such bytes to lone surrogates; they would fail later, half
    way through a command (after a policy row was written). Checked at start-up,
    before anything runs.
    """
    for index, word in enumerate(words, start=1):
        if _has_surrogates(word):
            return (
                f"command-line argument {index} ({_shown(word)}) is not valid UTF-8 text; "
                "give names, labels and paths as UTF-8"
            )
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX) and (_has_surrogates(name) or _has_surrogates(value)):
            return (
                f"environment variable {_shown(name)} ({_shown(value)}) is not valid UTF-8 "
                "text; set it to UTF-8 or unset it"
            )
    return ""


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _shown(text: str) -> str:
    raw = os.fsencode(text)
    shown = repr(raw)[2:-1] if _has_surrogates(text) else text
    return shown if len(shown) <= 40 else shown[:39] + "…"


@click.group(cls=ModtoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modtool")
def main() -> None:
    """Moderate comment threads and study their discourse from the terminal.

    \b
    Example, on the sample thread:
      modtool tui --sample
      modtool import threads/sample-thread-korea-talks-collapse.txt && modtool tree
    """


def _accept_db(command: click.Command) -> None:
    """Give every command a ``--db`` (the README's promise), ignored by those that
    read no database (``policy check`` …), so a script can pass it everywhere."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_db(sub)
        return
    if any("--db" in getattr(param, "opts", ()) for param in command.params):
        return
    command.params.append(
        click.Option(
            ["--db", "unused_db_path"],
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            help="Accepted for uniformity; this command reads no database.",
        )
    )


def _register() -> None:
    """Add every command module's ``COMMANDS`` (each module imports only what is
    light at start-up; torch and Textual load inside the commands that use them)."""
    from modtool.cli import (
        bulk,
        decisions,
        evaluate,
        export,
        fetch,
        import_labels,
        labeling,
        models,
        policy,
        review,
        scoring,
        site,
        threads,
        train,
        tui,
    )

    for module in (
        threads, fetch, scoring, models, policy, labeling, review, site, bulk, tui, export,
        import_labels,
        decisions, evaluate, train,
    ):  # fmt: skip
        for command in module.COMMANDS:
            _accept_db(command)
            main.add_command(command)


_register()
