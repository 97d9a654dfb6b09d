"""``modtool fetch`` on Discourse, against a local server replaying real answers: the
discourse_api gem's recorded topic 57, and two real ``/t/2144/posts.json`` pages
recorded from discuss.criticalfallibilism.com; the ``/t/2144.json`` answer around
them is written from the API documentation (see fixtures/fetch/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fetch_support import FETCH, comments, fetch_and_import, served, threads
from tests.replay_server import replay_server

DC = FETCH / "discourse"


def test_a_whole_topic_in_one_answer_recognised_by_its_url(tmp_path: Path) -> None:
    with replay_server() as server:
        server.route("/t/57.json", served(DC / "discourse_api-topic.json"))
        run = fetch_and_import(
            f"{server.url}/t/this-site-is-a-sandbox-it-is-reset-every-day/57", tmp_path
        )
        (seen,) = server.seen
    assert seen.path == "/t/57.json"
    assert run.outcome.target.platform == "discourse"
    # post 1 is the article; post 2 is a moderator action (kept), 3 and 14 replies
    assert comments(run.db) == {
        "2": (None, "samsaffron", "visible", False),
        "3": (None, "stienman", "visible", False),
        "14": (None, "splattne", "visible", False),
    }
    assert threads(run.db)[0][:4] == (
        "discourse",
        "57",
        "THIS SITE IS A SANDBOX -- it is reset every day",
        0,
    )


def test_the_posts_beyond_the_first_page_are_asked_for_twenty_at_a_time(tmp_path: Path) -> None:
    topic = json.loads((DC / "topic-2144-written.json").read_text())
    stream = topic["post_stream"]["stream"]
    with replay_server() as server:
        server.route("/forum/t/2144.json", served(DC / "topic-2144-written.json"))
        server.route(
            "/forum/t/2144/posts.json",
            served(DC / "t_2144_posts.json"),
            served(DC / "t_2144_posts_pn_61.json"),
        )
        # a forum installed under /forum: the path before /t/ is the API's too
        run = fetch_and_import(f"{server.url}/forum/t/kpop-demon-hunters/2144/5", tmp_path)
        asked = [urlsplit(seen.path) for seen in server.seen]
    assert [part.path for part in asked] == [
        "/forum/t/2144.json",
        "/forum/t/2144/posts.json",
        "/forum/t/2144/posts.json",
    ]
    # the 27 ids of the stream the topic answer did not carry (its posts 1-3), in order
    wanted = [str(i) for i in stream[3:]]
    assert parse_qs(asked[1].query)["post_ids[]"] == wanted[:20]
    assert parse_qs(asked[2].query)["post_ids[]"] == wanted[20:]
    stored = comments(run.db)
    # the two real pages hold posts 1-6 and 8-30: 29 posts, post 1 the article
    assert len(stored) == 28
    assert stored["8"][0] == "4" and stored["14"][0] == "13"
    # the stream's one id that no page returned (post 7) is missing
    assert threads(run.db)[0][3] == 1


def test_an_api_key_from_the_environment_is_sent_and_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODTOOL_DISCOURSE_USER", "system")
    monkeypatch.setenv("MODTOOL_DISCOURSE_API_KEY", "k3y-that-must-not-leak")
    with replay_server() as server:
        server.route("/t/57.json", served(DC / "discourse_api-topic.json"))
        run = fetch_and_import(f"{server.url}/t/57", tmp_path)
        (seen,) = server.seen
    assert (seen.headers["api-key"], seen.headers["api-username"]) == (
        "k3y-that-must-not-leak",
        "system",
    )
    assert run.outcome.credentials_from == "the environment"
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert b"k3y-that-must-not-leak" not in path.read_bytes(), path
    assert b"k3y-that-must-not-leak" not in run.db.read_bytes()
