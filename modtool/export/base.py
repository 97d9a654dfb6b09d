"""What every format writer gets: the records, and what it needs to know about them.

``Record`` and ``ExportContext`` live in :mod:`modtool.models` (the annotation tools'
writers use them too, and ``export`` calls those writers: the types sit below both).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from modtool.models import ExportContext, Record

__all__ = ["ExportContext", "Record", "Writer"]


class Writer(Protocol):
    def __call__(self, path: Path, records: Iterable[Record], context: ExportContext) -> int:
        """Write ``records`` to ``path`` (a file, or a folder for ConvoKit); return the count."""
        ...
