"""A queue's rows loaded a page at a time, as the moderator gets to them.

:class:`LazyRows` is a sequence of comment ids that grows from the front: the
first page is read when the queue opens, the next when the cursor (or ``n``)
comes near the end of what is loaded. A million matching comments cost one page
of memory until someone scrolls through them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

from modtool.store.queue import Key, QueueRow

Fetch = Callable[[Key | None, int], list[QueueRow]]
"""``fetch(after_key, limit)``: the next rows of the query after ``after_key``."""
PAGE = 200


class LazyRows(Sequence[int]):
    """Comment ids of a queue in order; :meth:`load_more` reads the next page."""

    def __init__(
        self, fetch: Fetch, *, page: int = PAGE, loaded: Callable[[list[int]], None] | None = None
    ) -> None:
        self._fetch = fetch
        self.page = page
        self._loaded = loaded
        self._ids: list[int] = []
        self._where: dict[int, int] = {}
        self._last: Key | None = None
        self.complete = False
        """Every matching row is loaded."""
        self.load_more()

    def load_more(self) -> list[int]:
        """Read the next page; the ids it added (``[]`` at the end)."""
        if self.complete:
            return []
        rows = self._fetch(self._last, self.page)
        if len(rows) < self.page:
            self.complete = True
        added = []
        for row in rows:
            if row.id in self._where:  # a row moved while paging (a new score): once
                continue
            self._where[row.id] = len(self._ids)
            self._ids.append(row.id)
            added.append(row.id)
        if rows:
            self._last = rows[-1].key
        if added and self._loaded is not None:
            self._loaded(added)
        return added

    def ensure(self, count: int) -> None:
        """Load pages until ``count`` rows are loaded or there are no more."""
        while len(self._ids) < count and not self.complete:
            if not self.load_more() and not self.complete:
                break

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        return self._ids[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __contains__(self, cid: object) -> bool:
        return cid in self._where

    def index(self, cid: int, start: int = 0, stop: int | None = None) -> int:  # type: ignore[override]
        """Where ``cid`` is among the loaded rows (``ValueError`` if not loaded)."""
        try:
            found = self._where[cid]
        except KeyError:
            raise ValueError(f"{cid} is not in the loaded rows") from None
        if found < start or (stop is not None and found >= stop):
            raise ValueError(f"{cid} is not in the range")
        return found
