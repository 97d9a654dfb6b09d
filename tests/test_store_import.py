"""Importing into the store: stable ids, idempotence, growth, rollback, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from modtool.errors import ParseError, StoreError
from modtool.ingest import import_path
from modtool.models import ModelInfo, PolicyRef, ScoreRow
from modtool.store import Store, open_store
from modtool.store.migrations import LATEST, MIGRATIONS
from tests.thread_docs import Node, render

POLICY = PolicyRef(name="test", hash="h1", labels=frozenset({"insult"}))


def dump(db_path: Path) -> list[str]:
    """Every row of every table, for 'exactly as it was' comparisons."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def rows(store: Store, thread_id: int = 1) -> list[tuple]:
    return [
        (c.id, c.path, c.parent_id, c.depth, c.author, c.body, c.present)
        for c in store.comments.iter_thread(thread_id, include_missing=True)
    ]


def test_store_settings(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.schema_version == LATEST == len(MIGRATIONS)


def test_sample_import_ids_and_parents(sample_store: Store) -> None:
    comments = sample_store.comments.for_thread(1)
    assert [c.id for c in comments] == list(range(1, 28))
    by_path = {c.path: c for c in comments}
    for comment in comments:
        parent_path = comment.path.rpartition(".")[0]
        assert comment.parent_id == (by_path[parent_path].id if parent_path else None)
    thread = sample_store.threads.get(1)
    assert (thread.comment_count, thread.max_depth, thread.article_source) == (27, 5, "Reuters")
    chain = sample_store.comments.ancestors(by_path["7.4.2.1.1.2"].id)
    assert [c.path for c in chain] == ["7", "7.4", "7.4.2", "7.4.2.1", "7.4.2.1.1"]


def test_reimport_changes_nothing(sample_store: Store, sample_path: Path, db_path: Path) -> None:
    before = dump(db_path)
    result = import_path(sample_store, sample_path)
    assert (result.created, result.added, result.unchanged, result.updated, result.absent) == (
        False,
        0,
        27,
        0,
        0,
    )
    assert dump(db_path) == before


def test_grown_thread_keeps_ids(tmp_path: Path, store: Store) -> None:
    tree = [Node("Ann", "first", [Node("Bob", "reply")]), Node("Cy", "second")]
    path = tmp_path / "t.txt"
    path.write_text(render("T", "A", tree), encoding="utf-8")
    import_path(store, path)
    old = {c.path: c.id for c in store.comments.iter_thread(1)}
    tree[0].replies.append(Node("Dee", "new reply"))
    tree[1].replies.append(Node("Eve", "reply to second"))
    tree.append(Node("Fay", "third"))
    path.write_text(render("T", "A", tree), encoding="utf-8")
    result = import_path(store, path)
    assert (result.added, result.unchanged) == (3, 3)
    now = {c.path: c for c in store.comments.iter_thread(1)}
    for comment_path, comment_id in old.items():
        assert now[comment_path].id == comment_id
    assert now["1.2"].parent_id == old["1"] and now["1.2"].author == "Dee"
    assert now["2.1"].parent_id == old["2"]
    assert [c.position for c in now.values()] == list(range(6))


def test_edit_and_vanish_keep_ids_scores_and_labels(tmp_path: Path, store: Store) -> None:
    tree = [
        Node("Ann", "first comment, about the talks"),
        Node("Bob", "to be deleted"),
        Node("Cy", "third", [Node("Dee", "r")]),
    ]
    path = tmp_path / "t.txt"
    path.write_text(render("T", "A", tree), encoding="utf-8")
    import_path(store, path)
    ids = {c.author: c.id for c in store.comments.iter_thread(1)}
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("toxicity",)))
    hashes = {c.author: c.content_hash for c in store.comments.iter_thread(1)}
    store.scores.save(
        [
            ScoreRow(ids["Cy"], "m@1", {"toxicity": 0.9}, hashes["Cy"]),
            ScoreRow(ids["Ann"], "m@1", {"toxicity": 0.2}, hashes["Ann"]),
        ]
    )
    store.labels.add(ids["Bob"], "insult", moderator="ana", policy=POLICY)
    # Bob's comment is removed upstream, Cy's moves up to number 2 and Ann edits hers.
    tree = [
        Node("Ann", "first comment, about the talks (edited)"),
        Node("Cy", "third", [Node("Dee", "r")]),
    ]
    path.write_text(render("T", "A", tree), encoding="utf-8")
    result = import_path(store, path)
    assert (result.updated, result.moved, result.absent) == (1, 2, 1)
    present = {c.author: c for c in store.comments.iter_thread(1)}
    assert present["Ann"].id == ids["Ann"]
    assert present["Ann"].body == "first comment, about the talks (edited)"
    assert present["Cy"].id == ids["Cy"] and present["Cy"].path == "2"
    assert present["Dee"].id == ids["Dee"] and present["Dee"].parent_id == ids["Cy"]
    assert "Bob" not in present
    gone = store.comments.get(ids["Bob"])
    assert not gone.present
    assert store.labels.state(ids["Bob"], "ana", "test").labels == {"insult"}
    assert store.scores.for_comment(ids["Cy"]) == {"m@1": {"toxicity": 0.9}}
    # Ann's score was made on the text before her edit: stale, not shown, re-scored next time.
    assert store.scores.for_comment(ids["Ann"]) == {}
    assert store.scores.for_thread(1) == {ids["Cy"]: {"m@1": {"toxicity": 0.9}}}
    assert [row[0] for row in store.scores.unscored("m@1", 1)] == [ids["Ann"], ids["Dee"]]


def test_parse_error_leaves_database_exactly_as_it_was(
    tmp_path: Path, sample_store: Store, db_path: Path
) -> None:
    before = dump(db_path)
    good = "\n".join(f"  {n}. User{n} says\n\n    body {n}\n" for n in range(1, 3000))
    bad = tmp_path / "bad.txt"
    bad.write_text(f"T\n\nA\n\n{good}\n     1. Odd says\n\n       x\n", encoding="utf-8")
    with pytest.raises(ParseError, match="levels are 2 spaces"):
        import_path(sample_store, bad)
    assert dump(db_path) == before
    # The same for a re-import of an existing thread that turned bad.
    broken = tmp_path / "sample.txt"
    broken.write_text(render("T", "A", [Node("Ann", "x")]), encoding="utf-8")
    import_path(sample_store, broken)
    before = dump(db_path)
    grown = render("T", "A", [Node("Ann", "x"), Node("Bob", "y")], end_marker=False)
    broken.write_text(grown + "      1. Jump says\n\n        z\n", encoding="utf-8")
    with pytest.raises(ParseError):
        import_path(sample_store, broken)
    assert dump(db_path) == before


def test_newer_schema_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version={LATEST + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this modtool"):
        open_store(db_path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not sqlite\n" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(path)


@pytest.mark.parametrize("version", range(1, LATEST))
def test_migrates_a_database_made_by_an_older_schema(
    db_path: Path, sample_path: Path, version: int
) -> None:
    """Build the schema only up to ``version`` (as an older modtool would), then open it."""
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    for migration in MIGRATIONS[:version]:
        migration(db)
    db.execute(f"PRAGMA user_version={version}")
    db.execute(
        "INSERT INTO threads (title, source, format, article, article_hash, imported_at, updated_at)"
        " VALUES ('Old', 'old.txt', 'text', '', 'h', 'then', 'then')"
    )
    db.close()
    store = open_store(db_path)
    assert store.schema_version == LATEST
    assert [t.title for t in store.threads.list()] == ["Old"]
    import_path(store, sample_path)
    assert store.comments.count() == 27
    store.close()


def test_migrations_are_named_by_their_version() -> None:
    """A migration's number is its place in MIGRATIONS (the user_version it sets)."""
    names = [migration.__name__ for migration in MIGRATIONS]
    assert names == [f"m{v:03d}_{name[5:]}" for v, name in enumerate(names, start=1)]
