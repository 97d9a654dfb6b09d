"""``modtool fetch`` on Hacker News, against a local server replaying real answers:
Algolia's ``items/17`` (recorded by node-hacker-news-api's fixture generator) and
the Firebase item 2921983 from the official API's documentation; the rest of that
Firebase tree is written from the same documentation (see fixtures/fetch/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modtool.platforms.http import PlatformError
from tests.fetch_support import FETCH, comments, fetch_and_import, payload, served, threads
from tests.replay_server import replay_server

HN = FETCH / "hackernews"
WRITTEN = json.loads((HN / "firebase-written.json").read_text())


def firebase_routes(server) -> None:  # type: ignore[no-untyped-def]
    server.route("/v0/item/2921983.json", served(HN / "firebase-item-2921983.json"))
    for number, item in WRITTEN.items():
        server.route(f"/v0/item/{number}.json", payload(item))


def test_algolia_comment_url_fetches_its_story_and_keeps_the_comment_tree_when_absent(
    tmp_path: Path,
) -> None:
    with replay_server() as server:
        server.route("/api/v1/items/17", served(HN / "algolia-item-17.json"))
        server.route("/api/v1/items/1", payload({"error": "Not Found"}, 404))
        run = fetch_and_import(f"{server.url}/item?id=17", tmp_path, format="hackernews")
        asked = [seen.path for seen in server.seen]
    assert asked == ["/api/v1/items/17", "/api/v1/items/1"]
    assert run.outcome.sent == 2
    assert "item 17 is a comment in story 1: fetching the whole story" in run.said
    # the real answer: pg's comment 17 (its parent 15 not in the answer) and two replies
    assert comments(run.db) == {
        "17": (None, "pg", "visible", True),
        "1079": ("17", "dmon", "visible", False),
        "454426": ("17", "Arrington", "visible", False),
    }
    ((platform, thread, _title, missing, source),) = threads(run.db)
    assert (platform, thread, missing) == ("hackernews", "1", 0)
    assert source == f"{server.url}/item?id=17"


def test_firebase_crawl_climbs_to_the_story_and_reads_every_kid(tmp_path: Path) -> None:
    with replay_server() as server:
        firebase_routes(server)
        run = fetch_and_import(f"{server.url}/v0/item/2921983.json", tmp_path, format="hackernews")
        asked = [seen.path for seen in server.seen]
    # the comment, its story, the story's other kid, the comment's 7 kids, a grandchild
    assert asked == [
        "/v0/item/2921983.json",
        "/v0/item/2921506.json",
        "/v0/item/2921600.json",
        *[
            f"/v0/item/{kid}.json"
            for kid in (2922097, 2922429, 2924562, 2922709, 2922573, 2922140, 2922141)
        ],
        "/v0/item/2923000.json",
    ]
    stored = comments(run.db)
    assert len(stored) == 9  # 2922141 answered null: Firebase has no such item
    assert stored["2921983"] == (None, "norvig", "visible", False)
    assert stored["2923000"] == ("2922097", "norvig", "visible", False)
    assert stored["2922429"][2] == "deleted"
    assert stored["2924562"][2] == "removed"  # dead
    assert threads(run.db)[0][:2] == ("hackernews", "2921506")


def test_algolia_without_the_item_falls_back_to_firebase(tmp_path: Path) -> None:
    with replay_server() as server:
        server.route("/api/v1/items/2921983", payload({"error": "Not Found"}, 404))
        firebase_routes(server)
        run = fetch_and_import(f"{server.url}/item?id=2921983", tmp_path, format="hackernews")
    assert any("reading the Firebase API item by item" in line for line in run.said)
    assert run.outcome.sent == 12  # 1 Algolia + 11 Firebase
    assert len(comments(run.db)) == 9


def test_a_stopped_firebase_crawl_imports_what_it_has_and_the_next_run_continues(
    tmp_path: Path,
) -> None:
    with replay_server() as server:
        firebase_routes(server)
        url = f"{server.url}/v0/item/2921983.json"
        first = fetch_and_import(url, tmp_path, format="hackernews", budget=4)
        assert first.outcome.document.stopped == "--max 4 requests reached"
        # 2921983, its story, 2921600, 2922097: three comments so far
        assert sorted(comments(first.db)) == ["2921600", "2921983", "2922097"]
        second = fetch_and_import(url, tmp_path, format="hackernews", budget=4)
        assert second.outcome.resumed and second.outcome.cached == 4
        assert second.outcome.sent == 4
        third = fetch_and_import(url, tmp_path, format="hackernews")
        asked = [seen.path for seen in server.seen]
    assert third.outcome.resumed and third.outcome.document.stopped is None
    assert (third.outcome.cached, third.outcome.sent) == (8, 3)
    assert len(comments(third.db)) == 9
    assert len(asked) == len(set(asked)) == 11  # no answer was asked for twice


def test_an_error_mid_crawl_says_what_is_kept_and_the_next_run_continues(tmp_path: Path) -> None:
    with replay_server() as server:
        firebase_routes(server)
        server.route("/v0/item/2921600.json", payload({}, 500))
        url = f"{server.url}/v0/item/2921983.json"
        with pytest.raises(PlatformError) as caught:
            fetch_and_import(url, tmp_path, format="hackernews")
        message = str(caught.value)
        assert "HTTP 500 Internal Server Error (after 3 tries)" in message
        folder = next((tmp_path / "cache" / "hackernews").iterdir())
        assert message.endswith(f"(2 answers kept in {folder}: the same command continues)")
        assert not (tmp_path / "m.db").exists()
        server.route("/v0/item/2921600.json", payload(WRITTEN["2921600"]))
        run = fetch_and_import(url, tmp_path, format="hackernews")
    assert run.outcome.resumed and (run.outcome.cached, run.outcome.sent) == (2, 9)
    assert len(comments(run.db)) == 9
