"""Mastodon API answers (statuses, /context, both together) read into flat records and stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import Node
from modtool.errors import ParseError
from modtool.importers import mastodon
from modtool.importers.records import CommentRecord, ProblemRecord, ThreadRecord
from tests.api_formats import (
    FIXTURES,
    html,
    import_into,
    iso,
    link_files,
    mapped_shape,
    reimport_is_idempotent,
    stored_tree,
    write_json,
)
from tests.json_formats import by_id, html_bodies, no_warnings, shape, trees

HERE = FIXTURES / "mastodon"
REAL = HERE / "real-status-reply.json"
CONTEXT = HERE / "context-110000000000000003.json"
FOCAL = HERE / "status-110000000000000003.json"
ROOT = "https://social.example/users/ann/statuses/110000000000000001"
A1 = "https://social.example/users/bob/statuses/110000000000000002"
F = "https://remote.example/users/cat/statuses/9003"
D1 = "https://social.example/users/dan/statuses/110000000000000004"
D2 = "https://other.example/users/eve/statuses/9005"
D3 = "https://social.example/users/fay/statuses/110000000000000006"
D4 = "https://social.example/users/gus/statuses/110000000000000007"


def read(path: Path) -> list:
    return list(mastodon.read(path, no_warnings))


def test_real_recorded_status_and_its_reply() -> None:
    """Two answers a real Mastodon server gave (Mastodon.py's cassettes)."""
    thread, reply = read(REAL)
    root = "http://localhost:3000/ap/users/117020566092212359/statuses/117020583245459824"
    assert isinstance(thread, ThreadRecord)
    assert (thread.platform, thread.external_id) == ("fediverse", root)
    assert thread.article == "Toot, finally!"
    assert thread.meta["author"] == "mastodonpy_test_2"
    assert isinstance(reply, CommentRecord)
    assert (reply.thread_external_id, reply.parent_external_id) == (root, root)
    assert reply.external_id.endswith("/statuses/117020583258292382")
    assert reply.author == "admin"
    assert reply.body == "[@mastodonpy_test_2](http://localhost:3000/@mastodonpy_test_2) same!"
    assert reply.created_at == "2026-08-01T13:53:15Z"
    assert reply.meta["local_id"] == "117020583258292382"


def test_context_and_the_focal_status_named_together_are_one_thread(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    report = import_into(db, FOCAL, CONTEXT, format="mastodon")
    (result,) = report.threads
    assert (result.external_id, result.total, result.orphans) == (ROOT, 6, 1)
    assert stored_tree(db) == {
        (ROOT, A1): (None, "1", False, "visible"),
        (ROOT, F): (A1, "1.1", False, "visible"),
        (ROOT, D1): (F, "1.1.1", False, "visible"),
        (ROOT, D2): (D1, "1.1.1.1", False, "visible"),
        (ROOT, D3): (F, "1.1.2", False, "visible"),
        (ROOT, D4): (None, "2", True, "visible"),  # answers a status the answer lacks
    }
    reimport_is_idempotent(db, FOCAL, CONTEXT, format="mastodon")


def test_context_alone_keeps_the_replies_to_the_missing_focal_status_as_orphans() -> None:
    records = read(CONTEXT)
    assert records[0].external_id == ROOT
    found = by_id(records)
    assert set(found) == {A1, D1, D2, D3, D4}
    assert found[D1].parent_external_id == "110000000000000003"  # its local id: no uri known
    assert found[D3].parent_external_id == "110000000000000003"
    assert found[D2].parent_external_id == D1
    assert found[D2].author == "eve@other.example"
    assert found[D2].meta["content_warning"] == "rant"
    assert found[D2].meta["sensitive"] is True
    assert found[D2].meta["edited"] == "2024-05-01T09:25:00Z"
    assert found[D1].body == "Then publish the minutes at least.\nText is cheap."
    assert found[D3].body == "Minutes are here: https://town.example/minutes/2024-04"
    assert found[D3].meta["visibility"] == "unlisted"


def test_the_focal_status_embedded_or_in_one_array_reads_like_two_files(tmp_path: Path) -> None:
    context = json.loads(CONTEXT.read_text())
    focal = json.loads(FOCAL.read_text())
    together = shape(read(link_files(tmp_path / "folder", [FOCAL, CONTEXT])))
    assert shape(read(write_json(tmp_path, "a.json", [focal, context]))) == together
    assert shape(read(write_json(tmp_path, "e.json", {**context, "status": focal}))) == together
    lines = tmp_path / "answers.ndjson"
    lines.write_text(json.dumps(focal) + "\n" + json.dumps(context) + "\n")
    assert shape(read(lines)) == together


def test_boosts_are_skipped_and_a_status_without_id_is_a_problem(tmp_path: Path) -> None:
    focal = json.loads(FOCAL.read_text())
    boost = {**focal, "id": "5", "reblog": focal}
    nameless = {key: value for key, value in focal.items() if key != "id"}
    records = read(write_json(tmp_path, "l.json", [focal, boost, nameless]))
    assert [type(r).__name__ for r in records] == ["ProblemRecord", "ThreadRecord", "CommentRecord"]
    problem = records[0]
    assert isinstance(problem, ProblemRecord)
    assert problem.message == "a status without an id" and "$[2]" in problem.where


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"ancestors": {}, "descendants": []}, r"\$\.ancestors: expected a list"),
        ([{"id": "1", "content": "x"}, 7], r"\$\[1\]: expected Mastodon API answers"),
        ({"statuses": []}, r"\$: expected Mastodon API answers"),
    ],
)
def test_wrong_shapes_are_one_parse_error_naming_the_place(
    tmp_path: Path, value: object, message: str
) -> None:
    path = write_json(tmp_path, "bad.json", value)
    with pytest.raises(ParseError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_sniff(tmp_path: Path) -> None:
    for path in (REAL, CONTEXT, FOCAL):
        assert mastodon.sniff(path.read_bytes()[:65536], path)
    assert mastodon.sniff(b"", link_files(tmp_path / "f", [CONTEXT]))
    for other in ("reddit/comments-1cebxh.json", "discourse/topic-2144.json"):
        path = FIXTURES / other
        assert not mastodon.sniff(path.read_bytes()[:65536], path)


def render(nodes: list[Node]) -> list[dict]:
    """A random tree as ``[root status, {"ancestors": [], "descendants": [...]}]``."""

    def status(node_id: str, parent: str | None, author: str, body: str, when: int) -> dict:
        return {
            "id": node_id,
            "uri": f"https://h.example/s/{node_id}",
            "url": f"https://h.example/@a/{node_id}",
            "created_at": iso(when),
            "in_reply_to_id": parent,
            "content": html(body),
            "spoiler_text": "",
            "visibility": "public",
            "account": {"acct": author},
            "reblog": None,
        }

    root = status("root", None, "op", "The post", 1_700_000_000)
    descendants = [status(n.id, n.parent or "root", n.author, n.body, n.created) for n in nodes]
    return [root, {"ancestors": [], "descendants": descendants}]


def _uri(node_id: str) -> str:
    return f"https://h.example/s/{node_id}"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, statuses=False, body=html_bodies))
def test_random_threads_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    folder = tmp_path_factory.mktemp("m")
    path = write_json(folder, "thread.json", render(nodes))
    records = read(path)
    expected = mapped_shape([n._replace(parent=n.parent or "root") for n in nodes], _uri)
    parents, replies = shape(records)
    # Replies to the root name it: they are the thread's top level.
    assert (parents, replies) == expected
    found = by_id(records)
    for node in nodes:
        assert (found[_uri(node.id)].author, found[_uri(node.id)].body) == (node.author, node.body)
    if not nodes:
        return
    db = folder / "m.db"
    import_into(db, path)
    stored = stored_tree(db)
    assert {key[1]: value[0] for key, value in stored.items()} == {
        _uri(n.id): (_uri(n.parent) if n.parent else None) for n in nodes
    }
    assert not any(orphan for _, _, orphan, _ in stored.values())
