"""Hacker News items (Algolia tree, Firebase array or NDJSON) read into flat records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formats_json import Node, render_hn_algolia, render_hn_firebase
from modtool.errors import ParseError
from modtool.importers import hackernews
from modtool.importers.records import ThreadRecord
from modtool.ingest import import_path
from modtool.store import open_store
from tests.json_formats import (
    by_id,
    comments,
    dump,
    html_bodies,
    no_warnings,
    node_shape,
    shape,
    stored_shape,
    trees,
)

FIXTURES = Path(__file__).parent / "fixtures" / "hackernews"
ALGOLIA = FIXTURES / "item-40500071.json"
FIREBASE = FIXTURES / "firebase-items.json"
CRAWL = FIXTURES / "firebase-crawl.ndjson"


def read(path: Path) -> list:
    return list(hackernews.read(path, no_warnings))


def test_algolia_story_is_the_thread_and_children_nest() -> None:
    records = read(ALGOLIA)
    thread = records[0]
    assert isinstance(thread, ThreadRecord)
    assert (thread.platform, thread.external_id) == ("hackernews", "40500071")
    assert thread.title == "Show HN: Drop's box, where a < b & c"  # plain text, not HTML
    assert thread.article == "Show HN: a sync tool & more"
    assert thread.url == "https://news.ycombinator.com/item?id=40500071"
    assert thread.created_at == "2024-05-28T17:31:40Z"
    assert thread.meta["points"] == 57
    assert thread.meta["link_url"] == "https://example.com/dropbox"
    assert [(r.external_id, r.parent_external_id) for r in comments(records)] == [
        ("40500072", "40500071"),  # the story as parent = top level
        ("40500074", "40500072"),
        ("40500075", "40500071"),
        ("40500076", "40500075"),
    ]


def test_algolia_html_entities_links_and_code() -> None:
    found = by_id(read(ALGOLIA))
    assert found["40500072"].body == "It's interesting, but what about rsync?"
    assert found["40500074"].body == (
        "Thanks & noted. See [the docs](https://example.com/docs).\n\n"
        "Second paragraph with emphasis."
    )
    assert "  for x in y:\n      print(x)" in found["40500076"].body  # <pre> keeps its layout
    assert found["40500074"].meta == {"permalink": "https://news.ycombinator.com/item?id=40500074"}


def test_algolia_empty_node_is_a_deleted_comment_whose_replies_stay() -> None:
    found = by_id(read(ALGOLIA))
    assert (found["40500075"].status, found["40500075"].author, found["40500075"].body) == (
        "deleted",
        "",
        "",
    )
    assert found["40500076"].parent_external_id == "40500075"


def test_algolia_tree_rooted_at_a_comment_belongs_to_its_story(tmp_path: Path) -> None:
    root = json.loads(ALGOLIA.read_text())["children"][0]
    path = tmp_path / "item-40500072.json"
    path.write_text(json.dumps(root))
    records = read(path)
    assert not [r for r in records if isinstance(r, ThreadRecord)]
    assert {r.thread_external_id for r in comments(records)} == {"40500071"}
    assert comments(records)[0].parent_external_id == "40500071"


def test_firebase_array_flags_order_and_pollopts() -> None:
    records = read(FIREBASE)
    thread = records[0]
    assert thread.external_id == "9000"
    assert thread.title == "My YC app: Dropbox - Throw away your USB drive"
    assert thread.meta["points"] == 111 and thread.meta["descendants"] == 5
    found = by_id(records)
    assert set(found) == {"9001", "9002", "9003", "9004", "9005"}  # pollopt 9100 skipped
    assert {r.thread_external_id for r in found.values()} == {"9000"}
    assert found["9002"].parent_external_id == "9001"  # listed before its parent
    assert (found["9003"].status, found["9003"].author, found["9003"].body) == ("deleted", "", "")
    assert (found["9004"].status, found["9004"].body) == ("removed", "[flagged] buy now")
    assert found["9005"].parent_external_id == "9003"
    assert found["9001"].body == "Top > level, with a [link](http://example.org)"
    assert found["9001"].created_at == "2007-04-04T19:18:20Z"
    assert found["9002"].where == "$[1]"


def test_firebase_ndjson_without_the_story_takes_the_outermost_parent_as_thread() -> None:
    records = read(CRAWL)
    found = by_id(records)
    assert found["501"].thread_external_id == "500"
    assert found["502"].thread_external_id == "500"
    assert found["601"].thread_external_id == "599"
    assert found["601"].body == "Another story, also absent: 599 / top level."
    assert found["701"].thread_external_id == "700"
    story = [r for r in records if isinstance(r, ThreadRecord)]
    assert [(s.external_id, s.article) for s in story] == [("700", "What do you use?")]
    assert found["502"].where == "line 2"


def test_sniff() -> None:
    for path in (ALGOLIA, FIREBASE, CRAWL):
        assert hackernews.sniff(path.read_bytes()[:65536], path)
    assert not hackernews.sniff(b'{"post_stream": {"posts": []}, "title": "x"}', Path("t.json"))
    assert not hackernews.sniff(b'[{"kind": "Listing", "data": {}}]', Path("x.json"))
    assert not hackernews.sniff(b'{"id": "a", "link_id": "t3_b", "body": "x"}\n', Path("x"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": 1, "children": [3]}', r"\$.children\[0\]: expected an item object"),
        ('{"id": 1, "type": "story", "children": {"a": 1}}', r"\$.children: children must be"),
        ('"just a string"', r"\$: expected Hacker News"),
        ("[1, 2]", r"\$\[0\]: expected an item object"),
        ('{"id": 1, "children": [', r"line 1 column 24: not valid JSON"),
    ],
)
def test_bad_input_is_one_parse_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_bad_ndjson_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text('{"id": 1, "type": "story", "time": 1}\n{"id": 2, "parent": \n')
    with pytest.raises(ParseError, match="line 2 column"):
        read(path)


def _expected(nodes: list[Node], story: str) -> tuple:
    parents, replies = node_shape([n._replace(parent=n.parent or story) for n in nodes])
    return parents, replies


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    nodes=trees(max_size=15, body=html_bodies, numeric_ids=True),
    form=st.sampled_from(["algolia", "array", "ndjson"]),
)
def test_random_trees_in_each_hn_shape_read_back_the_same(
    tmp_path: Path, nodes: list[Node], form: str
) -> None:
    path = tmp_path / "hn.json"
    if form == "algolia":
        # Algolia has no dead comments: only deleted ones, as empty nodes.
        nodes = [n._replace(status="deleted") if n.status == "removed" else n for n in nodes]
        path.write_text(json.dumps(render_hn_algolia(77, "Story", nodes)))
    elif form == "array":
        path.write_text(json.dumps(render_hn_firebase(77, "Story", nodes)))
    else:
        items = render_hn_firebase(77, "Story", nodes)
        path.write_text("\n".join(json.dumps(item) for item in items[::-1]) + "\n")
    records = read(path)
    parents, replies = shape(records)
    want_parents, want_replies = _expected(nodes, "77")
    assert parents == want_parents
    if form == "ndjson":
        # Siblings come in file order (here reversed), as in every format.
        replies = {key: sorted(value) for key, value in replies.items()}
        want_replies = {key: sorted(value) for key, value in want_replies.items()}
    assert replies == want_replies
    found = by_id(records)
    for node in nodes:
        assert found[node.id].thread_external_id == "77"
        if node.status == "visible":
            assert (found[node.id].author, found[node.id].body) == (node.author, node.body)
        else:
            assert found[node.id].body == ("" if node.status == "deleted" else node.body)


def test_cli_firebase_crawl_and_algolia_item(run_cli: Callable, db_path: Path) -> None:
    done = run_cli("import", CRAWL, ALGOLIA)
    assert done.returncode == 0, done.stderr
    assert "(hackernews 500): 2 comments (2 new)" in done.stdout
    assert "(hackernews 40500071): 4 comments (4 new)" in done.stdout
    with open_store(db_path) as store:
        threads = {t.external_id: t for t in store.threads.list()}
        assert threads["40500071"].url == "https://news.ycombinator.com/item?id=40500071"
        stored = {c.external_id: c for c in store.comments.for_thread(threads["40500071"].id)}
    assert stored["40500075"].status == "deleted" and stored["40500076"].path == "2.1"
    assert stored["40500072"].meta == {"permalink": "https://news.ycombinator.com/item?id=40500072"}
    before = dump(db_path)
    assert run_cli("import", CRAWL, ALGOLIA).returncode == 0
    assert dump(db_path) == before


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, body=html_bodies, numeric_ids=True))
def test_random_firebase_items_land_in_the_store_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    folder = tmp_path_factory.mktemp("store")
    path = folder / "items.json"
    path.write_text(json.dumps(render_hn_firebase(77, "Story", nodes)))
    with open_store(folder / "m.db") as store:
        import_path(store, path)
        (thread,) = store.threads.list()
        assert (thread.platform, thread.external_id, thread.title) == ("hackernews", "77", "Story")
        assert stored_shape(store, thread.id) == node_shape(nodes)
