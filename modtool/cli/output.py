"""The one path by which the command line writes to a terminal or a pipe.

Everything a command prints may carry text from strangers (comment bodies,
author and moderator names, policy text, file names): it all goes through
:func:`modtool.safe_text.terminal_safe` here, so no escape sequence (an OSC 52
clipboard write, a screen clear) ever reaches the user's terminal, and Rich
consoles made here never parse markup in strings.
"""

from __future__ import annotations

from typing import Any

import click

from modtool.safe_text import terminal_safe


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print one message (stdout, or stderr with ``err=True``), made safe."""
    click.echo(terminal_safe(message), err=err, nl=nl)


def error(message: str) -> None:
    echo(f"modtool: error: {message}", err=True)


def warning(message: str) -> None:
    echo(f"modtool: warning: {message}", err=True)


def note(message: str) -> None:
    echo(f"modtool: note: {message}", err=True)


def console(*, err: bool = False, **options: Any) -> Any:
    """A Rich console that never reads markup or emoji codes in plain strings.

    Renderables built from untrusted text must still wrap it as
    ``Text(terminal_safe(s))`` (``cli/render.py`` does).
    """
    from rich.console import Console

    return Console(stderr=err, markup=False, emoji=False, highlight=False, **options)
