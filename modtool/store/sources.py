"""What a thread's ``source`` records: the document as the user named it.

The database is shown to others (Datasette, a copy sent along with a bug report),
so it keeps no local absolute path: a relative path stays as it was typed
(normalised: ``./threads/x.txt`` is ``threads/x.txt``), an absolute one is cut to
its file name. ``<stdin>`` and other ``<…>`` names stay. Several files read as
one document (``import a.json b.json``) are each named so, joined by `` + ``.

A thread is found by its source (``modtool tree threads/x.txt``) however it is
named now: exactly, then as it would be recorded, then by file name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

JOIN = " + "


def recorded_source(named: str | Path) -> str:
    """The source to store for a document the user named ``named``."""
    text = str(named)
    if not text or text.startswith("<"):
        return text
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute():
        return file_name(text) or text
    if text.startswith("~"):
        return file_name(text) or text
    return os.path.normpath(text)


def recorded_sources(named: Sequence[str | Path]) -> str:
    """The source of several files read as one document."""
    return JOIN.join(recorded_source(path) for path in named)


def file_name(source: str) -> str:
    """The last part of a path, whichever separator it uses."""
    return PureWindowsPath(source).name if "\\" in source else PurePosixPath(source).name


def candidates(ref: str) -> list[str]:
    """Sources that name ``ref``'s document, most exact first (exact text, then as
    recorded today)."""
    return list(dict.fromkeys([ref, recorded_source(ref)]))
