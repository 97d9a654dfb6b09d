"""m004: a database made by the previous schema (v3), with data, opens with everything kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from modtool.ingest import import_path
from modtool.models import content_hash
from modtool.store import open_store
from modtool.store.migrations import MIGRATIONS
from tests.thread_docs import Node, render


def make_v3(db_path: Path, doc: Path) -> dict[str, int]:
    """What modtool 3 left behind: a thread, a reply tree, a label, a score, an absent comment."""
    db = sqlite_utils.Database(db_path)
    for migration in MIGRATIONS[:3]:
        migration(db)
    db.execute("PRAGMA user_version=3")
    title, article = "T", "A"
    db.execute(
        "INSERT INTO threads (id, title, source, format, article, article_hash, imported_at,"
        " updated_at) VALUES (1, ?, ?, 'text', ?, ?, 'then', 'then')",
        [title, str(doc), article, content_hash(title, article)],
    )
    rows = [
        (1, None, 0, 0, "1", "Ann", "first comment here"),
        (2, 1, 1, 1, "1.1", "Bob", "a reply"),
        (3, None, 2, 0, "2", "Cy", "second comment"),
        (4, None, 3, 0, "2", "Old", "vanished earlier, its path reused"),
    ]
    for cid, parent, position, depth, path, author, body in rows:
        db.execute(
            "INSERT INTO comments (id, thread_id, parent_id, position, depth, path, author, body,"
            " content_hash, present, imported_at, updated_at)"
            " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 'then', 'then')",
            [
                cid,
                parent,
                position,
                depth,
                path,
                author,
                body,
                content_hash(author, body),
                0 if cid == 4 else 1,
            ],
        )
    bob_hash = content_hash("Bob", "a reply")
    db.execute("INSERT INTO models VALUES ('m@1', 'test', 'm', '[\"toxicity\"]', '{}', 'then')")
    db.execute("INSERT INTO scores VALUES (2, 'm@1', 'toxicity', 0.7, ?, 0, 'then')", [bob_hash])
    db.execute("INSERT INTO labels VALUES (2, 'ana', 'insult', 'test', 'h1', 'then')")
    db.execute("INSERT INTO reviews VALUES (2, 'ana', 'test', 'labeled', 'then')")
    db.conn.commit()
    db.close()
    return {"Ann": 1, "Bob": 2, "Cy": 3}


def test_v3_database_migrates_with_everything_kept(tmp_path: Path) -> None:
    db_path = tmp_path / "old.db"
    doc = tmp_path / "doc.txt"
    doc.write_text(
        render(
            "T",
            "A",
            [
                Node("Ann", "first comment here", [Node("Bob", "a reply")]),
                Node("Cy", "second comment"),
            ],
        ),
        encoding="utf-8",
    )
    ids = make_v3(db_path, doc)
    store = open_store(db_path)  # migrates to the latest schema
    assert store.labels.state(ids["Bob"], "ana", "test").labels == {"insult"}
    assert store.scores.for_comment(ids["Bob"]) == {"m@1": {"toxicity": 0.7}}
    thread = store.threads.get(1)
    assert (thread.platform, thread.external_id) == ("text", content_hash("T", "A"))
    got = [
        (c.id, c.external_id, c.parent_external_id, c.orphan, c.status, c.present)
        for c in store.comments.iter_thread(1, include_missing=True)
    ]
    assert got == [
        (1, "1", None, False, "visible", True),
        (2, "1.1", "1", False, "visible", True),
        (3, "2", None, False, "visible", True),
        (4, "2", None, False, "visible", False),
    ]
    # The same document again is the same thread: nothing changes, ids, labels, scores kept.
    report = import_path(store, doc)
    assert (report.thread_id, report.created, report.unchanged, report.added) == (1, False, 3, 0)
    assert store.labels.state(ids["Bob"], "ana", "test").labels == {"insult"}
    assert store.scores.for_comment(ids["Bob"]) == {"m@1": {"toxicity": 0.7}}
    assert not store.comments.get(4).present
    store.close()
    columns = {row[1] for row in sqlite3.connect(db_path).execute("PRAGMA table_info(comments)")}
    assert {
        "external_id",
        "parent_external_id",
        "orphan",
        "status",
        "created_at",
        "meta",
    } <= columns
