"""Bring a thread document into the store: pick the importer, stream, commit once."""

from __future__ import annotations

from pathlib import Path

from modtool.importers import open_document
from modtool.store import Store
from modtool.store.common import utc_now
from modtool.store.threads import ImportResult


def import_path(store: Store, path: Path, format: str | None = None) -> ImportResult:
    """Import one document in a single transaction.

    A parse error anywhere in the document raises :class:`~modtool.errors.ParseError`
    and leaves the database exactly as it was.
    """
    fmt, document = open_document(path, format)
    return store.threads.import_document(
        source=str(path.resolve()),
        format=fmt,
        thread=document.thread,
        comments=document.comments,
        now=utc_now(),
    )
