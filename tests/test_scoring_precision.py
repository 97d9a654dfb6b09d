"""Precision modes: fp32 / bf16 / int8 each get their own model id and their own
score rows, bf16 is refused where the CPU cannot run it natively. No network."""

from __future__ import annotations

import math
import sqlite3

import pytest

from modtool.errors import InputError
from modtool.scoring.precision import cpu_capability, resolve
from tests.scoring_helpers import go_offline, tiny_scorer

TEXTS = ["you are an idiot", "thanks for the article", "the cat sat on the mat " * 4]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    go_offline(monkeypatch)


_build = tiny_scorer


def test_each_precision_has_its_own_model_id(tiny_detoxify) -> None:
    exact = _build(tiny_detoxify)
    assert exact.model.details["precision"] == "fp32" and "+" not in exact.model.id
    int8 = _build(tiny_detoxify, precision="int8")
    assert int8.model.id == exact.model.id + "+int8"
    assert _build(tiny_detoxify, quantize=True).model.id == int8.model.id  # the alias
    reference = exact.score(TEXTS)
    modes = [int8]
    if cpu_capability().bf16:
        bf16 = _build(tiny_detoxify, precision="bf16")
        assert bf16.model.id == exact.model.id + "+bf16"
        assert bf16.model.details["precision"] == "bf16"
        modes.append(bf16)
    else:
        with pytest.raises(InputError, match="no native bfloat16") as info:
            _build(tiny_detoxify, precision="bf16")
        assert "\n" not in str(info.value)
    for scorer in modes:
        for ours, exact_result in zip(scorer.score(TEXTS), reference, strict=True):
            for attribute, value in ours.scores.items():
                assert math.isfinite(value) and 0.0 <= value <= 1.0
                assert abs(value - exact_result.scores[attribute]) < 0.05
                # low precision is not secretly the exact model
        assert any(
            ours.scores != exact_result.scores
            for ours, exact_result in zip(scorer.score(TEXTS), reference, strict=True)
        )


def test_contradicting_options_are_refused() -> None:
    assert resolve(None, False) == "fp32" and resolve(None, True) == "int8"
    with pytest.raises(InputError, match="contradicts --precision bf16"):
        resolve("bf16", True)
    with pytest.raises(InputError, match="unknown precision"):
        resolve("fp8", False)


def test_cli_precision_scores_are_never_mixed_with_fp32(
    tiny_detoxify, sample_store, db_path
) -> None:
    """In-process CLI (torch is loaded here already): int8 after fp32 scores every
    comment again under its own id instead of skipping them."""
    from click.testing import CliRunner

    from modtool.cli import main

    base = [
        "score",
        "--scorer",
        "detoxify",
        "--checkpoint",
        str(tiny_detoxify.checkpoint),
        "--hf-config",
        str(tiny_detoxify.hf_dir),
        "--db",
        str(db_path),
    ]
    first = CliRunner().invoke(main, base)
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, [*base, "--precision", "int8"])
    assert second.exit_code == 0, second.output
    assert "+int8: scored 27, skipped 0" in second.stdout
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT model, COUNT(DISTINCT comment_id) FROM scores GROUP BY model ORDER BY model"
        ).fetchall()
    assert [count for _, count in rows] == [27, 27]
    assert rows[1][0] == rows[0][0] + "+int8"
    bad = CliRunner().invoke(main, [*base, "--precision", "bf16", "--quantize"])
    assert bad.exit_code == 1 and "contradicts" in bad.stderr
