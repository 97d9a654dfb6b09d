"""The SQLite store: the only package that speaks SQL.

Open it with :func:`open_store`; reach the data through its repositories::

    store = open_store("modtool.db")
    store.threads.list()
    store.comments.for_thread(thread_id)
    store.labels.toggle(...)

The database runs in WAL mode with foreign keys on and a busy timeout, so two
moderators (two processes) can work on one file at once. Every write method
commits before it returns.
"""

from __future__ import annotations

# isort: off
from modtool.store import light_import  # noqa: F401  first: keeps pandas out of start-up

# isort: on
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from modtool.errors import StoreError
from modtool.store.comments import CommentRepo
from modtool.store.common import utc_now, write_transaction
from modtool.store.dataset import DatasetRepo
from modtool.store.labels import LabelRepo
from modtool.store.migrations import LATEST, MIGRATIONS
from modtool.store.policies import PolicyRepo
from modtool.store.queue import QueueRepo
from modtool.store.scores import ScoreRepo
from modtool.store.suggestions import SuggestionRepo
from modtool.store.threads import ThreadRepo

DEFAULT_DB = "modtool.db"
BUSY_TIMEOUT_MS = 10_000

__all__ = ["DEFAULT_DB", "Store", "default_db_path", "open_store", "utc_now"]


def default_db_path() -> Path:
    return Path(os.environ.get("MODTOOL_DB") or DEFAULT_DB)


class Store:
    """A migrated database and its repositories."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self.threads = ThreadRepo(db)
        self.comments = CommentRepo(db)
        self.labels = LabelRepo(db)
        self.scores = ScoreRepo(db)
        self.dataset = DatasetRepo(db)
        self.queue = QueueRepo(db)
        self.policies = PolicyRepo(db)
        self.suggestions = SuggestionRepo(db)

    @property
    def schema_version(self) -> int:
        return _user_version(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Store:
    """Open (creating if needed) and migrate the database at ``path``.

    ``path=":memory:"`` gives a private in-memory database (tests, ad-hoc use).
    """
    target = Path(path) if path is not None else default_db_path()
    memory = str(target) == ":memory:"
    if not memory:
        if target.is_dir():
            raise StoreError(f"{target}: is a directory, not a database file")
        if not target.parent.exists():
            raise StoreError(f"{target}: folder {target.parent} does not exist")
    try:
        conn = sqlite3.connect(
            ":memory:" if memory else str(target),
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        db = sqlite_utils.Database(conn)
        _configure(db, memory)
        if migrate:
            migrate_db(db, target)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{target}: cannot open as a modtool database: {exc}") from None
    return Store(db, None if memory else target)


def _configure(db: sqlite_utils.Database, memory: bool) -> None:
    with db.ensure_autocommit_on():
        if not memory:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")


def _user_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate_db(db: sqlite_utils.Database, where: Path | str = "database") -> int:
    """Apply every pending migration, each in its own transaction; return the version."""
    version = _user_version(db)
    if version > LATEST:
        raise StoreError(
            f"{where}: schema version {version} is newer than this modtool ({LATEST}); "
            "upgrade modtool"
        )
    # The write lock is taken first, so two processes opening a new database at
    # once cannot both run the same migration.
    while version < LATEST:
        with write_transaction(db):
            version = _user_version(db)
            if version < LATEST:
                MIGRATIONS[version](db)
                version += 1
                db.execute(f"PRAGMA user_version={version}")
    return version
