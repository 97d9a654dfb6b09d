"""``modtool fetch`` on WordPress, against a local server replaying WordPress 6.1's
real answers (recorded from Debian's package by
``tests/integration/wordpress/record_fetch.py``): discovery, the post, comment
pages (``X-WP-TotalPages``), ``context=edit&status=any`` with an application
password, the pretty permalink's ``Link`` header, a 401."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from modtool.platforms.http import AuthError
from tests.fetch_support import comments, fetch_and_import, payload, recorded_wordpress, threads
from tests.replay_server import replay_server

ANONYMOUS = {
    "2": (None, "Ann", "visible", False),
    "3": ("2", "Bob", "visible", False),
    "6": (None, "Eve & Co", "visible", False),
}


def site(server) -> None:  # type: ignore[no-untyped-def]
    server.answer(recorded_wordpress("front_head"))  # HEAD / (no route)
    server.route("/wp-json/wp/v2/posts/4", recorded_wordpress("post"))
    server.route(
        "/wp-json/wp/v2/comments",
        recorded_wordpress("comments_page_1"),
        recorded_wordpress("comments_page_2"),
    )


def test_anonymous_fetch_reads_every_page_of_approved_comments(tmp_path: Path) -> None:
    with replay_server() as server:
        site(server)
        run = fetch_and_import(f"{server.url}/?p=4", tmp_path)
        seen = [(item.method, urlsplit(item.path)) for item in server.seen]
    assert run.outcome.target.platform == "wordpress"
    assert [(method, part.path) for method, part in seen] == [
        ("HEAD", "/"),
        ("GET", "/wp-json/wp/v2/posts/4"),
        ("GET", "/wp-json/wp/v2/comments"),
        ("GET", "/wp-json/wp/v2/comments"),
    ]
    first, second = (parse_qs(part.query) for _, part in seen[2:])
    assert (first["post"], first["page"], second["page"]) == (["4"], ["1"], ["2"])
    assert "context" not in first
    assert "author_email" not in first["_fields"][0]
    assert comments(run.db) == ANONYMOUS
    ((platform, thread, title, missing, source),) = threads(run.db)
    # rendered text: WordPress turned the quotes curly and -- into a dash
    assert (platform, thread, title, missing) == ("wordpress", "4", "Fetch & “quotes” — a post", 0)
    assert source == f"{server.url}/?p=4"


def test_an_application_password_brings_every_status_and_the_stored_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODTOOL_WP_USER", "admin")
    monkeypatch.setenv("MODTOOL_WP_APP_PASSWORD", "abcd efgh ijkl mnop")
    with replay_server() as server:
        server.answer(recorded_wordpress("front_head"))
        server.route("/wp-json/wp/v2/posts/4", recorded_wordpress("post_edit"))
        server.route("/wp-json/wp/v2/comments", recorded_wordpress("comments_edit_any"))
        run = fetch_and_import(f"{server.url}/wp-json/wp/v2/comments?post=4", tmp_path)
        last = server.seen[-1]
    query = parse_qs(urlsplit(last.path).query)
    assert (query["context"], query["status"]) == (["edit"], ["any"])
    token = base64.b64encode(b"admin:abcd efgh ijkl mnop").decode()
    assert last.headers["authorization"] == f"Basic {token}"
    assert comments(run.db) == {
        **ANONYMOUS,
        "4": (None, "Cy", "pending", False),
        "5": ("3", "Di", "spam", False),
    }
    import sqlite3

    with sqlite3.connect(run.db) as conn:
        body = conn.execute("SELECT body FROM comments WHERE external_id = '2'").fetchone()[0]
        title = conn.execute("SELECT title FROM threads").fetchone()[0]
    # the stored text, as a WXR export holds it
    assert body == 'Top comment & "quoted" -- dash.\nSecond line.'
    assert title == 'Fetch & "quotes" -- a post'
    assert run.outcome.credentials_from == "the environment"
    assert not any(
        b"abcd efgh" in path.read_bytes() for path in (tmp_path / "cache").rglob("*.json")
    )


def test_a_pretty_permalink_is_read_from_the_page_link_header(tmp_path: Path) -> None:
    with replay_server() as server:
        site(server)
        server.answer(recorded_wordpress("post_page_head"))
        run = fetch_and_import(
            f"{server.url}/2026/11/fetch-quotes-a-post/", tmp_path, format="wordpress"
        )
        first = server.seen[0]
    assert (first.method, first.path) == ("HEAD", "/2026/11/fetch-quotes-a-post/")
    assert comments(run.db) == ANONYMOUS


def test_contact_fields_a_site_sends_anyway_never_reach_the_disk(tmp_path: Path) -> None:
    page = json.loads(recorded_wordpress("comments_page_1").body)
    for comment in page:  # written: a site that ignores _fields
        comment.update(
            author_email="ann@example.invalid",
            author_ip="203.0.113.77",
            author_user_agent="Secret/1.0",
            author_avatar_urls={"24": "https://gravatar.invalid/avatar/0123abcd"},
        )
    with replay_server() as server:
        server.answer(recorded_wordpress("front_head"))
        server.route("/wp-json/wp/v2/posts/4", recorded_wordpress("post"))
        server.route("/wp-json/wp/v2/comments", payload(page, **{"X-WP-TotalPages": "1"}))
        run = fetch_and_import(f"{server.url}/?p=4", tmp_path)
    assert set(comments(run.db)) == {"2", "3"}
    files = [path for path in (tmp_path / "cache").rglob("*") if path.is_file()]
    for secret in (b"ann@example.invalid", b"203.0.113.77", b"Secret/1.0", b"0123abcd"):
        assert not any(secret in path.read_bytes() for path in files), secret
        assert secret not in run.db.read_bytes()


def test_a_wrong_application_password_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODTOOL_WP_USER", "admin")
    monkeypatch.setenv("MODTOOL_WP_APP_PASSWORD", "wrong")
    with replay_server() as server:
        server.answer(recorded_wordpress("front_head"))
        server.route("/wp-json/wp/v2/posts/4", recorded_wordpress("comments_edit_anonymous"))
        with pytest.raises(AuthError) as caught:
            fetch_and_import(f"{server.url}/?p=4", tmp_path)
    message = str(caught.value)
    assert "HTTP 401" in message and "rest_forbidden_context" in message
    assert message.endswith("; the credentials from the environment were refused")
    assert "wrong" not in message.replace("wrong password", "")
    assert "\n" not in message
