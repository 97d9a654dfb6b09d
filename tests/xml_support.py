"""Helpers for the WXR / Disqus end-to-end tests: what a real database file holds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


def dump(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def import_fresh(folder: Path, name: str, document: str) -> Path:
    """Write ``document`` as ``folder/name``, import it into a new database there
    through the real pipeline, assert no thread failed; the database's path."""
    from modtool.ingest import import_path
    from modtool.store import open_store

    path = folder / name
    path.write_text(document, encoding="utf-8")
    store = open_store(folder / "modtool.db")
    try:
        report = import_path(store, path)
    finally:
        store.close()
    assert not report.failed
    return folder / "modtool.db"


def stored_comments(db_path: Path) -> dict[tuple[str, str], dict]:
    """``(thread external id, comment external id)`` → the stored comment, parent by external id."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT t.platform, t.external_id, c.external_id, p.external_id, c.orphan, "
            "c.parent_external_id, c.status, c.author, c.body, c.created_at, c.meta, c.depth "
            "FROM comments c JOIN threads t ON t.id = c.thread_id "
            "LEFT JOIN comments p ON p.id = c.parent_id ORDER BY c.thread_id, c.position"
        ).fetchall()
    finally:
        conn.close()
    return {
        (row[1], row[2]): {
            "platform": row[0],
            "parent": row[3],
            "orphan": row[4],
            "parent_external_id": row[5],
            "status": row[6],
            "author": row[7],
            "body": row[8],
            "created_at": row[9],
            "meta": json.loads(row[10]) if row[10] else None,
            "depth": row[11],
        }
        for row in rows
    }


def stored_threads(db_path: Path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT platform, external_id, title, url, created_at FROM threads ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def database_text(db_path: Path) -> str:
    """Everything in the database, as the dump's text and the files' raw bytes."""
    raw = b"".join(
        path.read_bytes() for path in db_path.parent.glob(db_path.name + "*") if path.is_file()
    )
    return "\n".join(dump(db_path)) + raw.decode("utf-8", errors="replace")


def stored_ids(db_path: Path) -> dict[tuple[str, str], int]:
    """``(thread external id, comment external id)`` → the comment's database id."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT t.external_id, c.external_id, c.id FROM comments c "
            "JOIN threads t ON t.id = c.thread_id"
        ).fetchall()
    finally:
        conn.close()
    return {(thread, comment): number for thread, comment, number in rows}
