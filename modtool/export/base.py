"""What every format writer gets: the records, and what it needs to know about them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportContext:
    """``label_keys``: the policy's label keys (CSV columns); ``score_columns``:
    ``(model, attribute)`` pairs present in the selection; ``thread_info(id)``:
    ``{id, title, source, article, article_source, article_hash, platform,
    external_id, url}`` of a thread; ``name``: the output's name (a ConvoKit corpus
    records it); ``policy_def``: the loaded policy, when there is a file."""

    policy: str | None
    label_keys: tuple[str, ...]
    score_columns: tuple[tuple[str, str], ...]
    thread_info: Callable[[int], dict[str, Any]]
    name: str = "modtool-export"
    policy_def: Any = None  # the loaded Policy when there is a file (label texts, actions)
    database: str = ""  # the database's file stem (Datasette names databases so)


class Writer(Protocol):
    def __call__(self, path: Path, records: Iterable[Record], context: ExportContext) -> int:
        """Write ``records`` to ``path`` (a file, or a folder for ConvoKit); return the count."""
        ...
