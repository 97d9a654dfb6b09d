"""Helpers shared by the store's repositories."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlite_utils


def utc_now() -> str:
    """An ISO-8601 UTC timestamp with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def dumps(value: Any) -> str:
    """JSON for columns that hold structured values (compact, stable key order)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: take the write lock before reading.

    Read-modify-write steps (a label toggle, a migration) run in one of these so
    that two processes on one database wait for each other (busy timeout, then
    retries with backoff: see ``modtool.store._Connection``) instead of failing
    to upgrade a read lock. When the wait runs out, the CLI says which process
    holds the lock (:mod:`modtool.store.sqlite_errors`). The commit has happened when the
    block exits; an exception rolls everything back.
    """
    with db.ensure_autocommit_on():
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            # SQLite may have rolled back already (a full disk, an I/O error): a
            # second ROLLBACK would replace the real error with "no transaction".
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def where_equal(columns: dict[str, object]) -> tuple[str, list[object]]:
    """``WHERE a = ? AND b = ?`` for the columns whose value is not ``None``.

    Column names come from the calling code, never from users; values are
    always bound as parameters. Returns ``("", [])`` when nothing filters.
    """
    chosen = {column: value for column, value in columns.items() if value is not None}
    if not chosen:
        return "", []
    return "WHERE " + " AND ".join(f"{column} = ?" for column in chosen), list(chosen.values())
