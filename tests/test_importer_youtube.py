"""YouTube Data API answers (commentThreads pages, comments.list, videos.list) read and stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formats_json import Node
from modtool.importers import youtube
from modtool.importers.records import MissingRecord, ProblemRecord, ThreadRecord
from tests.api_formats import (
    FIXTURES,
    assert_one_parse_error,
    assert_read_and_stored,
    import_into,
    iso,
    link_files,
    reimport_is_idempotent,
    stored_tree,
    write_json,
)
from tests.json_formats import bodies, by_id, no_warnings, trees

HERE = FIXTURES / "youtube"
REAL_PAGE = HERE / "real-comment-threads-XYAe15w39LQ.json"
REAL_VIDEO = HERE / "real-video-XYAe15w39LQ.json"
PAGES = [HERE / "threads-vidModView1-page1.json", HERE / "threads-vidModView1-page2.json"]
REPLIES = HERE / "replies-UgxAAAA.json"
A = "UgxAAAAAAAAAAAAAAAAA4AaABAg"


def read(path: Path) -> list:
    return list(youtube.read(path, no_warnings))


def test_real_recorded_page_and_video(tmp_path: Path) -> None:
    """A commentThreads.list answer and a videos.list answer YouTube gave (clip-scroll)."""
    records = read(link_files(tmp_path / "doc", [REAL_VIDEO, REAL_PAGE]))
    thread = records[0]
    assert isinstance(thread, ThreadRecord)
    assert (thread.platform, thread.external_id, thread.title) == (
        "youtube",
        "XYAe15w39LQ",
        "Watermelon without the melon",
    )
    assert thread.article == "Source: Collab.Inc\n\n#shorts"
    assert thread.url == "https://www.youtube.com/watch?v=XYAe15w39LQ"
    found = by_id(records)
    assert len(found) == 7 + 19  # 7 top-level comments, 19 replies shown
    top = found["UgzOpS_RRFR0IsErbS54AaABAg"]
    assert (top.author, top.body, top.parent_external_id) == (
        "Destry Lefebre",
        "I found an employee who now has a mess to clean",
        None,
    )
    assert top.meta == {
        "channel": "UCD2847OGaa_qxTc5KQj2DDA",
        "likes": 20600,
        "url": "https://www.youtube.com/watch?v=XYAe15w39LQ&lc=UgzOpS_RRFR0IsErbS54AaABAg",
    }
    reply = found["UgzOpS_RRFR0IsErbS54AaABAg.9mXUPHCOyA_9mm54_jMah7"]
    assert reply.parent_external_id == "UgzOpS_RRFR0IsErbS54AaABAg"
    assert reply.author == "souc 🩸"
    # totalReplyCount 74+10+0+122+0+0+17 = 223, 5+5+5+4 = 19 replies shown.
    assert [r.count for r in records if isinstance(r, MissingRecord)] == [204]


def test_pages_and_a_replies_page_are_one_thread(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    (result,) = import_into(db, *PAGES, REPLIES, format="youtube").threads
    # Page 1: A (3 replies, 1 shown) and B; page 2: C; comments.list: 2 replies of A,
    # one of them shown on page 1 already (kept once). 3 of A's replies known: 1 missing.
    assert (result.external_id, result.total, result.missing) == ("vidModView1", 5, 1)
    assert stored_tree(db) == {
        ("vidModView1", A): (None, "1", False, "visible"),
        ("vidModView1", A + ".AAAAAAAAAA2"): (A, "1.1", False, "removed"),
        ("vidModView1", A + ".AAAAAAAAAA1"): (A, "1.2", False, "visible"),
        ("vidModView1", "UgxBBBBBBBBBBBBBBBBB4AaABAg"): (None, "2", False, "spam"),
        ("vidModView1", "UgxCCCCCCCCCCCCCCCCC4AaABAg"): (None, "3", False, "pending"),
    }
    reimport_is_idempotent(db, *PAGES, REPLIES, format="youtube")


def test_text_display_html_is_used_without_text_original(tmp_path: Path) -> None:
    comment = {
        "kind": "youtube#comment",
        "id": "Ugz1",
        "snippet": {
            "videoId": "v1",
            "textDisplay": '<b>bold</b> &amp; <a href="https://x.example">link</a>',
            "authorDisplayName": "@a",
        },
    }
    records = read(write_json(tmp_path, "c.json", comment))
    assert by_id(records)["Ugz1"].body == "bold & [link](https://x.example)"


def test_a_reply_whose_video_is_unknown_is_a_problem(tmp_path: Path) -> None:
    reply = {"kind": "youtube#comment", "id": "Ugz1.x", "snippet": {"parentId": "Ugz1"}}
    (problem,) = read(write_json(tmp_path, "r.json", reply))
    assert isinstance(problem, ProblemRecord)
    assert problem.message == "a comment without videoId or channelId"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"kind": "youtube#commentThreadListResponse", "items": {}}, r"\$\.items: expected a list"),
        ({"kind": "youtube#commentThread", "snippet": {}}, r"topLevelComment: expected a comment"),
        ({"items": []}, r"\$: expected YouTube Data API answers"),
    ],
)
def test_wrong_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    assert_one_parse_error(read, tmp_path, value, message)


def test_sniff() -> None:
    for path in (REAL_PAGE, REAL_VIDEO, REPLIES, *PAGES):
        assert youtube.sniff(path.read_bytes()[:65536], path)
    other = FIXTURES / "reddit" / "comments-1cebxh.json"
    assert not youtube.sniff(other.read_bytes()[:65536], other)


def render(nodes: list[Node], per_page: int) -> list[dict]:
    """Top-level comments as commentThreads pages of ``per_page``, replies under them."""

    def comment(node: Node, parent: str | None) -> dict:
        snippet = {
            "videoId": "vid",
            "textOriginal": node.body,
            "authorDisplayName": node.author,
            "publishedAt": iso(node.created),
        }
        if parent:
            snippet["parentId"] = parent
        return {"kind": "youtube#comment", "id": node.id, "snippet": snippet}

    threads = []
    for node in nodes:
        if node.parent is None:
            replies = [comment(n, node.id) for n in nodes if n.parent == node.id]
            threads.append(
                {
                    "kind": "youtube#commentThread",
                    "id": node.id,
                    "snippet": {
                        "videoId": "vid",
                        "topLevelComment": comment(node, None),
                        "totalReplyCount": len(replies),
                    },
                    "replies": {"comments": replies},
                }
            )
    return [
        {"kind": "youtube#commentThreadListResponse", "items": threads[start : start + per_page]}
        for start in range(0, max(len(threads), 1), per_page)
    ]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, statuses=False, body=bodies), per_page=st.integers(1, 4))
def test_random_threads_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node], per_page: int
) -> None:
    # YouTube replies nest one level: every reply answers a top-level comment.
    top = {n.id for n in nodes if n.parent is None}
    nodes = [n for n in nodes if n.parent is None or n.parent in top]
    folder = tmp_path_factory.mktemp("yt")
    pages = [
        write_json(folder, f"p{i}.json", page) for i, page in enumerate(render(nodes, per_page))
    ]
    document = link_files(folder / "doc", pages)
    assert_read_and_stored(read(document), nodes, folder / "m.db", document)
