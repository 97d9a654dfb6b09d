"""``modtool fetch`` from a real WordPress (Debian 6.1, PHP's server, MariaDB), checked
against the same site's WXR export: with an application password the fetched thread
is the exported one (same ids, text, statuses: nothing edited), plus the spam
comment WXR leaves out; anonymous, only approved comments, as the site shows them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from modtool.fetch import runner
from modtool.ingest import import_path
from modtool.store import open_store
from tests.integration.wordpress.record_fetch import SPEC
from tests.integration.wordpress.server import WordPressServer

pytestmark = [pytest.mark.integration, pytest.mark.wordpress]


def _fetch(db: Path, cache: Path, url: str) -> runner.Outcome:
    outcome = runner.fetch(url, cache_root=cache)
    store = open_store(db)
    try:
        runner.import_fetched(store, outcome)
    finally:
        store.close()
    return outcome


def test_fetch_with_an_application_password_matches_the_wxr_export(
    wordpress: WordPressServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = wordpress.add_content(SPEC)
    post = made["posts"]["p"]
    db = tmp_path / "m.db"
    store = open_store(db)
    import_path(store, wordpress.export_wxr(tmp_path / "site.xml"))
    store.close()
    monkeypatch.setenv("MODTOOL_CREDENTIALS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MODTOOL_WP_USER", wordpress.user)
    monkeypatch.setenv("MODTOOL_WP_APP_PASSWORD", wordpress.app_password)
    outcome = _fetch(db, tmp_path / "cache", f"{wordpress.url}/?p={post}")
    assert outcome.report is not None
    (result,) = outcome.report.threads
    assert not result.created  # the thread the WXR import made
    # WXR leaves spam out; everything else is the same comment, unchanged
    assert (result.added, result.unchanged, result.updated, result.absent) == (1, 4, 0, 0)
    with sqlite3.connect(db) as conn:
        statuses = dict(
            conn.execute(
                "SELECT c.external_id, c.status FROM comments c JOIN threads t "
                "ON t.id = c.thread_id WHERE t.external_id = ?",
                (str(post),),
            ).fetchall()
        )
    ids = made["comments"]
    assert statuses == {
        str(ids["a"]): "visible",
        str(ids["b"]): "visible",
        str(ids["c"]): "pending",
        str(ids["d"]): "spam",
        str(ids["e"]): "visible",
    }
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    for secret in (b"@example.invalid", b"203.0.113.", wordpress.app_password.encode()):
        assert secret not in cached


def test_anonymous_fetch_sees_the_approved_comments_as_shown(
    wordpress: WordPressServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = wordpress.add_content(SPEC)
    post = made["posts"]["p"]
    monkeypatch.setenv("MODTOOL_CREDENTIALS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("MODTOOL_WP_USER", raising=False)
    monkeypatch.delenv("MODTOOL_WP_APP_PASSWORD", raising=False)
    outcome = _fetch(tmp_path / "m.db", tmp_path / "cache", f"{wordpress.url}/?p={post}")
    assert outcome.report is not None
    (result,) = outcome.report.threads
    assert (result.created, result.total) == (True, 3)
    with sqlite3.connect(tmp_path / "m.db") as conn:
        body = conn.execute(
            "SELECT body FROM comments WHERE external_id = ?", (str(made["comments"]["a"]),)
        ).fetchone()[0]
    assert body == "Top comment & “quoted” — dash.\nSecond line."
