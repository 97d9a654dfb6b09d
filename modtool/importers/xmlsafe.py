"""Streaming XML from strangers: no entity expansion, no network, bounded memory.

WordPress and Disqus exports are XML files that anyone can hand modtool, so
the parser is set up as for hostile input (libxml2 through lxml):

* ``resolve_entities=False``: an entity reference is never replaced by its
  text, so an external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``)
  cannot pull a local file into a comment body; ``no_network=True`` and
  ``load_dtd=False``: nothing is fetched;
* any entity declaration in the document's DTD (the billion-laughs bomb, an
  external entity) makes the whole document fail with one
  :class:`~modtool.errors.ParseError` before the first element is handed out,
  so none of it is stored; libxml2's own amplification limit stops a bomb
  that is referenced before that point, and its message is mapped to the same
  refusal;
* ``huge_tree=False`` keeps libxml2's limits on text node size and depth.

:func:`iterparse` yields only the elements a format asks for, at their end
tag; the caller handles each one and then calls :func:`release` on it, which
frees the element and everything before it, so a 1 GB export is read in
constant memory (the tree never holds more than the current record). A
gzip-compressed file (``export.xml.gz``, as Disqus sends it) is read as is.

Why lxml and not defusedxml: on a 30 MB slice of the synthetic Disqus export
of ``benchmarks/formats_xml.py`` (iterparse, every post's children read, then
cleared), lxml took 15 µs per post and defusedxml 27 µs (it runs the
pure-Python ElementTree parser to hook entity declarations); stdlib
ElementTree alone was 14 µs but has no switch for entity declarations. lxml
is already a dependency.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from modtool.errors import ParseError

ENTITY_REFUSAL = (
    "the document declares XML entities (<!ENTITY ...>); refused: entity expansion "
    "and external entities are not allowed in imports"
)
_ENTITY_ERRORS = (
    "amplification",
    "entity reference loop",
    "references external entity",
)
_HEAD_BYTES = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"

Element = etree._Element


def iterparse(path: Path, tags: Iterable[str]) -> Iterator[Element]:
    """Each element named in ``tags`` (Clark notation, ``{ns}local``), at its end tag.

    Raises :class:`ParseError` naming the file and line (and column) for
    malformed XML, bytes the declared encoding cannot decode, and any entity
    declaration. Call :func:`release` on an element once it is used.
    """
    etree.clear_error_log()
    gzipped = is_gzip(path)
    source = gzip.open(path, "rb") if gzipped else None  # noqa: SIM115 (closed below)
    try:
        context = etree.iterparse(
            source if source is not None else str(path),
            events=("end",),
            tag=list(tags),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        events = iter(context)
        first = True
        while True:
            try:
                _, element = next(events)
            except StopIteration:
                if first and context.root is not None:
                    _refuse_entities(path, context.root)  # nothing matched: still say no
                return
            except etree.XMLSyntaxError as exc:
                raise _syntax_error(path, exc) from None
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                raise ParseError.at(path, None, f"damaged gzip file: {exc}") from None
            except OSError as exc:
                raise ParseError.at(path, None, f"cannot read: {exc.strerror or exc}") from None
            if first:
                first = False
                _refuse_entities(path, element)
            yield element
    finally:
        if source is not None:
            source.close()


def is_gzip(path: Path) -> bool:
    """True if the file is gzip-compressed (Disqus sends its exports as ``.xml.gz``)."""
    try:
        with path.open("rb") as handle:
            return handle.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def head_text(head: bytes) -> bytes:
    """The first bytes of the document for sniffing: decompressed if they are gzip."""
    if not head.startswith(_GZIP_MAGIC):
        return head
    try:
        return zlib.decompressobj(wbits=31).decompress(head, 1 << 20)
    except zlib.error:
        return b""


def read_head(path: Path, size: int = 64 * 1024) -> bytes:
    """The document's first ``size`` bytes (decompressed when it is gzip)."""
    try:
        if is_gzip(path):
            with gzip.open(path, "rb") as handle:
                return handle.read(size)
        with path.open("rb") as handle:
            return handle.read(size)
    except (OSError, EOFError, zlib.error):
        return b""


def release(element: Element) -> None:
    """Free ``element`` and its earlier siblings (already handled) from the tree."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    while previous is not None:
        del parent[0]
        previous = element.getprevious()


def text_of(element: Element | None) -> str:
    """The element's text, including CDATA split by ``]]]]><![CDATA[>``; ``""`` if none."""
    if element is None:
        return ""
    text = element.text
    if len(element):
        # Only an unexpanded entity reference (refused above) or markup that is
        # not the format's (a child element in a text field) gets here.
        return "".join(element.itertext())
    return text or ""


def _refuse_entities(path: Path, element: Element) -> None:
    docinfo = element.getroottree().docinfo
    for dtd in (docinfo.internalDTD, docinfo.externalDTD):
        if dtd is not None and next(iter(dtd.entities()), None) is not None:
            raise ParseError.at(path, _entity_line(path), ENTITY_REFUSAL)


def _entity_line(path: Path) -> str | None:
    """``line N`` of the first ``<!ENTITY`` near the top of the file, if it is there."""
    head = read_head(path, _HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("latin-1")
    at = text.find("<!ENTITY")
    return f"line {text.count(chr(10), 0, at) + 1}" if at >= 0 else None


def _syntax_error(path: Path, exc: etree.XMLSyntaxError) -> ParseError:
    # With resolve_entities=False lxml sometimes reports a generic "no element
    # found (line 0)"; the parser's own log holds the real first error.
    # The log may also hold entries of earlier parses in this thread: take this
    # file's first error.
    errors = [e for e in exc.error_log if e.level >= etree.ErrorLevels.ERROR]
    own = [e for e in errors if e.filename == str(path)]
    entry = own[0] if own else (errors[0] if errors else None)
    if entry is not None:
        message, line, column = entry.message, entry.line, entry.column
    else:
        message = str(exc.msg or exc)
        line, column = exc.position if exc.position else (0, 0)
    message = message.strip().rstrip(".")
    if any(marker in message.lower() for marker in _ENTITY_ERRORS):
        # libxml2 reports a bomb at its place inside the entity text: name the
        # declaration instead.
        return ParseError.at(path, _entity_line(path) or _place(line, column), ENTITY_REFUSAL)
    return ParseError.at(path, _place(line, column), f"not well-formed XML: {message}")


def _place(line: int, column: int) -> str | None:
    return f"line {line}, column {column}" if line > 0 else None
