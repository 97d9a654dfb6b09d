"""importers/tree.py: flat records to the reply tree, the same way for every format."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from modtool.importers.records import CommentRecord
from modtool.importers.tree import PreorderTree, build


def rec(ext: str, parent: str | None, thread: str = "T", body: str = "") -> CommentRecord:
    return CommentRecord(thread, ext, parent, f"user {ext}", body or f"body {ext}")


def shape(placed) -> list[tuple]:
    return [(c.external_id, c.path, c.depth, c.parent_position, c.orphan) for c in placed]


def test_parents_after_replies_give_the_same_tree() -> None:
    in_order = [rec("a", None), rec("b", "a"), rec("c", "b"), rec("d", "a"), rec("e", None)]
    shuffled = [in_order[2], in_order[3], in_order[1], in_order[4], in_order[0]]
    warnings: list[str] = []
    placed = build("T", shuffled, warnings.append)
    # Siblings keep file order: d came before b in the shuffled file.
    assert shape(placed) == [
        ("e", "1", 0, None, False),
        ("a", "2", 0, None, False),
        ("d", "2.1", 1, 1, False),
        ("b", "2.2", 1, 1, False),
        ("c", "2.2.1", 2, 3, False),
    ]
    assert [c.position for c in placed] == list(range(5))
    assert warnings == []


def test_orphans_go_to_the_top_with_their_replies_and_keep_the_parent_id() -> None:
    records = [rec("a", None), rec("x", "gone"), rec("y", "x"), rec("b", "T")]
    placed = build("T", records, lambda m: None)
    assert shape(placed) == [
        ("a", "1", 0, None, False),
        ("x", "2", 0, None, True),
        ("y", "2.1", 1, 1, False),
        # parent = the thread's own id names a comment (none here): an orphan
        ("b", "3", 0, None, True),
    ]
    assert placed[1].parent_external_id == "gone"
    # where threads and comments share one id space, the thread's id is the top level
    shared = build("T", records, lambda m: None, thread_is_a_parent=True)
    assert shape(shared)[3] == ("b", "3", 0, None, False)


def test_a_comment_whose_id_is_the_threads_id_is_a_parent_like_any_other() -> None:
    """WordPress numbers posts and comments apart: post 58 may hold comment 58, and a
    reply to it names 58 (Hypothesis found such a reply stored at the top level)."""
    records = [rec("22", "58"), rec("58", None), rec("3", "22")]
    placed = build("58", records, lambda m: None)
    assert shape(placed) == [
        ("58", "1", 0, None, False),
        ("22", "1.1", 1, 0, False),
        ("3", "1.1.1", 2, 1, False),
    ]


def test_duplicate_ids_the_later_one_wins_with_a_warning() -> None:
    records = [rec("a", None, body="old"), rec("b", "a"), rec("a", None, body="new")]
    warnings: list[str] = []
    placed = build("T", records, warnings.append)
    assert [(c.external_id, c.body, c.path) for c in placed] == [
        ("a", "new", "1"),
        ("b", "body b", "1.1"),
    ]
    assert len(warnings) == 1 and "'a' appears twice" in warnings[0]


def test_cycles_are_broken_never_followed() -> None:
    records = [rec("a", "c"), rec("b", "a"), rec("c", "b"), rec("s", "s"), rec("z", None)]
    warnings: list[str] = []
    placed = build("T", records, warnings.append)
    assert sorted(c.external_id for c in placed) == ["a", "b", "c", "s", "z"]
    by_id = {c.external_id: c for c in placed}
    assert by_id["a"].orphan and by_id["a"].depth == 0 and by_id["a"].parent_external_id == "c"
    assert (by_id["b"].path, by_id["c"].path) == (f"{by_id['a'].path}.1", f"{by_id['a'].path}.1.1")
    assert by_id["s"].orphan and by_id["s"].depth == 0  # a comment answering itself
    assert len(warnings) == 1 and "cycle" in warnings[0]


def test_a_5000_deep_chain_does_not_recurse() -> None:
    records = [rec("0", None)] + [rec(str(n), str(n - 1)) for n in range(1, 5000)]
    random.Random(3).shuffle(records)
    placed = build("T", records, lambda m: None)
    assert [c.depth for c in placed] == list(range(5000))


@st.composite
def forests(draw) -> list[CommentRecord]:
    count = draw(st.integers(0, 40))
    parents = [draw(st.integers(-1, n - 1)) for n in range(count)]  # -1 = top level
    return [rec(str(n), None if p < 0 else str(p)) for n, p in enumerate(parents)]


@settings(max_examples=80, deadline=None)
@given(records=forests(), seed=st.integers(0, 10**6))
def test_any_order_gives_the_tree_the_preorder_stream_gives(records, seed: int) -> None:
    """Build from a shuffled file = stream from the pre-order file (and paths are
    numbered by sibling order, depths and parent positions agree)."""
    ordered = build("T", records, lambda m: None)
    preorder = [rec(c.external_id, c.parent_external_id) for c in ordered]  # parent-first
    streaming = PreorderTree("T")
    streamed = [streaming.place(r) for r in preorder]
    assert shape(streamed) == shape(ordered)
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    rebuilt = build("T", shuffled, lambda m: None)
    parent_of = {c.external_id: c.parent_external_id for c in rebuilt}
    assert parent_of == {r.external_id: r.parent_external_id for r in records}
    for comment in rebuilt:
        if comment.parent_position is not None:
            parent = rebuilt[comment.parent_position]
            assert parent.external_id == comment.parent_external_id
            assert comment.path.rpartition(".")[0] == parent.path
            assert comment.depth == parent.depth + 1


def test_placed_comments_carry_the_content_hash_and_metadata_as_stored() -> None:
    from modtool.models import content_hash

    records = [
        rec("a", None, body="first"),
        CommentRecord("T", "b", "a", "ünïcode", "body\nwith lines", meta={"z": 1, "a": [2]}),
        CommentRecord("T", "c", None, "x", "y", meta='{"kept":"as text"}'),
        CommentRecord("T", "d", None, "x", "y", meta={}, content_hash="given"),
    ]
    for placed in (build("T", records, lambda m: None), _preorder(records)):
        by_id = {c.external_id: c for c in placed}
        assert by_id["a"].content_hash == content_hash("user a", "first")
        assert by_id["b"].content_hash == content_hash("ünïcode", "body\nwith lines")
        assert by_id["b"].meta == '{"a":[2],"z":1}'
        assert by_id["c"].meta == '{"kept":"as text"}'
        assert (by_id["d"].meta, by_id["d"].content_hash) == (None, "given")
        assert [c.position for c in placed] == [0, 1, 2, 3]


def _preorder(records: list[CommentRecord]) -> list:
    tree = PreorderTree("T")
    return [tree.place(record) for record in records]
