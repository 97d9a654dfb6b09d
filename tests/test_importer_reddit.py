"""Reddit ``/comments/<id>.json`` listings read into flat records (``modtool.importers.reddit``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import START, Node, render_reddit, to_json
from modtool.errors import ParseError
from modtool.importers import reddit
from modtool.importers.records import MissingRecord, ThreadRecord
from modtool.ingest import import_path
from modtool.store import open_store
from tests.json_formats import (
    by_id,
    comments,
    dump,
    no_warnings,
    node_shape,
    one_error_line,
    shape,
    stored_shape,
    trees,
)

FIXTURES = Path(__file__).parent / "fixtures" / "reddit"
THREAD = FIXTURES / "comments-1cebxh.json"
LISTING = FIXTURES / "comment-listing.json"


def read(path: Path) -> list:
    return list(reddit.read(path, no_warnings))


def test_the_post_is_the_thread_with_its_article_and_permalink() -> None:
    records = read(THREAD)
    thread = records[0]
    assert isinstance(thread, ThreadRecord)
    assert thread.platform == "reddit"
    assert thread.external_id == "1cebxh"
    assert thread.title == "Peasants & serfs"
    assert thread.article == "Were medieval peasants & serfs the same? > asking for a friend"
    assert thread.url == "https://www.reddit.com/r/AskHistorians/comments/1cebxh/peasants_serfs/"
    assert thread.created_at == "2024-04-24T23:06:40Z"
    assert thread.meta == {
        "subreddit": "AskHistorians",
        "author": "curious_george",
        "score": 1659,
        "num_comments": 14,
    }
    assert all(r.thread_external_id == "1cebxh" for r in records[1:])


def test_comments_ids_parents_and_order() -> None:
    records = read(THREAD)
    got = [(r.external_id, r.parent_external_id) for r in comments(records)]
    assert got == [
        ("kq1aaaa", None),  # parent_id t3_… → top level
        ("kq1bbbb", "kq1aaaa"),  # t1_ prefix stripped
        ("kq1cccc", "kq1bbbb"),  # a reply to a deleted comment is kept under it
        ("kq1dddd", "kq1aaaa"),
        ("kq1hhhh", None),
        ("kq1iiii", None),
    ]


def test_status_from_deleted_and_removed_markers() -> None:
    found = by_id(read(THREAD))
    assert (found["kq1bbbb"].status, found["kq1bbbb"].author) == ("deleted", "[deleted]")
    assert (found["kq1dddd"].status, found["kq1dddd"].body) == ("removed", "[removed]")
    # An account deleted after posting: the comment is still shown by Reddit.
    assert found["kq1iiii"].status == "visible"
    assert found["kq1iiii"].body == "My account is gone but this stays."
    assert found["kq1aaaa"].status == "visible"


def test_entities_in_markdown_bodies_are_decoded_and_body_preferred_over_html() -> None:
    body = by_id(read(THREAD))["kq1aaaa"].body
    assert body == (
        "Not quite & here's why: serfs were bound to land > peasants in general. Use `a < b`."
    )


def test_dates_from_float_int_and_string_created_utc() -> None:
    found = by_id(read(THREAD))
    assert found["kq1aaaa"].created_at == "2024-04-24T23:23:20Z"  # float
    assert found["kq1bbbb"].created_at == "2024-04-24T23:31:40Z"  # int
    assert found["kq1cccc"].created_at == "2024-04-24T23:33:20Z"  # string
    assert found["kq1hhhh"].created_at == "2024-04-24T23:15:00Z"  # float with fraction


def test_meta_keeps_score_permalink_edited_and_distinguished() -> None:
    found = by_id(read(THREAD))
    assert found["kq1aaaa"].meta == {
        "score": 120,
        "permalink": "https://www.reddit.com/r/AskHistorians/comments/1cebxh/peasants_serfs/kq1aaaa/",
        "edited": "2024-04-25T00:06:40Z",
    }
    assert found["kq1iiii"].meta == {"score": 7, "edited": True}  # old API: edited true
    assert found["kq1hhhh"].meta["distinguished"] == "moderator"
    assert found["kq1hhhh"].meta["stickied"] is True
    assert "edited" not in found["kq1cccc"].meta


def test_more_stubs_are_counted_never_comments() -> None:
    records = read(THREAD)
    missing = [r for r in records if isinstance(r, MissingRecord)]
    # count 3 (nested), "continue this thread" (count 0, no children) = 1, count 8.
    assert [m.count for m in missing] == [3, 1, 8]
    assert {m.thread_external_id for m in missing} == {"1cebxh"}
    assert not {"kq1eeee", "kq1zzzz", "_"} & set(by_id(records))


def test_where_is_the_json_path() -> None:
    found = by_id(read(THREAD))
    assert found["kq1aaaa"].where == "$[1].data.children[0]"
    assert found["kq1dddd"].where == "$[1].data.children[0].data.replies.data.children[1]"


def test_a_comment_listing_alone_names_its_threads_and_regroups_them() -> None:
    records = read(LISTING)
    threads = [
        r.thread_external_id if not isinstance(r, ThreadRecord) else r.external_id for r in records
    ]
    # Thread 1lkx0a1 first (its records together), then 1lkwzzz.
    assert threads == ["1lkx0a1"] * 4 + ["1lkwzzz"]
    assert records[0] == ThreadRecord(
        platform="reddit",
        external_id="1lkx0a1",
        title="MLB Betting and Picks",
        meta={"subreddit": "sportsbook"},
    )
    found = by_id(records)
    # A parent outside the file is kept by name (the tree builder makes it an orphan).
    assert found["mzzhsnn"].parent_external_id == "mzzhbz4"
    assert found["mzzhsnn"].body == "Over 8.5 & under 9"
    assert found["mzzh222"].parent_external_id == "mzzh000"


def test_a_5000_deep_reply_chain_reads_without_recursion(tmp_path: Path) -> None:
    nodes = [
        Node(f"d{i}", f"d{i - 1}" if i else None, "a", f"level {i}", START + i) for i in range(5000)
    ]
    path = tmp_path / "deep.json"
    path.write_text(to_json(render_reddit("deep", "Deep", nodes)), encoding="utf-8")
    found = comments(read(path))
    assert len(found) == 5000
    assert found[-1].parent_external_id == "d4998"
    assert "…" in found[-1].where  # deep places are written short


def test_absurd_nesting_is_one_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "bomb.json"
    path.write_text("[" * 150_000 + "]" * 150_000, encoding="utf-8")
    with pytest.raises(ParseError, match="nested more than 100,000 levels"):
        read(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"kind": "Listing", "data": {"children": [}}]', r"line 1 column 44: not valid JSON"),
        ('{"hello": 1}', r"\$\[?.*: expected a Reddit listing: Reddit /comments"),
        ('[{"kind": "Listing", "data": {}}]', r"\$\[0\]: a Listing needs data.children"),
        ('[{"kind": "Listing", "data": {"children": [3]}}]', r"\$\[0\].data.children\[0\]: "),
        (
            '[{"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "a",'
            ' "link_id": "t3_x", "replies": [1]}}]}}]',
            r"\$\[0\].data.children\[0\].data.replies: replies must be",
        ),
        (
            '{"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "a"}}]}}',
            r"without link_id",
        ),
    ],
)
def test_bad_input_is_one_parse_error_naming_file_and_place(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'[{"kind": "Listing", "data": {"children": []}}, "caf\xe9"]')
    with pytest.raises(ParseError, match="byte 53: not UTF-8"):
        read(path)


def test_sniff_recognises_listings_and_nothing_else() -> None:
    assert reddit.sniff(THREAD.read_bytes(), THREAD)
    assert reddit.sniff(LISTING.read_bytes(), LISTING)
    assert reddit.sniff(b'[{"kind":"Listing","data":{"children":[]}}]', Path("x"))
    assert reddit.sniff(b'\xef\xbb\xbf\n  {"data": {"children": []}, "kind": "Listing"}', Path("x"))
    assert not reddit.sniff(b'{"id": "abc", "link_id": "t3_x", "body": "hi"}\n', Path("x"))
    assert not reddit.sniff(b'{"post_stream": {"posts": []}}', Path("x"))
    assert not reddit.sniff(b"Title\n\n  1. Vish says\n", Path("x"))


def test_large_documents_are_slimmed_as_parsed_with_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = read(THREAD)
    monkeypatch.setattr(reddit, "SLIM_BYTES", 0)
    assert read(THREAD) == plain


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees())
def test_random_trees_rendered_as_reddit_read_back_the_same(
    tmp_path: Path, nodes: list[Node]
) -> None:
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(render_reddit("t", "T", nodes, more=[(None, 2)])), encoding="utf-8")
    records = read(path)
    assert shape(records) == node_shape(nodes)
    found = by_id(records)
    for node in nodes:
        if node.status == "visible":
            assert (found[node.id].author, found[node.id].body) == (node.author, node.body)
        assert found[node.id].created_at is not None
    assert sum(r.count for r in records if isinstance(r, MissingRecord)) == 2


# -- through the store and the real CLI --------------------------------------------------


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=15))
def test_random_trees_land_in_the_store_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    folder = tmp_path_factory.mktemp("store")
    path = folder / "thread.json"
    path.write_text(json.dumps(render_reddit("t", "T", nodes, more=[(None, 3)])), encoding="utf-8")
    with open_store(folder / "m.db") as store:
        import_path(store, path)
        (thread,) = store.threads.list()
        assert (thread.platform, thread.external_id, thread.missing) == ("reddit", "t", 3)
        assert stored_shape(store, thread.id) == node_shape(nodes)


def test_cli_stdin_listing_reimport_and_bad_input(
    run_cli: Callable, db_path: Path, tmp_path: Path
) -> None:
    listing = THREAD.read_text(encoding="utf-8")
    done = run_cli("import", "--format", "reddit", "-", input=listing)
    assert done.returncode == 0, done.stderr
    assert "(reddit 1cebxh): 6 comments (6 new, 12 missing)" in done.stdout
    before = dump(db_path)
    again = run_cli("import", "--format", "reddit", "-", input=listing)
    assert again.returncode == 0 and "6 unchanged" in again.stdout
    assert dump(db_path) == before
    tree = run_cli("tree", "1")
    assert "[kq1dddd]" in tree.stdout and "(removed)" in tree.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('[{"kind": "Listing", "data": {"children": [3]}}]', encoding="utf-8")
    failed = run_cli("import", bad)
    assert failed.returncode == 1
    assert one_error_line(failed.stderr) == (
        f"modtool: error: {bad}: $[0].data.children[0]: expected a Reddit thing "
        '({"kind": …, "data": {…}})'
    )
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"what": 1}', encoding="utf-8")
    failed = run_cli("import", unknown)
    assert failed.returncode == 1
    line = one_error_line(failed.stderr)
    assert "cannot tell the document's format" in line and "reddit: Reddit /comments" in line
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"body": "hi", "removed_by_category": "moderator"}, "removed"),
        ({"body": "hi", "removed_by_category": "automod_filtered"}, "removed"),
        ({"body": "hi", "removed_by_category": "deleted"}, "deleted"),
        ({"body": "hi", "spam": True, "removed": True}, "spam"),  # moderator views
        ({"body": "hi", "removed": True}, "removed"),
        ({"body": "hi", "banned_by": "AutoModerator"}, "removed"),
        ({"body": "hi", "banned_by": None, "removed_by_category": None}, "visible"),
        ({"author": "[deleted]", "body": "still shown"}, "visible"),
    ],
)
def test_status_from_moderator_and_new_api_flags(data: dict, expected: str) -> None:
    assert reddit.status(data) == expected


def test_body_html_only_when_body_is_missing() -> None:
    html_only = {"body_html": '&lt;div class="md"&gt;&lt;p&gt;a &amp;amp; b&lt;/p&gt;&lt;/div&gt;'}
    assert reddit.comment_body(html_only) == "a & b"
    assert reddit.comment_body({"body": "x &amp;gt; y", "body_html": "ignored"}) == "x &gt; y"


def test_scores_that_json_cannot_write_back_are_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text(
        '{"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "a",'
        ' "link_id": "t3_x", "body": "b", "score": NaN}}, {"kind": "t1", "data": {"id": "c",'
        ' "link_id": "t3_x", "body": "d", "score": Infinity, "created_utc": 1e400}}]}}',
        encoding="utf-8",
    )
    found = by_id(read(path))
    assert found["a"].meta is None and found["c"].meta is None
    assert found["c"].created_at is None


def test_an_absurd_more_count_is_bounded_not_a_crash(tmp_path: Path) -> None:
    """Found by the importer fuzz (seed 1): a "more" count of 10^23 overflowed SQLite's
    integer when the thread's missing count was stored."""
    from modtool.importers.pipeline import MAX_MISSING
    from modtool.ingest import import_path
    from modtool.store import open_store

    text = (Path(__file__).parent / "fixtures/reddit/comments-1cebxh.json").read_text()
    huge = tmp_path / "huge.json"
    huge.write_text(text.replace('"count": 3,', '"count": 99999999999999999999999,', 1))
    with open_store(tmp_path / "m.db") as store:
        report = import_path(store, huge)
        (result,) = report.threads  # the bounded count plus the thread's other stubs
        assert MAX_MISSING <= result.missing < MAX_MISSING + 100 and not report.failed
        assert any("missing-comments count" in w for w in report.warnings)
        assert store.threads.list()[0].missing == result.missing


def test_a_listing_streams_records_before_the_document_is_read_to_its_end(
    tmp_path: Path,
) -> None:
    """Issue 19.1: the listing is walked as it is read (memory holds one top-level
    comment with its replies), so records come out before a damaged end is reached."""
    nodes = [Node(f"c{i}", None, "a", f"comment {i}", START + i) for i in range(3000)]
    path = tmp_path / "long.json"
    text = to_json(render_reddit("t", "T", nodes))
    path.write_text(text[:-40] + "{broken", encoding="utf-8")  # the end is damaged
    stream = reddit.read(path, no_warnings)
    assert isinstance(next(stream), ThreadRecord)  # the post, then comments, in order
    first = [next(stream) for _ in range(2000)]
    assert [r.external_id for r in first[:3]] == ["c0", "c1", "c2"]
    with pytest.raises(ParseError, match="not valid JSON"):
        list(stream)
