"""Remark42 backups and API trees read into flat records and stored; e-mail and IPs never stored."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import Node
from modtool.errors import ParseError
from modtool.importers import remark42
from modtool.importers.records import ThreadRecord
from tests.api_formats import (
    FIXTURES,
    assert_one_parse_error,
    html,
    import_into,
    iso,
    raw_database,
    reimport_is_idempotent,
    stored_parents,
    stored_tree,
)
from tests.json_formats import by_id, html_bodies, no_warnings, trees

HERE = FIXTURES / "remark42"
TREE = HERE / "remark42-testdata-tree.json"
RADIO_T = HERE / "remark42-testdata-backup-radio-t.json"
BACKUP = HERE / "backup-news-20240606.gz"
POST = "https://news.example.org/2024/06/budget/"
NEVER = (
    b"ann@users.example.org",
    b"bob.private@example.net",
    b"@ann_tg",
    b"9c1b2d8e4a7f00112233445566778899aabbccdd",  # user.ip (an HMAC of the address)
    b"293ec5b0cf154855258824ec7fac5dc63d176915",
    b"5f2b7c",  # a voted_ips key
)


def read(path: Path) -> list:
    return list(remark42.read(path, no_warnings))


def test_the_api_tree_remark42s_own_tests_use() -> None:
    records = read(TREE)
    assert records[0] == ThreadRecord("remark42", "url", meta={"site": "site"})
    assert [(r.external_id, r.parent_external_id) for r in records[1:]] == [
        ("1", None),
        ("11", "1"),
        ("12", "1"),
        ("13", "1"),
        ("131", "13"),
        ("132", "13"),
        ("14", "1"),
        ("2", None),
        ("21", "2"),
        ("22", "2"),
        ("4", None),
        ("3", None),
    ]


def test_the_backup_remark42s_native_import_test_reads(tmp_path: Path) -> None:
    records = read(RADIO_T)
    found = by_id(records)
    assert found["efbc17f177ee1a1c0ee6e1e025749966ec071adc"].body == (
        "some text, [link](http://radio-t.com)"
    )
    assert found["f863bd79-fec6-4a75-b308-61fe5dd02aa1"].parent_external_id == "1234"  # an orphan
    assert [r.external_id for r in records if isinstance(r, ThreadRecord)] == [
        "https://radio-t.com",
        "https://radio-t.com/2",
    ]


def test_a_gzipped_backup(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    (result,) = import_into(db, BACKUP).threads
    assert (result.external_id, result.title, result.total, result.orphans) == (
        POST,
        "Council budget 2025: what changes",
        5,
        1,
    )
    assert stored_tree(db) == {
        (POST, "6a8d1c10-0001"): (None, "1", False, "visible"),
        (POST, "6a8d1c10-0002"): ("6a8d1c10-0001", "1.1", False, "visible"),
        (POST, "6a8d1c10-0003"): ("6a8d1c10-0002", "1.1.1", False, "deleted"),
        (POST, "6a8d1c10-0004"): ("6a8d1c10-0003", "1.1.1.1", False, "visible"),
        (POST, "6a8d1c10-0005"): (None, "2", True, "visible"),
    }
    found = by_id(read(BACKUP))
    assert found["6a8d1c10-0002"].body == "Funded with our money & no debate."
    assert found["6a8d1c10-0002"].meta == {
        "user_id": "email_bob",
        "blocked": True,
        "score": 0,
        "edited": "2024-06-05T09:35:00Z",
    }
    assert found["6a8d1c10-0001"].created_at == "2024-06-05T09:00:00Z"  # nanoseconds cut
    stored = raw_database(db)
    for secret in NEVER:
        assert secret not in stored, secret
    reimport_is_idempotent(db, BACKUP)


def test_a_cut_backup_is_one_line(tmp_path: Path) -> None:
    cut = tmp_path / "backup-cut.gz"
    cut.write_bytes(BACKUP.read_bytes()[:300])
    with pytest.raises(ParseError, match="damaged compressed file") as caught:
        read(cut)
    assert str(caught.value).startswith(f"{cut}: ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"comments": [{"comment": 3}]}, r"\$\.comments\[0\]\.comment: expected a comment"),
        ({"comments": [{"comment": {}, "replies": {}}]}, r"\.replies: expected a list"),
        ([1, 2], r"\$: expected a Remark42 backup"),
    ],
)
def test_wrong_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    assert_one_parse_error(read, tmp_path, value, message)


def test_sniff() -> None:
    for path in (TREE, RADIO_T, BACKUP):
        assert remark42.sniff(path.read_bytes()[:65536], path)
    other = FIXTURES / "commento" / "export-blog.example.org.json"
    assert not remark42.sniff(other.read_bytes()[:65536], other)


def render_backup(path: Path, nodes: list[Node]) -> None:
    header = {"version": 1, "users": [{"id": "u", "details": {"email": "x@mail.example"}}]}
    lines = [header] + [
        {
            "id": node.id,
            "pid": node.parent or "",
            "text": "" if node.status == "deleted" else html(node.body),
            "user": {"name": node.author, "id": f"id_{node.author}", "ip": "deadbeef"},
            "locator": {"site": "s", "url": "https://s.example/p/"},
            "time": iso(node.created),
            "delete": node.status == "deleted",
        }
        for node in nodes
    ]
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line) + "\n")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, body=html_bodies))
def test_random_backups_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    nodes = [n._replace(status="deleted" if n.status != "visible" else "visible") for n in nodes]
    folder = tmp_path_factory.mktemp("r42")
    path = folder / "backup-s-20240101.gz"
    render_backup(path, nodes)
    found = by_id(read(path))
    assert {key: (r.parent_external_id, r.status) for key, r in found.items()} == {
        n.id: (n.parent, n.status) for n in nodes
    }
    for node in nodes:
        if node.status == "visible":
            assert (found[node.id].author, found[node.id].body) == (node.author, node.body)
    if not nodes:
        return
    assert stored_parents(folder, path) == {n.id: (n.parent, n.status) for n in nodes}
    stored = raw_database(folder / "m.db")
    assert b"deadbeef" not in stored and b"x@mail.example" not in stored
