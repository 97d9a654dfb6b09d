"""Options shared by several commands (one definition, one help text)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from modtool.store import DEFAULT_DB, Store, open_store

F = TypeVar("F", bound=Callable[..., Any])

MAX_ID = 2**63 - 1
"""SQLite's largest integer: every database id and count fits below it."""

CREATING_COMMANDS = frozenset({"import", "fetch", "tui"})
"""Commands that bring new data from outside and so may create a database
(``tui`` only with a FILE: it checks that itself). Every other command refuses a
missing ``--db`` instead of leaving an empty file behind a typo."""


class IdType(click.ParamType):
    """A whole number from 1 to 2^63-1 (a database id, a count, a limit).

    One type for every such option, so a number SQLite cannot hold is refused
    by click in one line, before anything is opened or written.
    """

    name = "integer"

    def __init__(self, what: str = "an id", *, accept_hash: bool = False) -> None:
        self.what = what
        self.accept_hash = accept_hash

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if self.accept_hash and text.startswith("#"):
                text = text[1:]
            if not text.isascii() or not text.isdigit():
                self.fail(f"{value!r} is not a whole number ({self.what})", param, ctx)
            number = int(text)
        if not 1 <= number <= MAX_ID:
            shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:27]}…"
            self.fail(f"{shown} is out of range ({self.what}: 1 to 2^63-1)", param, ctx)
        return number


ID = IdType("a database id", accept_hash=True)
COUNT = IdType("a count")


class ThreadRefType(click.ParamType):
    """A thread id or source path; an id must fit SQLite (1 to 2^63-1)."""

    name = "thread"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        bare = text[1:] if text.startswith("#") else text
        if bare.isascii() and bare.isdigit():
            return str(ID.convert(bare, param, ctx))
        return text


THREAD_REF = ThreadRefType()


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MODTOOL_DB",
    default=DEFAULT_DB,
    show_default=True,
    show_envvar=True,
    help="SQLite database to use (only `import`, `fetch` and `tui FILE` create it).",
)

thread_option = click.option(
    "--thread",
    "thread_ref",
    metavar="ID",
    type=THREAD_REF,
    default=None,
    help="Thread id or source path (default: all threads, or the latest for views).",
)

wide_option = click.option(
    "--wide", is_flag=True, help="Every column, however wide (default: what fits the terminal)."
)

JSON_HELP = {
    "lines": "One JSON object per line, whole values (instead of the table).",
    "document": "One JSON document, whole values (instead of the tables).",
}


def table_options(json: str = "document") -> Callable[[F], F]:
    """``--wide`` and ``--json``: the one set of options every command that prints a
    table takes (the parameters arrive as ``wide`` and ``as_json``).

    ``json`` says what ``--json`` prints: ``"lines"`` (one object per row, for
    streams such as the log or the queue) or ``"document"`` (one JSON value).
    """
    if json not in JSON_HELP:
        raise ValueError(f"json={json!r}: choose from {', '.join(JSON_HELP)}")

    def decorate(command: F) -> F:
        command = click.option("--json", "as_json", is_flag=True, help=JSON_HELP[json])(command)
        return wide_option(command)

    return decorate


threads_option = click.option(
    "--thread",
    "thread_refs",
    multiple=True,
    metavar="ID",
    type=THREAD_REF,
    help="Only this thread (id or source path); repeat for several. Default: all threads.",
)


def policy_option(
    help: str = "Policy file, ./policies/NAME.toml, or a shipped name (default: news-comments).",
    metavar: str = "FILE|NAME",
) -> Callable[[F], F]:
    """``--policy`` (parameter ``policy_ref``); each command says what the policy is for."""
    return click.option("--policy", "policy_ref", metavar=metavar, default=None, help=help)


LABELS_POLICY_HELP = "Policy file or shipped name whose labels count (default: news-comments)."


def load_policy_ref(policy_ref: str | None) -> Any:  # a Policy
    """The policy a ``--policy`` names, else the default (imported here, when a command
    runs, so ``--help`` stays fast)."""
    from modtool.policy import DEFAULT_POLICY, load_policy

    return load_policy(policy_ref or DEFAULT_POLICY)


def thread_id_of(store: Store, thread_ref: str | None) -> int | None:
    """The id of the thread a ``--thread`` names, or None when none was given."""
    return None if thread_ref is None else store.threads.resolve(thread_ref).id


def thread_ids(store: Store, refs: tuple[str, ...]) -> tuple[int, ...] | None:
    """The ids of the ``--thread`` choices of :data:`threads_option` (``None``: all)."""
    if not refs:
        return None
    return tuple(sorted({store.threads.resolve(ref).id for ref in refs}))


def store_for(db_path: Path, *, create: bool | None = None) -> Store:
    """Open the store for a command (errors become one-line messages).

    ``create=None`` decides by the running command: only
    :data:`CREATING_COMMANDS` may create a missing database; the rest say
    ``no database at PATH``.
    """
    if create is None:
        ctx = click.get_current_context(silent=True)
        create = ctx is not None and ctx.command.name in CREATING_COMMANDS
    return open_store(db_path, create=create)
