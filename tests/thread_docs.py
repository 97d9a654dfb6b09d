"""Render comment trees in the plain-text thread layout (for tests)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    author: str
    body: str
    replies: list[Node] = field(default_factory=list)


def render(
    title: str,
    article: str,
    comments: list[Node],
    *,
    base_indent: int = 2,
    blank_lines_after_header: int = 1,
    end_marker: bool = True,
    newline: str = "\n",
    bom: bool = False,
) -> str:
    """The document text: title, article, then the comment tree, then ``Leave A Reply``."""
    lines = [title, "", article, ""]

    def emit(nodes: list[Node], indent: int) -> None:
        for number, node in enumerate(nodes, start=1):
            lines.append(f"{' ' * indent}{number}. {node.author} says")
            lines.extend([""] * blank_lines_after_header)
            for body_line in node.body.split("\n"):
                lines.append(f"{' ' * (indent + 2)}{body_line}" if body_line else "")
            lines.append("")
            emit(node.replies, indent + 2)

    emit(comments, base_indent)
    if end_marker:
        lines += ["Leave A Reply", "", "Your email address will not be published."]
    text = newline.join(lines) + newline
    return ("\ufeff" if bom else "") + text


def flatten(nodes: list[Node], parent: str | None = None, depth: int = 0) -> list[tuple]:
    """``(path, parent_path, depth, author, body)`` in document order."""
    out: list[tuple] = []
    for number, node in enumerate(nodes, start=1):
        path = f"{parent}.{number}" if parent else str(number)
        out.append((path, parent, depth, node.author, node.body))
        out.extend(flatten(node.replies, path, depth + 1))
    return out
