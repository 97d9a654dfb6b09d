"""Thread document importers, one module per format.

Add a format: write ``modtool/importers/NAME.py`` following
:class:`~modtool.importers.base.PlatformImporter` (``read`` yields the flat
records of :mod:`~modtool.importers.records`) and add one line to
:data:`IMPORTERS`. Modules are imported only when a document needs them
(sniffing or ``--format``), so ``modtool threads`` never loads lxml.

The shared steps (checking the input, choosing the format, cleaning records,
grouping, building trees) live in :mod:`~modtool.importers.pipeline`; storing
in :mod:`modtool.ingest`.
"""

from __future__ import annotations

from pathlib import Path

from modtool.importers.base import ParsedDocument

IMPORTERS: dict[str, str] = {
    # --format name: module in modtool.importers (sniffed in this order; text
    # goes last when a document starts like markup or JSON)
    "wxr": "wxr",
    "disqus": "disqus",
    "reddit": "reddit",
    "pushshift": "pushshift",
    "hackernews": "hackernews",
    "discourse": "discourse",
    "convokit": "convokit",
    "mastodon": "mastodon",
    "lemmy": "lemmy",
    "activitypub": "activitypub",
    "bluesky": "bluesky",
    "youtube": "youtube",
    "github": "github",
    "commento": "commento",
    "remark42": "remark42",
    "stackexchange": "stackexchange",
    "wordpress_api": "wordpress_api",
    "text": "plaintext",
}

__all__ = ["IMPORTERS", "ParsedDocument", "open_document"]


def open_document(path: Path, format: str | None = None) -> tuple[str, ParsedDocument]:
    """The plain-text layout's article and comment stream (tests and tools that
    want the parser's own view; imports go through :func:`modtool.ingest.import_path`)."""
    from modtool.importers import pipeline

    if pipeline.check_input(path):
        raise pipeline.InputError.at(path, None, "is a directory, not a thread document")
    importer = pipeline.choose_importer(path, format)
    if not hasattr(importer, "parse"):
        raise pipeline.InputError.at(path, None, f"{importer.NAME} documents have no parse()")
    return importer.NAME, importer.parse(path)
