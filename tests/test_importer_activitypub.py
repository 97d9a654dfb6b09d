"""ActivityPub objects, collections and outboxes read into flat records and stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import Node
from modtool.errors import ParseError
from modtool.importers import activitypub
from modtool.importers.records import ThreadRecord
from tests.api_formats import (
    FIXTURES,
    html,
    import_into,
    iso,
    mapped_shape,
    reimport_is_idempotent,
    stored_tree,
    write_json,
)
from tests.json_formats import by_id, html_bodies, no_warnings, shape, trees

HERE = FIXTURES / "activitypub"
NOTE = HERE / "note-with-replies.json"
OUTBOX = HERE / "outbox-page.json"
POST = "https://lemmy.example/post/42"


def read(path: Path) -> list:
    return list(activitypub.read(path, no_warnings))


def test_a_note_and_the_replies_embedded_in_its_collection() -> None:
    thread, reply = read(NOTE)
    assert isinstance(thread, ThreadRecord)
    assert (thread.platform, thread.external_id) == (
        "fediverse",
        "https://social.example/users/ann/statuses/1001",
    )
    assert thread.article == "Our library will close on Sundays from July. Thoughts?"
    assert thread.meta == {
        "type": "Note",
        "url": "https://social.example/@ann/1001",
        "author": "ann@social.example",
    }
    assert reply.parent_external_id == thread.external_id  # the root: top level
    assert reply.author == "bob@social.example"
    assert reply.body == "[@ann](https://social.example/@ann) That is a shame & short-sighted."
    assert reply.meta["content_warning"] == "library politics"
    # The collection's bare link (remote.example/notes/77) has no text here: not read.
    assert len(read(NOTE)) == 2


def test_an_outbox_of_create_activities_with_a_tombstone_and_a_delete(tmp_path: Path) -> None:
    records = read(OUTBOX)
    thread = records[0]
    assert (thread.external_id, thread.title) == (POST, "Bike lanes on Main Street")
    assert thread.article == "The council votes on Thursday."
    assert thread.meta["author"] == "carol@lemmy.example"
    found = by_id(records)
    assert [(key, found[key].parent_external_id, found[key].status) for key in found] == [
        ("https://lemmy.example/comment/501", POST, "visible"),
        ("https://other.example/comment/9", "https://lemmy.example/comment/501", "visible"),
        ("https://lemmy.example/comment/503", "https://lemmy.example/comment/501", "deleted"),
        ("https://lemmy.example/comment/504", "https://lemmy.example/comment/503", "visible"),
        ("https://lemmy.example/comment/505", POST, "deleted"),  # a Delete of it follows
    ]
    assert found["https://other.example/comment/9"].meta["edited"] == "2024-06-02T09:10:00Z"
    db = tmp_path / "m.db"
    import_into(db, OUTBOX)
    assert stored_tree(db)[(POST, "https://lemmy.example/comment/504")] == (
        "https://lemmy.example/comment/503",
        "1.2.1",
        False,
        "visible",
    )
    reimport_is_idempotent(db, OUTBOX)


def test_a_missing_root_names_the_thread_and_a_missing_parent_makes_an_orphan(
    tmp_path: Path,
) -> None:
    notes = [
        {
            "type": "Note",
            "id": "https://a.example/n/2",
            "inReplyTo": "https://a.example/n/1",
            "attributedTo": {"id": "https://a.example/users/x", "preferredUsername": "xavier"},
            "content": "first reply",
        },
        {
            "type": "Note",
            "id": "https://a.example/n/3",
            "inReplyTo": "https://a.example/n/2",
            "attributedTo": "https://a.example/@yan",
            "content": "second",
        },
        {
            "type": "Note",
            "id": "https://a.example/n/5",
            "inReplyTo": "https://a.example/n/4",
            "attributedTo": "https://a.example/actors/42",
            "content": "lost",
            "context": "https://a.example/contexts/1",
        },
        {
            "type": "Note",
            "id": "https://a.example/n/6",
            "inReplyTo": "https://a.example/n/2",
            "attributedTo": "https://a.example/users/x",
            "content": "joins by context",
            "context": "https://a.example/contexts/1",
        },
    ]
    records = read(
        write_json(tmp_path, "c.json", {"type": "OrderedCollection", "orderedItems": notes})
    )
    assert records[0] == ThreadRecord("fediverse", "https://a.example/n/1")  # not in the file
    found = by_id(records)
    assert {key: (r.thread_external_id, r.parent_external_id) for key, r in found.items()} == {
        "https://a.example/n/2": ("https://a.example/n/1", "https://a.example/n/1"),
        "https://a.example/n/3": ("https://a.example/n/1", "https://a.example/n/2"),
        "https://a.example/n/5": ("https://a.example/n/1", "https://a.example/n/4"),
        "https://a.example/n/6": ("https://a.example/n/1", "https://a.example/n/2"),
    }
    assert activitypub.actor_name("https://[::1/users/x") == "https://[::1/users/x"  # not a URL
    assert [found[key].author for key in found] == [
        "xavier@a.example",
        "yan@a.example",
        "https://a.example/actors/42",
        "x@a.example",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a string", r"\$: expected ActivityPub JSON"),
        ({"type": "Note", "content": "no id"}, None),
    ],
)
def test_bad_input(tmp_path: Path, value: object, message: str | None) -> None:
    path = write_json(tmp_path, "bad.json", value)
    if message is None:
        (problem,) = read(path)
        assert problem.message == "a Note without an id"
        return
    with pytest.raises(ParseError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_sniff() -> None:
    for path in (NOTE, OUTBOX):
        assert activitypub.sniff(path.read_bytes()[:65536], path)
    for other in ("mastodon/context-110000000000000003.json", "hackernews/item-40500071.json"):
        path = FIXTURES / other
        assert not activitypub.sniff(path.read_bytes()[:65536], path)


def render(nodes: list[Node]) -> dict:
    """A random tree as an outbox page: the Page, then a Create (or Tombstone) per comment."""
    page = {
        "type": "Page",
        "id": "https://l.example/post/1",
        "name": "Topic",
        "attributedTo": "https://l.example/u/op",
        "content": "<p>Body</p>",
    }
    items: list[dict] = [{"type": "Create", "object": page}]
    for node in nodes:
        note = {
            "type": "Tombstone" if node.status == "deleted" else "Note",
            "id": f"https://l.example/comment/{node.id}",
            "inReplyTo": f"https://l.example/comment/{node.parent}" if node.parent else page["id"],
            "attributedTo": f"https://l.example/u/{node.author}",
            "content": html(node.body),
            "published": iso(node.created),
        }
        items.append(note if node.status == "deleted" else {"type": "Create", "object": note})
    return {"type": "OrderedCollectionPage", "orderedItems": items}


def _id(node_id: str) -> str:
    return node_id if node_id.startswith("https://") else f"https://l.example/comment/{node_id}"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, body=html_bodies))
def test_random_threads_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    nodes = [n._replace(status="deleted" if n.status != "visible" else "visible") for n in nodes]
    folder = tmp_path_factory.mktemp("ap")
    path = write_json(folder, "outbox.json", render(nodes))
    records = read(path)
    page = "https://l.example/post/1"
    expected = mapped_shape([n._replace(parent=n.parent or page) for n in nodes], _id)
    assert shape(records) == expected
    found = by_id(records)
    for node in nodes:
        if node.status == "visible":
            assert (found[_id(node.id)].author, found[_id(node.id)].body) == (
                f"{node.author}@l.example",
                node.body,
            )
    if not nodes:
        return
    db = folder / "m.db"
    import_into(db, path)
    assert {key[1]: (value[0], value[3]) for key, value in stored_tree(db).items()} == {
        _id(n.id): (_id(n.parent) if n.parent else None, n.status) for n in nodes
    }
