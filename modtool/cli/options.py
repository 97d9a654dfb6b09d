"""Options shared by several commands (one definition, one help text)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from modtool.store import DEFAULT_DB, Store, open_store

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MODTOOL_DB",
    default=DEFAULT_DB,
    show_default=True,
    show_envvar=True,
    help="SQLite database to use (created if missing).",
)

thread_option = click.option(
    "--thread",
    "thread_ref",
    metavar="ID",
    default=None,
    help="Thread id or source path (default: all threads, or the latest for views).",
)


def store_for(db_path: Path) -> Store:
    """Open the store for a command (errors become one-line messages)."""
    return open_store(db_path)
