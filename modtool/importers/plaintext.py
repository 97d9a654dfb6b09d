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
comment before it, a header indented with a tab or a Unicode space (no-break
space, em space...: they have no agreed width). Warnings (parsed, reported):
numbering out of sequence, body text indented less than its comment's body.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TextIO

import regex

from modtool.errors import ParseError
from modtool.importers.base import ParsedDocument
from modtool.importers.records import CommentRecord, Record, ThreadRecord
from modtool.models import ParsedComment, ParsedThread, content_hash

NAME = "text"
PLATFORM = "text"
GROUPED = True
READS_COMPRESSED = False  # read as plain text lines: a compressed file is refused in one line
PREORDER = True  # comments come parent first, in reply order: the tree streams
EXTENSIONS = (".txt", ".text")
DESCRIPTION = "plain-text article with comments nested by indentation ('  1. Name says')"

INDENT_STEP = 2
CHUNK_CHARS = 1 << 20
LINE_PIECE = 1 << 20
"""Lines are read at most this many characters at a time (see ``_Reader.readline``)."""
BOM = "\ufeff"
# The comment section is scanned a megabyte at a time (stdlib ``re``: the hot
# path), so body lines cost no Python loop. Block patterns start with a literal
# newline, which ``re`` seeks fast, instead of a multi-line ``^`` tried at every
# character; each block gets a leading newline for them.
# The indent group takes any blank but a newline, so a header indented with a
# tab or a no-break space is still seen as a header, and refused at its line
# (``_indent_problem``), instead of being read as body text of the comment above.
HEADER = re.compile(
    r"^(?P<indent>[^\S\n]*)(?P<number>\d+)\.[ \t]+(?P<author>\S[^\n]*?)[ \t]+says:?[ \t]*$",
    re.M,
)
HEADER_IN_BLOCK = re.compile(
    r"\n(?P<indent>[^\S\n]*)(?P<number>\d+)\.[ \t]+(?P<author>\S[^\n]*?)[ \t]+says:?[ \t]*(?=\n)"
)
END_MARKER = re.compile(r"^leave[ \t]+a[ \t]+reply[ \t]*$", re.I)
END_IN_BLOCK = re.compile(r"\nleave[ \t]+a[ \t]+reply[ \t]*(?=\n)", re.I)
TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)
BLANK_RUN = re.compile(r"\n{3,}")
UNINDENTED_LINE = re.compile(r"\n[^ \n]")
SOURCE_LINE = regex.compile(r"^\s*Source:\s*(?P<source>\S.*?)\s*$")


def sniff(head: str | bytes, path: Path | None = None) -> bool:
    """True if the first kilobytes look like this layout (a numbered ``says`` header)."""
    if isinstance(head, bytes):
        head = head.decode("utf-8", errors="replace")
    return HEADER.search(head) is not None


def parse(path: Path) -> ParsedDocument:
    """Parse the document at ``path``; comments stream lazily from the result."""
    parser = _Parser(path)
    try:
        thread = parser.read_article()
    except BaseException:
        parser.close()
        raise
    return ParsedDocument(thread=thread, comments=parser.comments())


@dataclass(slots=True)
class _Open:
    """A comment whose body is still being read."""

    path: str
    parent_path: str | None
    depth: int
    body_prefix: str  # the spaces every body line is expected to start with
    author: str
    line: int
    body_parts: list[str] = field(default_factory=list)
    children: int = 0


class _Reader:
    """The document as numbered, right-stripped lines (for the article) and then
    as large blocks that end at a line end (for the comments), with push-back."""

    def __init__(self, path: Path) -> None:
        self._handle: TextIO = path.open("r", encoding="utf-8", errors="strict", newline=None)
        self.path = path
        self.lines_read = 0
        self._pushed: list[tuple[int, str]] = []

    def lines(self) -> Iterator[tuple[int, str]]:
        while True:
            if self._pushed:
                yield self._pushed.pop()
                continue
            raw = self.readline(self.lines_read + 1)
            if not raw:
                return
            if self.lines_read == 0 and raw.startswith(BOM):
                raw = raw[1:]
            self.lines_read += 1
            yield self.lines_read, raw.rstrip()

    def readline(self, number: int) -> str:
        """The next line (line ``number`` of the file), refused once it is longer than
        any value the store holds: a 1 GB file without a newline is not read whole.

        The line is read a piece at a time; a longer one is measured without keeping
        it (memory: two pieces), then read again from where its first piece ended.
        """
        handle = self._handle
        first = handle.readline(LINE_PIECE)
        if len(first) < LINE_PIECE or first.endswith("\n"):
            return first
        from modtool.importers import pipeline

        limit = pipeline.MAX_TEXT_CHARS
        resume = handle.tell()
        rest = 0
        while True:
            piece = handle.readline(LINE_PIECE)
            rest += len(piece)
            if len(first) + rest > limit:
                raise ParseError.at(
                    self.path,
                    f"line {number}",
                    f"a line longer than {limit:,} characters: more than the database "
                    "can hold in one value",
                )
            if len(piece) < LINE_PIECE or piece.endswith("\n"):
                break
        handle.seek(resume)
        return first + handle.readline(rest) if rest else first

    def push_back(self, items: list[tuple[int, str]]) -> None:
        self._pushed.extend(reversed(items))

    def blocks(self) -> Iterator[tuple[int, str]]:
        """``(number of the block's first line, text)``, pushed-back lines first."""
        if self._pushed:
            pushed, self._pushed = self._pushed[::-1], []
            yield pushed[0][0], "".join(f"{text}\n" for _, text in pushed)
        while block := self._handle.read(CHUNK_CHARS):
            if not block.endswith("\n"):
                block += self.readline(self.lines_read + 1 + block.count("\n"))
            first = self.lines_read + 1
            self.lines_read += block.count("\n")
            yield first, block

    def close(self) -> None:
        self._handle.close()


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._reader = _Reader(path)
        self._started = False
        self.thread = ParsedThread(title="")

    def close(self) -> None:
        self._reader.close()

    # -- article -----------------------------------------------------------
    def read_article(self) -> ParsedThread:
        try:
            return self._read_article()
        except UnicodeDecodeError:
            raise _locate_bad_utf8(self.path) from None

    def _read_article(self) -> ParsedThread:
        title = ""
        article: list[str] = []
        lines = self._reader.lines()
        for number, text in lines:
            if not title:
                title = text.strip()
                continue
            if END_MARKER.match(text):
                break
            if self._starts_comments(text, lines):
                if problem := _indent_problem(text[: len(text) - len(text.lstrip())]):
                    raise ParseError.at(self.path, f"line {number}", problem)
                self._reader.push_back([(number, text)])
                self._started = True
                break
            article.append(text)
            if self.thread.article_source is None and (match := SOURCE_LINE.match(text)):
                self.thread.article_source = match["source"]
        if not title:
            raise ParseError.at(self.path, None, "the document is empty (no title line)")
        self.thread.title = title
        self.thread.article = "\n".join(article).strip("\n")
        return self.thread

    def _starts_comments(self, text: str, lines: Iterator[tuple[int, str]]) -> bool:
        """A ``1. X says`` line starts the comments when its body or a reply follows.

        This keeps a numbered list inside the article (``1. The minister says``
        followed by unindented prose) from being read as a comment.
        """
        match = HEADER.match(text)
        if not match or match["number"] != "1":
            return False
        buffered: list[tuple[int, str]] = []
        following = None
        for item in lines:
            buffered.append(item)
            if item[1]:
                following = item[1]
                break
        self._reader.push_back(buffered)
        if following is None:
            return True
        deeper = len(following) - len(following.lstrip()) > len(match["indent"])
        return deeper or HEADER.match(following) is not None

    # -- comments ----------------------------------------------------------
    def comments(self) -> Iterator[ParsedComment]:
        try:
            if self._started:
                yield from self._comments()
        except UnicodeDecodeError:
            raise _locate_bad_utf8(self.path) from None
        finally:
            self.close()

    def _comments(self) -> Iterator[ParsedComment]:
        stack: list[_Open] = []  # the open ancestors, deepest last
        top_children = 0
        base_indent: int | None = None
        position = 0
        current: _Open | None = None
        for first_line, text in self._reader.blocks():
            block = f"\n{text}" if text.endswith("\n") else f"\n{text}\n"
            end = END_IN_BLOCK.search(block)
            if end is not None:
                block = block[: end.start() + 1]
            # Offsets below are into ``block``; its character 0 is the added newline.
            line, counted_to, body_from = first_line, 1, 1
            for header in HEADER_IN_BLOCK.finditer(block):
                if current is not None:
                    current.body_parts.append(block[body_from : header.start() + 1])
                line += block.count("\n", counted_to, header.start() + 1)
                counted_to = header.start() + 1
                if problem := _indent_problem(header["indent"]):
                    raise ParseError.at(self.path, f"line {line}", problem)
                indent = len(header["indent"])
                if base_indent is None:
                    base_indent = indent
                depth = self._depth_of(indent, base_indent, line, current)
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
                        line,
                        f"comment numbered {header['number']} is reply {ordinal} {under}; "
                        f"kept as {path}",
                    )
                current = _Open(
                    path=path,
                    parent_path=parent.path if parent else None,
                    depth=depth,
                    body_prefix=" " * (indent + INDENT_STEP),
                    author=header["author"].strip(),
                    line=line,
                )
                stack.append(current)
                body_from = header.end() + 1
            if current is not None:
                current.body_parts.append(block[body_from:])
            if end is not None:
                break
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
        raw = "\n" + "".join(item.body_parts)
        outdented = _less_indented(len(item.body_prefix)).search(raw)
        if outdented is not None:
            self._warn(
                item.line + raw.count("\n", 0, outdented.start() + 1),
                f"text indented less than the body of comment {item.path} "
                f"({item.author}); kept in that comment",
            )
        return ParsedComment.make(
            path=item.path,
            parent_path=item.parent_path,
            position=position,
            depth=item.depth,
            author=item.author,
            body=_body_text(raw, item.body_prefix, outdented is None),
            line=item.line,
        )

    def _warn(self, number: int, message: str) -> None:
        self.thread.warnings.append(f"{self.path}: line {number}: {message}")


def _indent_problem(indent: str) -> str | None:
    """Why a header's indentation is refused (only spaces measure depth), or ``None``.

    A tab or a Unicode space has no agreed width, so guessing one would move
    the comment to another parent: the line is an error, nothing is stored.
    """
    odd = next((ch for ch in indent if ch != " "), None)
    if odd is None:
        return None
    if odd == "\t":
        return "tab in indentation; use spaces"
    name = unicodedata.name(odd, "").lower() or "a blank character"
    return f"{name} (U+{ord(odd):04X}) in indentation; use spaces"


@cache
def _less_indented(width: int) -> re.Pattern[str]:
    """A newline and then a non-blank line that does not start with ``width`` spaces."""
    return re.compile(rf"\n(?! {{{width}}})[ \t]*\S")


def _body_text(raw: str, prefix: str, all_prefixed: bool) -> str:
    """Remove the common indent, keep paragraphs, one blank line between them.

    ``raw`` is the text between a header line and the next header, starting
    with the header line's newline. The fast
    path (every non-blank line starts with the body indent ``prefix``) works on
    the whole string at once.
    """
    text = (
        TRAILING_SPACE.sub("", raw)
        if (" \n" in raw or "\t\n" in raw or raw.endswith((" ", "\t")))
        else raw
    )
    if all_prefixed:
        text = text.replace("\n" + prefix, "\n")
    if UNINDENTED_LINE.search(text) is None:  # every line indented further: dedent more
        lines = text.split("\n")
        extra = min((len(line) - len(line.lstrip(" ")) for line in lines if line), default=0)
        text = "\n".join(line[extra:] for line in lines)
    text = text.strip("\n")
    return BLANK_RUN.sub("\n\n", text) if "\n\n\n" in text else text


def _locate_bad_utf8(path: Path) -> ParseError:
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return ParseError.at(
                    path,
                    f"line {number}",
                    f"not valid UTF-8 (byte offset {offset + exc.start}); re-save the file as UTF-8",
                )
            offset += len(raw)
    return ParseError.at(path, None, "not valid UTF-8; re-save the file as UTF-8")


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    """The document as importer records (``importers/records.py``): one thread whose
    external id is the hash of title + article (a changed article is another
    thread), comments whose external id is their numbering path."""
    document = parse(path)
    thread = document.thread
    external_id = content_hash(thread.title, thread.article)
    yield ThreadRecord(
        "text", external_id, thread.title, thread.article, article_source=thread.article_source
    )
    warnings = thread.warnings
    sent = 0
    for comment in document.comments:
        yield CommentRecord(  # positional: keyword arguments cost a slower call
            external_id,
            comment.path,
            comment.parent_path,
            comment.author,
            comment.body,
            None,
            "visible",
            None,
            None,
            comment.line,
            comment.content_hash,
        )
        if len(warnings) > sent:
            for message in warnings[sent:]:
                warn(message)
            sent = len(warnings)
    for message in warnings[sent:]:
        warn(message)
