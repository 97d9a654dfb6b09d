"""A page of threads: ``modtool fetch`` on a subreddit (PRAW's real recorded
``/r/askreddit/new`` listing, 100 posts) fetches each listed thread, within --max,
and the next run continues with the threads not yet fetched. The listed threads'
own answers are written (one post, one comment each: not recorded). What HN's,
Discourse's and Lemmy's lists name is read from the API documentation's example,
the discourse_api gem's latest.json, and a written Lemmy answer."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from click.testing import CliRunner

from modtool.cli import main
from modtool.fetch import discourse, hackernews, lemmy
from modtool.fetch.runner import plan
from tests.fetch_support import FETCH, payload, served
from tests.replay_server import replay_server

LISTING = json.loads(gzip.decompress((FETCH / "reddit" / "new-askreddit.json.gz").read_bytes()))
IDS = [child["data"]["id"] for child in LISTING["data"]["children"]]


def thread(post: str) -> list[dict]:
    """A written /comments/<id>.json answer: the post and one comment."""
    made = {"created_utc": 1456821000}
    head = {"id": post, "title": f"Post {post}", "selftext": "", "num_comments": 1, **made}
    reply = {"id": f"c{post}", "parent_id": f"t3_{post}", "link_id": f"t3_{post}", **made}
    reply.update(author="someone", body="A reply.", replies="")
    return [
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": head}]}},
        {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": reply}]}},
    ]


def stored_threads(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT external_id FROM threads ORDER BY id")]


def test_a_subreddit_page_fetches_its_threads_within_max_and_continues(tmp_path: Path) -> None:
    db, cache = tmp_path / "m.db", tmp_path / "cache"
    with replay_server() as server:
        server.route("/r/askreddit/new.json", served(FETCH / "reddit" / "new-askreddit.json.gz"))
        for post in IDS[:5]:
            server.route(f"/comments/{post}.json", payload(thread(post)))
        command = ["fetch", "--db", str(db), "--cache", str(cache), "--format", "reddit"]
        url = f"{server.url}/r/askreddit/new/"
        first = CliRunner().invoke(main, [*command, "--max", "3", url])
        second = CliRunner().invoke(main, [*command, "--max", "3", url])
        asked = [urlsplit(seen.path).path for seen in server.seen]
    assert first.exit_code == 0, first.output
    assert f"{url}: listed 100 threads (100 on the page)" in first.output
    assert f"{url}: --max 3 requests reached after 2 of 100 threads" in first.output
    assert second.exit_code == 0, second.output
    assert f"{url}: continuing 98 threads (100 on the page)" in second.output
    # the page once (its list is kept), then each thread in the page's order
    assert asked == ["/r/askreddit/new.json", *[f"/comments/{post}.json" for post in IDS[:5]]]
    assert stored_threads(db) == IDS[:5]


def test_what_each_platform_lists() -> None:
    _, hn = plan("https://news.ycombinator.com/ask?p=1")
    assert hn.request == "https://hacker-news.firebaseio.com/v0/askstories.json"
    # the documentation's example ids (its list is cut with "…" there)
    ids = [9127232, 9128437, 9130049, 9130144, 9130064, 9130028, 9129409, 9127243, 9128571]
    assert hackernews.threads(hn, ids)[:2] == [
        "https://news.ycombinator.com/item?id=9127232",
        "https://news.ycombinator.com/item?id=9128437",
    ]
    _, second = plan("https://news.ycombinator.com/ask?p=2")
    assert hackernews.threads(second, ids) == []  # 30 a page
    _, front = plan("https://www.reddit.com/r/AskReddit/")
    assert front.request == "https://www.reddit.com/r/AskReddit/hot.json?limit=25"
    _, forum = plan("https://forum.example/latest", "discourse")
    latest = json.loads((FETCH / "discourse" / "discourse_api-latest.json").read_text())
    # the gem's latest.json lists topic 1 twice and topic 1 with another slug
    assert discourse.threads(forum, latest) == ["https://forum.example/t/1"] * 3
    _, community = plan("https://lemmy.example/c/asklemmy", "lemmy")
    assert community.request == (
        "https://lemmy.example/api/v3/post/list?community_name=asklemmy&sort=New&limit=20"
    )
    answer = {"posts": [{"post": {"id": 7}}, {"post": {"id": 9}}, {"post": {}}]}
    assert lemmy.threads(community, answer) == [
        "https://lemmy.example/post/7",
        "https://lemmy.example/post/9",
    ]
    # without --format, such paths on an unknown site name no platform
    for url in ("https://forum.example/latest", "https://lemmy.example/c/asklemmy"):
        try:
            plan(url)
        except Exception as exc:
            assert "cannot tell the platform" in str(exc)
        else:
            raise AssertionError(url)
