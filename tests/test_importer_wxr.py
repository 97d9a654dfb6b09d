"""WordPress WXR: the records read from fixtures written from the format, and random trees."""

from __future__ import annotations

import html
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modtool.errors import ParseError
from modtool.importers import wxr
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

FIXTURES = Path(__file__).parent / "fixtures" / "wxr"
SECRETS = ("secret@", "-secret", "203.0.113.77", "198.51.100.", "192.0.2.", "2001:db8")


def read(path: Path) -> tuple[list, list[str]]:
    warnings: list[str] = []
    return list(wxr.read(path, warnings.append)), warnings


def comments_of(records: list, thread: str) -> list[CommentRecord]:
    return [r for r in records if isinstance(r, CommentRecord) and r.thread_external_id == thread]


def test_wxr_1_2_threads() -> None:
    records, warnings = read(FIXTURES / "site-1.2.xml")
    assert warnings == []
    threads = [r for r in records if isinstance(r, ThreadRecord)]
    assert (
        [t.external_id for t in threads]
        == [
            "10",
            "11",
            "https://news.example/2024/03/talks-collapse/summit-photo/",
        ]
    )  # the post without comments is no thread; the attachment without wp:post_id is named by its link
    post = threads[0]
    assert post.platform == "wordpress"
    assert post.title == "Talks collapse \u2013 what now?"
    assert post.url == "https://news.example/2024/03/talks-collapse/"
    assert post.created_at == "2024-03-04T09:15:00Z"
    assert post.article == (
        "The talks collapsed after eighty minutes.\n\n"
        "Read [the background](https://news.example/background/)."
    )
    assert post.meta == {"post_type": "post", "status": "publish"}
    assert threads[1].meta == {"post_type": "page", "status": "publish"}
    assert threads[2].created_at == "2024-03-04T09:20:00Z"  # from pubDate: post_date_gmt is 0000
    # Each thread comes before its comments (the format is GROUPED).
    order = [(type(r).__name__, getattr(r, "thread_external_id", r.external_id)) for r in records]
    assert order[0] == ("ThreadRecord", "10") and order[9] == ("ThreadRecord", "11")


def test_wxr_1_2_comments() -> None:
    records, _ = read(FIXTURES / "site-1.2.xml")
    got = [
        (c.external_id, c.parent_external_id, c.author, c.status, c.created_at, c.meta)
        for c in comments_of(records, "10")
    ]
    assert got == [
        ("2", "1", "Mary E", "visible", "2024-03-04T10:05:00Z", None),  # before its parent
        (
            "1",
            None,
            "Vish & Co",
            "visible",
            "2024-03-04T10:00:00Z",
            {"author_url": "https://vish.example/"},
        ),
        (
            "3",
            "500",
            "Ilya",
            "pending",
            "2024-03-04T12:00:00Z",
            None,
        ),  # orphan; local date as fallback
        (
            "4",
            None,
            "Cheap Pills",
            "spam",
            "2024-03-04T11:30:00Z",
            {"author_url": "https://pills.example/"},
        ),
        ("5", "2", "Joe", "deleted", "2024-03-04T11:40:00Z", None),  # trash
        ("6", "5", "Canosin", "deleted", "2024-03-04T11:50:00Z", None),  # post-trashed
        (
            "7",
            None,
            "Other Blog",
            "visible",
            "2024-03-05T07:00:00Z",
            {"type": "pingback", "author_url": "https://other.example/linking-post/"},
        ),
        (
            "8",
            None,
            "Tracker",
            "visible",
            "2024-03-05T08:00:00Z",
            {"type": "trackback", "author_url": "https://tracker.example/"},
        ),
    ]
    bodies = {c.external_id: c.body for c in comments_of(records, "10")}
    assert bodies["2"] == "I disagree.\nStrongly.\n\nSecond paragraph & more."
    # HTML: link kept with its target, entities decoded, script dropped, markup-like text kept.
    assert bodies["1"] == (
        "See [the report](https://example.org/report): it's clear that 2 < 3.\n[bold]not markup[/bold]"
    )
    assert bodies["7"] == "[\u2026] they wrote about the talks [\u2026]"
    assert bodies["8"] == "A trackback ]]> with a split CDATA."
    first = comments_of(records, "10")[0]
    assert first.where == "line 41" and first.line == 41


def test_comment_ids_repeat_across_threads() -> None:
    records, _ = read(FIXTURES / "site-1.2.xml")
    page = comments_of(records, "11")
    assert [(c.external_id, c.parent_external_id, c.author, c.body) for c in page] == [
        ("1", None, "Séamus Ó Néill", "Nice page 😀"),
        ("2", "1", "Vish & Co", "Thanks!"),
    ]
    attachment = comments_of(records, "https://news.example/2024/03/talks-collapse/summit-photo/")
    assert [(c.external_id, c.parent_external_id, c.status) for c in attachment] == [
        ("9", None, "visible")  # empty wp:comment_parent, no wp:comment_approved... given as 1
    ]


def test_no_email_or_ip_in_any_record() -> None:
    for name in ("site-1.2.xml", "site-1.0.xml"):
        text = repr(read(FIXTURES / name)[0])
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    assert "secret" in (FIXTURES / "site-1.2.xml").read_text()  # the file does carry them


def test_wxr_1_0() -> None:
    records, _ = read(FIXTURES / "site-1.0.xml")
    thread, reply, parent = records
    assert thread == ThreadRecord(
        platform="wordpress",
        external_id="18",
        title="Hello, World\u2026",
        article="Welcome.\n\nThis is the first post.",
        url="http://old.example/2009/hello/",
        created_at="2009-01-14T16:31:03Z",  # pubDate +0100; no post_date_gmt
        meta={"post_type": "post", "status": "publish"},
    )
    assert (reply.external_id, reply.parent_external_id, reply.body) == (
        "7",
        "6",
        "A reply\non two lines.",
    )
    assert reply.created_at == "2009-04-29T15:21:35Z"  # only wp:comment_date
    assert (parent.external_id, parent.parent_external_id, parent.author, parent.meta) == (
        "6",
        None,
        "Ohai",
        None,
    )


def test_sniff() -> None:
    for name in ("site-1.2.xml", "site-1.0.xml"):
        path = FIXTURES / name
        assert wxr.sniff(path.read_bytes()[:65536], path)
    assert not wxr.sniff(b'<?xml version="1.0"?><disqus xmlns="http://disqus.com">', Path("x.xml"))
    assert not wxr.sniff(b"Title\n\n  1. Vish says\n", Path("x.txt"))


def item(body: str, post_id: str = "<wp:post_id>5</wp:post_id>") -> str:
    return (
        '<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.1/"><channel>\n'
        f"<item><title>T</title><link>https://s.example/t/</link>{body}{post_id}</item>\n"
        "</channel></rss>\n"
    )


def comment(cid: str, parent: str = "0", approved: str = "1", text: str = "x") -> str:
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>A</wp:comment_author>"
        f"<wp:comment_content>{text}</wp:comment_content><wp:comment_approved>{approved}"
        f"</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )


def test_post_id_after_the_comments_still_names_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "late.xml"
    path.write_text(item(comment("1") + comment("2", "1")))
    records, _ = read(path)
    assert isinstance(records[0], ThreadRecord) and records[0].external_id == "5"
    assert [(r.thread_external_id, r.external_id) for r in records[1:]] == [("5", "1"), ("5", "2")]


def test_comment_without_id_is_a_problem_of_its_thread(tmp_path: Path) -> None:
    path = tmp_path / "noid.xml"
    path.write_text(item("<wp:post_id>5</wp:post_id>" + comment("1") + comment(" "), post_id=""))
    records, _ = read(path)
    problems = [r for r in records if isinstance(r, ProblemRecord)]
    assert problems == [ProblemRecord("5", "line 3", "a wp:comment without wp:comment_id")]


def test_unknown_approval_value_warns_once_and_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "odd.xml"
    path.write_text(
        item(
            "<wp:post_id>5</wp:post_id>"
            + comment("1", approved="maybe")
            + comment("2", approved="maybe"),
            post_id="",
        )
    )
    records, warnings = read(path)
    assert [r.status for r in records if isinstance(r, CommentRecord)] == ["pending", "pending"]
    assert len(warnings) == 1 and "unknown wp:comment_approved 'maybe'" in warnings[0]


def test_entity_bomb_fixture_is_refused() -> None:
    path = FIXTURES / "billion-laughs.xml"
    with pytest.raises(ParseError, match="declares XML entities"):
        read(path)


# -- random trees rendered as WXR read back to the same records -----------------------------

WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=8,
)
LINE = st.lists(WORD, min_size=1, max_size=6)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=3)
BODY = st.lists(PARAGRAPH, min_size=1, max_size=3)
AUTHOR = st.lists(WORD, min_size=1, max_size=3).map(" ".join)
STATUS_OF = {"1": "visible", "0": "pending", "spam": "spam", "trash": "deleted"}


@st.composite
def sites(draw: st.DrawFn) -> list[dict]:
    posts = []
    for post_id in draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=3, unique=True)):
        ids = draw(st.lists(st.integers(1, 60), min_size=1, max_size=12, unique=True))
        comments = []
        for index, cid in enumerate(ids):
            parent = draw(st.sampled_from([0, *ids[:index]]))
            comments.append(
                {
                    "id": str(cid),
                    "parent": str(parent),
                    "author": draw(AUTHOR),
                    "body": draw(BODY),
                    "styled": draw(st.sets(st.integers(0, 20), max_size=3)),
                    "approved": draw(st.sampled_from(sorted(STATUS_OF))),
                    "minute": draw(st.integers(0, 59)),
                }
            )
        seed = draw(st.integers(0, 2**16))
        posts.append({"id": str(post_id), "comments": comments, "seed": seed})
    return posts


def render_body(body: list, styled: set[int]) -> tuple[str, str]:
    """(the stored HTML, the text modtool should read back): WordPress escapes typed text."""
    stored_paragraphs, expected_paragraphs = [], []
    position = 0
    for paragraph in body:
        stored_lines, expected_lines = [], []
        for line in paragraph:
            stored_words, expected_words = [], []
            for word in line:
                escaped = html.escape(word, quote=False)
                if position in styled and position % 2:
                    stored_words.append(f"<em>{escaped}</em>")
                    expected_words.append(word)
                elif position in styled:
                    stored_words.append(
                        f'<a href="https://x.example/{position}" rel="nofollow">{escaped}</a>'
                    )
                    expected_words.append(f"[{word}](https://x.example/{position})")
                else:
                    stored_words.append(escaped)
                    expected_words.append(word)
                position += 1
            stored_lines.append(" ".join(stored_words))
            expected_lines.append(" ".join(expected_words))
        stored_paragraphs.append("\n".join(stored_lines))
        expected_paragraphs.append("\n".join(expected_lines))
    return "\n\n".join(stored_paragraphs), "\n\n".join(expected_paragraphs)


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_site(posts: list[dict]) -> tuple[str, list[tuple]]:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>\n'
    ]
    expected = []
    for post in posts:
        out.append(
            f"<item><title>Post {post['id']}</title><link>https://s.example/{post['id']}/</link>"
            f"<wp:post_id>{post['id']}</wp:post_id>\n"
        )
        expected.append(("thread", post["id"]))
        order = list(post["comments"])
        random.Random(post["seed"]).shuffle(order)  # replies before parents, any order
        for c in order:
            stored, text = render_body(c["body"], c["styled"])
            out.append(
                "<wp:comment>"
                f"<wp:comment_id>{c['id']}</wp:comment_id>"
                f"<wp:comment_author>{cdata(html.escape(c['author'], quote=False))}</wp:comment_author>"
                "<wp:comment_author_email>someone-secret@mail.example</wp:comment_author_email>"
                "<wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>"
                f"<wp:comment_date_gmt>2024-05-06 07:{c['minute']:02d}:00</wp:comment_date_gmt>"
                f"<wp:comment_content>{cdata(stored)}</wp:comment_content>"
                f"<wp:comment_approved>{c['approved']}</wp:comment_approved>"
                f"<wp:comment_parent>{c['parent']}</wp:comment_parent>"
                "</wp:comment>\n"
            )
            expected.append(
                (
                    post["id"],
                    c["id"],
                    None if c["parent"] == "0" else c["parent"],
                    c["author"],
                    text,
                    STATUS_OF[c["approved"]],
                    f"2024-05-06T07:{c['minute']:02d}:00Z",
                )
            )
        out.append("</item>\n")
    out.append("</channel></rss>\n")
    return "".join(out), expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(posts=sites())
def test_random_sites_read_back(tmp_path: Path, posts: list[dict]) -> None:
    document, expected = render_site(posts)
    path = tmp_path / "site.xml"
    path.write_text(document, encoding="utf-8")
    records, warnings = read(path)
    got = [
        ("thread", r.external_id)
        if isinstance(r, ThreadRecord)
        else (
            r.thread_external_id,
            r.external_id,
            r.parent_external_id,
            r.author,
            r.body,
            r.status,
            r.created_at,
        )
        for r in records
    ]
    assert got == expected
    assert warnings == []
    assert "secret" not in repr(records) and "192.0.2" not in repr(records)


# -- through the real CLI and the store -----------------------------------------------------


def test_cli_import_builds_the_trees(run_cli, db_path: Path) -> None:
    result = run_cli("import", FIXTURES / "site-1.2.xml")
    assert result.returncode == 0, result.stderr
    assert stored_threads(db_path) == [
        (
            "wordpress",
            "10",
            "Talks collapse \u2013 what now?",
            "https://news.example/2024/03/talks-collapse/",
            "2024-03-04T09:15:00Z",
        ),
        ("wordpress", "11", "About us", "https://news.example/about/", "2019-01-01T00:00:00Z"),
        (
            "wordpress",
            "https://news.example/2024/03/talks-collapse/summit-photo/",
            "summit-photo",
            "https://news.example/2024/03/talks-collapse/summit-photo/",
            "2024-03-04T09:20:00Z",
        ),
    ]
    stored = stored_comments(db_path)
    tree = {
        key: (c["parent"], c["orphan"], c["parent_external_id"], c["status"])
        for key, c in stored.items()
    }
    assert tree == {
        ("10", "1"): (None, 0, None, "visible"),
        ("10", "2"): ("1", 0, "1", "visible"),  # its reply came first in the file
        ("10", "5"): ("2", 0, "2", "deleted"),
        ("10", "6"): ("5", 0, "5", "deleted"),
        ("10", "3"): (None, 1, "500", "pending"),  # orphan: top level, the named parent kept
        ("10", "4"): (None, 0, None, "spam"),
        ("10", "7"): (None, 0, None, "visible"),
        ("10", "8"): (None, 0, None, "visible"),
        ("11", "1"): (None, 0, None, "visible"),  # ids repeated in another thread: its own
        ("11", "2"): ("1", 0, "1", "visible"),
        ("https://news.example/2024/03/talks-collapse/summit-photo/", "9"): (
            None,
            0,
            None,
            "visible",
        ),
    }
    assert stored["10", "7"]["meta"] == {
        "type": "pingback",
        "author_url": "https://other.example/linking-post/",
    }
    assert stored["10", "6"]["depth"] == 3
    assert stored["11", "1"]["author"] == "Séamus Ó Néill"


def test_cli_import_stores_no_email_or_ip_and_reimport_changes_nothing(
    run_cli, db_path: Path
) -> None:
    for name in ("site-1.2.xml", "site-1.0.xml"):
        assert run_cli("import", FIXTURES / name).returncode == 0
    everything = database_text(db_path)
    for secret in SECRETS:
        assert secret not in everything, secret
    before = dump(db_path)
    again = run_cli("import", FIXTURES / "site-1.2.xml")
    assert again.returncode == 0, again.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize(
    "name, line",
    [("billion-laughs.xml", "line 3"), ("external-entity.xml", "line 2")],
)
def test_cli_refuses_entities_in_one_line_and_leaves_the_database(
    run_cli, db_path: Path, name: str, line: str
) -> None:
    assert run_cli("import", FIXTURES / "site-1.0.xml").returncode == 0
    before = dump(db_path)
    path = FIXTURES / name
    result = run_cli("import", path)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert lines[0] == f"modtool: error: {path}: {line}: {ENTITY_REFUSAL}"
    assert all(entry.startswith("modtool: ") for entry in lines)
    assert "Traceback" not in result.stderr and "root:" not in result.stdout + result.stderr
    assert dump(db_path) == before


def test_cli_malformed_wxr_names_line_and_column(run_cli, db_path: Path, tmp_path: Path) -> None:
    text = (FIXTURES / "site-1.2.xml").read_text()
    path = tmp_path / "cut.xml"
    path.write_text(text.replace("</wp:comment_author>", "</wp:comment_autor>", 3))
    result = run_cli("import", path)
    assert result.returncode != 0
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"modtool: error: {path}: line ") and ", column " in first
    assert "not well-formed XML" in first and "Traceback" not in result.stderr
    assert not db_path.exists() or stored_threads(db_path) == []


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(posts=sites(), orphans=st.sets(st.integers(0, 30), max_size=3))
def test_random_sites_make_the_same_trees_in_the_store(
    tmp_path_factory: pytest.TempPathFactory, posts: list[dict], orphans: set[int]
) -> None:
    for post in posts:  # some parents that are not in the file
        for index, c in enumerate(post["comments"]):
            if index in orphans:
                c["parent"] = "999999"
    document, _ = render_site(posts)
    stored = stored_comments(import_fresh(tmp_path_factory.mktemp("wxr"), "site.xml", document))
    expected = {}
    for post in posts:
        for c in post["comments"]:
            orphan = c["parent"] == "999999"
            parent = None if c["parent"] in ("0", "999999") else c["parent"]
            expected[post["id"], c["id"]] = (
                parent,
                int(orphan),
                STATUS_OF[c["approved"]],
                c["author"],
            )
    assert {
        key: (s["parent"], s["orphan"], s["status"], s["author"]) for key, s in stored.items()
    } == expected


def test_a_comment_numbered_like_its_post_is_a_parent(tmp_path: Path) -> None:
    """Post 58 holds comment 58; comment 22 answers it and comment 3 answers 22, the
    replies first (Hypothesis found 22 stored at the top level: a parent equal to the
    post's id was taken for the post)."""
    c = {"author": "a", "body": [[["hi"]]], "styled": set(), "approved": "1", "minute": 0}
    comments = [
        {**c, "id": "22", "parent": "58"},
        {**c, "id": "3", "parent": "22"},
        {**c, "id": "58", "parent": "0"},
    ]
    document, _ = render_site([{"id": "58", "comments": comments, "seed": 1}])
    stored = stored_comments(import_fresh(tmp_path, "site.xml", document))
    assert {key: (s["parent"], s["orphan"]) for key, s in stored.items()} == {
        ("58", "58"): (None, 0),
        ("58", "22"): ("58", 0),
        ("58", "3"): ("22", 0),
    }


def test_a_newer_export_adds_and_updates_keeping_ids(tmp_path: Path) -> None:
    """Re-import of a grown export: new comments added, edited ones updated, ids kept."""
    db = tmp_path / "modtool.db"
    first = FIXTURES / "site-1.0.xml"
    store = open_store(db)
    try:
        import_path(store, first)
        ids_before = stored_ids(db)
        newer = tmp_path / "newer.xml"
        newer.write_text(
            first.read_text()
            .replace("<![CDATA[Erster!]]>", "<![CDATA[Erster! (edited)]]>")
            .replace(
                "\t</item>",
                "\t\t<wp:comment><wp:comment_id>8</wp:comment_id>"
                "<wp:comment_author>Late</wp:comment_author>"
                "<wp:comment_content>A new reply.</wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved>"
                "<wp:comment_parent>7</wp:comment_parent></wp:comment>\n\t</item>",
            )
        )
        report = import_path(store, newer)
    finally:
        store.close()
    assert (report.added, report.updated, report.unchanged) == (1, 1, 1)
    ids_after = stored_ids(db)
    assert {key: ids_after[key] for key in ids_before} == ids_before
    stored = stored_comments(db)
    assert stored["18", "6"]["body"] == "Erster! (edited)"
    assert stored["18", "8"]["parent"] == "7"


def test_a_post_date_beyond_the_calendar_is_no_date(tmp_path: Path) -> None:
    """Found by the importer fuzz (seed 2): a year of 20 digits raised OverflowError."""
    path = tmp_path / "year.xml"
    path.write_text(
        item("<pubDate>Tue, 01 Jan 99999999999999999999 00:00:00 +0000</pubDate>" + comment("1"))
    )
    records, _ = read(path)
    assert isinstance(records[0], ThreadRecord) and records[0].created_at is None
    assert [r.external_id for r in records[1:]] == ["1"]
