"""``modtool progress``: what is left to review, per thread and moderator (``modtool
queue``, the comments themselves in the UI's order, is in :mod:`modtool.cli.site`)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from modtool.cli import output, tables
from modtool.cli.options import (
    LABELS_POLICY_HELP,
    THREAD_REF,
    db_option,
    load_policy_ref,
    policy_option,
    store_for,
    table_options,
    thread_id_of,
)
from modtool.cli.tables import Column, Grid
from modtool.errors import InputError
from modtool.safe_text import one_line


@click.command("progress")
@click.argument("thread_ref", metavar="[THREAD]", required=False, type=THREAD_REF)
@policy_option(LABELS_POLICY_HELP)
@table_options()
@db_option
def progress_command(
    thread_ref: str | None, policy_ref: str | None, wide: bool, as_json: bool, db_path: Path
) -> None:
    """What is left to review: per thread and per moderator, reviewed, unreviewed,
    approved and labeled comments, and how often each label was given.

    \b
    Examples:
      modtool progress
      modtool progress 1 --policy news-comments --json
    """
    policy = load_policy_ref(policy_ref)
    store = store_for(db_path)
    thread_id = thread_id_of(store, thread_ref)
    summary = store.progress.summary(policy.name, thread_id)
    if not summary:
        raise InputError("the database has no threads yet: run `modtool import FILE` first")
    if as_json:
        output.raw_json(
            json.dumps(
                {"policy": policy.name, "threads": [t.as_json() for t in summary]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    keys = [label.key for label in policy.labels if label.action != "approve"]
    parts: list = []
    for thread in summary:
        parts.append(
            Text.assemble(
                (f"thread {thread.thread_id} ", "bold"),
                (one_line(thread.title, 60), "bold"),
                f": {thread.comments} comments, {thread.reviewed_by_anyone} reviewed by "
                f"someone, {thread.comments - thread.reviewed_by_anyone} by no one "
                f"(policy {one_line(policy.name, 40)})",
            )
        )
        if not thread.moderators:
            parts.append(Text("  nobody has reviewed anything here yet", style="dim"))
            continue
        order = {key: i for i, key in enumerate(keys)}
        grid = Grid(
            "",
            [
                Column("moderator"),
                Column("reviewed", 0, "right"),
                Column("unreviewed", 0, "right"),
                Column("approved", 1, "right"),
                Column("labeled", 1, "right"),
                Column("labels given", 0, fold=True, min_width=16),
            ],
        )
        for name in sorted(thread.moderators):
            entry = thread.moderators[name]
            given = sorted(entry.per_label.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
            grid.add_row(
                name,
                str(entry.reviewed),
                str(thread.comments - entry.reviewed),
                str(entry.approved),
                str(entry.labeled),
                ", ".join(f"{key}:{count}" for key, count in given) or "-",
            )
        parts.append(grid)
    tables.show(*parts, wide=wide)


COMMANDS = [progress_command]
