"""What every importer module provides.

An importer is a module with ``NAME``, ``EXTENSIONS``, ``DESCRIPTION``,
``sniff(head) -> bool`` and ``parse(path) -> ParsedDocument``. Add a format
by adding one module and listing it in :mod:`modtool.importers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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
