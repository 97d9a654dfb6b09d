"""Full-text search (issue 21.4) and migration m005 of an older database.

The FTS5 indexes are made as ``sqlite-utils enable-fts --create-triggers`` makes
them, so ``sqlite-utils search`` and Datasette's ``_search`` work on a modtool
database unchanged; they stay in sync on import, re-import of an edited comment,
and are built for what an older database already holds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlite_utils

from modtool.ingest import import_path
from modtool.models import content_hash
from modtool.store import open_store
from modtool.store.migrations import LATEST, MIGRATIONS
from tests.thread_docs import Node, render


def make_v4(path: Path) -> None:
    """What modtool 4 left behind: a thread of two comments, ana's label and review."""
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:4]:
        migration(db)
    db.execute("PRAGMA user_version=4")
    db.execute(
        "INSERT INTO threads (id, title, source, format, article, article_hash, imported_at,"
        " updated_at, platform, external_id) VALUES (1, 'Quarterly budget talks', 'b.txt',"
        " 'text', '', 'h', 'then', 'then', 'text', 'h')"
    )
    for cid, author, body in ((1, "Ann", "the zeppelin arrives"), (2, "Bob", "a quiet reply")):
        db.execute(
            "INSERT INTO comments (id, thread_id, position, depth, path, author, body,"
            " content_hash, imported_at, updated_at, external_id)"
            " VALUES (?, 1, ?, 0, ?, ?, ?, ?, 'then', 'then', ?)",
            [cid, cid - 1, str(cid), author, body, content_hash(author, body), str(cid)],
        )
    db.execute("INSERT INTO labels VALUES (2, 'ana', 'insult', 'news-comments', 'h1', 'then')")
    db.execute("INSERT INTO reviews VALUES (2, 'ana', 'news-comments', 'labeled', 'then')")
    db.execute(
        "INSERT INTO actions (at, actor, actor_kind, comment_id, policy_name, policy_hash, kind,"
        " label, before, after) VALUES ('then', 'ana', 'moderator', 2, 'news-comments', 'h1',"
        " 'add_label', 'insult', '{\"labels\":[],\"state\":\"unreviewed\"}',"
        ' \'{"labels":["insult"],"state":"labeled"}\')'
    )
    db.conn.commit()
    db.close()


def fts_ids(store, word: str) -> list[int]:
    return [
        rowid
        for (rowid,) in store.db.execute(
            "SELECT rowid FROM comments_fts WHERE comments_fts MATCH ? ORDER BY rowid", [word]
        )
    ]


def integrity(store) -> None:
    """FTS5's own check of the index against the content table (raises if out of sync)."""
    for table in ("comments_fts", "threads_fts"):
        store.db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")


def test_v4_database_migrates_stamps_and_indexes(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_v4(path)
    with open_store(path) as store:
        assert store.schema_version == LATEST
        bob = content_hash("Bob", "a quiet reply")
        assert store.db.execute("SELECT content_hash FROM labels").fetchall() == [(bob,)]
        assert store.db.execute("SELECT content_hash FROM reviews").fetchall() == [(bob,)]
        (action,) = store.labels.log()
        assert action.content_hash is None  # the audit log is never rewritten
        assert store.labels.edited_since_review([1, 2]) == {}
        assert fts_ids(store, "zeppelin") == [1] and fts_ids(store, "Bob") == [2]
        titles = store.db.execute(
            "SELECT rowid FROM threads_fts WHERE threads_fts MATCH 'budget'"
        ).fetchall()
        assert titles == [(1,)]
        integrity(store)


def doc(bob: str) -> str:
    return render(
        "Harbour news",
        "An article.",
        [Node("Ann", "the lighthouse keeper waves", [Node("Bob", bob)]), Node("Cy", "hello")],
    )


def test_fts_follows_import_and_edits(tmp_path: Path, db_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_text(doc("seagulls everywhere today, lovely seagulls"), encoding="utf-8")
    with open_store(db_path) as store:
        import_path(store, source)
        assert fts_ids(store, "lighthouse") == [1] and fts_ids(store, "seagulls") == [2]
        assert fts_ids(store, "author:Cy") == [3]
        integrity(store)
        source.write_text(doc("seagulls everywhere today, lovely pelicans"), encoding="utf-8")
        result = import_path(store, source)
        assert result.updated == 1
        assert fts_ids(store, "pelicans") == [2] and fts_ids(store, "lovely") == [2]
        assert fts_ids(store, "seagulls") == [2]  # still in the first half
        assert fts_ids(store, "seagulls NOT pelicans") == []
        integrity(store)
        # Any other writer (sqlite-utils, a script) is kept in sync by the triggers.
        store.db["comments"].update(3, {"body": "goodbye"})
        assert fts_ids(store, "hello") == [] and fts_ids(store, "goodbye") == [3]
        integrity(store)


def test_sqlite_utils_search_and_datasette_find_comments(tmp_path: Path, db_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_text(doc("seagulls everywhere"), encoding="utf-8")
    with open_store(db_path) as store:
        import_path(store, source)
    found = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", str(db_path), "comments", "seagulls"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [(r["id"], r["author"]) for r in json.loads(found.stdout)] == [(2, "Bob")]
    titles = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", str(db_path), "threads", "harbour"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [r["id"] for r in json.loads(titles.stdout)] == [1]


async def test_datasette_search_uses_the_index(tmp_path: Path, db_path: Path) -> None:
    from datasette.app import Datasette

    source = tmp_path / "t.txt"
    source.write_text(doc("seagulls everywhere"), encoding="utf-8")
    with open_store(db_path) as store:
        import_path(store, source)
    ds = Datasette([str(db_path)])
    name = db_path.stem
    answer = await ds.client.get(f"/{name}/comments.json?_search=lighthouse&_shape=array")
    assert answer.status_code == 200, answer.text
    assert [row["id"] for row in answer.json()] == [1]
    answer = await ds.client.get(f"/{name}/threads.json?_search=harbour&_shape=array")
    assert [row["id"] for row in answer.json()] == [1]
