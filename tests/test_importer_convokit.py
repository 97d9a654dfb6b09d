"""ConvoKit corpus folders read into flat records, and modtool's own export read back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formats_json import Node, write_convokit
from modtool.errors import ParseError
from modtool.importers import convokit
from modtool.importers.records import ThreadRecord
from modtool.ingest import import_path
from modtool.store import open_store
from tests.conftest import SAMPLE
from tests.json_formats import by_id, comments, no_warnings, node_shape, shape, stored_shape, trees

FIXTURES = Path(__file__).parent / "fixtures" / "convokit"
CORPUS = FIXTURES / "reddit-corpus-small"
OLD = FIXTURES / "old-style"


def read(path: Path) -> list:
    return list(convokit.read(path, no_warnings))


def test_root_utterance_is_the_article_and_titles_come_from_conversations() -> None:
    records = read(CORPUS)
    threads = [r for r in records if isinstance(r, ThreadRecord)]
    assert threads[0] == ThreadRecord(
        platform="convokit",
        external_id="9x1abc",
        title="Castles?",
        article="Is it ok to ask about castles here?",
        created_at="2018-10-08T12:00:00Z",
        meta={"subreddit": "AskHistorians", "domain": "self.AskHistorians", "num_comments": 4},
    )
    assert threads[1].external_id == "9y2def" and threads[1].title == "Second thread"
    assert "9x1abc" not in by_id(records)


def test_reply_to_with_a_hyphen_parents_statuses_and_meta() -> None:
    found = by_id(read(CORPUS))
    assert found["e9aaaa1"].parent_external_id == "9x1abc"  # the root: top level
    assert found["e9aaaa3"].parent_external_id == "e9aaaa2"  # listed before its parent
    assert found["e9bbbb1"].parent_external_id == "e9bbbb0"  # outside the corpus: an orphan
    assert found["e9aaaa2"].status == "removed"
    assert found["e9aaaa4"].status == "deleted"
    assert found["e9aaaa1"].meta == {
        "score": 12,
        "permalink": "/r/AskHistorians/comments/9x1abc/castles/e9aaaa1/",
        "stickied": False,
    }
    assert found["e9bbbb1"].created_at == "2018-10-08T12:06:40Z"  # float timestamp
    assert found["e9aaaa4"].created_at == "2018-10-08T12:08:20Z"  # string timestamp
    assert found["e9aaaa1"].where == "line 2"


def test_the_utterances_file_itself_reads_like_its_folder() -> None:
    assert read(CORPUS / "utterances.jsonl") == read(CORPUS)


def test_old_style_utterances_json_with_user_root_and_reply_hyphen() -> None:
    records = read(OLD)
    assert records[0].article == "Opening utterance of an old-style corpus."
    assert [(r.external_id, r.parent_external_id, r.author) for r in comments(records)] == [
        ("u1", "u0", "bob"),
        ("u2", "u1", "carol"),
    ]


def test_sniff(tmp_path: Path) -> None:
    assert convokit.sniff(b"", CORPUS)
    assert convokit.sniff(b"", OLD)
    assert not convokit.sniff(b"", tmp_path)  # an empty folder
    line = (CORPUS / "utterances.jsonl").read_bytes()
    assert convokit.sniff(line, tmp_path / "some.jsonl")
    assert not convokit.sniff(b'{"id": "a", "link_id": "t3_b", "body": "x"}\n', tmp_path / "x")


def test_bad_inputs(tmp_path: Path) -> None:
    (tmp_path / "utterances.jsonl").write_text('{"id": "a", "conversation_id": "a"}\n[1]\n')
    with pytest.raises(ParseError, match=r"utterances.jsonl: line 2: expected an utterance"):
        read(tmp_path)
    (tmp_path / "utterances.jsonl").write_text('{"id": "a", "conversation_id": \n')
    with pytest.raises(ParseError, match=r"utterances.jsonl: line 1 column"):
        read(tmp_path)
    (tmp_path / "utterances.jsonl").write_text('{"id": "a", "conversation_id": "a"}\n')
    (tmp_path / "conversations.json").write_text("[]")
    with pytest.raises(ParseError, match=r"conversations.json: \$: expected an object"):
        read(tmp_path)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    forest=st.lists(trees(max_size=10), min_size=1, max_size=3),
    reply_key=st.sampled_from(["reply_to", "reply-to"]),
)
def test_random_corpora_read_back_the_same(
    tmp_path_factory: pytest.TempPathFactory, forest: list[list[Node]], reply_key: str
) -> None:
    folder = tmp_path_factory.mktemp("corpus")
    conversations = [
        (
            f"conv{number}",
            f"Title {number}",
            [
                n._replace(id=f"{number}.{n.id}", parent=n.parent and f"{number}.{n.parent}")
                for n in nodes
            ],
        )
        for number, nodes in enumerate(forest)
    ]
    write_convokit(folder, conversations, reply_key=reply_key)
    records = read(folder)
    for conversation, title, nodes in conversations:
        mine = [r for r in comments(records) if r.thread_external_id == conversation]
        want = [n._replace(parent=n.parent or conversation) for n in nodes]
        assert shape(mine) == node_shape(want)
        threads = [
            r for r in records if isinstance(r, ThreadRecord) and r.external_id == conversation
        ]
        assert [(t.title, t.article) for t in threads] == [(title, f"Opening of {title}")]
        for record, node in zip(mine, nodes, strict=True):
            if node.status == "visible":
                assert (record.author, record.body) == (node.author, node.body)


# -- modtool's own export, through the real CLI ------------------------------------------


def _tree(run_cli: Callable, db: Path) -> list[tuple]:
    done = run_cli("export", "--format", "jsonl", "-o", "-", env={"MODTOOL_DB": str(db)})
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [(row["path"], row["depth"], row["author"], row["text"]) for row in rows]


def test_modtool_export_imports_back_to_the_same_tree(
    run_cli: Callable, tmp_path: Path, db_path: Path
) -> None:
    assert run_cli("import", SAMPLE).returncode == 0
    corpus = tmp_path / "corpus"
    done = run_cli("export", "--format", "convokit", "-o", corpus)
    assert done.returncode == 0, done.stderr
    fresh = tmp_path / "fresh.db"
    done = run_cli("import", corpus, env={"MODTOOL_DB": str(fresh)})
    assert done.returncode == 0, done.stderr
    assert "(convokit " in done.stdout
    before, after = _tree(run_cli, db_path), _tree(run_cli, fresh)
    assert len(after) == 27
    assert after == before
    again = run_cli("import", corpus, env={"MODTOOL_DB": str(fresh)})
    assert again.returncode == 0, again.stderr
    assert _tree(run_cli, fresh) == before  # re-import changes nothing


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nodes=trees(max_size=12))
def test_random_corpora_land_in_the_store_as_the_same_tree(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[Node]
) -> None:
    folder = tmp_path_factory.mktemp("store")
    write_convokit(folder / "corpus", [("conv", "Title", nodes)])
    with open_store(folder / "m.db") as store:
        import_path(store, folder / "corpus")
        (thread,) = store.threads.list()
        assert (thread.platform, thread.external_id, thread.title) == ("convokit", "conv", "Title")
        assert stored_shape(store, thread.id) == node_shape(nodes)


def test_the_text_decides_the_status_not_the_speaker(tmp_path: Path) -> None:
    """Issue 17.12: a ``[deleted]`` speaker over a text still there stays visible."""
    path = tmp_path / "utterances.jsonl"
    lines = [
        {"id": "a", "conversation_id": "c", "speaker": "[deleted]", "text": "still here"},
        {"id": "b", "conversation_id": "c", "speaker": "[deleted]", "text": "[deleted]"},
        {"id": "d", "conversation_id": "c", "speaker": "[removed]", "text": "kept too"},
        {"id": "e", "conversation_id": "c", "speaker": "ann", "text": "[removed]"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    found = by_id(read(path))
    assert {key: found[key].status for key in "abde"} == {
        "a": "visible",
        "b": "deleted",
        "d": "visible",
        "e": "removed",
    }
    assert (found["a"].author, found["a"].body) == ("[deleted]", "still here")
