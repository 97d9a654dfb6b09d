"""``modtool fetch`` on Mastodon, Lemmy and Bluesky, against a local server.

Mastodon: the two statuses a real server answered in Mastodon.py's cassettes
(tests/fixtures/mastodon/real-status-reply.json); the ``/context`` answers around
them are written from the API documentation (none with replies was found
recorded). Lemmy and Bluesky: the answers the format tests use, written from
lemmy-js-client's types and the Bluesky lexicons (tests/fixtures/lemmy, bluesky).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from tests.fetch_support import FIXTURES, comments, fetch_and_import, payload, served, threads
from tests.replay_server import replay_server

ROOT_ID, REPLY_ID = "117020583245459824", "117020583258292382"
STATUSES = "/api/v1/statuses"


def test_mastodon_reply_url_fetches_the_status_its_context_and_its_roots(tmp_path: Path) -> None:
    root, reply = json.loads((FIXTURES / "mastodon" / "real-status-reply.json").read_text())
    with replay_server() as server:
        server.route(f"{STATUSES}/{REPLY_ID}", payload(reply))
        server.route(
            f"{STATUSES}/{REPLY_ID}/context", payload({"ancestors": [root], "descendants": []})
        )
        server.route(
            f"{STATUSES}/{ROOT_ID}/context", payload({"ancestors": [], "descendants": [reply]})
        )
        run = fetch_and_import(f"{server.url}/@admin/{REPLY_ID}", tmp_path)
        asked = [seen.path for seen in server.seen]
    assert asked == [
        f"{STATUSES}/{REPLY_ID}",
        f"{STATUSES}/{REPLY_ID}/context",
        f"{STATUSES}/{ROOT_ID}/context",
    ]
    assert run.outcome.target.platform == "mastodon"
    uri = "http://localhost:3000/ap/users/{}/statuses/{}"
    thread = uri.format("117020566092212359", ROOT_ID)
    assert comments(run.db) == {
        uri.format("117020565693913441", REPLY_ID): (None, "admin", "visible", False)
    }
    assert threads(run.db)[0][:2] == ("fediverse", thread)


def test_lemmy_post_and_its_comment_pages(tmp_path: Path) -> None:
    lemmy = FIXTURES / "lemmy"
    with replay_server() as server:
        server.route("/api/v3/post?id=7", served(lemmy / "post-7.json"))
        server.route("/api/v3/comment/list", served(lemmy / "comments-post-7.json"))
        run = fetch_and_import(f"{server.url}/post/7", tmp_path)
        asked = [seen.path for seen in server.seen]
    assert asked == [
        "/api/v3/post?id=7",
        "/api/v3/comment/list?post_id=7&type_=All&sort=Old&limit=50&page=1",
    ]
    # five comments on one page (fewer than 50: the last); the post counts six
    assert len(comments(run.db)) == 5
    assert threads(run.db)[0][3] == 1


def test_bluesky_handle_reply_and_root(tmp_path: Path) -> None:
    bluesky = FIXTURES / "bluesky"
    reply_uri = "at://did:plc:cat2hhfg5a/app.bsky.feed.post/3kreply0011"
    root_uri = "at://did:plc:ann4x2kzq7/app.bsky.feed.post/3kroot00001"
    thread = "/xrpc/app.bsky.feed.getPostThread?uri="
    with replay_server() as server:
        server.route(
            "/xrpc/com.atproto.identity.resolveHandle?handle=cat.bsky.social",
            payload({"did": "did:plc:cat2hhfg5a"}),
        )
        server.route(thread + quote(reply_uri, safe=""), served(bluesky / "thread-reply.json"))
        server.route(thread + quote(root_uri, safe=""), served(bluesky / "thread-root.json"))
        run = fetch_and_import(
            f"{server.url}/profile/cat.bsky.social/post/3kreply0011", tmp_path, format="bluesky"
        )
        asked = [seen.path for seen in server.seen]
    assert len(asked) == 3
    assert asked[1].endswith("&depth=1000&parentHeight=1000")
    # the handle's answer is kept aside, not read as part of the thread
    assert [path.name for path in run.outcome.folder.glob("aside/*.json")] == ["00001-handle.json"]
    # the root's thread: four replies, a deleted and a blocked one counted missing
    assert len(comments(run.db)) == 4
    assert threads(run.db)[0][:2] == ("bluesky", root_uri)
    assert threads(run.db)[0][3] == 2
