"""``modtool import``, ``modtool threads``, ``modtool tree``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from modtool.cli.options import db_option, store_for
from modtool.cli.render import reply_tree, threads_table
from modtool.errors import ModtoolError
from modtool.importers import IMPORTERS
from modtool.ingest import import_path


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(IMPORTERS)),
    default=None,
    help="Document format (default: detected from content, then extension).",
)
@db_option
def import_command(files: tuple[Path, ...], format_name: str | None, db_path: Path) -> None:
    """Import thread documents into the database.

    Each document is one transaction: a bad document changes nothing. Importing
    the same document again is safe; a grown one keeps existing comment ids.

    \b
    Example:
      modtool import threads/sample-thread-korea-talks-collapse.txt
    """
    store = store_for(db_path)
    failed = 0
    for path in files:
        try:
            result = import_path(store, path, format_name)
        except ModtoolError as exc:
            failed += 1
            click.echo(f"modtool: error: {exc.message}", err=True)
            continue
        for warning in result.warnings:
            click.echo(f"modtool: warning: {warning}", err=True)
        verb = "imported" if result.created else "re-imported"
        changes = ", ".join(
            f"{count} {name}"
            for name, count in (
                ("new", result.added),
                ("unchanged", result.unchanged),
                ("edited", result.updated),
                ("moved", result.moved),
                ("gone from the document", result.missing),
            )
            if count
        )
        click.echo(
            f"{verb} {path} as thread {result.thread_id}: {result.total} comments"
            + (f" ({changes})" if changes else "")
        )
    if failed:
        raise SystemExit(1)


@click.command("threads")
@db_option
def threads_command(db_path: Path) -> None:
    """List threads: id, title, source, comments and maximum depth.

    \b
    Example:
      modtool threads --db site.db
    """
    store = store_for(db_path)
    threads = store.threads.list()
    if not threads:
        click.echo("no threads yet: run `modtool import FILE`", err=True)
        return
    Console().print(threads_table(threads))


@click.command("tree")
@click.argument("thread", required=False)
@click.option("--width", default=70, show_default=True, help="Characters of each body to show.")
@db_option
def tree_command(thread: str | None, width: int, db_path: Path) -> None:
    """Show the nested reply tree of THREAD (id or source; default: the latest).

    \b
    Example:
      modtool tree 1
    """
    store = store_for(db_path)
    found = store.threads.resolve(thread)
    Console().print(reply_tree(found, store.comments.iter_thread(found.id), preview=width))


COMMANDS = [import_command, threads_command, tree_command]
