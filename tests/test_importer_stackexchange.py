"""Stack Exchange data dumps (Posts.xml, Comments.xml, Users.xml) read, streamed and stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import Node
from modtool.errors import ParseError
from modtool.importers import stackexchange
from modtool.importers.records import CommentRecord, ProblemRecord, ThreadRecord
from tests.api_formats import (
    FIXTURES,
    html,
    import_into,
    link_files,
    raw_database,
    reimport_is_idempotent,
    stored_tree,
)
from tests.json_formats import by_id, html_bodies, no_warnings, trees

HERE = FIXTURES / "stackexchange"
POSTS, COMMENTS = HERE / "Posts.xml", HERE / "Comments.xml"


def read(path: Path) -> list:
    return list(stackexchange.read(path, no_warnings))


def test_real_dump_questions_answers_and_comments(tmp_path: Path) -> None:
    """Rows of cardano.stackexchange.com's dump (stackexchangeparser's data folder)."""
    records = read(link_files(tmp_path / "dump", [POSTS, COMMENTS]))
    threads = [r for r in records if isinstance(r, ThreadRecord)]
    assert [(t.external_id, t.title) for t in threads] == [
        ("1", "How Cardano is different from Ethereum (2.0)?"),
        ("2", "How can a developer access the Cardano network?"),
        ("4", "What are the practical motivations for owning ADA crypto currency?"),
    ]
    question = threads[0]
    assert question.article.startswith("As far as I know, the Cardano project was started")
    assert question.created_at == "2021-04-27T15:06:44Z"
    assert question.meta["tags"] == ["proof-of-work", "governance", "ethereum"]
    assert question.meta["accepted_answer"] == 12 and question.meta["permalink"] == "/q/1"
    found = by_id(records)
    assert (found["12"].thread_external_id, found["12"].parent_external_id) == ("1", None)
    assert found["12"].author == "user14" and found["12"].meta["user_id"] == "14"
    # Comments: on a question (top level), on an answer (under it), on posts not in Posts.xml.
    assert (found["c42"].thread_external_id, found["c42"].parent_external_id) == ("1", None)
    assert (found["c38"].thread_external_id, found["c38"].parent_external_id) == ("2", "8")
    assert (found["c204"].thread_external_id, found["c204"].parent_external_id) == ("4", "25")
    assert (
        found["c38"].body
        == 'Running this command "./mainnet-node-local" will download the whole blockchain or not?'
    )
    assert found["c29"].thread_external_id == "13"  # post 13 is not in this Posts.xml
    assert found["c1235"].author == "user2878"  # UserDisplayName: a deleted account
    assert "31" not in found  # a tag wiki excerpt (PostTypeId 4) is not a comment


def test_two_files_named_together_land_as_trees(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    report = import_into(db, POSTS, COMMENTS, format="stackexchange")
    assert {(t.external_id, t.total) for t in report.threads} == {
        ("1", 4),
        ("2", 6),
        ("4", 9),
        ("13", 1),
        ("2568", 1),
    }
    tree = stored_tree(db)
    assert tree[("2", "8")] == (None, "1", False, "visible")
    assert tree[("2", "c38")] == ("8", "1.1", False, "visible")
    assert tree[("4", "c204")][0] == "25"
    reimport_is_idempotent(db, POSTS, COMMENTS, format="stackexchange")


def test_comments_alone_make_one_flat_thread_per_post() -> None:
    records = read(COMMENTS)
    threads = {r.external_id for r in records if isinstance(r, ThreadRecord)}
    comments = [r for r in records if isinstance(r, CommentRecord)]
    assert threads == set()  # the posts are missing: threads made from their comments
    assert {c.thread_external_id for c in comments} == {"4", "13", "8", "1", "25", "2568"}
    assert all(c.parent_external_id is None for c in comments)
    assert len(comments) == 12


def test_users_give_names_and_their_email_hash_is_never_read(tmp_path: Path) -> None:
    users = tmp_path / "dump" / "Users.xml"
    users.parent.mkdir()
    users.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<users>\n'
        '  <row Id="14" Reputation="101" DisplayName="Ana Lyst" EmailHash="3f1e0c6ab2ffa9" />\n'
        '  <row Id="149" DisplayName="Nike" />\n</users>\n'
    )
    for path in (POSTS, COMMENTS):
        (users.parent / path.name).symlink_to(path)
    (users.parent / "Votes.xml").write_text("<votes></votes>")  # other tables: ignored
    db = tmp_path / "m.db"
    import_into(db, users.parent)
    found = by_id(read(users.parent))
    assert found["12"].author == "Ana Lyst" and found["c42"].author == "Nike"
    assert found["8"].author == "user38"  # not in Users.xml
    assert b"3f1e0c6ab2ffa9" not in raw_database(db)


def test_a_7z_archive_says_how_to_unpack_it(tmp_path: Path) -> None:
    archive = tmp_path / "cardano.stackexchange.com.7z"
    archive.write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(64))
    with pytest.raises(ParseError, match=r"unpack it first \(7z x FILE"):
        read(archive)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<posts>\n  <row Id="1" PostTypeId="1"\n</posts>', r"line 3, column \d+: not well-formed"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE posts [<!ENTITY x "y">]>\n<posts><row Id="1" /></posts>',
            "entities",
        ),
    ],
)
def test_malformed_xml_is_one_parse_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "Posts.xml"
    path.write_text(text)
    with pytest.raises(ParseError, match=message):
        read(path)


def test_rows_without_ids_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "Posts.xml"
    path.write_text(
        '<posts>\n  <row PostTypeId="1" />\n  <row Id="5" PostTypeId="2" />\n'
        '  <row Id="99999999999999999999999" PostTypeId="1" />\n</posts>'
    )
    problems = [r.message for r in read(path) if isinstance(r, ProblemRecord)]
    assert problems == [
        "a post row without a usable Id",
        "answer 5 without a usable ParentId",
        "a post row without a usable Id",  # beyond 64 bits: not a dump's id
    ]


def test_sniff(tmp_path: Path) -> None:
    for path in (POSTS, COMMENTS):
        assert stackexchange.sniff(path.read_bytes()[:65536], path)
    assert stackexchange.sniff(b"", HERE)
    other = FIXTURES / "disqus" / "export.xml"
    assert not stackexchange.sniff(other.read_bytes()[:65536], other)
    assert not stackexchange.sniff(b"", tmp_path)


def render(folder: Path, nodes: list[Node]) -> None:
    """A random question: top-level nodes are answers, their replies comments on them
    (one level, as on Stack Exchange)."""
    from xml.sax.saxutils import quoteattr

    posts = ['<?xml version="1.0" encoding="utf-8"?>', "<posts>"]
    posts.append('  <row Id="1" PostTypeId="1" Title="Q" Body="&lt;p&gt;Question&lt;/p&gt;" />')
    comments = ['<?xml version="1.0" encoding="utf-8"?>', "<comments>"]
    for node in nodes:
        if node.parent is None:
            posts.append(
                f'  <row Id="{node.id}" PostTypeId="2" ParentId="1" '
                f"Body={quoteattr(html(node.body))} OwnerDisplayName={quoteattr(node.author)} />"
            )
        else:
            comments.append(
                f'  <row Id="{node.id}" PostId="{node.parent}" Text={quoteattr(node.body)} '
                f"UserDisplayName={quoteattr(node.author)} />"
            )
    (folder / "Posts.xml").write_text("\n".join([*posts, "</posts>"]), encoding="utf-8")
    (folder / "Comments.xml").write_text("\n".join([*comments, "</comments>"]), encoding="utf-8")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, statuses=False, body=html_bodies, numeric_ids=True))
def test_random_dumps_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    top = {n.id for n in nodes if n.parent is None}
    nodes = [n for n in nodes if n.parent is None or n.parent in top]
    folder = tmp_path_factory.mktemp("se")
    render(folder, nodes)
    name = {n.id: (n.id if n.parent is None else f"c{n.id}") for n in nodes}
    found = by_id(read(folder))
    assert {key: r.parent_external_id for key, r in found.items()} == {
        name[n.id]: n.parent for n in nodes
    }
    for node in nodes:
        assert (found[name[node.id]].author, found[name[node.id]].body) == (
            node.author,
            node.body,
        )
    if not nodes:
        return
    db = folder / "m.db"
    import_into(db, folder)
    assert {key[1]: value[0] for key, value in stored_tree(db).items()} == {
        name[n.id]: n.parent for n in nodes
    }
