"""``modtool fetch`` on Reddit, against a local server replaying real answers recorded
by PRAW's test suite (see fixtures/fetch/README.md): the small thread 2gmzqe, the
476-comment thread 3hahrw with 18 ``more`` stubs, the ``morechildren`` answer for
its top-level stub, and the "continue this thread" answer under cu5v5h7. Requests
the recordings do not cover are answered as Reddit answers them when it refuses
(403) or has nothing (404): written, and said so in each test."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from modtool.fetch.reddit import USER_AGENT
from tests.fetch_support import FETCH, comments, fetch_and_import, payload, served, threads
from tests.replay_server import replay_server

RD = FETCH / "reddit"
BIG = json.loads(gzip.decompress((RD / "comments-3hahrw.json.gz").read_bytes()))


def test_a_small_thread_is_one_polite_request(tmp_path: Path) -> None:
    with replay_server() as server:
        server.route("/comments/2gmzqe.json", served(RD / "comments-2gmzqe.json"))
        run = fetch_and_import(
            f"{server.url}/r/redditdev/comments/2gmzqe/praw_https_enabled/",
            tmp_path,
            format="reddit",
        )
        (seen,) = server.seen
    assert seen.path == "/comments/2gmzqe.json?limit=500&sort=old"
    assert seen.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("python:modtool:")
    assert comments(run.db) == {
        "cklfmye": (None, "paneer_burrito", "visible", False),
        "cklhv0f": ("cklfmye", "bboe", "visible", False),
    }
    assert threads(run.db)[0][:4] == (
        "reddit",
        "2gmzqe",
        "[PRAW] HTTPS enabled PRAW testing needed",
        0,
    )


def _t1(listing: dict) -> int:
    count, stack = 0, [listing]
    while stack:
        for thing in stack.pop()["data"]["children"]:
            if thing["kind"] == "t1":
                count += 1
                if thing["data"]["replies"]:
                    stack.append(thing["data"]["replies"])
    return count


def test_more_stubs_are_followed_where_reddit_answers_and_counted_missing_where_not(
    tmp_path: Path,
) -> None:
    more = json.loads((RD / "morechildren-cu5tt8h.json").read_text())
    with replay_server() as server:
        server.route("/comments/3hahrw.json", served(RD / "comments-3hahrw.json.gz"))
        # the recorded answer for the top-level stub's nine ids
        server.route(
            "/api/morechildren.json?api_type=json&link_id=t3_3hahrw&children=cu5tt8h,",
            served(RD / "morechildren-cu5tt8h.json"),
        )
        # written: Reddit refusing the next morechildren (403), and answering 404 for
        # the "continue this thread" pages that were not recorded
        server.route("/api/morechildren.json", payload({"message": "Forbidden"}, 403))
        server.route("/comments/3hahrw/_/cu5v5h7.json", served(RD / "branch-cu5v5h7.json"))
        server.route("/comments/3hahrw/_/", payload({"message": "Not Found"}, 404))
        run = fetch_and_import(f"{server.url}/comments/3hahrw/", tmp_path, format="reddit")
        asked = [seen.path.split("?")[0] for seen in server.seen]
    # the thread, the first stub's ids, then stubs in the order of the answer: a branch
    # (404), a morechildren (403: no more are asked for), three branches (404), the
    # recorded branch under cu5v5h7, one more branch (404)
    assert asked[:3] == [
        "/comments/3hahrw.json",
        "/api/morechildren.json",
        "/comments/3hahrw/_/cu61tk1.json",
    ]
    assert asked.count("/api/morechildren.json") == 2
    assert asked.count("/comments/3hahrw/_/cu5v5h7.json") == 1
    assert len(asked) == 9
    assert any("Reddit refused /api/morechildren (HTTP 403)" in line for line in run.said)
    stored = comments(run.db)
    recorded_more = {thing["data"]["id"] for thing in more["json"]["data"]["things"]}
    assert len(recorded_more) == 7
    # every comment of the thread answer, the 7 morechildren gave, the 2 replies under
    # cu5v5h7 the branch gave
    assert len(stored) == _t1(BIG[1]) + 7 + 2
    assert recorded_more <= set(stored)
    assert stored["cu5w1ko"] == ("cu5vad7", "Emerly_Nickel", "visible", False)
    # missing: the stubs not followed (their counts), the followed ones not at all
    left = [
        stub
        for stub in _stubs(BIG[1])
        if stub["id"] != "cu5tt8h" and stub["parent_id"] != "t1_cu5v5h7"
    ]
    expected = sum(stub["count"] or 1 for stub in left)
    assert threads(run.db)[0][3] == expected


def _stubs(listing: dict) -> list[dict]:
    found, stack = [], [listing]
    while stack:
        for thing in stack.pop()["data"]["children"]:
            if thing["kind"] == "more":
                found.append(thing["data"])
            elif thing["data"]["replies"]:
                stack.append(thing["data"]["replies"])
    return found


def test_an_application_only_token_when_a_client_id_and_secret_are_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODTOOL_REDDIT_CLIENT_ID", "my-client-id")
    monkeypatch.setenv("MODTOOL_REDDIT_CLIENT_SECRET", "my-client-secret")
    # PRAW's recorded token answer (its token replaced by PRAW's placeholder)
    token = {
        "access_token": "<ACCESS_TOKEN>",
        "token_type": "bearer",
        "expires_in": 3600,
        "scope": "*",
    }
    with replay_server() as server:
        server.route("/api/v1/access_token", payload(token))
        server.route("/comments/2gmzqe.json", served(RD / "comments-2gmzqe.json"))
        run = fetch_and_import(f"{server.url}/comments/2gmzqe/", tmp_path, format="reddit")
        sign_in, thread = server.seen
    assert (sign_in.method, sign_in.path, sign_in.body) == (
        "POST",
        "/api/v1/access_token",
        b"grant_type=client_credentials",
    )
    basic = base64.b64encode(b"my-client-id:my-client-secret").decode()
    assert sign_in.headers["authorization"] == f"Basic {basic}"
    assert thread.headers["authorization"] == "bearer <ACCESS_TOKEN>"
    assert run.outcome.credentials_from == "the environment"
    assert len(comments(run.db)) == 2
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"my-client-secret" not in data and b"<ACCESS_TOKEN>" not in data
