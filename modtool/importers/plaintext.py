"""The plain-text thread layout: an article, then comments nested by indentation.

::

    Title of the article

    Body of the article ...
    Source: Reuters

      1. Vish says

        First paragraph of Vish's comment.

        Second paragraph.

        1. CHUCKMAN says

          A reply, two spaces deeper than its parent's header.

    Leave A Reply

Rules (see ``docs/formats.md``):

* a header is ``<indent><n>. <author> says``; the first header fixes the
  indent of the top level and every level is two spaces deeper;
* numbering restarts at 1 under each parent;
* a body is the text under its header, paragraphs kept, common indent removed;
* the thread ends at ``Leave A Reply`` or at the end of the file.

Hard errors (:class:`~modtool.errors.ParseError`, nothing stored): bytes that
are not UTF-8, an empty document, a header whose indent is odd relative to the
top level, left of the top level, or more than one level deeper than the
comment before it. Warnings (parsed, reported): numbering out of sequence, body
text indented less than its comment's body.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

from modtool.errors import ParseError
from modtool.importers.base import ParsedDocument
from modtool.models import ParsedComment, ParsedThread

NAME = "text"
EXTENSIONS = (".txt", ".text")
DESCRIPTION = "plain-text article with comments nested by indentation ('  1. Name says')"

INDENT_STEP = 2
HEADER = regex.compile(r"^(?P<indent> *)(?P<number>\d{1,4})\.[ \t]+(?P<author>\S.*?)[ \t]+says:?[ \t]*$")
END_MARKER = regex.compile(r"^\s*leave\s+a\s+reply\s*$", regex.IGNORECASE)
SOURCE_LINE = regex.compile(r"^\s*Source:\s*(?P<source>\S.*?)\s*$")
BOM = "\ufeff"


def sniff(head: str) -> bool:
    """True if the first kilobytes look like this layout (a numbered ``says`` header)."""
    return any(HEADER.match(line) for line in head.splitlines())


def parse(path: Path) -> ParsedDocument:
    """Parse the document at ``path``; comments stream lazily from the result."""
    lines = _decoded_lines(path)
    parser = _Parser(path, lines)
    thread = parser.read_article()
    return ParsedDocument(thread=thread, comments=parser.comments())


def _decoded_lines(path: Path) -> Iterator[str]:
    """Yield the document's lines without line endings, decoding strictly as UTF-8.

    Works line by line so a large document is never held in memory; a bad byte
    is reported with its line and byte offset.
    """
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ParseError.at(
                    path,
                    f"line {number}",
                    f"not valid UTF-8 (byte offset {offset + exc.start}); "
                    "re-save the file as UTF-8",
                ) from None
            offset += len(raw)
            if number == 1 and text.startswith(BOM):
                text = text[1:]
            yield text.rstrip("\r\n")


@dataclass(slots=True)
class _Open:
    """A comment whose body is still being read."""

    path: str
    parent_path: str | None
    depth: int
    header_indent: int
    author: str
    line: int
    body_lines: list[tuple[int, str]]
    children: int = 0


class _Parser:
    def __init__(self, path: Path, lines: Iterable[str]) -> None:
        self.path = path
        self._lines = _numbered(lines)
        self._pending: tuple[int, str] | None = None
        self.thread = ParsedThread(title="")
        self._ended = False

    # -- article -----------------------------------------------------------
    def read_article(self) -> ParsedThread:
        title = ""
        article: list[str] = []
        saw_any = False
        for number, text in self._lines:
            if text.strip():
                saw_any = True
            if not title:
                title = text.strip()
                continue
            if END_MARKER.match(text):
                self._ended = True
                break
            if self._starts_comments(number, text):
                self._pending = (number, text)
                break
            article.append(text)
            if self.thread.article_source is None and (match := SOURCE_LINE.match(text)):
                self.thread.article_source = match["source"]
        if not saw_any:
            raise ParseError.at(self.path, None, "the document is empty")
        self.thread.title = title
        self.thread.article = _strip_blank_edges("\n".join(line.rstrip() for line in article))
        return self.thread

    def _starts_comments(self, number: int, text: str) -> bool:
        """A ``1. X says`` line starts the comments when its body or a reply follows.

        This keeps a numbered list inside the article (``1. The minister says``
        followed by unindented prose) from being read as a comment.
        """
        match = HEADER.match(text)
        if not match or match["number"] != "1":
            return False
        indent = len(match["indent"])
        following = self._peek_nonblank()
        if following is None:
            return True
        _, next_text = following
        return _indent_of(next_text) > indent or bool(HEADER.match(next_text))

    def _peek_nonblank(self) -> tuple[int, str] | None:
        buffered: list[tuple[int, str]] = []
        found = None
        for item in self._lines:
            buffered.append(item)
            if item[1].strip():
                found = item
                break
        self._lines = _chain(buffered, self._lines)
        return found

    # -- comments ----------------------------------------------------------
    def comments(self) -> Iterator[ParsedComment]:
        if self._ended or self._pending is None:
            return
        stack: list[_Open] = []  # the open ancestors, deepest last
        top_children = 0
        base_indent: int | None = None
        position = 0
        current: _Open | None = None
        source = _chain([self._pending], self._lines)
        for number, text in source:
            if END_MARKER.match(text) and _indent_of(text) <= (base_indent or 0):
                break
            header = HEADER.match(text)
            if header and not text.startswith("\t"):
                indent = len(header["indent"])
                if base_indent is None:
                    base_indent = indent
                depth = self._depth_of(indent, base_indent, number, current)
                if current is not None:
                    yield self._finish(current, position)
                    position += 1
                del stack[depth:]
                parent = stack[-1] if stack else None
                if parent is None:
                    top_children += 1
                    ordinal = top_children
                    path = str(ordinal)
                else:
                    parent.children += 1
                    ordinal = parent.children
                    path = f"{parent.path}.{ordinal}"
                if int(header["number"]) != ordinal:
                    under = f"under comment {parent.path}" if parent else "at the top level"
                    self._warn(
                        number,
                        f"comment numbered {header['number']} is reply {ordinal} {under}; "
                        f"kept as {path}",
                    )
                current = _Open(
                    path=path,
                    parent_path=parent.path if parent else None,
                    depth=depth,
                    header_indent=indent,
                    author=header["author"].strip(),
                    line=number,
                    body_lines=[],
                )
                stack.append(current)
                continue
            if current is None:  # pragma: no cover - the first pending line is a header
                continue
            if text.strip() and _indent_of(text) < current.header_indent + INDENT_STEP:
                self._warn(
                    number,
                    f"text indented less than the body of comment {current.path} "
                    f"({current.author}); kept in that comment",
                )
            current.body_lines.append((number, text))
        if current is not None:
            yield self._finish(current, position)

    def _depth_of(self, indent: int, base: int, number: int, previous: _Open | None) -> int:
        offset = indent - base
        if offset < 0:
            raise ParseError.at(
                self.path,
                f"line {number}",
                f"comment header indented {indent} spaces, left of the top level ({base} spaces)",
            )
        if offset % INDENT_STEP:
            raise ParseError.at(
                self.path,
                f"line {number}",
                f"comment header indented {indent} spaces: levels are {INDENT_STEP} spaces "
                f"apart from the top level at {base}",
            )
        depth = offset // INDENT_STEP
        previous_depth = previous.depth if previous else -1
        if depth > previous_depth + 1:
            raise ParseError.at(
                self.path,
                f"line {number}",
                f"comment header at depth {depth} follows one at depth {previous_depth}: "
                "a reply may only be one level deeper than the comment above it",
            )
        return depth

    def _finish(self, item: _Open, position: int) -> ParsedComment:
        return ParsedComment(
            path=item.path,
            parent_path=item.parent_path,
            position=position,
            depth=item.depth,
            author=item.author,
            body=_body_text([text for _, text in item.body_lines]),
            line=item.line,
        )

    def _warn(self, number: int, message: str) -> None:
        self.thread.warnings.append(f"{self.path}: line {number}: {message}")


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    return ((number, text) for number, text in enumerate(lines, start=1))


def _chain(first: list[tuple[int, str]], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield from first
    yield from rest


def _indent_of(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _body_text(lines: list[str]) -> str:
    """Remove the common indent, keep paragraphs, one blank line between them."""
    stripped = [line.rstrip() for line in lines]
    indents = [_indent_of(line) for line in stripped if line]
    common = min(indents, default=0)
    paragraphs: list[str] = []
    previous_blank = True
    for line in stripped:
        if not line:
            if not previous_blank:
                paragraphs.append("")
            previous_blank = True
            continue
        paragraphs.append(line[common:])
        previous_blank = False
    return _strip_blank_edges("\n".join(paragraphs))


def _strip_blank_edges(text: str) -> str:
    return text.strip("\n").rstrip()
