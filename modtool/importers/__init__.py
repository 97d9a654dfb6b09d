"""Thread document importers, one module per format.

:func:`open_document` checks the path, picks the format (``--format``, else
by content, else by extension) and returns a streaming
:class:`~modtool.importers.base.ParsedDocument`.
"""

from __future__ import annotations

from pathlib import Path

from modtool.errors import InputError
from modtool.importers import background, plaintext
from modtool.importers.base import Importer, ParsedDocument

IMPORTERS: dict[str, Importer] = {module.NAME: module for module in (plaintext,)}  # type: ignore[misc]
SNIFF_BYTES = 64 * 1024

__all__ = ["IMPORTERS", "ParsedDocument", "choose_importer", "open_document"]


def open_document(path: Path, format: str | None = None) -> tuple[str, ParsedDocument]:
    """Return ``(format name, parsed document)`` or raise a one-line :class:`InputError`."""
    check_readable(path)
    importer = choose_importer(path, format)
    if background.worth_it(path):
        return importer.NAME, background.parse_in_background(importer, path)
    return importer.NAME, importer.parse(path)


def check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError.at(path, None, "no such file")
    if path.is_dir():
        raise InputError.at(path, None, "is a directory, not a thread document")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise InputError.at(path, None, f"cannot read: {exc.strerror}") from None
    if path.stat().st_size == 0:
        raise InputError.at(path, None, "the document is empty")


def choose_importer(path: Path, format: str | None) -> Importer:
    if format is not None:
        try:
            return IMPORTERS[format]
        except KeyError:
            known = ", ".join(sorted(IMPORTERS))
            raise InputError(f"unknown format {format!r} (known: {known})") from None
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES).decode("utf-8", errors="replace")
    for importer in IMPORTERS.values():
        if importer.sniff(head):
            return importer
    for importer in IMPORTERS.values():
        if path.suffix.lower() in importer.EXTENSIONS:
            return importer
    known = ", ".join(sorted(IMPORTERS))
    raise InputError.at(path, None, f"cannot tell the document's format; pass --format ({known})")
