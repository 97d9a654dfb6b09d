"""What every importer module provides.

A format is a module following :class:`PlatformImporter` (``read`` yields flat
records), listed in :data:`modtool.importers.IMPORTERS`. The plain-text layout
also keeps its older ``parse(path) -> ParsedDocument`` (:class:`Importer`), which
its ``read`` adapts to records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from modtool.importers.records import Record
from modtool.models import ParsedComment, ParsedThread


@dataclass(slots=True)
class ParsedDocument:
    """The article, read eagerly, and its comments, streamed in document order.

    Parents always come before their replies. Warnings found while streaming
    are appended to ``thread.warnings``.
    """

    thread: ParsedThread
    comments: Iterator[ParsedComment]


class Importer(Protocol):
    NAME: str
    EXTENSIONS: tuple[str, ...]
    DESCRIPTION: str

    def sniff(self, head: str) -> bool: ...

    def parse(self, path: Path) -> ParsedDocument: ...


class PlatformImporter(Protocol):
    """A platform export format (one module each: ``wxr.py``, ``reddit.py``, …).

    ``read`` yields flat :mod:`~modtool.importers.records` in file order and never
    builds trees: ``importers/tree.py`` does that the same way for every format.
    ``GROUPED`` is true when every thread's comments follow its
    :class:`~modtool.importers.records.ThreadRecord` before the next thread starts
    (WXR items, a Reddit listing); false when threads and comments interleave in
    any order (Disqus, Pushshift), and the records are grouped on disk first.
    ``sniff`` gets the first 64 KiB (``b""`` for a folder) and the path.
    ``DESCRIPTION`` says what the format expects; it is shown when no format
    recognises a document.

    Optional: ``PREORDER = True`` promises that comments come parent first and
    each reply right after its parent's subtree so far (the plain-text layout);
    the tree is then placed as records stream, without holding the thread.
    A ``GROUPED`` format that yields a thread again after another one is read a
    second time through the on-disk grouping (correct, only slower).

    Optional: ``THREAD_ID_IS_A_PARENT = True`` says threads and comments share
    one id space (Hacker News items, fediverse and Bluesky URIs, ConvoKit
    utterances), so a comment whose parent is the thread's own id is at the top
    level. Without it such a parent names a comment like any other id: WordPress,
    Disqus, Discourse and Lemmy number threads and comments apart (post 58 may
    hold comment 58), and an importer maps a reply to the thread itself to
    ``parent_external_id = None``.

    Optional: ``MULTI_FILE = True`` says a document may be several files (API
    answer pages, a Stack Exchange dump's tables): ``read`` then also takes a
    folder whose files are one document, and files of the format named
    together on the command line are read as one such folder
    (:func:`modtool.ingest.import_together`).

    ``sniff`` always gets the decompressed head of a gzip/bzip2/xz/zstd file,
    and ``read`` is expected to open the file through
    :func:`modtool.importers.compressed.open_input` (``jsonread`` does), which
    decompresses as a stream. Optional: ``READS_COMPRESSED = False`` says the
    format reads plain files only (the XML and text formats): a compressed
    file is then refused in one line saying how to decompress it.
    """

    NAME: str
    PLATFORM: str
    EXTENSIONS: tuple[str, ...]
    DESCRIPTION: str
    GROUPED: bool

    def sniff(self, head: bytes, path: Path) -> bool: ...

    def read(self, path: Path, warn: Callable[[str], None]) -> Iterator[Record]: ...
