"""Bluesky getPostThread answers (and getPosts lists) read into flat records and stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import Node
from modtool.importers import bluesky
from modtool.importers.records import MissingRecord, ThreadRecord
from tests.api_formats import (
    FIXTURES,
    assert_one_parse_error,
    import_into,
    iso,
    mapped_shape,
    reimport_is_idempotent,
    stored_tree,
    write_json,
)
from tests.json_formats import bodies, by_id, no_warnings, shape, trees

HERE = FIXTURES / "bluesky"
ROOT_THREAD = HERE / "thread-root.json"
REPLY_THREAD = HERE / "thread-reply.json"
ROOT = "at://did:plc:ann4x2kzq7/app.bsky.feed.post/3kroot00001"
R1 = "at://did:plc:bob7c3xyzz/app.bsky.feed.post/3kreply0001"
R11 = "at://did:plc:cat2hhfg5a/app.bsky.feed.post/3kreply0011"
R2 = "at://did:plc:dan9ttqq1p/app.bsky.feed.post/3kreply0002"
R3 = "at://did:plc:dan9ttqq1p/app.bsky.feed.post/3kreply0003"


def read(path: Path) -> list:
    return list(bluesky.read(path, no_warnings))


def test_a_thread_from_its_root(tmp_path: Path) -> None:
    records = read(ROOT_THREAD)
    thread = records[0]
    assert isinstance(thread, ThreadRecord)
    assert (thread.platform, thread.external_id) == ("bluesky", ROOT)
    assert thread.title == "Should our library open on Sundays?"
    assert thread.article == "Should our library open on Sundays?\nVote in the replies."
    assert thread.url == "https://bsky.app/profile/ann.bsky.social/post/3kroot00001"
    found = by_id(records)
    assert [(key, r.parent_external_id, r.status) for key, r in found.items()] == [
        (R1, ROOT, "visible"),
        (R11, R1, "visible"),
        (R2, ROOT, "visible"),
        (R3, ROOT, "spam"),  # labelled spam by a labeler
    ]
    assert found[R2].body == "Minutes: town.example/minutes…"
    assert found[R2].meta["links"] == ["https://town.example/minutes/2024-06"]
    assert found[R11].meta["mentions"] == ["did:plc:ann4x2kzq7"]
    assert found[R11].author == "cat.bsky.social"
    assert found[R3].meta["labels"] == ["spam"]
    # A deleted (notFound) and a blocked reply: known to Bluesky, not in the answer.
    assert sum(r.count for r in records if isinstance(r, MissingRecord)) == 2
    db = tmp_path / "m.db"
    (result,) = import_into(db, ROOT_THREAD).threads
    assert (result.total, result.missing, result.orphans) == (4, 2, 0)
    reimport_is_idempotent(db, ROOT_THREAD)


def test_a_thread_asked_about_a_reply_whose_root_is_gone(tmp_path: Path) -> None:
    records = read(REPLY_THREAD)
    assert ThreadRecord("bluesky", ROOT) in records  # named by record.reply.root
    found = by_id(records)
    assert {key: r.parent_external_id for key, r in found.items()} == {R11: R1, R1: ROOT}
    assert not [r for r in records if isinstance(r, MissingRecord)]
    db = tmp_path / "m.db"
    import_into(db, REPLY_THREAD)
    assert stored_tree(db) == {
        (ROOT, R1): (None, "1", False, "visible"),
        (ROOT, R11): (R1, "1.1", False, "visible"),
    }


def test_get_posts_and_a_takedown_label(tmp_path: Path) -> None:
    post = {
        "uri": "at://did:plc:x/app.bsky.feed.post/2",
        "cid": "c",
        "author": {"did": "did:plc:x", "handle": "x.test"},
        "record": {
            "text": "hidden",
            "createdAt": "2024-01-01T00:00:00Z",
            "reply": {
                "root": {"uri": "at://did:plc:y/app.bsky.feed.post/1"},
                "parent": {"uri": "at://did:plc:y/app.bsky.feed.post/9"},
            },
        },
        "labels": [{"val": "!takedown", "src": "did:plc:mod"}, {"val": "porn", "neg": True}],
    }
    records = read(write_json(tmp_path, "p.json", {"posts": [post]}))
    (comment,) = [r for r in records if not isinstance(r, ThreadRecord)]
    assert (comment.status, comment.meta["labels"]) == ("removed", ["!takedown"])
    assert comment.parent_external_id == "at://did:plc:y/app.bsky.feed.post/9"  # an orphan


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"thread": {"$type": "app.bsky.feed.defs#threadViewPost"}}, r"\$\.thread: a thread view"),
        ({"thread": {"post": {"uri": "at://x"}, "replies": {}}}, r"\$\.thread\.replies: expected"),
        ({"feed": []}, r"\$: expected Bluesky"),
    ],
)
def test_wrong_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    assert_one_parse_error(read, tmp_path, value, message)


def test_sniff() -> None:
    for path in (ROOT_THREAD, REPLY_THREAD):
        assert bluesky.sniff(path.read_bytes()[:65536], path)
    for other in ("mastodon/context-110000000000000003.json", "reddit/comments-1cebxh.json"):
        path = FIXTURES / other
        assert not bluesky.sniff(path.read_bytes()[:65536], path)


def _uri(node_id: str) -> str:
    return f"at://did:plc:u/app.bsky.feed.post/{node_id}"


def render(nodes: list[Node]) -> dict:
    """A random tree as a getPostThread answer from its root (nested ``replies``)."""
    root_uri = _uri("root")

    def post(node: Node) -> dict:
        parent = _uri(node.parent) if node.parent else root_uri
        return {
            "uri": _uri(node.id),
            "cid": f"c{node.id}",
            "author": {"did": "did:plc:u", "handle": node.author},
            "record": {
                "text": node.body,
                "createdAt": iso(node.created),
                "reply": {"root": {"uri": root_uri}, "parent": {"uri": parent}},
            },
        }

    views = {node.id: {"post": post(node), "replies": []} for node in nodes}
    top = []
    for node in nodes:
        (views[node.parent]["replies"] if node.parent else top).append(views[node.id])
    root = {
        "uri": root_uri,
        "author": {"did": "did:plc:u", "handle": "op"},
        "record": {"text": "Root", "createdAt": iso(0)},
    }
    return {"thread": {"post": root, "replies": top}}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, statuses=False, body=bodies))
def test_random_threads_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    folder = tmp_path_factory.mktemp("bsky")
    path = write_json(folder, "thread.json", render(nodes))
    records = read(path)
    # The nested replies are walked depth first: compare parents, and siblings in order.
    expected = mapped_shape([n._replace(parent=n.parent or "root") for n in nodes], _uri)
    assert shape(records) == expected
    found = by_id(records)
    for node in nodes:
        assert (found[_uri(node.id)].author, found[_uri(node.id)].body) == (node.author, node.body)
    if not nodes:
        return
    db = folder / "m.db"
    import_into(db, path)
    assert {key[1]: value[0] for key, value in stored_tree(db).items()} == {
        _uri(n.id): (_uri(n.parent) if n.parent else None) for n in nodes
    }
