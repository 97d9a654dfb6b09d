"""Disqus XML export: the records read from a fixture written from the format, and random forums."""

from __future__ import annotations

import random
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modtool.errors import ParseError
from modtool.importers import disqus
from modtool.importers.records import CommentRecord, ProblemRecord, ThreadRecord
from modtool.importers.xmlsafe import ENTITY_REFUSAL
from modtool.ingest import import_path
from modtool.store import open_store
from tests.xml_support import (
    database_text,
    dump,
    import_fresh,
    stored_comments,
    stored_ids,
    stored_threads,
)

FIXTURES = Path(__file__).parent / "fixtures" / "disqus"
EXPORT = FIXTURES / "export.xml"
SECRETS = ("secret@", "-secret", "203.0.113.", "198.51.100.", "192.0.2.")


def read(path: Path) -> tuple[list, list[str]]:
    warnings: list[str] = []
    return list(disqus.read(path, warnings.append)), warnings


def test_threads_in_file_order_with_their_declarations() -> None:
    records, warnings = read(EXPORT)
    assert warnings == []
    threads = [r for r in records if isinstance(r, ThreadRecord)]
    assert threads == [
        ThreadRecord(
            platform="disqus",
            external_id="7001",
            title="Talks collapse & what now",
            url="https://news.example/2024/03/talks-collapse/",
            created_at="2024-03-04T09:15:00Z",
            meta={"identifier": "talks-collapse", "forum": "fixturenews"},
        ),
        ThreadRecord(
            platform="disqus",
            external_id="7002",
            title="Second story",
            article="The thread's own text.",
            url="https://news.example/2024/03/second-story/",
            created_at="2024-03-05T07:00:00Z",
            meta={"forum": "fixturenews", "closed": True},
        ),
        # 7003 has no posts: not a thread.
        # The empty repeat: nothing to add (the pipeline merges declarations).
        ThreadRecord(platform="disqus", external_id="7001"),
    ]
    # Posts come before the declaration of their thread (7002) or without one (7777).
    kinds = [type(r).__name__ for r in records]
    assert kinds.index("CommentRecord") < kinds.index("ThreadRecord", 1)


def test_posts() -> None:
    records, _ = read(EXPORT)
    got = [
        (
            c.thread_external_id,
            c.external_id,
            c.parent_external_id,
            c.author,
            c.status,
            c.created_at,
            c.meta,
        )
        for c in records
        if isinstance(c, CommentRecord)
    ]
    assert got == [
        (
            "7001",
            "9003",
            "9002",
            "Mary E",
            "visible",
            "2024-03-04T10:05:00Z",
            {"username": "marye"},
        ),
        (
            "7001",
            "9002",
            None,
            "Vish <the first>",
            "visible",
            "2024-03-04T10:00:00Z",
            {"anonymous": True},
        ),
        ("7002", "9010", None, "Ilya", "visible", "2024-03-05T08:00:00Z", {"username": "ilya"}),
        ("7001", "9004", None, "Troll", "deleted", "2024-03-04T11:00:00Z", {"username": "troll42"}),
        ("7001", "9005", "9004", "Joe", "visible", "2024-03-04T11:10:00Z", {"username": "joe"}),
        ("7001", "9006", None, "Gone", "deleted", "2024-03-04T11:20:00Z", {"username": "gone"}),
        ("7001", "9007", None, "Pills", "spam", "2024-03-04T12:00:00Z", {"anonymous": True}),
        (
            "7001",
            "9008",
            None,
            "Pills",
            "spam",
            "2024-03-04T12:05:00Z",
            {"anonymous": True, "deleted": True},
        ),
        (
            "7001",
            "9009",
            "8999",
            "Séamus Ó Néill",
            "visible",
            "2024-03-04T13:00:00Z",
            {"username": "seamus"},
        ),
        ("7777", "9020", None, "Lost", "visible", "2024-03-06T09:00:00Z", {"anonymous": True}),
    ]
    bodies = {c.external_id: c.body for c in records if isinstance(c, CommentRecord)}
    assert (
        bodies["9003"] == "I disagree.\n\nStrongly & [with a source](https://example.org/report)."
    )
    assert (
        bodies["9002"] == "First! It's escaped markup, not CDATA: 2 < 3"
    )  # escaped HTML, entity inside
    assert bodies["9004"] == "You are all idiots."  # deleted: body kept
    assert bodies["9006"] == ""
    assert bodies["9009"] == "Replying to something long gone."  # script dropped
    assert bodies["9020"] == "Where am I? 😀"
    first = next(r for r in records if isinstance(r, CommentRecord))
    assert (first.where, first.line) == ("line 46", 46)


def test_no_email_or_ip_in_any_record() -> None:
    text = repr(read(EXPORT)[0])
    for secret in SECRETS:
        assert secret not in text, secret
    assert "mary-secret@mail.example" in EXPORT.read_text()  # the file does carry them


def test_sniff() -> None:
    assert disqus.sniff(EXPORT.read_bytes()[:65536], EXPORT)
    wxr_file = Path(__file__).parent / "fixtures" / "wxr" / "site-1.2.xml"
    assert not disqus.sniff(wxr_file.read_bytes()[:65536], wxr_file)


def test_posts_without_ids_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        "<post><id /><message>no id</message><thread dsq:id='1' /></post>\n"
        "<post dsq:id='5'><message>no thread</message></post>\n"
        "<post dsq:id='6'><id>legacy-6</id><message>ok</message><thread dsq:id='1' /></post>\n"
        "</disqus>\n"
    )
    records, _ = read(path)
    assert records[:2] == [
        ProblemRecord("1", "line 2", "a <post> without dsq:id"),
        ProblemRecord(None, "line 3", "a <post> without <thread dsq:id>"),
    ]
    assert isinstance(records[2], CommentRecord) and records[2].external_id == "6"


def test_external_entity_in_a_disqus_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        "<post dsq:id='1'><message>&x;</message><thread dsq:id='1' /></post></disqus>\n"
    )
    with pytest.raises(ParseError, match=r"xxe.xml: line 2: the document declares XML entities"):
        read(path)


# -- random forums rendered as Disqus XML, elements shuffled, read back ---------------------

WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=8,
)
PARAGRAPH = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
AUTHOR = st.lists(WORD, min_size=1, max_size=3).map(" ".join)


@st.composite
def forums(draw: st.DrawFn) -> dict:
    thread_ids = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=3, unique=True))
    declared = draw(st.lists(st.booleans(), min_size=len(thread_ids), max_size=len(thread_ids)))
    post_ids = draw(st.lists(st.integers(10**6, 10**9), min_size=1, max_size=15, unique=True))
    posts = []
    for index, post_id in enumerate(post_ids):
        thread = draw(st.sampled_from(thread_ids))
        earlier = [p["id"] for p in posts if p["thread"] == thread]
        parent = draw(st.sampled_from([None, *earlier, "424242"]))  # "424242": not in the file
        posts.append(
            {
                "id": str(post_id),
                "thread": str(thread),
                "parent": parent,
                "author": draw(AUTHOR),
                "paragraphs": draw(st.lists(PARAGRAPH, min_size=1, max_size=3)),
                "cdata": draw(st.booleans()),
                "spam": draw(st.booleans()),
                "deleted": draw(st.booleans()),
                "second": index % 60,
            }
        )
    return {
        "threads": [(str(t), d) for t, d in zip(thread_ids, declared, strict=True)],
        "posts": posts,
        "seed": draw(st.integers(0, 2**16)),
    }


def render_forum(forum: dict) -> tuple[str, list[tuple], set[str]]:
    elements = []
    for thread_id, declared in forum["threads"]:
        if declared:
            elements.append(
                f'<thread dsq:id="{thread_id}"><id /><link>https://s.example/{thread_id}/</link>'
                f"<title>T{thread_id}</title><createdAt>2024-01-01T00:00:00Z</createdAt></thread>"
            )
    expected = {}
    for post in forum["posts"]:
        html = "".join(f"<p>{escape(p)}</p>" for p in post["paragraphs"])
        message = (
            f"<![CDATA[{html.replace(']]>', ']]]]><![CDATA[>')}]]>"
            if post["cdata"]
            else escape(html)
        )
        parent = f'<parent dsq:id="{post["parent"]}" />' if post["parent"] else ""
        elements.append(
            f'<post dsq:id="{post["id"]}"><id /><message>{message}</message>'
            f"<createdAt>2024-02-03T04:05:{post['second']:02d}Z</createdAt>"
            f"<isDeleted>{str(post['deleted']).lower()}</isDeleted>"
            f"<isSpam>{str(post['spam']).lower()}</isSpam>"
            f"<author><email>x-secret@mail.example</email><name>{escape(post['author'])}</name>"
            "<isAnonymous>false</isAnonymous></author><ipAddress>192.0.2.9</ipAddress>"
            f'<thread dsq:id="{post["thread"]}" />{parent}</post>'
        )
        expected[post["id"]] = (
            post["thread"],
            post["id"],
            post["parent"],
            post["author"],
            "\n\n".join(post["paragraphs"]),
            "spam" if post["spam"] else "deleted" if post["deleted"] else "visible",
            f"2024-02-03T04:05:{post['second']:02d}Z",
        )
    random.Random(forum["seed"]).shuffle(elements)
    document = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        + "\n".join(elements)
        + "\n</disqus>\n"
    )
    declared = {t for t, d in forum["threads"] if d}
    return document, [expected[p["id"]] for p in forum["posts"]], declared


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(forum=forums())
def test_random_forums_read_back(tmp_path: Path, forum: dict) -> None:
    document, expected, declared = render_forum(forum)
    path = tmp_path / "forum.xml"
    path.write_text(document, encoding="utf-8")
    records, warnings = read(path)
    posts = [
        (
            r.thread_external_id,
            r.external_id,
            r.parent_external_id,
            r.author,
            r.body,
            r.status,
            r.created_at,
        )
        for r in records
        if isinstance(r, CommentRecord)
    ]
    assert sorted(posts) == sorted(expected)
    with_posts = {post["thread"] for post in forum["posts"]}
    assert {r.external_id for r in records if isinstance(r, ThreadRecord)} == declared & with_posts
    assert warnings == []
    assert "secret" not in repr(records) and "192.0.2" not in repr(records)


# -- through the real CLI and the store -----------------------------------------------------


def test_cli_import_builds_the_trees(run_cli, db_path: Path) -> None:
    result = run_cli("import", EXPORT)
    assert result.returncode == 0, result.stderr
    threads = stored_threads(db_path)
    assert threads == [
        (
            "disqus",
            "7001",
            "Talks collapse & what now",
            "https://news.example/2024/03/talks-collapse/",
            "2024-03-04T09:15:00Z",
        ),
        (
            "disqus",
            "7002",
            "Second story",
            "https://news.example/2024/03/second-story/",
            "2024-03-05T07:00:00Z",
        ),
        ("disqus", "7777", "", None, None),  # undeclared: made from its post
    ]
    stored = stored_comments(db_path)
    tree = {
        key: (c["parent"], c["orphan"], c["parent_external_id"], c["status"])
        for key, c in stored.items()
    }
    assert tree == {
        ("7001", "9002"): (None, 0, None, "visible"),
        ("7001", "9003"): ("9002", 0, "9002", "visible"),  # its reply came first in the file
        ("7001", "9004"): (None, 0, None, "deleted"),
        ("7001", "9005"): ("9004", 0, "9004", "visible"),
        ("7001", "9006"): (None, 0, None, "deleted"),
        ("7001", "9007"): (None, 0, None, "spam"),
        ("7001", "9008"): (None, 0, None, "spam"),
        ("7001", "9009"): (None, 1, "8999", "visible"),  # orphan
        ("7002", "9010"): (None, 0, None, "visible"),  # posted before its thread was declared
        ("7777", "9020"): (None, 0, None, "visible"),
    }
    assert stored["7001", "9004"]["body"] == "You are all idiots."
    assert stored["7001", "9008"]["meta"] == {"anonymous": True, "deleted": True}


def test_cli_import_stores_no_email_or_ip_and_reimport_changes_nothing(
    run_cli, db_path: Path
) -> None:
    assert run_cli("import", EXPORT).returncode == 0
    everything = database_text(db_path)
    for secret in SECRETS:
        assert secret not in everything, secret
    before = dump(db_path)
    again = run_cli("import", "--format", "disqus", EXPORT)
    assert again.returncode == 0, again.stderr
    assert dump(db_path) == before


def test_cli_refuses_an_external_entity_and_leaves_the_database(
    run_cli, db_path: Path, tmp_path: Path
) -> None:
    assert run_cli("import", EXPORT).returncode == 0
    before = dump(db_path)
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        "<post dsq:id='1'><message>&x;</message><thread dsq:id='1' /></post></disqus>\n"
    )
    result = run_cli("import", path)
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == f"modtool: error: {path}: line 2: {ENTITY_REFUSAL}"
    assert "Traceback" not in result.stderr
    assert dump(db_path) == before


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(forum=forums())
def test_random_forums_make_the_same_trees_in_the_store(
    tmp_path_factory: pytest.TempPathFactory, forum: dict
) -> None:
    document, _, _ = render_forum(forum)
    db = import_fresh(tmp_path_factory.mktemp("disqus"), "forum.xml", document)
    stored = stored_comments(db)
    ids = {post["id"] for post in forum["posts"]}
    expected = {}
    for post in forum["posts"]:
        orphan = post["parent"] is not None and post["parent"] not in ids
        parent = None if orphan else post["parent"]
        status = "spam" if post["spam"] else "deleted" if post["deleted"] else "visible"
        expected[post["thread"], post["id"]] = (parent, int(orphan), status, post["author"])
    assert {
        key: (s["parent"], s["orphan"], s["status"], s["author"]) for key, s in stored.items()
    } == expected
    threads = {external_id for _, external_id, *_ in stored_threads(db)}
    assert threads == {
        post["thread"] for post in forum["posts"]
    }  # declared threads without posts: none


def test_a_newer_export_adds_and_updates_keeping_ids(tmp_path: Path) -> None:
    """Re-import of a grown export: new posts added (in any thread), edits updated, ids kept."""
    db = tmp_path / "modtool.db"
    store = open_store(db)
    try:
        import_path(store, EXPORT)
        before = stored_ids(db)
        newer = tmp_path / "newer.xml"
        newer.write_text(
            EXPORT.read_text()
            .replace("<p>Calm down.</p>", "<p>Calm down, please.</p>")
            .replace(
                "</disqus>",
                '<post dsq:id="9100"><id /><message><![CDATA[<p>Late reply.</p>]]></message>'
                "<createdAt>2024-03-07T09:00:00Z</createdAt><isDeleted>false</isDeleted>"
                "<isSpam>false</isSpam><author><name>Late</name></author>"
                '<thread dsq:id="7002" /><parent dsq:id="9010" /></post>\n</disqus>',
            )
        )
        report = import_path(store, newer)
    finally:
        store.close()
    assert (report.added, report.updated) == (1, 1)
    ids = stored_ids(db)
    assert {key: ids[key] for key in before} == before
    after = stored_comments(db)
    assert set(before) < set(after)
    assert after["7001", "9005"]["body"] == "Calm down, please."
    assert after["7002", "9100"]["parent"] == "9010"
