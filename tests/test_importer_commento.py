"""Commento exports and comment lists read into flat records and stored; e-mails never stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import Node
from modtool.importers import commento
from modtool.importers.records import MissingRecord, ThreadRecord
from tests.api_formats import (
    FIXTURES,
    assert_one_parse_error,
    import_into,
    iso,
    raw_database,
    reimport_is_idempotent,
    stored_parents,
    stored_tree,
    write_json,
)
from tests.json_formats import bodies, by_id, no_warnings, trees

HERE = FIXTURES / "commento"
REMARK42_DATA = HERE / "remark42-testdata-commento.json"
EXPORT = HERE / "export-blog.example.org.json"
LISTED = HERE / "api-comment-list-parking.json"
PARKING = "blog.example.org/2024/06/parking/"
EMAILS = (
    b"ann.reader@example.org",
    b"bob@example.net",
    b"editor@blog.example.org",
    b"somegreatmail@gmail.com",
    b"moregreatmail@gmail.com",
)


def read(path: Path) -> list:
    return list(commento.read(path, no_warnings))


def _hex(number: int) -> str:
    return f"{number:064x}"


def test_the_export_remark42s_migrator_tests_read() -> None:
    records = read(REMARK42_DATA)
    threads = [r.external_id for r in records if isinstance(r, ThreadRecord)]
    assert threads == ["example.com/blog/post/2", "example.com/blog/post/1"]
    found = by_id(records)
    reply = found["ea5f7bcd6ac9bb7b657f7d0569831104e1bcf9c253d03c1e16bf9654c49a5ce9"]
    assert (reply.author, reply.body, reply.created_at) == (
        "Saturnin Uf",
        "Great reply!",
        "2021-05-11T15:43:01Z",
    )
    assert reply.parent_external_id == (
        "7d77e39fcd813241d6281478cc8f21ab5f807d043c750bc1a936bc23b34fb854"
    )
    anonymous = found["e7069a7dfcfaed43caf62300a9b0edb1c124ad79d0f5887c93649c15d7f69945"]
    assert (anonymous.author, anonymous.parent_external_id) == ("Anonymous", None)
    assert reply.meta == {"score": 0, "author_url": "https://example.com/profile/259"}


def test_states_deletions_and_pages(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    report = import_into(db, EXPORT)
    assert [(t.external_id, t.title, t.total, t.orphans) for t in report.threads] == [
        (PARKING, "/2024/06/parking/", 5, 0),
        ("blog.example.org/2024/06/library/", "/2024/06/library/", 1, 1),
    ]
    tree = stored_tree(db)
    assert [(key[1], value) for key, value in tree.items() if key[0] == PARKING] == [
        (_hex(1), (None, "1", False, "visible")),
        (_hex(2), (_hex(1), "1.1", False, "visible")),
        (_hex(3), (_hex(2), "1.1.1", False, "pending")),  # unapproved
        (_hex(4), (None, "2", False, "deleted")),  # "[deleted]"
        (_hex(5), (None, "3", False, "spam")),  # flagged
    ]
    found = by_id(read(EXPORT))
    assert found[_hex(6)].meta == {"score": 0, "moderator": True}
    assert found[_hex(1)].meta == {"score": 4, "author_url": "https://ann.example.org"}
    reimport_is_idempotent(db, EXPORT)


def test_the_widgets_comment_list_takes_the_page_from_its_attributes() -> None:
    records = read(LISTED)
    assert records[0] == ThreadRecord(
        "commento",
        PARKING,
        title="Paid parking on the high street",
        meta={"domain": "blog.example.org"},
    )
    found = by_id(records)
    assert found[_hex(1)].body == "Paid parking will kill the high street."  # from html
    assert found[_hex(2)].parent_external_id == _hex(1)
    assert MissingRecord(PARKING, 2) in records  # commentCount 4, two shown


def test_no_email_reaches_the_database(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    import_into(db, EXPORT)
    import_into(db, REMARK42_DATA)
    stored = raw_database(db)
    for email in EMAILS:
        assert email in EXPORT.read_bytes() + REMARK42_DATA.read_bytes()
        assert email not in stored, email


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"version": 1, "comments": {}}, r"\$: expected a Commento export"),
        ({"version": 1, "comments": [1]}, r"\$\.comments\[0\]: expected a comment object"),
        ({"version": 1, "comments": [], "commenters": "x"}, r"\$\.commenters: expected a list"),
    ],
)
def test_wrong_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    assert_one_parse_error(read, tmp_path, value, message)


def test_sniff() -> None:
    for path in (REMARK42_DATA, EXPORT, LISTED):
        assert commento.sniff(path.read_bytes()[:65536], path)
    other = FIXTURES / "discourse" / "topic-2144.json"
    assert not commento.sniff(other.read_bytes()[:65536], other)


def render(nodes: list[Node]) -> dict:
    comments = [
        {
            "commentHex": node.id,
            "domain": "d.example",
            "url": "/p/",
            "commenterHex": f"h{node.author}",
            "markdown": node.body,
            "parentHex": node.parent or "root",
            "state": {"visible": "approved", "deleted": "approved", "removed": "flagged"}[
                node.status
            ],
            "deleted": node.status == "deleted",
            "creationDate": iso(node.created),
        }
        for node in nodes
    ]
    commenters = [
        {"commenterHex": f"h{n.author}", "email": f"{n.id}@mail.example", "name": n.author}
        for n in nodes
    ]
    return {"version": 1, "comments": comments, "commenters": commenters}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, body=bodies))
def test_random_exports_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    status = {"visible": "visible", "deleted": "deleted", "removed": "spam"}
    folder = tmp_path_factory.mktemp("commento")
    path = write_json(folder, "export.json", render(nodes))
    found = by_id(read(path))
    assert {key: (r.parent_external_id, r.status) for key, r in found.items()} == {
        n.id: (n.parent, status[n.status]) for n in nodes
    }
    for node in nodes:
        assert (found[node.id].author, found[node.id].body) == (node.author, node.body)
    if not nodes:
        return
    assert stored_parents(folder, path) == {n.id: (n.parent, status[n.status]) for n in nodes}
    assert b"@mail.example" not in raw_database(folder / "m.db")
