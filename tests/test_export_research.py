"""What researchers asked for (issue 12.2, 11.2): suggestions in the records, the
long per-annotator table, the Jigsaw/Detoxify training layout, Datasette
metadata, and ``export --unreviewed``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from modtool.export import Selection, export
from modtool.policy.model import Suggestion
from modtool.store import Store
from tests.labeled_sample import KEYS, POLICY, label_sample


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def labeled(sample_store: Store) -> Store:
    label_sample(sample_store)
    reasons = [
        {
            "kind": "score",
            "model": "m@1",
            "attribute": "insult",
            "score": 0.93,
            "threshold": 0.8,
            "op": ">=",
        },
        {
            "kind": "regex",
            "pattern": "f\\*cks",
            "field": "body",
            "spans": [[51, 56]],
            "matched": ["f*cks"],
        },
    ]
    sample_store.suggestions.replace_for_thread(
        1, POLICY, [Suggestion(4, "insult", "insult-rule", False, POLICY, "aaaa", reasons)]
    )
    return sample_store


WP_10_2_TIME = 1709546700  # wp:comment_date_gmt 2024-03-04 10:05:00 of comment 2 on post 10

SUGGESTION = {
    "rule": "insult-rule",
    "label": "insult",
    "automatic": False,
    "reason": "m@1 insult 0.930 >= 0.8; body matches 'f\\\\*cks': f*cks",
    "spans": [{"field": "body", "start": 51, "end": 56}],
    "policy_hash": "aaaa",
}


def test_suggestions_in_jsonl_parquet_and_convokit(labeled: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    selection = Selection(policy=POLICY)
    export(labeled, fmt="jsonl", output=tmp_path / "a.jsonl", selection=selection)
    rows = {r["id"]: r for r in read_jsonl(tmp_path / "a.jsonl")}
    (found,) = rows[4]["suggestions"]
    assert {k: v for k, v in found.items() if k != "reasons_json"} == SUGGESTION
    assert json.loads(found["reasons_json"])[0]["score"] == 0.93
    assert all(not rows[i]["suggestions"] for i in rows if i != 4)
    export(labeled, fmt="parquet", output=tmp_path / "a.parquet", selection=selection)
    table = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert [r["suggestions"] for r in table if r["id"] == 4] == [[found]]
    export(labeled, fmt="convokit", output=tmp_path / "corpus", selection=selection)
    utterances = read_jsonl(tmp_path / "corpus" / "utterances.jsonl")
    by_comment = {u["meta"]["comment_id"]: u for u in utterances}
    assert by_comment[4]["meta"]["suggestions"] == [found]


def test_annotations_long_table(labeled: Store, tmp_path: Path) -> None:
    import pandas as pd

    export(
        labeled, fmt="annotations", output=tmp_path / "a.jsonl", selection=Selection(policy=POLICY)
    )
    rows = read_jsonl(tmp_path / "a.jsonl")
    assert [(r["comment_id"], r["moderator"], r["label"], r["state"]) for r in rows] == [
        (1, "alice", None, "approved"),
        (4, "alice", "insult", "labeled"),
        (4, "bob", "insult", "labeled"),
        (8, "alice", None, "approved"),
        (8, "bob", None, "approved"),
        (9, "alice", "insult", "labeled"),
        (9, "bob", None, "approved"),
        (16, "bob", "insult", "labeled"),
        (17, "alice", "insult", "labeled"),
        (17, "bob", "insult", "labeled"),
        (17, "bob", "off_topic", "labeled"),
    ]
    assert {r["policy_hash"] for r in rows} == {"aaaa", "bbbb"}
    assert all(
        r["policy"] == POLICY and r["time"] and r["global_id"].startswith("text:") for r in rows
    )
    export(
        labeled,
        fmt="annotations-csv",
        output=tmp_path / "a.csv",
        selection=Selection(policy=POLICY),
    )
    frame = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(frame.columns) == list(rows[0])
    assert frame["label"].tolist() == [r["label"] or "" for r in rows]
    assert (tmp_path / "a.csv.card.md").exists()


def test_jigsaw_layout_loads_like_detoxify_training(labeled: Store, tmp_path: Path) -> None:
    """What Detoxify's src/data_loaders.py does with a Jigsaw CSV: pd.read_csv, then
    Dataset.from_pandas; the classes are every column after id and comment_text, and
    each row's targets become one integer tensor."""
    import pandas as pd

    keys = tuple(sorted(KEYS))
    out = tmp_path / "train.csv"
    export(labeled, fmt="jigsaw", output=out, selection=Selection(policy=POLICY), label_keys=keys)
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["id", "comment_text", *keys]
    classes = list(frame.columns[2:])
    assert classes == list(keys)
    # fully reviewed only: #9 and #17 have a tied label, the rest nobody reviewed
    with sqlite3.connect(labeled.path) as conn:
        paths = dict(conn.execute("SELECT path, id FROM comments"))
    # the id is the global id, text:<thread hash>:<path>
    assert [paths[g.split(":", 2)[2]] for g in frame["id"]] == [1, 4, 8, 16]
    assert frame[classes].to_numpy().tolist() == [[0, 0, 0], [1, 0, 0], [0, 0, 0], [1, 0, 0]]
    assert all(str(dtype) == "int64" for dtype in frame[classes].dtypes)
    with sqlite3.connect(labeled.path) as conn:
        body = conn.execute("SELECT body FROM comments WHERE id = 4").fetchone()[0]
    assert frame["comment_text"][1] == body  # the text as it is, no spreadsheet quoting


def test_datasette_metadata_describes_the_real_schema(
    labeled: Store, run_cli, tmp_path: Path
) -> None:
    out = tmp_path / "metadata.json"
    result = run_cli("export", "--format", "datasette-metadata", "-o", out)
    assert result.returncode == 0, result.stderr
    meta = json.loads(out.read_text())
    tables = meta["databases"]["modtool"]["tables"]
    with sqlite3.connect(labeled.path) as conn:
        for table, info in tables.items():
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            assert columns, table
            assert set(info.get("columns", {})) <= columns, table
            for facet in info.get("facets", []):
                name = facet["array"] if isinstance(facet, dict) else facet
                assert name in columns
        for query in meta["databases"]["modtool"]["queries"].values():
            conn.execute(query["sql"]).fetchall()  # the canned queries run
        rows = conn.execute(meta["databases"]["modtool"]["queries"]["comment_labels"]["sql"])
        by_id = {r[0]: r for r in rows}
    assert set(by_id) == {1, 4, 8, 9, 16, 17}
    assert "JSON" in tables["suggestions"]["columns"]["reasons"]
    assert "JSON" in tables["actions"]["columns"]["before"]
    assert not (tmp_path / "metadata.json.card.md").exists()


def test_export_unreviewed(labeled: Store, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "todo.jsonl"
    result = run_cli("export", "-o", out, "--unreviewed", "--policy", POLICY)
    assert result.returncode == 0, result.stderr
    assert "exported 21 comments" in result.stdout
    ids = [r["id"] for r in read_jsonl(out)]
    assert ids == [i for i in range(1, 28) if i not in {1, 4, 8, 9, 16, 17}]
    result = run_cli("export", "-o", out, "--unreviewed", "--labeled-only", "--policy", POLICY)
    assert result.returncode == 1 and "exclude each other" in result.stderr


def test_convokit_corpora_of_two_databases_merge(tmp_path: Path, sample_path: Path) -> None:
    """Global ids: two databases' corpora share no utterance id unless it is the same
    comment; no local absolute path in any exported file (a WordPress thread's
    source is its URL, a text thread's its file name)."""
    from modtool.ingest import import_path
    from modtool.store import open_store

    wxr = Path(__file__).parent / "fixtures" / "wxr" / "site-1.2.xml"
    corpora = {}
    for name, source in (("a", sample_path), ("b", wxr), ("c", sample_path)):
        with open_store(tmp_path / f"{name}.db") as store:
            import_path(store, source)
            out = tmp_path / f"corpus-{name}"
            export(store, fmt="convokit", output=out, selection=Selection())
        corpora[name] = out
    ids = {
        name: {json.loads(x)["id"] for x in (out / "utterances.jsonl").read_text().splitlines()}
        for name, out in corpora.items()
    }
    assert len(ids["a"]) == 28 and len(ids["b"]) == 14  # 3 posts + 11 comments
    assert not ids["a"] & ids["b"]
    assert ids["a"] == ids["c"]  # the same document in another database: the same ids
    assert "wordpress:10:2" in ids["b"]
    utterances = {
        u["id"]: u
        for u in map(json.loads, (corpora["b"] / "utterances.jsonl").read_text().splitlines())
    }
    # platform times as Unix seconds (the text thread's are its document order)
    assert utterances["wordpress:10:2"]["timestamp"] == WP_10_2_TIME
    conversations = json.loads((corpora["b"] / "conversations.json").read_text())
    assert conversations["wordpress:10"]["meta"]["source"] == (
        "https://news.example/2024/03/talks-collapse/"
    )
    for out in corpora.values():
        for path in out.rglob("*"):
            assert str(tmp_path).encode() not in path.read_bytes(), path
            assert str(Path(__file__).parent).encode() not in path.read_bytes(), path
    # ConvoKit itself merges the two databases' corpora without a collision.
    convokit = pytest.importorskip("convokit")
    merged = convokit.Corpus.merge(
        convokit.Corpus(filename=str(corpora["a"])), convokit.Corpus(filename=str(corpora["b"]))
    )
    assert len(list(merged.iter_utterances())) == 28 + 14
    assert len(list(merged.iter_conversations())) == 1 + 3
    for conversation in merged.iter_conversations():
        assert conversation.check_integrity(verbose=False)
