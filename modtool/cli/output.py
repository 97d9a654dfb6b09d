"""The one path by which the command line writes to a terminal or a pipe.

Everything a command prints may carry text from strangers (comment bodies,
author and moderator names, policy text, file names): it all goes through
:func:`modtool.safe_text.terminal_safe` here, so no escape sequence (an OSC 52
clipboard write, a screen clear) ever reaches the user's terminal, and Rich
consoles made here never parse markup in strings.

Rich renderables get the same guarantee twice: their untrusted cells are built
as ``Text(terminal_safe(s))`` (so widths are measured on the safe text), and the
consoles made here strip any control character left in the segments Rich draws
(a render hook: defence in depth for a cell someone forgot to wrap). Rich's own
styling codes are added after the hook, so colours still work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

from modtool.safe_text import CONTROL, terminal_safe


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print one message (stdout, or stderr with ``err=True``), made safe."""
    click.echo(terminal_safe(message), err=err, nl=nl)


def error(message: str) -> None:
    echo(f"modtool: error: {message}", err=True)


def warning(message: str) -> None:
    echo(f"modtool: warning: {message}", err=True)


def note(message: str) -> None:
    echo(f"modtool: note: {message}", err=True)


def raw_json(text: str) -> None:
    """Print JSON text (``json.dumps`` output: control characters are already
    escaped as ``\\u001b``, so nothing reaches the terminal raw)."""
    click.echo(terminal_safe(text))


def console(*, err: bool = False, **options: Any) -> Any:
    """A Rich console that never reads markup or emoji codes in plain strings.

    Renderables built from untrusted text must still wrap it as
    ``Text(terminal_safe(s))`` (``cli/render.py`` does). The width comes from
    ``COLUMNS`` or the terminal, as Rich decides.
    """
    from rich.console import Console

    made = Console(stderr=err, markup=False, emoji=False, highlight=False, **options)
    made.push_render_hook(_SafeHook())
    return made


def show(renderable: Any, *, err: bool = False, **options: Any) -> None:
    """Print one Rich renderable through a safe console."""
    console(err=err, **options).print(renderable)


def is_piped() -> bool:
    """Standard output is a pipe or a file and no width was asked for (``COLUMNS``):
    nobody reads a layout, so a stream of rows is printed one line per row."""
    import os
    import sys

    if os.environ.get("COLUMNS", "").strip():
        return False
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stdout
        return True


def terminal_width(default: int = 80) -> int:
    """The width tables are laid out for (``COLUMNS``, else the terminal, else 80)."""
    from rich.console import Console

    try:
        return Console().width or default
    except Exception:  # a width is never worth a crash
        return default


class _SafeHook:
    """A Rich render hook wrapping every printed renderable in :class:`_Stripped`."""

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_Stripped(r) for r in renderables]


class _Stripped:
    """Draw a renderable with control characters removed from its text segments."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any) -> Iterable[Any]:
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            if segment.control or not CONTROL.search(segment.text):
                yield segment
            else:
                yield Segment(CONTROL.sub("", segment.text), segment.style)
