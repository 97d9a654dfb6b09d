"""threads.source records the document as the user named it, never a local absolute
path (issue 17.15), and migration m009 cuts the absolute paths older databases hold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from modtool.models import content_hash
from modtool.store import open_store
from modtool.store.migrations import LATEST, MIGRATIONS, m009_sources_without_local_paths
from modtool.store.sources import recorded_source, recorded_sources
from tests.cli_batch import run_batch

SAMPLE = "sample-thread-korea-talks-collapse.txt"


@pytest.mark.parametrize(
    ("named", "recorded"),
    [
        ("threads/x.txt", "threads/x.txt"),
        ("./threads//x.txt", "threads/x.txt"),
        ("../data/x.json", "../data/x.json"),
        ("/home/ana/dumps/RC_2024-01.zst", "RC_2024-01.zst"),
        ("C:\\Users\\ana\\export.xml", "export.xml"),
        ("~/export.xml", "export.xml"),
        ("<stdin>", "<stdin>"),
    ],
)
def test_what_is_recorded(named: str, recorded: str) -> None:
    assert recorded_source(named) == recorded


def test_several_files_are_each_named(tmp_path: Path) -> None:
    assert recorded_sources([tmp_path / "p1.json", "pages/p2.json"]) == "p1.json + pages/p2.json"


def test_import_by_cli_stores_what_the_user_named(
    db_path: Path, tmp_path: Path, sample_path: Path
) -> None:
    """Imported as typed from two folders, then by absolute path: one thread (identity is
    the content, not the path), its source always a name the user gave, never the
    absolute path; and the thread is found by any of those names."""
    (tmp_path / "threads").mkdir()
    shutil.copy(sample_path, tmp_path / "threads" / SAMPLE)
    relative = f"threads/{SAMPLE}"
    absolute = str(tmp_path / "threads" / SAMPLE)
    runs = run_batch(
        [
            ("import", relative),
            ("threads", "--json"),
            ("import", absolute),
            ("threads", "--json"),
            ("tree", absolute),
            ("tree", relative),
            ("tree", SAMPLE),
            ("tree", "nothing.txt"),
        ],
        db=db_path,
        cwd=tmp_path,
    )
    first, listed, again, relisted, by_absolute, by_relative, by_name, missing = runs
    assert first.returncode == again.returncode == 0, (first.stderr, again.stderr)
    (thread,) = json.loads(listed.stdout)
    assert thread["source"] == relative
    (same,) = json.loads(relisted.stdout)
    assert same["id"] == thread["id"] and same["source"] == SAMPLE
    assert again.stdout.startswith(f"re-imported {absolute}: thread 1 ") and (
        "27 comments (27 unchanged)" in again.stdout
    )
    for found in (by_absolute, by_relative, by_name):
        assert found.returncode == 0 and "Nick Rhynes" in found.stdout, found.stderr
    assert missing.returncode == 1 and "no thread with id or source 'nothing.txt'" in (
        missing.stderr
    )
    with sqlite_utils.Database(db_path) as db:
        stored = [row[0] for row in db.execute("SELECT source FROM threads")]
    assert stored == [SAMPLE] and not any(str(tmp_path) in s for s in stored)


def test_a_policy_is_recorded_without_its_local_path(db_path: Path, tmp_path: Path) -> None:
    """The shipped policy (read from site-packages) and one given by absolute path are
    stored by file name; the database holds no local path."""
    from modtool.policy import load_policy
    from modtool.policy.suggest import register

    own = tmp_path / "mine.toml"
    shipped = load_policy("news-comments")
    own.write_bytes(Path(shipped.path).read_bytes().replace(b"news-comments", b"mine"))
    with open_store(db_path) as store:
        register(store, shipped)
        register(store, load_policy(str(own)))
    with sqlite_utils.Database(db_path) as db:
        paths = sorted(row[0] for row in db.execute("SELECT path FROM policies"))
    assert paths == ["mine.toml", "news-comments.toml"]


def test_m009_cuts_stored_absolute_paths(tmp_path: Path) -> None:
    """A database made just before m009, holding the absolute paths imports used to
    store: after opening, file names (and relative names and <stdin> untouched)."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    before = MIGRATIONS.index(m009_sources_without_local_paths)
    for migration in MIGRATIONS[:before]:
        migration(db)
    db.execute(f"PRAGMA user_version={before}")
    sources = [
        "/home/ana/exports/site-export.xml",
        "threads/x.txt",
        "<stdin>",
        "/srv/a/page1.json + /srv/a/page2.json",
        "C:\\Users\\ana\\disqus.xml",
    ]
    for number, source in enumerate(sources, start=1):
        db.execute(
            "INSERT INTO threads (id, title, source, format, article, article_hash, "
            "imported_at, updated_at) VALUES (?, 'T', ?, 'text', 'A', ?, 'then', 'then')",
            [number, source, content_hash(f"T{number}", "A")],
        )
    db.execute(
        "INSERT INTO policies (hash, name, version, path, content, first_seen_at) VALUES "
        "('h1', 'p', '1', '/usr/lib/python3/site-packages/modtool/policies/p.toml', '', 'then'),"
        " ('h2', 'q', '1', 'policies/q.toml', '', 'then')"
    )
    db.conn.commit()
    db.close()
    with open_store(path) as store:
        assert [t.source for t in store.threads.list()] == [
            "site-export.xml",
            "threads/x.txt",
            "<stdin>",
            "page1.json + page2.json",
            "disqus.xml",
        ]
        assert store.threads.resolve("/elsewhere/site-export.xml").id == 1
    with sqlite_utils.Database(path) as db:
        assert db.execute("SELECT path FROM policies ORDER BY hash").fetchall() == [
            ("p.toml",),
            ("policies/q.toml",),
        ]
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert db.execute("SELECT updated_at FROM threads WHERE id = 1").fetchone()[0] == "then"
