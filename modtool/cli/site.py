"""``modtool queue``, ``modtool author``, ``modtool search``: the site's comments from
the command line, in the moderation UI's own order (the same
:class:`~modtool.moderation.SiteSession`), as a table or as JSON lines.

A table shows the first ``--limit`` rows (50) laid out by the shared Grid; ``--json``
streams every row a page at a time, so ``modtool queue --json | head -50`` on a
million comments answers as fast as the first page.
"""

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
from modtool.importers.records import STATUSES
from modtool.moderator import resolve_moderator
from modtool.safe_text import one_line

TABLE_LIMIT = 50

moderator_option = click.option(
    "--moderator",
    "-m",
    default=None,
    help="Whose review state counts (default: $MODTOOL_MODERATOR, else the OS user).",
)
limit_option = click.option(
    "--limit",
    type=click.IntRange(0, 2**63 - 1),
    default=None,
    help=f"At most N rows (0: all; default: {TABLE_LIMIT} in a table, all with --json).",
)


def _session(db_path: Path, policy_ref: str | None, moderator: str | None):
    from modtool.moderation import SiteSession

    policy = load_policy_ref(policy_ref)
    store = store_for(db_path)
    return SiteSession(store, policy, resolve_moderator(moderator)), policy


class MinScore(click.ParamType):
    """``0.8`` (the headline score) or ``insult=0.5`` (that attribute)."""

    name = "[ATTR=]X"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, tuple):
            return value
        text = str(value)
        attribute, _, number = text.rpartition("=")
        try:
            minimum = float(number)
        except ValueError:
            self.fail(f"{text!r}: give a number from 0 to 1, or ATTRIBUTE=NUMBER", param, ctx)
        if not 0.0 <= minimum <= 1.0:
            self.fail(f"{text!r}: a score is from 0 to 1", param, ctx)
        return (attribute.strip() or None, minimum)


@click.command("queue")
@click.argument("thread_arg", metavar="[THREAD]", required=False, type=THREAD_REF)
@click.option("--thread", "thread_ref", metavar="ID", type=THREAD_REF, help="Only this thread.")
@click.option("--platform", default=None, help="Only threads from this platform (reddit, …).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only comments with this platform status (repeat for several).",
)
@click.option("--since", metavar="DATE", default=None, help="Written on or after DATE (ISO).")
@click.option("--until", metavar="DATE", default=None, help="Written before DATE (ISO).")
@click.option("--author", default=None, help="Only this author (see `modtool author`).")
@click.option(
    "--min-score",
    "min_scores",
    multiple=True,
    type=MinScore(),
    help="Headline score at least X, or ATTR=X for any attribute (repeat to combine).",
)
@click.option("--label", "label_key", default=None, help="Only comments anyone gave label L.")
@click.option(
    "--suggested", default=None, metavar="L|any", help="Only comments the policy suggests L for."
)
@click.option("--unreviewed", is_flag=True, help="Only comments you have not reviewed.")
@click.option("--unmoderated", is_flag=True, help="Only comments nobody has reviewed.")
@click.option("--search", "search_text", default=None, help="Only comments matching a search.")
@click.option(
    "--sort",
    default="score",
    show_default=True,
    metavar="score|newest|thread|ATTRIBUTE",
    help="Highest headline score first, newest first, thread order (position: the same), "
    "or highest score of one attribute first (e.g. threat, a site model's site:spam).",
)
@moderator_option
@policy_option(LABELS_POLICY_HELP)
@limit_option
@table_options(json="lines")
@db_option
def queue_command(
    thread_arg: str | None,
    thread_ref: str | None,
    platform: str | None,
    statuses: tuple[str, ...],
    since: str | None,
    until: str | None,
    author: str | None,
    min_scores: tuple[tuple[str | None, float], ...],
    label_key: str | None,
    suggested: str | None,
    unreviewed: bool,
    unmoderated: bool,
    search_text: str | None,
    sort: str,
    moderator: str | None,
    policy_ref: str | None,
    limit: int | None,
    as_json: bool,
    wide: bool,
    db_path: Path,
) -> None:
    """The comments to review across the whole site (every thread), in the UI's
    queue order; THREAD (or --thread) narrows to one thread. Filters combine.

    --unreviewed: comments you have not reviewed (or that were edited after
    you did); --unmoderated: comments nobody has reviewed, skipping those
    another moderator has open (claimed) in the UI: the team's queue.

    \b
    Examples:
      modtool queue --unmoderated --min-score 0.7
      modtool queue 12 --unreviewed
      modtool queue --platform reddit --since 2024-05-01 --min-score insult=0.5
      modtool queue --json | head -50
    """
    from modtool.moderation import QueueFilter

    if thread_arg is not None and thread_ref is not None and thread_arg != thread_ref:
        raise InputError("give the thread once: THREAD or --thread")
    session, policy = _session(db_path, policy_ref, moderator)
    if label_key is not None:
        policy.label(label_key)  # an unknown label: one clear line
    if suggested is not None and suggested != "any":
        policy.label(suggested)
    store = session.store
    ref = thread_arg or thread_ref
    thread_id = None if ref is None else store.threads.resolve(ref).id
    headline = [m for a, m in min_scores if a is None]
    chosen = QueueFilter(
        thread_id=thread_id,
        platform=platform,
        statuses=statuses,
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        author=author,
        min_score=max(headline) if headline else None,
        min_scores=tuple((a, m) for a, m in min_scores if a is not None),
        label=label_key,
        suggestion=None if suggested is None else ("*" if suggested == "any" else suggested),
        unreviewed=unreviewed,
        unmoderated=unmoderated,
        text=search_text,
    )
    order = "thread" if sort == "position" else sort
    rows = session.rows(chosen, order, skip_claimed=unmoderated)
    print_rows(
        session,
        rows,
        limit=limit,
        as_json=as_json,
        wide=wide,
        title="",
        about=f"{chosen.describe()}; {session.moderator} under {policy.name}; "
        f"{_order_text(session, order)}",
    )


def _order_text(session, order: str) -> str:  # type: ignore[no-untyped-def]
    if order not in ("score", "newest", "thread"):
        return f"by {order} ({session.model_for(order)}), highest first"
    if order == "score":
        if session.score is None:
            return "nothing scored yet: id order"
        return f"by score ({session.score[0]} {session.score[1]}), highest first"
    return "newest first" if order == "newest" else "in thread order"


def _date(value: str | None, option: str) -> str | None:
    """An ISO 8601 date or time, checked (a typo would silently match nothing)."""
    if value is None:
        return None
    from datetime import datetime

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option} {value!r}: give a date as YYYY-MM-DD (or an ISO time)"
        ) from None
    return value


def print_rows(session, rows, *, limit, as_json, wide, title, about) -> None:  # type: ignore[no-untyped-def]
    """The rows as JSON lines (streamed) or a Grid (at most ``limit``), then a note."""
    from modtool.moderation.describe import comment_json

    cap = (0 if as_json else TABLE_LIMIT) if limit is None else limit
    shown = 0
    if as_json:
        index = 0
        while cap == 0 or index < cap:
            if index >= len(rows):
                if rows.complete or not rows.load_more():
                    break
                continue
            output.raw_json(json.dumps(comment_json(session, rows[index]), ensure_ascii=False))
            index += 1
        return
    if cap:
        rows.ensure(cap + 1)
    ids = list(rows) if cap == 0 else list(rows[:cap])
    if cap == 0:
        while rows.load_more():
            ids = list(rows)
    grid = comment_grid(session, ids, title)
    shown = len(ids)
    if shown:
        tables.show(grid, wide=wide)
    more = len(rows) > shown or not rows.complete
    if not shown:
        output.note(f"no comments match ({about})")
    elif more:
        output.note(
            f"the first {shown} shown ({about}); more match: --limit N, --limit 0 or --json"
        )
    else:
        output.note(f"{shown} comment{'s' if shown != 1 else ''} ({about})")


def comment_grid(session, ids: list[int], title: str) -> Grid:  # type: ignore[no-untyped-def]
    """``# thread author score yours suggested text``: honest column names (``yours``:
    your review; ``suggested``: the policy's suggestions, not labels). The thread
    title and author are cut short, the text to about two lines of what is left."""
    width = output.terminal_width()
    text_chars = max(24, 2 * (width - 62))
    grid = Grid(
        title,
        stream=True,
        columns=[
            Column("#", 0, "right"),
            Column("thread", 2),
            Column("author", 0),
            Column("score", 0, "right"),
            Column("yours", 1),
            Column("suggested", 3),
            Column("text", 0, fold=True, min_width=16),
        ],
    )
    for cid in ids:
        comment = session.comment(cid)
        thread = session.thread_of(cid)
        score = session.score_of(cid)
        mine = session.mine(cid)
        yours = "✓" if mine.state == "approved" else ",".join(sorted(mine.labels))
        if session.edited_since_review(cid):
            yours = (yours + " " if yours else "") + "✎edited"
        claim = session.claim_of(cid)
        text = one_line(comment.body, text_chars)
        if claim is not None:
            text = f"[{one_line(claim.moderator, 12)} has it open] {text}"
        grid.add_row(
            Text(f"{cid}"),
            f"{thread.id} {one_line(thread.title, 14)}",
            one_line(comment.author, 14),
            "-" if score is None else f"{score:.2f}",
            yours or "-",
            ",".join(session.suggested(cid)) or "-",
            text,
        )
    return grid


@click.command("author")
@click.argument("name")
@click.option("--platform", default=None, help="The platform, when the name is on several.")
@click.option("--thread", "thread_ref", metavar="ID", type=THREAD_REF, help="Only this thread.")
@moderator_option
@policy_option(LABELS_POLICY_HELP)
@limit_option
@table_options(json="lines")
@db_option
def author_command(
    name: str,
    platform: str | None,
    thread_ref: str | None,
    moderator: str | None,
    policy_ref: str | None,
    limit: int | None,
    as_json: bool,
    wide: bool,
    db_path: Path,
) -> None:
    """Everything one commenter wrote across the site, newest first, with counts.

    A commenter is their platform account where the platform has one (Reddit,
    Hacker News, Discourse, ConvoKit speakers, a Disqus username), else their
    name within one platform (WordPress, plain text); the output says which.

    \b
    Examples:
      modtool author spez
      modtool author "Nick Rhynes" --json
    """
    from modtool.moderation import QueueFilter

    session, policy = _session(db_path, policy_ref, moderator)
    ref = session.author(name, platform)
    thread_id = thread_id_of(session.store, thread_ref)
    rows = session.rows(QueueFilter(author_ref=ref, thread_id=thread_id), "newest")
    match = next(m for m in session.store.authors.find(name, platform) if m.ref == ref)
    labelled, by_label = session.store.authors.label_counts(ref, policy.name)
    counts = ", ".join(f"{label} {count}" for label, count in by_label.items())
    summary = (
        f"{ref.describe()}: {match.comments} comment{'s' if match.comments != 1 else ''}, "
        f"{labelled} labeled under {policy.name}" + (f" ({counts})" if counts else "")
    )
    if len(match.names) > 1:
        summary += f"; names used: {', '.join(one_line(n, 30) for n in match.names)}"
    if as_json:
        output.raw_json(
            json.dumps(
                {
                    "author": ref.value,
                    "platform": ref.platform,
                    "matched_by": "account" if ref.by_account else "name",
                    "names": list(match.names),
                    "comments": match.comments,
                    "labeled": labelled,
                    "labels": by_label,
                },
                ensure_ascii=False,
            )
        )
    else:
        output.echo(summary)
    print_rows(
        session,
        rows,
        limit=limit,
        as_json=as_json,
        wide=wide,
        title="",
        about=f"by {ref.value} on {ref.platform}, newest first",
    )


@click.command("search")
@click.argument("query")
@click.option("--thread", "thread_ref", metavar="ID", type=THREAD_REF, help="Only this thread.")
@moderator_option
@policy_option(LABELS_POLICY_HELP)
@limit_option
@table_options(json="lines")
@db_option
def search_command(
    query: str,
    thread_ref: str | None,
    moderator: str | None,
    policy_ref: str | None,
    limit: int | None,
    as_json: bool,
    wide: bool,
    db_path: Path,
) -> None:
    """Full-text search across the site: comment text and authors, and thread titles
    (SQLite FTS5: whole words, "a phrase", prefix*, AND OR NOT, author:NAME).

    \b
    Examples:
      modtool search idiot
      modtool search '"troop payment" OR tribute' --thread 1 --json
    """
    from modtool.moderation.rows import LazyRows
    from modtool.store.fts import FEW
    from modtool.store.queue import QueueRow

    session, _ = _session(db_path, policy_ref, moderator)
    store = session.store
    thread_id = thread_id_of(store, thread_ref)
    ranked = store.search.few(query)  # ranking a common word's every match: seconds
    total = store.search.count(query, thread_id=thread_id) if ranked else None

    def fetch(after: tuple | None, count: int) -> list[QueueRow]:
        start = 0 if after is None else after[0] + 1
        found = store.search.comment_ids(
            query, thread_id=thread_id, limit=count, offset=start, ranked=ranked
        )
        return [QueueRow(cid, (start + i,)) for i, cid in enumerate(found)]

    rows = LazyRows(fetch, loaded=session.load)
    if thread_id is None:
        titles = store.search.threads(query, limit=5)
        for hit in titles:
            if as_json:
                output.raw_json(
                    json.dumps({"thread_id": hit.id, "thread_title": hit.title}, ensure_ascii=False)
                )
            else:
                output.echo(f"thread {hit.id}: {one_line(hit.title, 100)}")
    print_rows(
        session,
        rows,
        limit=limit,
        as_json=as_json,
        wide=wide,
        title="",
        about=(
            f"{total} comment{'s' if total != 1 else ''} match {one_line(query, 60)!r}, best first"
            if total is not None
            else f"over {FEW:,} comments match {one_line(query, 60)!r}: newest first"
        ),
    )


COMMANDS = [queue_command, author_command, search_command]
