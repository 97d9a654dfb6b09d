"""Rich renderables for the command line (never fed untrusted text as markup)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text

from modtool.cli.tables import Column, Grid
from modtool.models import Comment, Thread
from modtool.safe_text import one_line, terminal_safe


def threads_table(threads: Iterable[Thread], stats: Mapping[int, Any] | None = None) -> Grid:
    """Id, title, platform and its id, comments, orphans, missing, depth, dates, source;
    with ``stats`` (:class:`~modtool.store.threadstats.ThreadStats` by id) also the
    comments this moderator and nobody have reviewed, and the hottest score.

    A :class:`~modtool.cli.tables.Grid`: at 80 columns the title folds and the
    least needed columns (source, then dates and depth) are left out and named
    below the table (``--wide`` shows them), instead of every header being cut.
    """
    grid = Grid(
        "Threads",
        [
            Column("id", 0, "right"),
            Column("title", 0, fold=True, min_width=20),
            Column("platform", 2, fold=True, min_width=10),
            Column("comments", 0, "right"),
            Column("unreviewed", 1, "right"),
            Column("unmoderated", 1, "right"),
            Column("hottest", 1, "right"),
            Column("orphans", 2, "right"),
            Column("missing", 2, "right"),
            Column("depth", 3, "right"),
            Column("dates", 3),
            Column("source", 4),  # a file name is never folded mid-word: whole or left out
        ],
    )
    for thread in threads:
        platform = thread.platform
        if platform != "text" and thread.external_id:
            platform = f"{platform} {thread.external_id}"
        grid.add_row(
            str(thread.id),
            " ".join(terminal_safe(thread.title).split()),
            " ".join(terminal_safe(platform).split()),
            f"{thread.comment_count:,}",
            *_stat_cells(None if stats is None else stats.get(thread.id)),
            f"{thread.orphan_count:,}" if thread.orphan_count else "-",
            f"{thread.missing:,}" if thread.missing else "-",
            "-" if thread.max_depth is None else str(thread.max_depth),
            _date_range(thread),
            terminal_safe(_short_source(thread.source)),
        )
    return grid


def _stat_cells(stat: Any) -> tuple[str, str, str]:
    """Unreviewed, unmoderated, hottest ("" without stats: the columns stay empty and
    are left out of the layout)."""
    if stat is None:
        return "", "", ""
    hottest = "-" if stat.hottest is None else f"{stat.hottest:.2f}"
    return f"{stat.unreviewed:,}", f"{stat.unmoderated:,}", hottest


def _date_range(thread: Thread) -> str:
    """``2024-01-02..2024-03-04`` from the comments' dates (else the thread's), or ``-``."""
    first = thread.first_comment_at or thread.created_at
    last = thread.last_comment_at or thread.created_at
    if not first:
        return "-"
    first, last = first[:10], (last or first)[:10]
    return first if first == last else f"{first}..{last}"


def _short_source(source: str) -> str:
    """A source path relative to the working folder when it lies below it."""
    try:
        return str(Path(source).relative_to(Path.cwd()))
    except ValueError:
        return source


MAX_INDENT = 24
"""Levels of indentation drawn; deeper replies stay at this indent (their path says more)."""


@dataclass(frozen=True, slots=True)
class TreeCut:
    """How much of a thread ``reply_tree`` showed (``shown < total``: say so)."""

    shown: int
    total: int


def reply_tree(
    thread: Thread,
    comments: Iterable[Comment],
    *,
    preview: int = 70,
    max_depth: int | None = None,
    limit: int | None = None,
    labels: Mapping[int, str] | None = None,
    scores: Mapping[int, float] | None = None,
    cut: list[TreeCut] | None = None,
) -> Iterator[Text]:
    """The thread as lines: ``7.4.2 #9 Nick Rhynes · preview`` per comment.

    The reply path comes first (without ``#``), then the database id (issue 11.1);
    the platform's id and the date follow when the thread has them, a status
    other than visible and an orphan's missing parent are said. ``max_depth``
    and ``limit`` cut the tree; what was cut is appended to ``cut``.
    ``labels``/``scores`` map comment ids to a short label text / headline score.
    """
    header = Text.assemble((f"#{thread.id} ", "bold"), (one_line(thread.title, 90), "bold"))
    if thread.platform != "text":
        platform = one_line(thread.platform, 20)
        header.append(f"  ({platform} {one_line(thread.external_id or '', 40)}")
        if thread.created_at:
            header.append(f", {thread.created_at}")
        header.append(")")
    yield header
    shown = total = 0
    for comment in comments:
        total += 1
        if (max_depth is not None and comment.depth > max_depth) or (
            limit is not None and shown >= limit
        ):
            continue
        shown += 1
        line = Text("  " * (1 + min(comment.depth, MAX_INDENT)))
        line.append(_short_path(comment.path), "dim")
        line.append(f" #{comment.id} ", "bold")
        line.append(one_line(comment.author, 40), "bold cyan")
        if thread.platform != "text" and comment.external_id:
            line.append(f" [{one_line(comment.external_id, 24)}]", "dim")
        if comment.created_at:
            line.append(f" {comment.created_at[:16].replace('T', ' ')}", "dim")
        if comment.status != "visible":
            line.append(f" ({comment.status})", "yellow")
        if comment.orphan:
            line.append(
                f" (orphan: reply to {one_line(comment.parent_external_id or '?', 24)})", "yellow"
            )
        warning = (comment.meta or {}).get("markup_warning")
        if warning:
            line.append(f" (⚠ markup: {one_line(str(warning), 60)})", "bold red")
        if scores is not None and comment.id in scores:
            line.append(f" {scores[comment.id]:.2f}", "magenta")
        if labels is not None and comment.id in labels:
            line.append(f" [{labels[comment.id]}]", "red")
        line.append(" · ")
        line.append(one_line(comment.body, preview))
        yield line
    if cut is not None:
        cut.append(TreeCut(shown, total))


def _short_path(path: str) -> str:
    """A reply path thousands of levels deep, shortened for the eye (``1.1.1.….2.1``)."""
    parts = path.split(".")
    if len(parts) <= 10:
        return path
    return f"{'.'.join(parts[:4])}.…{len(parts) - 8}….{'.'.join(parts[-4:])}"
