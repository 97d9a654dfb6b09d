"""Each export format on the sample thread with two moderators' labels: exact rows
and columns, checked against the labels written and an independent scoring."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.json as paj
import pyarrow.parquet as pq
import pytest
from profanity_check import predict_prob

from modtool.export import FIELDS, Selection, export
from modtool.ingest import import_path
from modtool.store import Store, open_store
from tests.conftest import SAMPLE
from tests.labeled_sample import POLICY, label_sample, score_sample

KEYS = ("insult", "off_topic", "spam")


@pytest.fixture(scope="module")
def labeled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, str]:
    path = tmp_path_factory.mktemp("labeled") / "modtool.db"
    store = open_store(path)
    import_path(store, SAMPLE)
    label_sample(store)
    model = score_sample(store)
    yield store, model
    store.close()


@pytest.fixture(scope="module")
def bodies(labeled: tuple[Store, str]) -> dict[int, str]:
    store, _ = labeled
    return {c.id: c.body for c in store.comments.iter_thread(1)}


def run(store: Store, tmp_path: Path, fmt: str, name: str, **selection: object) -> Path:
    out = tmp_path / name
    export(
        store, fmt=fmt, output=out, selection=Selection(policy=POLICY, **selection), label_keys=KEYS
    )
    return out


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_rows_fields_and_labels(labeled, bodies, tmp_path):
    store, model = labeled
    rows = read_jsonl(run(store, tmp_path, "jsonl", "all.jsonl"))
    assert [r["id"] for r in rows] == list(range(1, 28))
    assert all(tuple(r) == FIELDS for r in rows)
    by_id = {r["id"]: r for r in rows}

    four = by_id[4]
    assert four["author"] == "Ilya" and four["text"] == bodies[4]
    assert four["parent_id"] is None and four["depth"] == 0 and four["path"] == "4"
    assert four["parent_text"].startswith("US-South Korea Talks on Trump")  # the article title
    assert four["labels"] == ["insult"] and four["tied_labels"] == [] and four["reviewers"] == 2
    assert [
        (a["moderator"], a["state"], a["labels"], a["policy_hash"]) for a in four["annotations"]
    ] == [("alice", "labeled", ["insult"], "aaaa"), ("bob", "labeled", ["insult"], "bbbb")]
    assert all(a["updated_at"].startswith("20") for a in four["annotations"])
    assert four["policy"] == {"name": POLICY, "hashes": ["aaaa", "bbbb"]}

    # alice says insult, bob approves: a tie, reported, not guessed
    assert by_id[9]["labels"] == [] and by_id[9]["tied_labels"] == ["insult"]
    assert [(a["moderator"], a["state"], a["labels"]) for a in by_id[9]["annotations"]] == [
        ("alice", "labeled", ["insult"]),
        ("bob", "approved", []),
    ]
    # both approved: reviewed, no label; the approval's hash comes from the audit log
    assert by_id[8]["labels"] == [] and by_id[8]["reviewers"] == 2
    assert by_id[8]["policy"]["hashes"] == ["aaaa", "bbbb"]
    assert by_id[16]["labels"] == ["insult"] and by_id[16]["reviewers"] == 1
    assert by_id[17]["labels"] == ["insult"] and by_id[17]["tied_labels"] == ["off_topic"]
    # unreviewed
    assert by_id[2]["labels"] == [] and by_id[2]["annotations"] == []
    assert by_id[2]["policy"] == {"name": POLICY, "hashes": []}

    # a reply carries its parent's text
    assert by_id[14]["parent_id"] == 13 and by_id[14]["parent_text"] == bodies[13]
    # scores: profanity-check's one attribute, equal to scoring the text ourselves
    expected = predict_prob([bodies[i] for i in range(1, 28)])
    for row in rows:
        assert [(s["model"], s["attribute"]) for s in row["scores"]] == [(model, "profanity")]
        assert row["scores"][0]["score"] == pytest.approx(float(expected[row["id"] - 1]))


def test_jsonl_loads_with_pandas_and_arrow(labeled, tmp_path):
    import pandas as pd

    store, _ = labeled
    path = run(store, tmp_path, "jsonl", "all.jsonl")
    frame = pd.read_json(path, lines=True)
    assert len(frame) == 27 and list(frame.columns) == list(FIELDS)
    assert frame.loc[frame["id"] == 4, "labels"].iloc[0] == ["insult"]

    # What Hugging Face `datasets` does with a JSON file and the card's features:
    # pyarrow's JSON reader, block by block, with the schema given. Every block
    # conforms to it, however small the blocks.
    from modtool.export.parquet import schema

    rows = read_jsonl(path)
    whole = pa.Table.from_pylist(rows)
    for block in (64, 4096):
        table = paj.read_json(
            path,
            read_options=paj.ReadOptions(block_size=block * 64),
            parse_options=paj.ParseOptions(explicit_schema=schema()),
        )
        assert table.num_rows == 27 and table.schema == schema()
        assert table.schema.field("scores").type == whole.schema.field("scores").type
    singles = [pa.Table.from_pylist([row]) for row in rows]
    assert pa.concat_tables(singles, promote_options="default").num_rows == 27
    assert str(whole.schema.field("annotations").type) == (
        "list<item: struct<moderator: string, state: string, labels: list<item: string>, "
        "updated_at: string, policy_hash: string, stale: bool, notes: list<item: null>>>"
    )  # no note in the fixture: arrow infers null items (the card's schema types them)


def test_labeled_only_and_thread_selection(labeled, tmp_path):
    store, _ = labeled
    rows = read_jsonl(run(store, tmp_path, "jsonl", "l.jsonl", labeled_only=True))
    assert [r["id"] for r in rows] == [1, 4, 8, 9, 16, 17]
    rows = read_jsonl(run(store, tmp_path, "jsonl", "t.jsonl", thread_ids=(1,)))
    assert len(rows) == 27


def test_csv_columns_and_cells(labeled, bodies, tmp_path):
    store, model = labeled
    path = run(store, tmp_path, "csv", "all.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheets
    with open(path, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    header, rows = table[0], table[1:]
    assert header == [
        "id",
        "global_id",
        "thread_id",
        "thread_global_id",
        "parent_id",
        "depth",
        "path",
        "author",
        "text",
        "parent_text",
        "reviewers",
        "labels_stale",
        "label:insult",
        "label:off_topic",
        "label:spam",
        "tied_labels",
        f"score:{model}:profanity",
    ]
    assert len(rows) == 27
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in rows}
    labels = {
        i: (
            by_id[i]["label:insult"],
            by_id[i]["label:off_topic"],
            by_id[i]["label:spam"],
            by_id[i]["tied_labels"],
        )
        for i in (1, 2, 4, 8, 9, 16, 17)
    }
    assert labels == {
        1: ("0", "0", "0", ""),
        2: ("", "", "", ""),  # nobody reviewed it: no verdict, not 0
        4: ("1", "0", "0", ""),
        8: ("0", "0", "0", ""),
        9: ("", "0", "0", "insult"),  # tie on insult
        16: ("1", "0", "0", ""),
        17: ("1", "", "0", "off_topic"),
    }
    assert by_id[14]["parent_id"] == "13" and by_id[1]["parent_id"] == ""
    assert by_id[4]["text"] == bodies[4] and by_id[4]["reviewers"] == "2"
    expected = predict_prob([bodies[4]])[0]
    assert float(by_id[4][f"score:{model}:profanity"]) == pytest.approx(float(expected))


def test_csv_label_columns_from_the_db_without_a_policy_file(labeled, tmp_path):
    store, _ = labeled
    out = tmp_path / "db.csv"
    keys = tuple(store.dataset.label_keys(POLICY))
    assert keys == ("insult", "off_topic")
    export(store, fmt="csv", output=out, selection=Selection(policy=POLICY), label_keys=keys)
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert [h for h in header if h.startswith("label:")] == ["label:insult", "label:off_topic"]


def test_parquet_matches_jsonl(labeled, tmp_path):
    store, _ = labeled
    jsonl = read_jsonl(run(store, tmp_path, "jsonl", "all.jsonl"))
    table = pq.read_table(run(store, tmp_path, "parquet", "all.parquet"))
    assert table.column_names == list(FIELDS)
    assert table.to_pylist() == jsonl


def test_parquet_writes_row_groups(labeled, tmp_path):
    from modtool.export.base import ExportContext
    from modtool.export.parquet import write_parquet
    from modtool.export.records import iter_records

    store, _ = labeled
    out = tmp_path / "groups.parquet"
    context = ExportContext(POLICY, KEYS, (), lambda i: {})
    count = write_parquet(out, iter_records(store, Selection(policy=POLICY)), context, row_group=10)
    assert count == 27
    assert pq.ParquetFile(out).metadata.num_row_groups == 3


def test_convokit_corpus_files(labeled, bodies, tmp_path):
    store, model = labeled
    folder = run(store, tmp_path, "convokit", "corpus")
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "conversations.json",
        "corpus.json",
        "index.json",
        "speakers.json",
        "utterances.jsonl",
    ]
    utterances = read_jsonl(folder / "utterances.jsonl")
    assert len(utterances) == 28
    for utterance in utterances:  # ConvoKit's six mandatory fields, plus meta
        assert set(utterance) == {
            "id",
            "speaker",
            "conversation_id",
            "reply_to",
            "timestamp",
            "text",
            "meta",
        }
    ids = [u["id"] for u in utterances]
    assert len(set(ids)) == 28
    roots = [u for u in utterances if u["reply_to"] is None]
    t1 = roots[0]["id"]  # the thread's global id: text:<hash of file name + article>
    assert len(roots) == 1 and t1.startswith("text:") and t1 == roots[0]["conversation_id"]
    assert roots[0]["text"].startswith("US-South Korea Talks") and roots[0]["meta"]["is_article"]
    seen: set[str] = set()
    for u in utterances:  # every reply points at an utterance that came before it
        assert u["conversation_id"] == t1
        assert u["reply_to"] is None or u["reply_to"] in seen
        seen.add(u["id"])
    by_id = {u["meta"]["comment_id"]: u for u in utterances if not u["meta"]["is_article"]}
    assert by_id[1]["id"] == f"{t1}:1" and by_id[14]["id"] == f"{t1}:7.1.3.1"
    assert by_id[1]["reply_to"] == t1 and by_id[14]["reply_to"] == by_id[13]["id"]
    assert by_id[4]["speaker"] == "Ilya" and by_id[4]["text"] == bodies[4]
    meta = by_id[4]["meta"]
    assert meta["labels"] == ["insult"] and meta["comment_id"] == 4
    assert set(meta["scores"]) == {model} and set(meta["scores"][model]) == {"profanity"}
    assert by_id[9]["meta"]["tied_labels"] == ["insult"]
    assert [u["timestamp"] for u in utterances] == list(range(28))

    speakers = json.loads((folder / "speakers.json").read_text())
    assert set(speakers) == {u["speaker"] for u in utterances}
    assert speakers["Joe"] == {"meta": {"comments": 5}, "vectors": []}  # 3, 14, 21, 24, 26
    conversations = json.loads((folder / "conversations.json").read_text())
    assert list(conversations) == [t1]
    assert conversations[t1]["meta"]["title"].startswith("US-South Korea")
    # the file name, not the local absolute path of the thread file
    assert conversations[t1]["meta"]["source"] == "sample-thread-korea-talks-collapse.txt"
    corpus = json.loads((folder / "corpus.json").read_text())
    assert corpus["name"] == "corpus" and corpus["policy"] == POLICY
    index = json.loads((folder / "index.json").read_text())
    assert set(index) >= {
        "utterances-index",
        "speakers-index",
        "conversations-index",
        "overall-index",
        "version",
    }
    assert set(index["utterances-index"]) == set(meta)
    assert all(isinstance(v, list) for v in index["utterances-index"].values())


def test_convokit_loads_if_installed(labeled, tmp_path):
    convokit = pytest.importorskip("convokit")
    store, _ = labeled
    corpus = convokit.Corpus(filename=str(run(store, tmp_path, "convokit", "corpus")))
    assert len(list(corpus.iter_utterances())) == 28
    for conversation in corpus.iter_conversations():
        assert conversation.check_integrity(verbose=False)


def test_jsonl_types_survive_pandas_with_dtype_false(store, tmp_path):
    """Numeric-looking strings (paths of top-level comments, an author "1234") stay
    strings with the documented ``dtype=False``."""
    import pandas as pd

    doc = tmp_path / "flat.txt"
    doc.write_text(
        "A title\n\narticle\n\n  1. 1234 says\n\n    42\n\n  2. 5678 says\n\n    7.5\n",
        encoding="utf-8",
    )
    import_path(store, doc)
    out = tmp_path / "flat.jsonl"
    export(store, fmt="jsonl", output=out, selection=Selection())
    frame = pd.read_json(out, lines=True, dtype=False)
    assert frame["path"].tolist() == ["1", "2"]
    assert frame["author"].tolist() == ["1234", "5678"]
    assert frame["text"].tolist() == ["42", "7.5"]
    assert frame["id"].tolist() == [1, 2]


def test_convokit_labeled_only_stays_one_rooted(labeled, tmp_path):
    store, _ = labeled
    folder = run(store, tmp_path, "convokit", "some", labeled_only=True)
    utterances = read_jsonl(folder / "utterances.jsonl")
    t1 = utterances[0]["id"]
    assert [u["meta"]["comment_id"] for u in utterances] == [None, 1, 4, 8, 9, 16, 17]
    ids = {u["id"] for u in utterances}
    assert all(u["reply_to"] is None or u["reply_to"] in ids for u in utterances)
    by_id = {u["meta"]["comment_id"]: u for u in utterances}
    # 7.1.5 (#16) replies to #10, which is not exported: attached to the article,
    # the real parent kept in meta
    assert by_id[16]["reply_to"] == t1 and by_id[16]["meta"]["parent_id"] == 10
    assert by_id[8]["reply_to"] == t1 and by_id[8]["meta"]["parent_id"] == 7


def test_parquet_without_pyarrow_says_how_to_get_it(labeled, tmp_path, monkeypatch):
    import sys

    from modtool.errors import ModtoolError

    store, _ = labeled
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    out = tmp_path / "x.parquet"
    with pytest.raises(ModtoolError, match=r"pip install 'modtool\[parquet\]'"):
        export(store, fmt="parquet", output=out, selection=Selection(policy=POLICY))
    assert list(tmp_path.iterdir()) == []


def test_jsonl_with_the_published_schema_whatever_the_first_block(labeled, tmp_path):
    """Arrow (and so `datasets`) fixes a column's type from the first chunk it reads;
    a chunk in which every `labels` is [] gives list<null>. The documented remedy, the
    explicit schema of `modtool.export.parquet.schema()`, reads any file."""
    from modtool.export.parquet import schema

    store, _ = labeled
    rows = read_jsonl(run(store, tmp_path, "jsonl", "all.jsonl"))
    unlabeled_first = sorted(rows, key=lambda r: r["reviewers"] > 0)
    path = tmp_path / "reordered.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in unlabeled_first), encoding="utf-8")
    first_block = paj.read_json(path, read_options=paj.ReadOptions(block_size=1 << 20))
    head = pa.Table.from_pylist(unlabeled_first[:10])
    assert str(head.schema.field("labels").type) == "list<item: null>"  # the trap
    table = paj.read_json(path, parse_options=paj.ParseOptions(explicit_schema=schema()))
    assert table.schema == schema() and table.num_rows == 27
    assert table.to_pylist() == unlabeled_first
    assert first_block.num_rows == 27
