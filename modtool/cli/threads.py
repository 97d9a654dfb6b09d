"""``modtool import``, ``modtool threads``, ``modtool tree``."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from modtool.cli import output
from modtool.cli.import_report import print_import_report
from modtool.cli.options import (
    THREAD_REF,
    db_option,
    load_policy_ref,
    policy_option,
    store_for,
    table_options,
)
from modtool.cli.render import TreeCut, reply_tree, threads_table
from modtool.cli.tables import show
from modtool.errors import InputError, ModtoolError
from modtool.importers import IMPORTERS
from modtool.ingest import ImportReport, import_path, import_together, multi_file_format
from modtool.models import Thread
from modtool.store import Store
from modtool.store.threadstats import SORTS as THREAD_SORTS

STDIN = "-"


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(IMPORTERS)),
    default=None,
    help="Document format (default: detected from content, then extension).",
)
@click.option(
    "--replace-thread",
    type=click.IntRange(1, 2**63 - 1),
    metavar="ID",
    default=None,
    help="Store the document's thread as thread ID even though its identity changed "
    "(a plain-text document whose title or article was edited).",
)
@db_option
def import_command(
    files: tuple[Path, ...], format_name: str | None, replace_thread: int | None, db_path: Path
) -> None:
    """Import thread documents (files, `-` for stdin, a folder: ConvoKit, API answers, a dump).

    A document may hold many threads (a WordPress or Disqus export): each is
    stored on its own, and one bad thread does not stop the others. An error in
    the document itself stores nothing of it. Importing the same document again
    changes nothing; a newer export adds new comments and updates edited ones,
    keeping ids, labels and scores. Files of a format that spreads over several
    files (API answer pages, a Mastodon status and its context, Stack Exchange's
    Posts.xml and Comments.xml) named together are one document.

    \b
    Example:
      modtool import threads/sample-thread-korea-talks-collapse.txt
      modtool import site-export.xml disqus-export.xml
      modtool import --format reddit - < listing.json
      modtool import status.json context.json
    """
    if replace_thread is not None and len(files) > 1:
        raise InputError("--replace-thread takes one document")
    store = store_for(db_path)
    failed = threads = comments = 0
    documents = _documents(files, format_name) if replace_thread is None else [([*files], None)]
    for paths, together in documents:
        shown = " + ".join(map(str, paths))
        try:
            if together is not None and len(paths) > 1:
                report = import_together(store, paths, together)
            else:
                report = _import_one(store, paths[0], format_name, replace_thread)
        except ModtoolError as exc:
            failed += 1
            output.error(exc.message)
            continue
        print_import_report(report, shown)
        threads += len(report.threads)
        comments += report.total
        failed += bool(report.failures)
    documents_count = len(documents)
    summary = (
        f"{documents_count:,} document{'s' if documents_count != 1 else ''}: "
        f"{threads:,} thread{'s' if threads != 1 else ''} stored, {comments:,} comments"
    )
    if documents_count > 1 or threads > 1:  # one document, one thread: its line says it all
        if failed:
            output.error(f"{summary}; {failed:,} with errors (see above)")
        else:
            output.echo(summary)
    if failed:
        raise SystemExit(1)


def _documents(
    files: tuple[Path, ...], format_name: str | None
) -> list[tuple[list[Path], str | None]]:
    """The documents named: each file alone, except that files of one format whose
    documents may be several files are one document (in the order named, placed
    where the first of them was)."""
    documents: list[tuple[list[Path], str | None]] = []
    together: dict[str, list[Path]] = {}
    for path in files:
        format_of = None if str(path) == STDIN else multi_file_format(path, format_name)
        if format_of is None:
            documents.append(([path], None))
        elif format_of in together:
            together[format_of].append(path)
        else:
            together[format_of] = [path]
            documents.append((together[format_of], format_of))
    return documents


def _import_one(
    store: Store, path: Path, format_name: str | None, replace_thread: int | None
) -> ImportReport:
    if str(path) != STDIN:
        return import_path(store, path, format_name, replace_thread=replace_thread)
    with _spooled_stdin() as spooled:
        report = import_path(
            store, spooled, format_name, replace_thread=replace_thread, source="<stdin>"
        )
    report.path = Path(STDIN)
    return report


@contextlib.contextmanager
def _spooled_stdin():  # type: ignore[no-untyped-def]
    """Standard input copied to a temporary file, so it is read like any file
    (sniffed, re-read when needed, parsed in a child process)."""
    handle, name = tempfile.mkstemp(prefix="modtool-stdin-")
    try:
        with os.fdopen(handle, "wb") as spool:
            shutil.copyfileobj(sys.stdin.buffer, spool, 1 << 20)
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


@click.command("threads")
@click.option(
    "--sort",
    type=click.Choice(THREAD_SORTS),
    default="id",
    show_default=True,
    help="By id, newest first, or most comments / unreviewed / unmoderated / hottest first.",
)
@click.option(
    "--moderator",
    "-m",
    default=None,
    help="Whose unreviewed comments count (default: $MODTOOL_MODERATOR, else the OS user).",
)
@policy_option("The policy reviews count under (default: news-comments).")
@table_options()
@db_option
def threads_command(
    sort: str,
    moderator: str | None,
    policy_ref: str | None,
    wide: bool,
    as_json: bool,
    db_path: Path,
) -> None:
    """List threads: id, title, platform and id, comments, those you have not
    reviewed, those nobody has, the hottest score, orphans, missing, dates, source.

    \b
    Examples:
      modtool threads --db site.db
      modtool threads --sort unmoderated -m ana
      modtool threads --sort hottest --json
    """
    from modtool.moderation import site_headline
    from modtool.moderator import resolve_moderator
    from modtool.store.threadstats import sort_stats

    policy = load_policy_ref(policy_ref)
    who = resolve_moderator(moderator)
    store = store_for(db_path)
    threads = {t.id: t for t in store.threads.list()}
    stats = store.thread_stats.stats(policy.name, who, site_headline(store.scores.models()))
    order = [s.id for s in sort_stats(list(stats.values()), sort)]
    if sort == "newest":
        order = sorted(threads, key=lambda i: (threads[i].created_at or threads[i].imported_at, i))
        order.reverse()
    listed = [threads[i] for i in order if i in threads]
    if as_json:
        rows = [thread_json(t) | {k: stats[t.id].as_json()[k] for k in STAT_KEYS} for t in listed]
        output.raw_json(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not listed:
        output.echo("no threads yet: run `modtool import FILE`", err=True)
        return
    show(threads_table(listed, stats), wide=wide)
    output.note(f"unreviewed: by {who}; unmoderated: by nobody (under {policy.name})")


STAT_KEYS = ("unreviewed", "unmoderated", "hottest")


def thread_json(thread: Thread) -> dict[str, object]:
    """A thread's row of ``threads --json`` (everything but the article text)."""
    return {
        "id": thread.id,
        "title": thread.title,
        "platform": thread.platform,
        "external_id": thread.external_id,
        "url": thread.url,
        "source": thread.source,
        "format": thread.format,
        "comments": thread.comment_count,
        "orphans": thread.orphan_count,
        "missing": thread.missing,
        "max_depth": thread.max_depth,
        "created_at": thread.created_at,
        "first_comment_at": thread.first_comment_at,
        "last_comment_at": thread.last_comment_at,
        "imported_at": thread.imported_at,
    }


@click.command("tree")
@click.argument("thread", required=False, type=THREAD_REF)
@click.option(
    "--width",
    type=click.IntRange(1, 100_000),
    default=70,
    show_default=True,
    help="Characters of each body to show.",
)
@click.option(
    "--depth",
    "max_depth",
    type=click.IntRange(0, 10**6),
    default=None,
    help="Show replies down to this depth only (0 = top-level comments).",
)
@click.option(
    "--limit", type=click.IntRange(1, 10**9), default=None, help="Show at most this many comments."
)
@click.option(
    "--all", "show_all", is_flag=True, help="Show every comment (cancels --depth/--limit)."
)
@click.option("--labels", "show_labels", is_flag=True, help="Show the labels a majority gave.")
@click.option("--scores", "show_scores", is_flag=True, help="Show each comment's headline score.")
@click.option(
    "--policy", default=None, help="Policy whose labels --labels shows (default: the only one)."
)
@db_option
def tree_command(
    thread: str | None,
    width: int,
    max_depth: int | None,
    limit: int | None,
    show_all: bool,
    show_labels: bool,
    show_scores: bool,
    policy: str | None,
    db_path: Path,
) -> None:
    """Show the reply tree of THREAD (id or source; default: the latest).

    Each line is `PATH #ID author · text`: the reply path (7.4.2), then the
    comment's database id, which other commands take (`modtool label 9 …`).

    \b
    Example:
      modtool tree 1
      modtool tree 1 --depth 2 --labels --scores
    """
    store = store_for(db_path)
    found = store.threads.resolve(thread)
    if show_all:
        max_depth = limit = None
    labels = _label_texts(store, found.id, policy) if show_labels else None
    scores = _headline_scores(store, found.id) if show_scores else None
    cut: list[TreeCut] = []
    console = output.console()
    lines = reply_tree(
        found,
        store.comments.iter_thread(found.id),
        preview=width,
        max_depth=max_depth,
        limit=limit,
        labels=labels,
        scores=scores,
        cut=cut,
    )
    for line in lines:
        console.print(line, overflow="ellipsis", no_wrap=True, crop=True)
    shown, total = cut[0].shown, cut[0].total
    if shown < total:
        output.note(
            f"showing {shown:,} of {total:,} comments"
            + (f" (depth ≤ {max_depth})" if max_depth is not None else "")
            + (f" (first {limit:,})" if limit is not None else "")
            + "; --depth/--limit to change, --all to see every comment"
        )


def _label_texts(store: Store, thread_id: int, policy: str | None) -> dict[int, str]:
    """``{comment id: 'insult, threat?'}``: majority labels, ``?`` when tied, ``approved``."""
    from modtool.analysis.aggregate import aggregate
    from modtool.store.dataset import Annotation

    if policy is None:
        names = store.dataset.policy_names()
        if not names:
            return {}
        if len(names) > 1:
            raise InputError(
                f"several policies have labels here; pass --policy ({', '.join(names)})"
            )
        policy = names[0]
    texts: dict[int, str] = {}
    for comment_id, by_moderator in store.labels.states_for_thread(thread_id, policy).items():
        verdict = aggregate(
            Annotation(moderator, state.state, tuple(sorted(state.labels)), "", None)
            for moderator, state in by_moderator.items()
        )
        parts = [*verdict.labels, *(f"{label}?" for label in verdict.tied)]
        if parts:
            texts[comment_id] = ", ".join(parts)
        elif verdict.reviewed:
            texts[comment_id] = "approved"
    return texts


def _headline_scores(store: Store, thread_id: int) -> dict[int, float]:
    from modtool.scoring.headline import headline

    order = [model.id for model in store.scores.models()]
    found: dict[int, float] = {}
    for comment_id, by_model in store.scores.for_thread(thread_id).items():
        top = headline(by_model, order)
        if top is not None:
            found[comment_id] = top.value
    return found


COMMANDS = [import_command, threads_command, tree_command]
