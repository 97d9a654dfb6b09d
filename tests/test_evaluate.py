"""``modtool evaluate`` against hand-counted confusion matrices, AUCs and APs.

The fixture (12 comments, scores written through the store's API, labels by
two moderators and one policy actor under ``news-comments``):

====  ===========  ======================  ===============
id    insult score verdicts                 human truth
====  ===========  ======================  ===============
1     0.95         ana insult               positive
2     0.80         ana insult               positive
3     0.76         ana approve              negative
4     0.70         ana insult               positive
5     0.60         ana approve              negative
6     0.50         ana insult               positive
7     0.40         ana approve              negative
8     0.30         ana approve              negative
9     0.20         ana insult               positive
10    0.10         ana approve              negative
11    0.90         ana insult, bob approve  tied: left out
12    0.85         ana approve, policy      negative (the policy's
                   actor insult             verdict is left out)
====  ===========  ======================  ===============

By hand, at the news policy's insult-score rule (insult >= 0.75): predicted
1, 2, 3, 12 → TP 2 (1, 2), FP 2 (3, 12), FN 3 (4, 6, 9), TN 4 (5, 7, 8, 10);
precision 0.5, recall 0.4. ROC-AUC: positive-over-negative pairs
6 + 5 + 4 + 3 + 1 = 19 of 5 × 6 = 30 → 0.6333. Average precision, down the
ranking (P N P N P N P N N P N): 0.2·1 + 0.2·2/3 + 0.2·3/5 + 0.2·4/7 + 0.2·5/10
= 0.667619.
"""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from modtool.analysis.metrics import average_precision, roc_auc
from modtool.cli import main
from modtool.models import ModelInfo, PolicyRef, ScoreRow
from modtool.policy import load_policy
from modtool.store import open_store
from tests.scoring_helpers import write_thread

SCORES = [0.95, 0.80, 0.76, 0.70, 0.60, 0.50, 0.40, 0.30, 0.20, 0.10, 0.90, 0.85]
INSULTS = {1, 2, 4, 6, 9, 11}


@pytest.fixture
def labeled_db(tmp_path):
    from modtool.ingest import import_path

    db = tmp_path / "eval.db"
    store = open_store(db)
    import_path(
        store, write_thread(tmp_path / "t.txt", [f"comment number {i}" for i in range(1, 13)])
    )
    hashes = dict(store.db.execute("SELECT id, content_hash FROM comments").fetchall())
    for model in ("test-model@1", "other-model@2"):
        store.scores.register_model(ModelInfo(model, "test", model, ("insult",)))
        store.scores.save(
            ScoreRow(i, model, {"insult": s if model == "test-model@1" else 1 - s}, hashes[i])
            for i, s in enumerate(SCORES, 1)
        )
    policy = load_policy("news-comments")
    ref = PolicyRef(policy.name, policy.hash, frozenset(label.key for label in policy.labels))
    for i in range(1, 13):
        if i in INSULTS:
            store.labels.add(i, "insult", moderator="ana", policy=ref)
        else:
            store.labels.approve(i, moderator="ana", policy=ref)
    store.labels.approve(11, moderator="bob", policy=ref)
    store.labels.add(
        12, "insult", moderator="policy:news-comments", policy=ref, actor_kind="policy"
    )
    store.close()
    return db


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})


def test_hand_counted_matrix_auc_and_ap(labeled_db) -> None:
    result = run("evaluate", "--db", str(labeled_db), "--policy", "news-comments", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["reviewed"] == 12 and report["non_human_verdicts_excluded"] == 1
    insult = next(label for label in report["labels"] if label["label"] == "insult")
    assert (insult["positives"], insult["negatives"], insult["tied"]) == (5, 6, 1)
    measured = {a["model"]: a for a in insult["attributes"]}
    ours = measured["test-model@1"]
    assert ours["roc_auc"] == pytest.approx(19 / 30)
    assert ours["average_precision"] == pytest.approx(0.2 * (1 + 2 / 3 + 3 / 5 + 4 / 7 + 5 / 10))
    [at] = ours["thresholds"]
    assert (at["rule"], at["op"], at["threshold"]) == ("insult-score", ">=", 0.75)
    assert (at["tp"], at["fp"], at["fn"], at["tn"]) == (2, 2, 3, 4)
    assert (at["precision"], at["recall"]) == (0.5, 0.4)
    # the other model scores 1 - s: every pair flips (no ties)
    assert measured["other-model@2"]["roc_auc"] == pytest.approx(11 / 30)
    # labels with no positives are reported thin, not measured (11 is tied on
    # insult only: on threat it is a negative, so 12 negatives)
    threat = next(label for label in report["labels"] if label["label"] == "threat")
    assert threat["thin"] and threat["attributes"] == []


def test_model_selector_and_tables(labeled_db) -> None:
    result = run("evaluate", "--db", str(labeled_db), "--model", "test-model", "--label", "insult")
    assert result.exit_code == 0, result.output
    assert "test-model@1" in result.output and "other-model@2" not in result.output
    assert "0.633" in result.output and "P 0.50 R 0.40 (TP 2 FP 2 FN 3 TN 4)" in result.output
    assert "5 positive, 6 negative, 1 tied (left out)" in result.output


def test_thin_labels_are_refused_in_one_line(labeled_db, tmp_path) -> None:
    result = run("evaluate", "--db", str(labeled_db), "--label", "threat")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "threat: 0 positive and 12 negative" in lines[0] and "at least 5" in lines[0]
    thin = tmp_path / "thin.csv"
    thin.write_text("text,toxic\nyou idiot,1\nhello,0\nthanks,0\n", encoding="utf-8")
    result = run(
        "evaluate", "--input", str(thin), "--label-column", "toxic", "--scorer", "profanity-check"
    )
    assert result.exit_code == 1 and "toxic: 1 positive and 2 negative" in result.output


def test_labeled_file_is_scored_and_measured(tmp_path) -> None:
    rows = [("you stupid fucking idiot", 1), ("shit, what a moron", 1), ("fuck off", 1),
            ("you are a dumb bastard", 1), ("idiots and morons, all of you", 1),
            ("thanks for the article", 0), ("I agree with the author", 0),
            ("the weather is nice today", 0), ("see you at the meeting", 0),
            ("a well argued piece", 0)]  # fmt: skip
    path = tmp_path / "labeled.jsonl"
    path.write_text(
        "\n".join(json.dumps({"body": t, "toxic": y}) for t, y in rows), encoding="utf-8"
    )
    result = run("evaluate", "--input", str(path), "--text-column", "body",
                 "--label-column", "toxic", "--scorer", "profanity-check", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    [label] = json.loads(result.output[result.output.index("{") :])["labels"]
    [profanity] = label["attributes"]
    assert profanity["model"].startswith("profanity-check@") and profanity["positives"] == 5
    from profanity_check import predict_prob

    values = list(predict_prob([t for t, _ in rows]))
    assert profanity["roc_auc"] == pytest.approx(roc_auc(values, [bool(y) for _, y in rows]))
    bad = tmp_path / "bad.csv"
    bad.write_text("text,toxic\nhello,maybe\n", encoding="utf-8")
    result = run(
        "evaluate", "--input", str(bad), "--label-column", "toxic", "--scorer", "profanity-check"
    )
    assert result.exit_code == 1 and f"{bad}:2: label 'maybe'" in result.output


def test_metrics_agree_with_scikit_learn_with_ties() -> None:
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = random.Random(5)
    for _ in range(30):
        n = rng.randint(2, 40)
        truth = [rng.random() < 0.4 for _ in range(n)]
        truth[0], truth[1] = True, False
        scores = [round(rng.random(), 1) for _ in range(n)]  # many ties
        assert roc_auc(scores, truth) == pytest.approx(roc_auc_score(truth, scores))
        assert average_precision(scores, truth) == pytest.approx(
            average_precision_score(truth, scores)
        )


def test_evaluate_on_stored_scores_stays_light(labeled_db) -> None:
    """No numpy, scikit-learn or torch: evaluate reads stored scores."""
    import subprocess
    import sys

    code = (
        "import sys, json, atexit\n"
        "atexit.register(lambda: print('MODULES=' + json.dumps(sorted(sys.modules)), "
        "file=sys.stderr))\n"
        "from modtool.cli import main\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "evaluate", "--db", str(labeled_db), "--label", "insult"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES="))
    modules = json.loads(line.removeprefix("MODULES="))
    assert not [m for m in modules if m.split(".")[0] in {"numpy", "sklearn", "torch", "scipy"}]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("deep.jsonl", "[" * 200_000 + "]" * 200_000 + "\n", "deep.jsonl: line 1 column"),
        ("digits.jsonl", '{"text": "hi", "toxic": ' + "9" * 5000 + "}\n", "digits.jsonl: line 1"),
        (
            "nan.jsonl",
            '{"text": "hi", "toxic": 0}\n{"text": NaN, "toxic": 1}\n',
            "nan.jsonl: line 2",
        ),
        ("list.jsonl", '{"text": "hi", "toxic": 0}\n[1, 2]\n', "list.jsonl:2: not a JSON object"),
        ("big.csv", 'text,toxic\n"' + "a" * 200_000 + '",1\n', "big.csv:2: not a readable CSV"),
        ("bare.csv", "you idiot,1\nhello,0\n", "a file without a header: --no-header"),
    ],
)
def test_a_hostile_labeled_file_is_one_line(tmp_path, name: str, content: str, says: str) -> None:
    """Labeled files are untrusted: JSON Lines go through modtool.jsonsafe's bounds
    (a 200,000-deep line raised RecursionError with a traceback), CSV errors name
    their line, and a file without a header is told how to read it."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run(
        "evaluate", "--input", str(path), "--label-column", "toxic", "--scorer", "profanity-check"
    )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("modtool: error: ") and says in lines[0], lines
    assert "Traceback" not in result.output
