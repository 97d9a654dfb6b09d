"""The search index of an import's new comments, built before each commit (not batch by
batch), and threads written without a savepoint where none can fail late: what any
other connection sees committed is indexed, whatever the format's path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from modtool.importers import IMPORTERS, pipeline
from modtool.ingest import import_path
from modtool.store import Store
from modtool.store import threads as store_threads
from tests import platform_fake


def c(ext: str, thread: str, parent: str | None, body: str) -> dict:
    return {"id": ext, "thread": thread, "parent": parent, "author": f"u{ext}", "body": body}


ITEMS = [
    {"kind": "thread", "id": "t1", "title": "First"},
    c("1", "t1", None, "albatross one"),
    c("2", "t1", "1", "albatross two"),
    {"kind": "thread", "id": "t2", "title": "Second"},
    c("1", "t2", None, "cormorant"),
    {"kind": "problem", "thread": "t2", "message": "a bad line of t2"},
    {"kind": "thread", "id": "t3", "title": "Third"},
    c("1", "t3", None, "dunlin"),
]


def search(connection: sqlite3.Connection, word: str) -> list[str]:
    return [
        body
        for (body,) in connection.execute(
            "SELECT c.body FROM comments_fts f JOIN comments c ON c.id = f.rowid"
            " WHERE comments_fts MATCH ? ORDER BY c.id",
            [word],
        )
    ]


def check(db_path: Path) -> None:
    """FTS5's own check of the index against the comments table (raises if out of sync)."""
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO comments_fts (comments_fts, rank) VALUES ('integrity-check', 1)"
        )
    connection.close()


@pytest.mark.parametrize(
    ("grouped", "preorder"),
    [(False, False), (True, False), (True, True)],
    ids=["staged", "grouped", "streamed"],
)
def test_what_others_see_committed_is_indexed(
    tmp_path: Path,
    store: Store,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    grouped: bool,
    preorder: bool,
) -> None:
    monkeypatch.setitem(IMPORTERS, "fake", "tests.platform_fake")
    monkeypatch.setattr(platform_fake, "GROUPED", grouped, raising=False)
    monkeypatch.setattr(platform_fake, "PREORDER", preorder, raising=False)
    monkeypatch.setattr(store_threads, "COMMIT_EVERY_S", 0.0)  # staged: every thread commits
    assert pipeline.fails_late(platform_fake) is preorder
    seen: list[list[str]] = []
    original = store_threads.DocumentWriter.end_thread

    def end_thread(self, **kwargs):
        result = original(self, **kwargs)
        other = sqlite3.connect(db_path)  # reads only: the import holds the write lock
        seen.append(search(other, "albatross OR cormorant OR dunlin"))
        other.close()
        return result

    monkeypatch.setattr(store_threads.DocumentWriter, "end_thread", end_thread)
    report = import_path(store, platform_fake.write(tmp_path / "x.fake", ITEMS))
    assert [f.external_id for f in report.failures] == ["t2"]
    assert [r.external_id for r in report.threads] == ["t1", "t3"]
    if grouped:  # one transaction: nothing is seen before the end
        assert all(found == [] for found in seen)
    else:  # t2 failed before any of it was written: t1 and t3 end, each committed and indexed
        assert seen == [
            ["albatross one", "albatross two"],
            ["albatross one", "albatross two", "dunlin"],
        ]
    connection = store.db.conn
    check(db_path)
    assert search(connection, "albatross") == ["albatross one", "albatross two"]
    assert search(connection, "cormorant") == []  # the failed thread left nothing, not even index
    assert search(connection, "dunlin") == ["dunlin"]

    # Again with an edit, a new comment and t2 fixed: edits go through the update trigger
    # on rows indexed by the first import, new rows are indexed before the commit.
    again = [item for item in ITEMS if item.get("kind") != "problem"]
    again[2] = c("2", "t1", "1", "albatross edited to egret")
    again.append(c("2", "t3", "1", "fulmar"))
    report = import_path(store, platform_fake.write(tmp_path / "x.fake", again))
    assert report.failures == []
    check(db_path)
    assert search(connection, "egret") == ["albatross edited to egret"]
    assert search(connection, "two") == []
    assert search(connection, "cormorant OR fulmar") == ["cormorant", "fulmar"]


def test_a_first_thread_that_fails_late_is_rolled_back_without_a_savepoint(
    tmp_path: Path, store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first thread since the last commit is written without a savepoint (nothing
    else is in the transaction): when it fails after its comments, the transaction is
    rolled back and begun again; the threads after it are stored and indexed."""
    monkeypatch.setitem(IMPORTERS, "fake", "tests.platform_fake")
    monkeypatch.setattr(platform_fake, "GROUPED", True, raising=False)
    monkeypatch.setattr(platform_fake, "PREORDER", True, raising=False)
    items = [*ITEMS[3:6], *ITEMS[:3], *ITEMS[6:]]  # t2 (which fails late) first
    assert items[0] == {"kind": "thread", "id": "t2", "title": "Second"}
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    report = import_path(store, platform_fake.write(tmp_path / "x.fake", items))
    store.db.conn.set_trace_callback(None)
    assert [f.external_id for f in report.failures] == ["t2"]
    assert [r.external_id for r in report.threads] == ["t1", "t3"]
    # t2: rolled back whole; t1: the first stored, no savepoint; t3: in one.
    assert statements.count("ROLLBACK") == 1
    assert statements.count("SAVEPOINT thread") == 1
    assert statements.count("RELEASE thread") == 1
    check(db_path)
    connection = store.db.conn
    assert search(connection, "cormorant") == []
    assert search(connection, "albatross OR dunlin") == ["albatross one", "albatross two", "dunlin"]
    assert [t.title for t in store.threads.list()] == ["First", "Third"]


def test_a_thread_that_fails_late_without_a_savepoint_rolls_back_the_document(
    tmp_path: Path, store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard: a reader that breaks the promise of ``fails_late`` stores nothing."""
    monkeypatch.setitem(IMPORTERS, "fake", "tests.platform_fake")
    monkeypatch.setattr(platform_fake, "GROUPED", True, raising=False)
    monkeypatch.setattr(platform_fake, "PREORDER", True, raising=False)
    monkeypatch.setattr(pipeline, "fails_late", lambda importer: False)
    with pytest.raises(RuntimeError, match="failed after its comments were written"):
        import_path(store, platform_fake.write(tmp_path / "x.fake", ITEMS))
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT COUNT(*) FROM comments").fetchone() == (0,)
    check(db_path)
    other.close()
