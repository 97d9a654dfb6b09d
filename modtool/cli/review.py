"""``modtool progress`` and ``modtool queue``: what is left to review, from the CLI.

``queue`` lists comments in the moderation UI's own queue order (the same
:class:`modtool.moderation.Session` the UI drives: highest headline score
first, document order among equals, unscored last), so a moderator who
prefers a pager or a script sees what the UI would show next.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from modtool.cli import output, tables
from modtool.cli.options import THREAD_REF, db_option, store_for, table_options
from modtool.cli.tables import Column, Grid
from modtool.errors import InputError
from modtool.moderator import resolve_moderator
from modtool.safe_text import one_line

policy_option = click.option(
    "--policy",
    "policy_ref",
    metavar="FILE|NAME",
    default=None,
    help="Policy file or shipped name whose labels count (default: news-comments).",
)


def _load(policy_ref: str | None):  # -> Policy (lazy import keeps --help fast)
    from modtool.policy import DEFAULT_POLICY, load_policy

    return load_policy(policy_ref or DEFAULT_POLICY)


@click.command("progress")
@click.argument("thread_ref", metavar="[THREAD]", required=False, type=THREAD_REF)
@policy_option
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
    policy = _load(policy_ref)
    store = store_for(db_path)
    thread_id = None if thread_ref is None else store.threads.resolve(thread_ref).id
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


@click.command("queue")
@click.argument("thread_ref", metavar="[THREAD]", required=False, type=THREAD_REF)
@click.option("--unreviewed", is_flag=True, help="Only comments you have not reviewed.")
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Only comments whose headline score is at least X.",
)
@click.option("--label", "label_key", default=None, help="Only comments anyone gave label L.")
@click.option(
    "--moderator",
    "-m",
    default=None,
    help="Whose review state counts (default: $MODTOOL_MODERATOR, else the OS user).",
)
@click.option(
    "--sort",
    default="score",
    show_default=True,
    metavar="score|position|ATTRIBUTE",
    help="As the UI's Sort: highest headline score first, or document order; or highest "
    "score of one attribute first (e.g. threat, or a site model's site:spam).",
)
@policy_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@db_option
def queue_command(
    thread_ref: str | None,
    unreviewed: bool,
    min_score: float | None,
    label_key: str | None,
    moderator: str | None,
    sort: str,
    policy_ref: str | None,
    as_json: bool,
    db_path: Path,
) -> None:
    """The comments to review, in the UI's queue order: one line each with the id,
    path, author, headline score, suggested labels and first words.

    THREAD is an id or source path (default: the latest thread).

    \b
    Examples:
      modtool queue --unreviewed | less
      modtool queue 1 --min-score 0.5 --json
    """
    from modtool.moderation import SORTS, QueueFilter, Session
    from modtool.policy.attributes import is_known_attribute

    if sort not in SORTS and not is_known_attribute(sort):
        raise InputError(
            f"--sort {sort!r}: use score, position or an attribute (e.g. threat, site:spam)"
        )

    policy = _load(policy_ref)
    if label_key is not None:
        policy.label(label_key)  # an unknown label: one clear line
    who = resolve_moderator(moderator)
    store = store_for(db_path)
    thread = store.threads.resolve(thread_ref)
    session = Session(store, thread, policy, who).load()
    chosen = QueueFilter(unreviewed=unreviewed, min_score=min_score, label=label_key)
    order = session.queue(chosen, sort)
    for cid in order:
        comment = session.comment(cid)
        score = session.score_of(cid)
        suggested = session.suggested(cid)
        mine = session.mine(cid)
        if as_json:
            output.raw_json(
                json.dumps(
                    {
                        "id": cid,
                        "thread_id": thread.id,
                        "path": comment.path,
                        "author": comment.author,
                        "score": score,
                        "suggestions": suggested,
                        "state": mine.state,
                        "labels": sorted(mine.labels),
                        "edited_since_review": session.edited_since_review(cid),
                        "text": one_line(comment.body, 80),
                    },
                    ensure_ascii=False,
                )
            )
            continue
        shown = "-" if score is None else f"{score:.2f}"
        output.echo(
            f"#{cid} {comment.path} {one_line(comment.author, 30)}  {shown}  "
            f"{','.join(suggested) or '-'}  {one_line(comment.body, 60)}"
        )
    if not as_json:
        output.note(
            f"{len(order)} of {len(session)} comments of thread {thread.id} "
            f"({chosen.describe()}"
            f"; {who} under {policy.name})"
        )


COMMANDS = [progress_command, queue_command]
