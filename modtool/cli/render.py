"""Rich renderables for the command line (never fed untrusted text as markup)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from modtool.models import Comment, Thread
from modtool.safe_text import one_line, terminal_safe


def threads_table(threads: Iterable[Thread]) -> Table:
    table = Table(title="Threads", title_justify="left")
    table.add_column("id", justify="right", style="bold")
    table.add_column("title")
    table.add_column("source", overflow="fold")
    table.add_column("comments", justify="right")
    table.add_column("max depth", justify="right")
    for thread in threads:
        table.add_row(
            str(thread.id),
            Text(one_line(thread.title, 70)),
            Text(terminal_safe(_short_source(thread.source))),
            str(thread.comment_count),
            "-" if thread.max_depth is None else str(thread.max_depth),
        )
    return table


def _short_source(source: str) -> str:
    """A source path relative to the working folder when it lies below it."""
    try:
        return str(Path(source).relative_to(Path.cwd()))
    except ValueError:
        return source


def reply_tree(thread: Thread, comments: Iterable[Comment], *, preview: int = 70) -> Tree:
    """The thread as a Rich tree: ``#id author · preview`` per comment."""
    root = Tree(Text.assemble((f"#{thread.id} ", "bold"), (one_line(thread.title, 90), "bold")))
    nodes: dict[int, Tree] = {}
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id is not None else root
        label = Text.assemble(
            (f"{comment.path} ", "dim"),
            (one_line(comment.author, 40), "bold cyan"),
            (f" #{comment.id}", "dim"),
            "  ",
            one_line(comment.body, preview),
        )
        nodes[comment.id] = (parent or root).add(label)
    return root
