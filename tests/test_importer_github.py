"""GitHub REST and GraphQL answers (issues, pull requests, discussions) read and stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.formats_json import Node
from modtool.importers import github
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

HERE = FIXTURES / "github"
ISSUE, ISSUE_COMMENTS = HERE / "real-issue-28.json", HERE / "real-issue-28-comments.json"
PULL, REVIEW = HERE / "real-pull-31.json", HERE / "real-pull-31-review-comments.json"
DISCUSSIONS = HERE / "real-graphql-discussions-page.json"
DISCUSSION = HERE / "graphql-discussion-77.json"


def read(*paths: Path, folder: Path | None = None) -> list:
    path = paths[0] if len(paths) == 1 else link_files(folder, paths)  # type: ignore[arg-type]
    return list(github.read(path, no_warnings))


def test_real_issue_and_its_comments(tmp_path: Path) -> None:
    """Answers api.github.com gave (PyGithub's ReplayData): the 2012 comment list names no
    issue, so the one issue beside it is theirs."""
    records = read(ISSUE, ISSUE_COMMENTS, folder=tmp_path / "d")
    thread = records[0]
    assert thread == ThreadRecord(
        platform="github",
        external_id="PyGithub/PyGithub#28",
        title="Issue created by PyGithub",
        article="Body edited by PyGithub\n",
        url="https://github.com/PyGithub/PyGithub/issues/28",
        created_at="2012-05-19T10:38:23Z",
        meta={"author": "jacquev6", "kind": "issue", "state": "closed"},
    )
    found = by_id(records)
    assert [(key, r.author, r.created_at) for key, r in found.items()] == [
        ("5449237", "jacquev6", "2012-05-01T22:03:59Z"),
        ("5518272", "roskakori", "2012-05-04T19:23:57Z"),
    ]
    assert found["5518272"].body.startswith("Good to hear you are already working on this in #6")
    # The issue said 3 comments when it was read; the list had 2.
    assert [r for r in records if isinstance(r, MissingRecord)] == [
        MissingRecord("PyGithub/PyGithub#28", 1)
    ]
    alone = read(ISSUE_COMMENTS)  # alone, the old list names no issue
    assert len(alone) == 2 and all(isinstance(r, ProblemRecord) for r in alone)
    assert alone[0].message.startswith("a comment that names no issue")


def test_real_pull_request_and_its_review_comments(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    (result,) = import_into(db, PULL, REVIEW, format="github").threads
    assert (result.external_id, result.title) == (
        "PyGithub/PyGithub#31",
        "Title edited by PyGithub",
    )
    # comments 1 + review_comments 2 on the pull request; 2 review comments here.
    assert (result.total, result.missing) == (2, 1)
    found = by_id(read(PULL, REVIEW, folder=tmp_path / "d"))
    assert found["197784357"].meta == {
        "url": "https://github.com/PyGithub/PyGithub/pull/31#discussion_r197784357",
        "edited": "2018-06-25T12:54:43Z",
        "path": "test/IssueEvent.py",
    }
    assert found["1580134"].meta["association"] == "member"
    reimport_is_idempotent(db, PULL, REVIEW, format="github")


def test_real_graphql_discussions_page() -> None:
    records = read(DISCUSSIONS)
    threads = [r.external_id for r in records if isinstance(r, ThreadRecord)]
    # Discussion 3044 has no comments: not imported.
    assert threads == ["PyGithub/PyGithub#2993", "PyGithub/PyGithub#2559", "PyGithub/PyGithub#2177"]
    found = by_id(records)
    assert len(found) == 2 + 5 + 6
    reply = found["DC_kwDOADYVqs4AYF-H"]
    assert (reply.thread_external_id, reply.parent_external_id, reply.author) == (
        "PyGithub/PyGithub#2559",
        "DC_kwDOADYVqs4AX3FM",
        "EnricoMi",
    )
    assert found["DC_kwDOADYVqs4AnxkU"].meta["answer"] is True
    assert not [r for r in records if isinstance(r, MissingRecord)]


def test_graphql_discussion_statuses_and_replies(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    (result,) = import_into(db, DISCUSSION).threads
    assert (result.external_id, result.total, result.missing) == ("acme/widgets#77", 6, 1)
    thread = "acme/widgets#77"
    assert stored_tree(db) == {
        (thread, "501"): (None, "1", False, "visible"),
        (thread, "502"): ("501", "1.1", False, "visible"),
        (thread, "503"): ("501", "1.2", False, "visible"),
        (thread, "504"): (None, "2", False, "spam"),
        (thread, "505"): (None, "3", False, "removed"),
        (thread, "506"): (None, "4", False, "deleted"),
    }
    found = by_id(read(DISCUSSION))
    assert found["503"].author == "ghost"  # a deleted account
    assert found["505"].meta["minimized"] == "abuse"
    assert found["501"].meta["answer"] is True and found["501"].meta["upvotes"] == 7


def test_a_comment_in_rest_and_graphql_answers_is_kept_once(tmp_path: Path) -> None:
    graphql = json.loads(DISCUSSION.read_text())
    again = json.loads(DISCUSSION.read_text())
    records = read(
        write_json(tmp_path, "a.json", graphql),
        write_json(tmp_path, "b.json", again),
        folder=tmp_path / "d",
    )
    assert len(by_id(records)) == 6
    assert sum(1 for r in records if r.__class__.__name__ == "CommentRecord") == 6


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"data": None, "errors": [{"message": "Could not resolve"}]},
            r"GraphQL answer with errors: Could not resolve",
        ),
        ([{"number": 3, "title": "t"}], r"\$\[0\]: an issue without url"),
        ({"id": 1}, r"\$: expected GitHub"),
    ],
)
def test_wrong_shapes_are_one_parse_error(tmp_path: Path, value: object, message: str) -> None:
    assert_one_parse_error(read, tmp_path, value, message)


def test_sniff() -> None:
    for path in (ISSUE, ISSUE_COMMENTS, PULL, REVIEW, DISCUSSIONS, DISCUSSION):
        assert github.sniff(path.read_bytes()[:65536], path)
    for other in ("discourse/topic-2144.json", "lemmy/real-comment-list.json"):
        path = FIXTURES / other
        assert not github.sniff(path.read_bytes()[:65536], path)


def render(nodes: list[Node]) -> dict:
    """A random two-level tree as a GraphQL discussion answer."""

    def comment(node: Node) -> dict:
        return {
            "databaseId": int(node.id),
            "id": f"DC_{node.id}",
            "author": {"login": node.author},
            "body": node.body,
            "createdAt": iso(node.created),
        }

    top = []
    for node in nodes:
        if node.parent is None:
            replies = [comment(n) for n in nodes if n.parent == node.id]
            top.append({**comment(node), "replies": {"totalCount": len(replies), "nodes": replies}})
    discussion = {
        "number": 9,
        "title": "Random",
        "url": "https://github.com/o/r/discussions/9",
        "author": {"login": "op"},
        "body": "Body",
        "comments": {"totalCount": len(top), "nodes": top},
    }
    return {"data": {"repository": {"discussion": discussion}}}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12, statuses=False, body=bodies, numeric_ids=True))
def test_random_discussions_read_back_and_land_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    top = {n.id for n in nodes if n.parent is None}
    nodes = [n for n in nodes if n.parent is None or n.parent in top]  # replies nest one level
    folder = tmp_path_factory.mktemp("gh")
    path = write_json(folder, "d.json", render(nodes))
    assert_read_and_stored(read(path), nodes, folder / "m.db", path)
