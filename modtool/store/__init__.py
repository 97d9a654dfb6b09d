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
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlite_utils

from modtool.errors import StoreError
from modtool.store.authors import AuthorRepo
from modtool.store.bulk import BulkRepo
from modtool.store.claims import ClaimRepo
from modtool.store.comments import CommentRepo
from modtool.store.common import utc_now, write_transaction
from modtool.store.dataset import DatasetRepo
from modtool.store.fts import SearchRepo
from modtool.store.labels import LabelRepo
from modtool.store.migrations import LATEST, MIGRATIONS, m007_scores_by_comment_and_model
from modtool.store.naming import NamingRepo
from modtool.store.platform_actions import PlatformRepo
from modtool.store.policies import PolicyRepo
from modtool.store.progress import ProgressRepo
from modtool.store.queue import QueueRepo
from modtool.store.scores import ScoreRepo
from modtool.store.site_models import SiteModelRepo
from modtool.store.sqlite_errors import translate
from modtool.store.suggestions import SuggestionRepo
from modtool.store.threads import ThreadRepo
from modtool.store.threadstats import ThreadStatsRepo

DEFAULT_DB = "modtool.db"
BUSY_TIMEOUT_S = 15.0
"""How long a command waits for another process's write lock before it says who
holds it (``MODTOOL_BUSY_TIMEOUT`` seconds overrides it: tests, impatient scripts)."""
BUSY_TIMEOUT_MS = int(BUSY_TIMEOUT_S * 1000)
SQLITE_MAGIC = b"SQLite format 3\x00"
TABLES_BY_VERSION = {
    1: ("threads", "comments"),
    2: ("models", "scores"),
    3: ("policies", "labels"),
    MIGRATIONS.index(m007_scores_by_comment_and_model) + 1: ("comment_scores",),
}
"""Tables (and views) each migration creates: a database claiming a version must have them."""

__all__ = [
    "DEFAULT_DB",
    "Store",
    "busy_timeout",
    "default_db_path",
    "last_opened",
    "open_store",
    "utc_now",
]

_opened: list[Path] = []


def default_db_path() -> Path:
    return Path(os.environ.get("MODTOOL_DB") or DEFAULT_DB)


def busy_timeout() -> float:
    """Seconds to wait for a write lock (``MODTOOL_BUSY_TIMEOUT``, else 15)."""
    raw = os.environ.get("MODTOOL_BUSY_TIMEOUT", "").strip()
    try:
        value = float(raw) if raw else BUSY_TIMEOUT_S
    except ValueError:
        value = BUSY_TIMEOUT_S
    return min(max(value, 0.0), 3600.0)


def last_opened() -> Path | None:
    """The file the latest :func:`open_store` opened (errors name it)."""
    return _opened[-1] if _opened else None


class _Connection(sqlite3.Connection):
    """A connection whose every plain ``BEGIN`` takes the write lock up front.

    A deferred ``BEGIN`` (sqlite-utils' ``atomic()``, Python's implicit
    transactions) starts as a reader and upgrades at its first write; when
    another process committed meanwhile, SQLite cannot wait for the upgrade and
    fails at once with "database is locked" (imports failed after 0.2 s this way).
    ``BEGIN IMMEDIATE`` waits its turn (busy timeout), retried with backoff for
    the busy cases SQLite does not wait on (WAL recovery).
    """

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if _PLAIN_BEGIN.match(sql):
            return self._begin_immediate()
        return super().execute(sql, *args)

    def _begin_immediate(self) -> sqlite3.Cursor:
        deadline = time.monotonic() + busy_timeout()
        pause = 0.01
        while True:
            try:
                return super().execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                busy = getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY")
                if not busy or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


_PLAIN_BEGIN = re.compile(r"\s*BEGIN(\s+(IMMEDIATE|TRANSACTION))?\s*;?\s*$", re.IGNORECASE)


class Store:
    """A migrated database and its repositories."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self.threads = ThreadRepo(db)
        self.comments = CommentRepo(db)
        self.labels = LabelRepo(db)
        self.scores = ScoreRepo(db)
        self.site_models = SiteModelRepo(db)
        self.dataset = DatasetRepo(db)
        self.queue = QueueRepo(db)
        self.policies = PolicyRepo(db)
        self.suggestions = SuggestionRepo(db)
        self.naming = NamingRepo(db)
        self.progress = ProgressRepo(db)
        self.platform = PlatformRepo(db)
        self.authors = AuthorRepo(db)
        self.claims = ClaimRepo(db)
        self.bulk = BulkRepo(db)
        self.thread_stats = ThreadStatsRepo(db)
        self.search = SearchRepo(db)

    @property
    def schema_version(self) -> int:
        return _user_version(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: str | os.PathLike[str] | None = None, *, migrate: bool = True, create: bool = True
) -> Store:
    """Open and migrate the database at ``path`` (created if missing and ``create``).

    A file that is not a modtool database (another program's SQLite file, an
    unknown schema version, not SQLite at all) is refused before anything in it
    changes: no WAL switch, no migration. ``path=":memory:"`` gives a private
    in-memory database (tests, ad-hoc use).
    """
    target = Path(path) if path is not None else default_db_path()
    memory = str(target) == ":memory:"
    if not memory:
        _opened.append(target)
        if target.is_dir():
            raise StoreError(f"{target}: is a directory, not a database file")
        if not target.parent.exists():
            raise StoreError(f"{target}: folder {target.parent} does not exist")
        if not target.exists() and not create:
            raise StoreError(f"no database at {target} (run `modtool import FILE` first)")
        _check_before_opening(target)
    try:
        conn = sqlite3.connect(
            ":memory:" if memory else str(target),
            timeout=busy_timeout(),
            check_same_thread=False,
            factory=_Connection,
            isolation_level="IMMEDIATE",
        )
        db = sqlite_utils.Database(conn)
        _configure(db, memory)
        if migrate:
            migrate_db(db, target)
    except sqlite3.Error as exc:
        raise translate(exc, None if memory else target) from None
    return Store(db, None if memory else target)


def _check_before_opening(target: Path) -> None:
    """Refuse, without changing a byte, a file that is not (or not yet) modtool's.

    The file is only ever read through SQLite itself, never with a plain
    ``open()``: closing any descriptor of a file drops every POSIX lock this
    process holds on it, so a Python-level peek while another connection of
    the same process has the database open would let a second process reset
    the WAL under that connection ("database disk image is malformed").
    SQLite's own VFS shares one lock table per file and defers such closes.
    """
    try:
        info = target.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{target}: cannot read the database file: {exc.strerror}") from None
    if info.st_size == 0:
        return  # an empty file is an empty database
    # Without a -wal file the main file is the whole database: read it as immutable
    # (no lock, no -shm or -wal created). With one, a read-only connection sees it.
    wal = Path(f"{target}-wal")
    query = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
    try:
        probe = sqlite3.connect(f"{target.resolve().as_uri()}?{query}", uri=True, timeout=1)
    except sqlite3.Error:
        return  # cannot probe read-only (no -shm yet in a locked folder): the open will say
    try:
        version = int(probe.execute("PRAGMA user_version").fetchone()[0])
        tables = {name for (name,) in probe.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise StoreError(
                f"{target}: cannot open: not an SQLite database; give another --db"
            ) from None
        raise translate(exc, target) from None
    except sqlite3.Error as exc:
        raise translate(exc, target) from None
    finally:
        probe.close()
    mine = "threads" in tables and "comments" in tables
    if version < 0 or (version == 0 and tables) or (version > 0 and not mine):
        shown = ", ".join(sorted(t for t in tables if not t.startswith("sqlite_"))[:5])
        raise StoreError(
            f"{target}: an SQLite database, but not modtool's (user_version {version}"
            + (f", tables {shown}" if shown else "")
            + "); left unchanged: give another --db"
        )
    if version > LATEST:
        raise StoreError(
            f"{target}: schema version {version} is newer than this modtool ({LATEST}); "
            "upgrade modtool"
        )
    missing = [
        table
        for step, names in TABLES_BY_VERSION.items()
        if step <= version
        for table in names
        if table not in tables
    ]
    if missing:
        raise StoreError(
            f"{target}: not a complete modtool database (no table {', '.join(missing)}): "
            "it was changed outside modtool; restore it from a backup or import into a new --db"
        )


def _configure(db: sqlite_utils.Database, memory: bool) -> None:
    with db.ensure_autocommit_on():
        if not memory:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")


def _user_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate_db(db: sqlite_utils.Database, where: Path | str = "database") -> int:
    """Apply every pending migration, each in its own transaction (all of them in
    one for a new database); return the version."""
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
            # A new database takes every step in one transaction: nothing in it to
            # keep apart, and its WAL then holds each page once rather than a copy
            # per step (the schema pages change at every step).
            last = LATEST if version == 0 else min(version + 1, LATEST)
            while version < last:
                MIGRATIONS[version](db)
                version += 1
            db.execute(f"PRAGMA user_version={version}")
    return version
