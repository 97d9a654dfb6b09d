"""One large JSON document read as a stream, with :mod:`modtool.jsonsafe`'s bounds.

A whole-document format can be far larger than memory should hold (a Reddit
listing of 200,000 comments is 145 MB of JSON and ~600 MB parsed). This walks
the outer containers a caller names member by member and parses every other
value whole with the standard library's C scanner, so memory holds one such
value at a time. ``expand(path, char)`` says whether the object (``char`` is
``{``) or array (``[``) at ``path`` is walked::

    from modtool import jsonstream

    expand = lambda path, char: len(path) < 3   # walk the root, its members, theirs
    for path, value in jsonstream.iter_document(source, handle=stream, expand=expand):
        if value is jsonstream.ARRAY: ...   # a walked array starts at `path`
        elif value is jsonstream.END: ...   # the walked container at `path` ends
        else: ...                           # a whole value at `path`

``path`` is a tuple of keys and indexes (``(1, "data", "children", 3)``;
:func:`modtool.importers.jsonread.json_path` writes it as ``$[1].data…``).
Bounds as :mod:`modtool.jsonsafe`: one whole value at most ``max_value_bytes``
(refused while reading), nesting, integer digits, non-finite numbers unless
``allow_nan``; every error one :class:`~modtool.errors.ParseError` naming the
line and column.
"""

from __future__ import annotations

import codecs
import json
import json.scanner
from collections.abc import Callable, Iterator
from typing import IO, Any

from modtool import jsonsafe

__all__ = ["ARRAY", "END", "OBJECT", "iter_document"]

Path = tuple[str | int, ...]


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"jsonstream.{self.name}"


OBJECT = _Marker("OBJECT")
"""Yielded as the value where a walked object starts."""
ARRAY = _Marker("ARRAY")
"""Yielded as the value where a walked array starts."""
END = _Marker("END")
"""Yielded as the value where a walked container ends."""

CHUNK = 1 << 20
_MARGIN = 12  # an error this close to the end of the text read so far may be a cut token
_SPACE = " \t\n\r"


def iter_document(
    source: object,
    *,
    handle: IO[bytes],
    expand: Callable[[Path, str], bool],
    allow_nan: bool = False,
    object_hook: jsonsafe.ObjectHook | None = None,
    max_value_bytes: int = jsonsafe.MAX_DOCUMENT_BYTES,
) -> Iterator[tuple[Path, Any]]:
    """``(path, value)`` through the document in ``handle`` (see the module docstring)."""
    reader = _Reader(handle, source, allow_nan, object_hook, max_value_bytes)
    yield from reader.value((), expand)
    reader.space()
    if reader.peek():
        raise reader.error(reader.pos, "not valid JSON: Extra data")


class _Reader:
    """The decoded text read so far (from ``base`` on), and a place in it."""

    def __init__(
        self,
        handle: IO[bytes],
        source: object,
        allow_nan: bool,
        object_hook: jsonsafe.ObjectHook | None,
        max_value_bytes: int,
    ) -> None:
        self.handle = handle
        self.source = source
        self.scan = json.scanner.make_scanner(jsonsafe._decoder(allow_nan, object_hook))
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.max_chars = max_value_bytes
        self.text = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0
        self.line = 1  # the line of text[0]
        self.column = 0  # text[0]'s column in its line, 0-based
        self.first = True

    # -- the text --------------------------------------------------------------------------

    def fill(self, at_least: int = 0) -> bool:
        """Read more (dropping what is behind ``pos``); ``False`` at the end of the input."""
        if self.eof:
            return False
        if self.pos:
            dropped = self.text[: self.pos]
            newlines = dropped.count("\n")
            if newlines:
                self.line += newlines
                self.column = len(dropped) - dropped.rfind("\n") - 1
            else:
                self.column += len(dropped)
            self.text = self.text[self.pos :]
            self.pos = 0
        data = self.handle.read(max(CHUNK, at_least))
        self.bytes_read += len(data)
        try:
            more = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            pending = len(self.decoder.getstate()[0])
            offset = self.bytes_read - len(data) - pending + exc.start + 1
            raise jsonsafe.JsonError.at(self.source, f"byte {offset:,}", "not UTF-8 text") from None
        if self.first:
            self.first = False
            if more[:1] == "\ufeff":
                more = more[1:]
        if not data:
            self.eof = True
        self.text += more
        return bool(data)

    def peek(self) -> str:
        while self.pos >= len(self.text):
            if not self.fill():
                return ""
        return self.text[self.pos]

    def space(self) -> None:
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in _SPACE:
                pos += 1
            self.pos = pos
            if pos < len(text) or not self.fill():
                return

    def where(self, offset: int) -> str:
        line = self.line + self.text.count("\n", 0, offset)
        start = self.text.rfind("\n", 0, offset)
        column = offset - start if start >= 0 else offset + self.column + 1
        return f"line {line} column {column}"

    def error(self, offset: int, problem: str) -> jsonsafe.JsonError:
        return jsonsafe.JsonError.at(self.source, self.where(offset), problem)

    # -- values ----------------------------------------------------------------------------

    def value(self, path: Path, expand: Callable[[Path, str], bool]) -> Iterator[tuple[Path, Any]]:
        self.space()
        char = self.peek()
        if char in ("{", "[") and expand(path, char):
            self.pos += 1
            if char == "{":
                yield path, OBJECT
                yield from self.members(path, expand)
            else:
                yield path, ARRAY
                yield from self.items(path, expand)
            yield path, END
            return
        yield path, self.whole()

    def members(
        self, path: Path, expand: Callable[[Path, str], bool]
    ) -> Iterator[tuple[Path, Any]]:
        self.space()
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            self.space()
            if self.peek() != '"':
                raise self.error(
                    self.pos, "not valid JSON: Expecting property name enclosed in double quotes"
                )
            key = self.whole()
            self.space()
            if self.peek() != ":":
                raise self.error(self.pos, "not valid JSON: Expecting ':' delimiter")
            self.pos += 1
            yield from self.value((*path, key), expand)
            self.space()
            char = self.peek()
            self.pos += 1
            if char == "}":
                return
            if char != ",":
                raise self.error(self.pos - 1, "not valid JSON: Expecting ',' delimiter")

    def items(self, path: Path, expand: Callable[[Path, str], bool]) -> Iterator[tuple[Path, Any]]:
        self.space()
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            yield from self.value((*path, index), expand)
            index += 1
            self.space()
            char = self.peek()
            self.pos += 1
            if char == "]":
                return
            if char != ",":
                raise self.error(self.pos - 1, "not valid JSON: Expecting ',' delimiter")

    def whole(self) -> Any:
        """The value at ``pos``, parsed whole (more is read while it is cut short)."""
        while True:
            start = self.pos
            try:
                value, end = self._scan(start)
            except StopIteration as exc:  # no value at exc.value (maybe deep inside)
                problem, at = "Expecting value", exc.value
            except json.JSONDecodeError as exc:
                problem, at = exc.msg, exc.pos
            except ValueError as exc:  # a refused number (NaN, 1e400, 5,000 digits)
                if not jsonsafe._is_refusal(exc):
                    raise  # an object hook's own error
                offset, problem = jsonsafe._refused_value(self.text, start)
                raise self.error(offset if offset is not None else start, problem) from None
            else:
                if end - start > self.max_chars:
                    self._more(start)  # refuses it
                if end <= len(self.text) - _MARGIN or self.eof:
                    self.pos = end
                    return value
                # A value that ends near where the text does may go on (a number cut
                # at "1e" reads as 1): read more and parse it again.
                self._more(start)
                continue
            if not self.eof and (
                problem.startswith("Unterminated string") or at >= len(self.text) - _MARGIN
            ):
                self._more(start)  # cut short by the end of what was read: read on
                continue
            raise self.error(at, f"not valid JSON: {problem}")

    def _scan(self, start: int) -> tuple[Any, int]:
        try:
            return self.scan(self.text, start)
        except RecursionError:
            pass
        try:
            return jsonsafe.run_deep(lambda: self.scan(self.text, start))
        except RecursionError:
            offset = jsonsafe._too_deep_offset(self.text, start)
            raise self.error(
                offset if offset is not None else start,
                f"JSON nested more than {jsonsafe.MAX_NESTING:,} levels deep",
            ) from None

    def _more(self, start: int) -> None:
        """Read more for the value that starts at ``start`` (now at ``pos``, which is 0
        after the read); refuse it past the bound."""
        held = len(self.text) - start
        if held > self.max_chars:
            raise self.error(
                start,
                f"a JSON value longer than {jsonsafe._size(self.max_chars)} "
                "(refused before reading on)",
            )
        self.pos = start
        self.fill(at_least=held)
