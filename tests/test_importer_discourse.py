"""Discourse topic JSON (and pages, /posts.json) read into flat records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formats_json import Node, render_discourse
from modtool.errors import ParseError
from modtool.importers import discourse
from modtool.importers.records import MissingRecord, ProblemRecord, ThreadRecord
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

FIXTURES = Path(__file__).parent / "fixtures" / "discourse"
TOPIC = FIXTURES / "topic-2144.json"
PAGE = FIXTURES / "topic-3000-page.json"
LATEST = FIXTURES / "latest-posts.json"


def read(path: Path) -> list:
    return list(discourse.read(path, no_warnings))


def test_the_topic_is_the_thread_and_post_1_its_article() -> None:
    records = read(TOPIC)
    thread = records[0]
    assert thread == ThreadRecord(
        platform="discourse",
        external_id="2144",
        title="Moderation tips & tricks",
        article="How do we moderate & keep things civil?\n\nSecond paragraph.",
        created_at="2024-03-01T09:00:00Z",
        meta={
            "slug": "moderation-tips",
            "category_id": 7,
            "views": 321,
            "posts_count": 9,
            "like_count": 12,
            "tags": ["moderation", "community"],
        },
    )
    assert "1" not in by_id(records)


def test_post_numbers_are_ids_and_reply_to_1_or_null_is_top_level() -> None:
    got = [(r.external_id, r.parent_external_id) for r in comments(read(TOPIC))]
    assert got == [
        ("2", None),  # reply_to_post_number 1
        ("3", None),  # reply_to_post_number null
        ("4", "2"),
        ("6", "4"),  # 5 is a small action ("closed the topic"): not a comment
        ("7", "6"),
        ("8", "7"),
        ("9", "3"),
    ]


def test_status_body_and_meta() -> None:
    found = by_id(read(TOPIC))
    assert found["6"].status == "deleted"  # user_deleted
    assert found["9"].status == "deleted"  # deleted_at
    assert found["7"].status == "removed"  # hidden
    assert found["8"].status == "visible" and found["8"].meta["post_type"] == "whisper"
    assert found["2"].body == (
        "Replying to the first post: that means top level. "
        "See [this guide](https://meta.discourse.org/t/1)."
    )
    assert found["4"].body == "I disagree with [@bob](/u/bob) > strongly."
    assert found["9"].body == "Only **raw** markdown here & no cooked."  # raw when no cooked
    assert found["2"].meta == {
        "post_id": "9002",
        "score": 10.5,
        "reads": 30,
        "likes": 4,
        "edited": "2024-03-01T10:00:00Z",
        "permalink": "/t/moderation-tips/2144/2",
    }
    assert found["2"].created_at == "2024-03-01T09:10:00Z"
    assert found["2"].author == "bob"


def test_a_page_of_a_long_topic_counts_the_rest_as_missing() -> None:
    records = read(PAGE)
    assert records[0].article == ""  # post 1 is not on this page
    found = by_id(records)
    assert found["21"].parent_external_id == "20"  # outside the page: kept, becomes an orphan
    assert found["22"].parent_external_id == "21"
    assert found["23"].parent_external_id is None
    # 25 posts in the stream, 3 here, post 1 is the article: 21 comments missing.
    assert [r for r in records if isinstance(r, MissingRecord)] == [MissingRecord("3000", 21)]


def test_latest_posts_are_grouped_by_topic() -> None:
    records = read(LATEST)
    kinds = [
        (type(r).__name__, r.external_id if isinstance(r, ThreadRecord) else r.thread_external_id)
        for r in records
    ]
    assert kinds == [
        ("ThreadRecord", "40"),
        ("CommentRecord", "40"),
        ("CommentRecord", "40"),
        ("ThreadRecord", "41"),
    ]
    assert records[0].title == "Topic forty"
    assert records[3].article == "Topic 41 opening post"
    assert by_id(records)["3"].parent_external_id == "2"


def test_a_post_without_post_number_is_a_problem_for_its_topic(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"id": 5, "title": "x", "post_stream": {"posts": [{"id": 1}]}}))
    records = read(path)
    assert ProblemRecord("5", "$.post_stream.posts[0]", "a post without a post_number") in records


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"post_stream": {"posts": {}}}, r"\$.post_stream.posts: expected a list"),
        ({"post_stream": {"posts": []}}, r"\$.id: a topic needs an id"),
        ({"id": 1, "post_stream": {"posts": [3]}}, r"\$.post_stream.posts\[0\]: expected a post"),
        ({"latest_posts": [{"id": 1}]}, r"\$.latest_posts\[0\]: a post without topic_id"),
        ({"users": []}, r"\$: expected Discourse topic JSON"),
    ],
)
def test_bad_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(value))
    with pytest.raises(ParseError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_sniff() -> None:
    for path in (TOPIC, PAGE, LATEST):
        assert discourse.sniff(path.read_bytes()[:65536], path)
    assert not discourse.sniff(b'[{"kind": "Listing"}]', Path("x.json"))
    assert not discourse.sniff(b'{"id": 1, "type": "story", "children": []}', Path("x.json"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    nodes=trees(max_size=15, body=html_bodies, numeric_ids=True),
    page=st.integers(0, 3),
)
def test_random_topics_read_back_the_same(tmp_path: Path, nodes: list[Node], page: int) -> None:
    path = tmp_path / "topic.json"
    path.write_text(json.dumps(render_discourse(12, "Topic", nodes, page=page)))
    records = read(path)
    assert shape(records) == node_shape(nodes)
    found = by_id(records)
    for node in nodes:
        assert (found[node.id].author, found[node.id].body) == (node.author, node.body)
    missing = [r.count for r in records if isinstance(r, MissingRecord)]
    assert missing == ([page] if page else [])


def test_cli_topic_and_page_orphans_and_missing(run_cli: Callable, db_path: Path) -> None:
    done = run_cli("import", TOPIC, PAGE)
    assert done.returncode == 0, done.stderr
    assert "(discourse 2144): 7 comments (7 new)" in done.stdout
    assert "(discourse 3000): 3 comments (3 new, 1 orphan, 21 missing)" in done.stdout
    with open_store(db_path) as store:
        threads = {t.external_id: t for t in store.threads.list()}
        page = {c.external_id: c for c in store.comments.for_thread(threads["3000"].id)}
        topic = store.threads.get(threads["2144"].id)
    assert page["21"].orphan and page["21"].parent_external_id == "20"
    assert page["22"].path == "1.1" and not page["22"].orphan
    assert topic.article.startswith("How do we moderate & keep things civil?")
    assert threads["3000"].missing == 21
    before = dump(db_path)
    assert run_cli("import", TOPIC, PAGE).returncode == 0
    assert dump(db_path) == before


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, body=html_bodies, numeric_ids=True), page=st.integers(0, 2))
def test_random_topics_land_in_the_store_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node], page: int
) -> None:
    folder = tmp_path_factory.mktemp("store")
    path = folder / "topic.json"
    path.write_text(json.dumps(render_discourse(12, "Topic", nodes, page=page)))
    with open_store(folder / "m.db") as store:
        import_path(store, path)
        (thread,) = store.threads.list()
        assert (thread.platform, thread.external_id, thread.missing) == ("discourse", "12", page)
        assert stored_shape(store, thread.id) == node_shape(nodes)
