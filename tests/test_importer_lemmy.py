"""Lemmy API answers (comment lists, a post, both together) read into flat records and stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formats_json import Node
from modtool.importers import lemmy
from modtool.importers.records import MissingRecord, ProblemRecord, ThreadRecord
from tests.api_formats import (
    FIXTURES,
    assert_one_parse_error,
    import_into,
    iso,
    link_files,
    mapped_shape,
    reimport_is_idempotent,
    stored_parents,
    stored_tree,
    write_json,
)
from tests.json_formats import bodies, by_id, no_warnings, shape, trees

HERE = FIXTURES / "lemmy"
REAL = HERE / "real-comment-list.json"
POST = HERE / "post-7.json"
COMMENTS = HERE / "comments-post-7.json"
THREAD = "https://lemmy.example/post/7"
C = "https://lemmy.example/comment/"


def read(path: Path) -> list:
    return list(lemmy.read(path, no_warnings))


def test_real_recorded_comment_list_of_several_posts() -> None:
    """A /api/v3/comment/list answer voyager.lemmy.ml gave (lemmy_links_bot's cassette)."""
    records = read(REAL)
    threads = [r for r in records if isinstance(r, ThreadRecord)]
    assert [(t.external_id, t.title) for t in threads] == [
        ("https://voyager.lemmy.ml/post/39509", "XD why is invalid"),
        ("https://voyager.lemmy.ml/post/30391", "Unpopular opinion: this community is the worst"),
        ("https://voyager.lemmy.ml/post/39204", "This is a test post being edited now"),
        ("https://voyager.lemmy.ml/post/3998", "testing post reports"),
    ]
    assert threads[1].article == "Fight me"
    found = by_id(records)
    v = "https://voyager.lemmy.ml/comment/"
    # path 0.104129.104134.171604: the parent is 104134, in the same answer.
    assert found[v + "171604"].parent_external_id == v + "104134"
    assert found[v + "104134"].parent_external_id == v + "104129"
    assert found[v + "104129"].parent_external_id is None
    assert found[v + "104129"].meta == {
        "local_id": "104129",
        "score": 1,
        "upvotes": 1,
        "downvotes": 0,
        "child_count": 3,
        "distinguished": True,
    }
    assert found[v + "171604"].author == "pepperlake@voyager.lemmy.ml"
    assert found[v + "171604"].body == "@saltlake@voyager.lemmy.ml"
    assert found[v + "181634"].created_at == "2023-12-15T13:54:57Z"
    assert len(found) == 10


def test_a_post_and_its_comment_page_named_together(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    report = import_into(db, POST, COMMENTS, format="lemmy")
    (result,) = report.threads
    assert (result.external_id, result.title, result.total) == (
        THREAD,
        "Should the library open on Sundays?",
        5,
    )
    # counts.comments says 6, the page holds 5; 106 answers 105, which is not here.
    assert (result.missing, result.orphans) == (1, 1)
    assert stored_tree(db) == {
        (THREAD, C + "101"): (None, "1", False, "visible"),
        (THREAD, "https://other.example/comment/102"): (C + "101", "1.1", False, "visible"),
        (THREAD, C + "103"): ("https://other.example/comment/102", "1.1.1", False, "removed"),
        (THREAD, C + "104"): (None, "2", False, "deleted"),
        (THREAD, C + "106"): (None, "3", True, "visible"),
    }
    records = read(COMMENTS)
    found = by_id(records)
    assert found["https://other.example/comment/102"].author == "cat@other.example"
    assert found["https://other.example/comment/102"].meta["edited"] == "2024-06-10T09:05:00Z"
    assert found[C + "106"].parent_external_id == "105"  # named by its local id
    reimport_is_idempotent(db, POST, COMMENTS, format="lemmy")


def test_a_post_without_comments_is_not_imported() -> None:
    assert read(POST) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"comments": {}}, r"\$\.comments: expected a list"),
        ({"comments": [3]}, r"\$\.comments\[0\]: expected a view object"),
        ({"post": {}}, r"\$: expected Lemmy API answers"),
    ],
)
def test_wrong_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    assert_one_parse_error(read, tmp_path, value, message)


def test_a_comment_without_id_is_a_problem_of_its_post(tmp_path: Path) -> None:
    page = json.loads(COMMENTS.read_text())
    del page["comments"][0]["comment"]["id"]
    records = read(write_json(tmp_path, "p.json", page))
    problems = [r for r in records if isinstance(r, ProblemRecord)]
    assert [(p.thread_external_id, p.message) for p in problems] == [
        (THREAD, "a comment without an id")
    ]


def test_sniff() -> None:
    for path in (REAL, POST, COMMENTS):
        assert lemmy.sniff(path.read_bytes()[:65536], path)
    for other in ("mastodon/context-110000000000000003.json", "discourse/topic-2144.json"):
        path = FIXTURES / other
        assert not lemmy.sniff(path.read_bytes()[:65536], path)


def render(nodes: list[Node], split: int) -> tuple[dict, list[dict]]:
    """A random tree as a post answer and comment/list pages (cut at ``split``)."""
    post = {"id": 1, "name": "Post", "ap_id": "https://l.example/post/1", "published": iso(0)}
    paths: dict[str, str] = {}
    views = []
    for node in nodes:
        paths[node.id] = f"{paths[node.parent]}.{node.id}" if node.parent else f"0.{node.id}"
        views.append(
            {
                "comment": {
                    "id": int(node.id),
                    "post_id": 1,
                    "path": paths[node.id],
                    "content": node.body,
                    "ap_id": f"https://l.example/comment/{node.id}",
                    "removed": node.status == "removed",
                    "deleted": node.status == "deleted",
                    "published": iso(node.created),
                },
                "creator": {"name": node.author, "actor_id": f"https://l.example/u/{node.author}"},
                "post": post,
                "counts": {"score": 1},
            }
        )
    views.reverse()  # comment/list sorted New: replies before their parents
    pages = [{"comments": views[:split]}, {"comments": views[split:]}]
    return {"post_view": {"post": post, "counts": {"comments": len(nodes) + 2}}}, pages


def _ap(node_id: str) -> str:
    return f"https://l.example/comment/{node_id}"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, body=bodies, numeric_ids=True), split=st.integers(0, 12))
def test_random_threads_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node], split: int
) -> None:
    folder = tmp_path_factory.mktemp("lemmy")
    post, pages = render(nodes, split)
    files = [write_json(folder, "0-post.json", post)]
    files += [write_json(folder, f"{n + 1}-page.json", page) for n, page in enumerate(pages)]
    document = link_files(folder / "document", files)
    records = read(document)
    # Siblings keep the answers' order: comment/list sorted New lists the newest first.
    assert shape(records) == mapped_shape(nodes[::-1], _ap)
    found = by_id(records)
    for node in nodes:
        assert (found[_ap(node.id)].author, found[_ap(node.id)].body) == (
            f"{node.author}@l.example",
            node.body,
        )
    missing = [r.count for r in records if isinstance(r, MissingRecord)]
    assert missing == ([2] if nodes else [])
    if not nodes:
        return
    assert stored_parents(folder, document) == {
        _ap(n.id): (_ap(n.parent) if n.parent else None, n.status) for n in nodes
    }
