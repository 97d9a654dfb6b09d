"""Calibration of a policy's score thresholds on a constructed case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modtool.analysis.calibrate import SWEEP, calibrate, rules_without_data
from modtool.models import ModelInfo, ScoreRow
from modtool.policy import load_policy
from modtool.store import Store
from modtool.store.dataset import Selection

MODEL = "detoxify/original@test"
POLICY_TOML = """
name = "calib-test"
version = "1"
description = "A constructed policy for calibration tests."

[[labels]]
key = "ok"
name = "OK"
action = "approve"
hotkey = "a"
colour = "green"
guidance = "Nothing wrong."

[[labels]]
key = "insult"
name = "Insult"
action = "remove"
hotkey = "1"
colour = "red"
guidance = "Insulting."

[[rules]]
id = "insult-score"
label = "insult"
score = "toxicity"
model = "detoxify"
min = 0.5

[[rules]]
id = "clean"
label = "ok"
score = "toxicity"
model = "detoxify"
max = 0.15

[[rules]]
id = "threat-score"
label = "insult"
score = "threat"
model = "detoxify"
min = 0.9
"""
# comment: toxicity, the moderators' verdict (both alice and bob unless noted)
CASE = {
    1: (0.1, "ok"),
    2: (0.2, "ok"),
    3: (0.3, "ok"),
    4: (0.4, "insult"),
    5: (0.6, "insult"),
    6: (0.7, "insult"),
    7: (0.8, "ok"),
    8: (0.9, "insult"),
    9: (0.95, "tie"),  # alice insult, bob approves: left out
    10: (0.99, None),  # nobody reviewed it: left out
}


@pytest.fixture
def calibrated(sample_store: Store, tmp_path: Path) -> tuple[Store, Path]:
    path = tmp_path / "calib-test.toml"
    path.write_text(POLICY_TOML, encoding="utf-8")
    policy = load_policy(path)
    store = sample_store
    store.scores.register_model(ModelInfo(MODEL, "detoxify", "original", ("toxicity",)))
    hashes = {c.id: c.content_hash for c in store.comments.iter_thread(1)}
    store.scores.save(ScoreRow(i, MODEL, {"toxicity": v}, hashes[i]) for i, (v, _) in CASE.items())
    for comment_id, (_, verdict) in CASE.items():
        for moderator in ("alice", "bob"):
            if verdict == "insult" or (verdict == "tie" and moderator == "alice"):
                store.labels.add(comment_id, "insult", moderator=moderator, policy=policy.ref)
            elif verdict in ("ok", "tie"):
                store.labels.approve(comment_id, moderator=moderator, policy=policy.ref)
    return store, path


def test_constructed_case(calibrated: tuple[Store, Path]) -> None:
    store, path = calibrated
    policy = load_policy(path)
    rows = store.dataset.iter_rows(Selection(policy=policy.name, labeled_only=True))
    results = {c.rule: c for c in calibrate(rows, policy)}
    assert set(results) == {"insult-score", "clean"}
    assert rules_without_data(policy, list(results.values())) == ["threat-score"]

    insult = results["insult-score"]
    assert (insult.model, insult.op, insult.threshold) == (MODEL, ">=", 0.5)
    assert (insult.items, insult.positives) == (8, 4)
    # >= 0.5 flags 0.6 0.7 0.8 0.9: TP 3 (0.6 0.7 0.9), FP 1 (0.8), FN 1 (0.4), TN 3
    current = insult.current
    assert (current.tp, current.fp, current.fn, current.tn) == (3, 1, 1, 3)
    assert current.precision == pytest.approx(0.75) and current.recall == pytest.approx(0.75)
    assert current.f1 == pytest.approx(0.75)
    # >= 0.35 and >= 0.4 both flag 0.4 … 0.9: TP 4, FP 1, F1 = 8/9; 0.4 is nearer 0.5
    assert insult.best.threshold == 0.4
    assert insult.best.f1 == pytest.approx(8 / 9)
    assert insult.best.precision == pytest.approx(0.8) and insult.best.recall == 1.0
    assert [p.threshold for p in insult.sweep] == list(SWEEP)
    low = next(p for p in insult.sweep if p.threshold == 0.05)
    assert (low.tp, low.fp, low.fn, low.tn) == (4, 4, 0, 0)
    high = next(p for p in insult.sweep if p.threshold == 0.95)
    assert (high.tp, high.fp) == (0, 0) and high.precision is None and high.f1 == 0.0

    clean = results["clean"]
    # truth: reviewed with no label (1 2 3 7); <= 0.15 catches only 1
    assert (clean.op, clean.items, clean.positives) == ("<=", 8, 4)
    assert (clean.current.tp, clean.current.fp, clean.current.fn) == (1, 0, 3)
    assert clean.current.f1 == pytest.approx(2 / 5)
    assert [p.threshold for p in clean.sweep] == sorted({*SWEEP, 0.15})
    # <= 0.3 and <= 0.35 catch 1 2 3: F1 = 6/7; 0.3 is nearer 0.15
    assert clean.best.threshold == 0.3 and clean.best.f1 == pytest.approx(6 / 7)


def test_calibrate_cli(calibrated: tuple[Store, Path], run_cli) -> None:
    _, path = calibrated
    result = run_cli("calibrate", "--policy", path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["policy"] == "calib-test" and report["untested_rules"] == ["threat-score"]
    insult = next(c for c in report["calibrations"] if c["rule"] == "insult-score")
    assert insult["best"]["threshold"] == 0.4 and insult["current"]["f1"] == pytest.approx(0.75)
    result = run_cli("calibrate", "--policy", path)
    assert result.returncode == 0, result.stderr
    assert "★ best" in result.stdout and "← current" in result.stdout
    result = run_cli("calibrate", "--policy", "news-comments")
    assert (
        result.returncode == 1
        and "no comments reviewed under policy news-comments" in result.stderr
    )
    result = run_cli("calibrate", "--policy", "missing.toml")
    assert result.returncode == 1 and result.stderr.count("\n") == 1


def test_no_best_without_a_positive(calibrated: tuple[Store, Path]) -> None:
    store, path = calibrated
    policy = load_policy(path)
    rows = [
        r
        for r in store.dataset.iter_rows(Selection(policy=policy.name, labeled_only=True))
        if r.id in {1, 2, 3, 7}
    ]  # all approved: nobody said insult
    results = {c.rule: c for c in calibrate(rows, policy)}
    insult = results["insult-score"]
    assert (insult.items, insult.positives) == (4, 0)
    assert insult.best is None
    assert (insult.current.tp, insult.current.fp, insult.current.tn) == (0, 1, 3)  # 0.8 flagged
    assert results["clean"].best is not None
