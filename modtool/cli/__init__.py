"""The ``modtool`` command line: a thin layer over the library.

Each command group lives in its own module and is registered here. Commands
raise :class:`~modtool.errors.ModtoolError`; :class:`ModtoolGroup` turns it into
one line on stderr and exit status 1 (2 for usage errors, 130 for Ctrl-C).
"""

from __future__ import annotations

import sys

import click

from modtool import __version__
from modtool.errors import ModtoolError


class ModtoolGroup(click.Group):
    """A click group that reports user errors in one line, without a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ModtoolError as exc:
            click.echo(f"modtool: error: {exc.message}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("modtool: interrupted; everything committed so far is kept", err=True)
            sys.exit(130)


@click.group(cls=ModtoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modtool")
def main() -> None:
    """Moderate comment threads and study their discourse from the terminal.

    \b
    Example, on the sample thread:
      modtool tui threads/sample-thread-korea-talks-collapse.txt
      modtool import threads/sample-thread-korea-talks-collapse.txt && modtool tree
    """


def _register() -> None:
    """Add every command module's ``COMMANDS`` (each module imports only what is
    light at start-up; torch and Textual load inside the commands that use them)."""
    from modtool.cli import export, policy, scoring, threads, tui

    for module in (threads, scoring, policy, tui, export):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
