"""Policies seen by this database, by content hash (so old labels keep their rulebook)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from modtool.store.common import utc_now
from modtool.store.sources import recorded_source


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    hash: str
    name: str
    version: str
    path: str | None
    content: str
    first_seen_at: str


class PolicyRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def register(
        self, *, hash: str, name: str, version: str, path: str | None, content: str
    ) -> bool:
        """Record a policy version the first time it is used; ``True`` if it was new.

        Rows are never updated: a changed file has a new hash and gets a new row.
        ``path`` is kept as the user named it, never as a local absolute path
        (:func:`~modtool.store.sources.recorded_source`): the database is shown to
        others.
        """
        path = None if path is None else recorded_source(path)
        cursor = self.db.execute(
            """INSERT INTO policies (hash, name, version, path, content, first_seen_at)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING""",
            [hash, name, version, path, content, utc_now()],
        )
        return cursor.rowcount == 1

    def get(self, hash: str) -> StoredPolicy | None:
        row = self.db.execute(
            "SELECT hash, name, version, path, content, first_seen_at FROM policies WHERE hash = ?",
            [hash],
        ).fetchone()
        return None if row is None else StoredPolicy(*row)

    def list(self, name: str | None = None) -> list[StoredPolicy]:
        """Every stored version (of one policy, when ``name`` is given), oldest first."""
        where, params = ("WHERE name = ?", [name]) if name else ("", [])
        return [
            StoredPolicy(*row)
            for row in self.db.execute(
                f"""SELECT hash, name, version, path, content, first_seen_at FROM policies
                    {where} ORDER BY first_seen_at, hash""",
                params,
            )
        ]
