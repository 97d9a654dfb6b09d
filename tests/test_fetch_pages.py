"""What every fetch gets from :mod:`modtool.fetch.pages` and the runner, against a local
server: 429 with Retry-After, 5xx, timeouts, bodies cut short or not JSON, oversized
answers, redirects, rate-limit headers and pacing, ``--max`` and resuming, starting
over. The answers are the real recorded ones of the platform tests (Reddit's 2gmzqe
thread, Hacker News item 17); the failures are written (no platform recorded them).
The clock is fake: nothing really waits, except the one timeout (0.2 s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modtool.errors import InputError
from modtool.fetch import runner
from modtool.fetch.pages import INDEX
from modtool.platforms.http import Limits, PlatformError
from tests.fetch_support import (
    FETCH,
    QUICK,
    Clock,
    comments,
    fetch_and_import,
    payload,
    served,
    text,
)
from tests.json_formats import dump
from tests.replay_server import Reply, replay_server

THREAD = FETCH / "reddit" / "comments-2gmzqe.json"
ITEM = FETCH / "hackernews" / "algolia-item-17.json"


def reddit(server, *replies: Reply) -> None:  # type: ignore[no-untyped-def]
    server.route("/comments/2gmzqe.json", *replies)


def fetch_reddit(server, tmp_path: Path, **options) -> object:  # type: ignore[no-untyped-def]
    return fetch_and_import(f"{server.url}/comments/2gmzqe/", tmp_path, format="reddit", **options)


def test_429_waits_what_retry_after_asks_then_succeeds(tmp_path: Path) -> None:
    with replay_server() as server:
        reddit(
            server,
            payload({"message": "Too Many Requests"}, 429, **{"Retry-After": "7"}),
            served(THREAD),
        )
        run = fetch_reddit(server, tmp_path)
        assert len(server.seen) == 2
    assert run.clock.slept == [7.0]
    assert len(comments(run.db)) == 2


def test_429_asking_longer_than_the_limit_is_one_line_and_keeps_nothing_half_done(
    tmp_path: Path,
) -> None:
    with replay_server() as server:
        reddit(server, payload({}, 429, **{"Retry-After": "3600"}))
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path)
    assert "asks to wait 3,600 s" in str(caught.value)
    assert not (tmp_path / "m.db").exists()


def test_5xx_is_retried_with_backoff(tmp_path: Path) -> None:
    with replay_server() as server:
        reddit(server, payload({}, 503), payload({}, 502), served(THREAD))
        run = fetch_reddit(server, tmp_path)
    assert run.clock.slept == [1.0, 2.0]  # backoff doubles from Limits.backoff
    assert len(comments(run.db)) == 2


def test_5xx_to_the_last_try_is_one_line(tmp_path: Path) -> None:
    with replay_server() as server:
        reddit(server, payload({}, 500))
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path)
    assert "HTTP 500 Internal Server Error" in str(caught.value)
    assert "(after 3 tries)" in str(caught.value)


def test_a_timeout_is_retried(tmp_path: Path) -> None:
    quick = Limits(read_timeout=0.2, connect_timeout=0.5, attempts=3, backoff=1.0)
    with replay_server() as server:
        reddit(server, Reply(200, {}, "[]", delay=0.5), served(THREAD))
        run = fetch_reddit(server, tmp_path, limits=quick)
    assert run.clock.slept == [1.0]
    assert len(comments(run.db)) == 2


def test_a_transfer_cut_short_is_retried_then_one_line(tmp_path: Path) -> None:
    cut = Reply(200, {"Content-Type": "application/json"}, text(THREAD), cut=100)
    with replay_server() as server:
        reddit(server, cut, served(THREAD))
        run = fetch_reddit(server, tmp_path)
        assert len(comments(run.db)) == 2
    with replay_server() as server:
        reddit(server, cut)
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path / "again")
    assert "3 tries" in str(caught.value) and "\n" not in str(caught.value)


def test_a_complete_answer_that_is_truncated_json_is_one_line_and_nothing_is_cached(
    tmp_path: Path,
) -> None:
    body = text(THREAD)[:300]
    with replay_server() as server:
        reddit(server, Reply(200, {"Content-Type": "application/json"}, body))
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path)
        assert "not complete JSON (cut short?); run again to retry" in str(caught.value)
        reddit(server, served(THREAD))
        run = fetch_reddit(server, tmp_path)
    assert run.outcome.resumed and run.outcome.sent == 1
    assert len(comments(run.db)) == 2


def test_an_html_page_instead_of_json_is_named(tmp_path: Path) -> None:
    page = "<!doctype html><title>Blocked</title><p>whoa there, pardner!</p>"
    with replay_server() as server:
        reddit(server, Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page))
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path)
    assert "answered with an HTML page, not JSON" in str(caught.value)


def test_an_answer_larger_than_the_cap_is_refused(tmp_path: Path) -> None:
    small = Limits(read_timeout=1, attempts=1, max_body=1000)
    with replay_server() as server:
        reddit(server, served(THREAD))
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path, limits=small)
    assert "larger than 1,000 bytes; refused" in str(caught.value)


def test_an_answer_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    deep: object = []
    for _ in range(600):
        deep = [deep]
    with replay_server() as server:
        reddit(server, payload(deep))
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path)
    assert "nested deeper than 500 levels" in str(caught.value)


def test_redirects_are_followed_on_the_same_site_only(tmp_path: Path) -> None:
    with replay_server() as server:
        reddit(server, Reply(301, {"Location": "/r/redditdev/comments/2gmzqe.json"}))
        server.route("/r/redditdev/comments/2gmzqe.json", served(THREAD))
        run = fetch_reddit(server, tmp_path)
        assert len(comments(run.db)) == 2
        reddit(server, Reply(302, {"Location": "https://elsewhere.invalid/x.json"}))
        with pytest.raises(PlatformError) as caught:
            fetch_reddit(server, tmp_path / "other")
    assert "redirects to https://elsewhere.invalid/x.json, another site" in str(caught.value)


def test_reddit_is_paced_and_its_rate_limit_headers_are_obeyed(tmp_path: Path) -> None:
    more = FETCH / "reddit" / "morechildren-cu5tt8h.json"
    thread = json.loads(text(THREAD))
    thread[1]["data"]["children"].append(
        {
            "kind": "more",
            "data": {
                "id": "x1",
                "parent_id": "t3_2gmzqe",
                "count": 2,
                "children": ["cu5tead", "cu5tt8h"],
            },
        }
    )
    with replay_server() as server:
        reddit(server, payload(thread, **{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "30"}))
        server.route("/api/morechildren.json", served(more))
        run = fetch_reddit(server, tmp_path)
    # Reddit's pace is 2 s between requests; a spent rate limit holds the next one 30 s
    assert run.clock.slept == [30.0]
    with replay_server() as server:
        reddit(server, payload(thread, **{"X-Ratelimit-Remaining": "5"}))
        server.route("/api/morechildren.json", served(more))
        run = fetch_reddit(server, tmp_path / "paced")
    assert run.clock.slept == [2.0]


def test_a_rate_limit_reset_beyond_the_longest_wait_stops_and_keeps_what_it_has(
    tmp_path: Path,
) -> None:
    thread = json.loads(text(THREAD))
    thread[1]["data"]["children"].append(
        {
            "kind": "more",
            "data": {"id": "x1", "parent_id": "t3_2gmzqe", "count": 2, "children": ["a1", "b2"]},
        }
    )
    with replay_server() as server:
        reddit(
            server, payload(thread, **{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "600"})
        )
        run = fetch_reddit(server, tmp_path)
    assert run.outcome.document.stopped == "the site's rate limit asks to wait 600 s"
    assert len(comments(run.db)) == 2
    assert run.clock.slept == []


def test_a_finished_fetch_starts_over_and_a_stopped_restart_imports_nothing(
    tmp_path: Path,
) -> None:
    firebase = json.loads((FETCH / "hackernews" / "firebase-written.json").read_text())
    with replay_server() as server:
        server.route(
            "/v0/item/2921983.json", served(FETCH / "hackernews" / "firebase-item-2921983.json")
        )
        for number, item in firebase.items():
            server.route(f"/v0/item/{number}.json", payload(item))
        url = f"{server.url}/v0/item/2921983.json"
        done = fetch_and_import(url, tmp_path, format="hackernews")
        assert done.outcome.document.stopped is None
        before = dump(done.db)
        again = fetch_and_import(url, tmp_path, format="hackernews", budget=3)
        assert not again.outcome.resumed and again.outcome.cached == 0
        assert again.outcome.not_imported is not None
        assert "would mark the comments not fetched yet as gone" in again.outcome.not_imported
        assert dump(done.db) == before
        finished = fetch_and_import(url, tmp_path, format="hackernews")
    assert finished.outcome.resumed and finished.outcome.cached == 3
    assert finished.outcome.report is not None
    assert finished.outcome.report.unchanged == 9


def test_refresh_starts_over_even_when_a_fetch_could_continue(tmp_path: Path) -> None:
    with replay_server() as server:
        server.route("/api/v1/items/17", served(ITEM))
        server.route("/api/v1/items/1", payload({}, 404))
        url = f"{server.url}/item?id=17"
        fetch_and_import(url, tmp_path, format="hackernews", budget=1)
        run = fetch_and_import(url, tmp_path, format="hackernews", refresh=True)
    assert not run.outcome.resumed and run.outcome.sent == 2


def test_a_damaged_cache_index_is_one_line(tmp_path: Path) -> None:
    with replay_server() as server:
        server.route("/api/v1/items/17", served(ITEM))
        server.route("/api/v1/items/1", payload({}, 404))
        url = f"{server.url}/item?id=17"
        run = fetch_and_import(url, tmp_path, format="hackernews", budget=1)
        (run.outcome.folder / INDEX).write_text('{"x": [1, 2')
        with pytest.raises(InputError) as caught:
            fetch_and_import(url, tmp_path, format="hackernews")
    assert "--refresh" in str(caught.value) and str(run.outcome.folder) in str(caught.value)


def test_the_cache_folder_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder")
    with pytest.raises(InputError, match="exists and is not a folder"):
        runner.fetch(
            "https://news.ycombinator.com/item?id=17",
            cache_root=tmp_path / "cache",
            limits=QUICK,
            clock=Clock(),
        )
