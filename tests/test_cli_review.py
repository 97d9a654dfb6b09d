"""``modtool progress`` and ``modtool queue`` (issue 11.2) against counts made by hand on
the sample thread, labeled as in ``tests/labeled_sample.py``:

======  ==================  ===========================
comment alice               bob
======  ==================  ===========================
1       approved            -
4       insult              insult
8       approved            approved
9       insult              approved
16      -                   insult
17      insult              insult, off_topic
======  ==================  ===========================

So alice reviewed 5 (2 approved, 3 labeled: insult 3), bob 5 (2 approved, 3 labeled:
insult 3, off_topic 1); 6 comments were reviewed by someone, 27 - 6 = 21 by no one.
"""

from __future__ import annotations

import json
from pathlib import Path

from modtool.models import ModelInfo, ScoreRow
from modtool.store import Store
from tests.cli_batch import run_batch
from tests.labeled_sample import label_sample

MODEL = "detoxify/original@test"
SCORES = {9: 0.8, 20: 0.6, 22: 0.4, 23: 0.1, 24: 0.2, 25: 0.5, 26: 0.9, 4: 0.95}
BY_SCORE = [4, 26, 9, 20, 25, 22, 24, 23]


def labelled(store: Store, scores: bool = False) -> None:
    label_sample(store, second_policy=False)
    if scores:
        store.scores.register_model(ModelInfo(MODEL, "detoxify", "original", ("toxicity",)))
        hashes = {c.id: c.content_hash for c in store.comments.iter_thread(1)}
        store.scores.save(ScoreRow(i, MODEL, {"toxicity": v}, hashes[i]) for i, v in SCORES.items())


def test_progress_by_hand(sample_store: Store, db_path: Path, tmp_path: Path) -> None:
    labelled(sample_store)
    as_json, table, one_thread, wide = run_batch(
        [
            ("progress", "--json"),
            ("progress",),
            ("progress", "1", "--json"),
            ("progress", "--wide"),
        ],
        db=db_path,
        cwd=tmp_path,
        env={"COLUMNS": "80"},
    )
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["policy"] == "news-comments"
    (thread,) = report["threads"]
    assert (thread["thread_id"], thread["comments"]) == (1, 27)
    assert (thread["reviewed_by_anyone"], thread["unreviewed_by_everyone"]) == (6, 21)
    assert thread["moderators"] == [
        {
            "moderator": "alice",
            "reviewed": 5,
            "unreviewed": 22,
            "approved": 2,
            "labeled": 3,
            "labels": {"insult": 3},
        },
        {
            "moderator": "bob",
            "reviewed": 5,
            "unreviewed": 22,
            "approved": 2,
            "labeled": 3,
            "labels": {"insult": 3, "off_topic": 1},
        },
    ]
    assert json.loads(one_thread.stdout) == report
    assert "27 comments, 6 reviewed by someone, 21 by no one" in " ".join(table.stdout.split())
    rows = [line for line in table.stdout.splitlines() if line.startswith("│ ")]
    names = [r.split("│")[1].strip() for r in rows[1:]]
    assert [n for n in names if n] == ["alice", "bob"]  # a folded cell adds a blank-named line
    assert "insult:3" in table.stdout and "off_topic:1" in table.stdout  # an item never split
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    assert "approved" in wide.stdout and "labeled" in wide.stdout


def test_queue_order_and_filters_by_hand(sample_store: Store, db_path: Path, tmp_path) -> None:
    labelled(sample_store, scores=True)
    everything, unreviewed, insults, high, table, by_position = run_batch(
        [
            ("queue", "-m", "alice", "--json"),
            ("queue", "1", "--unreviewed", "-m", "alice", "--json"),
            ("queue", "--label", "insult", "-m", "alice", "--json"),
            ("queue", "--min-score", "0.5", "--json", "-m", "alice"),
            ("queue", "--min-score", "0.5", "-m", "alice"),
            ("queue", "--min-score", "0.5", "--sort", "position", "--json"),
        ],
        db=db_path,
        cwd=tmp_path,
    )

    def rows(result) -> list[dict]:
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    def ids(result) -> list[int]:
        return [row["id"] for row in rows(result)]

    # The UI's order: highest headline score first, then the unscored in document order.
    rest = [i for i in range(1, 28) if i not in SCORES]
    assert ids(everything) == BY_SCORE + rest
    alice = {1, 4, 8, 9, 17}
    assert ids(unreviewed) == [i for i in BY_SCORE + rest if i not in alice]
    assert len(ids(unreviewed)) == 22
    assert ids(insults) == [4, 9, 16, 17]  # 4 and 9 scored (0.95, 0.8), then document order
    assert ids(high) == [4, 26, 9, 20, 25]
    assert ids(by_position) == [4, 9, 20, 25, 26]
    first = next(line for line in table.stdout.splitlines() if line.startswith("│  4 "))
    assert "Ilya" in first and "0.95" in first and "insult" in first
    assert table.stderr.startswith("modtool: note: 5 comments (score ≥ 0.50; alice under")
    record = rows(high)[0]
    assert {k: record[k] for k in ("id", "thread_id", "path", "author", "score")} == {
        "id": 4,
        "thread_id": 1,
        "path": "4",
        "author": "Ilya",
        "score": 0.95,
    }
    assert (record["state"], record["labels"], record["edited_since_review"]) == (
        "labeled",
        ["insult"],
        False,
    )
    assert record["text"] == "$5bn gets you S400s, and you are safe. Dumb, high IQ, f*cks!"


def test_queue_refuses_an_unknown_label(sample_store: Store, db_path: Path, tmp_path) -> None:
    (result,) = run_batch([("queue", "--label", "nope")], db=db_path, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("modtool: error: ") and "nope" in result.stderr
