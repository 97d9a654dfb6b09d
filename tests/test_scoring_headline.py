"""The headline rule and import hygiene of modtool.scoring (no torch on import)."""

from __future__ import annotations

import subprocess
import sys

from modtool.scoring.headline import Headline, headline

DETOX_A = "detoxify/original@aaaaaaaaaaaa"
DETOX_B = "detoxify/unbiased@bbbbbbbbbbbb"
PROF = "profanity-check@1.9.1"


def test_prefers_detoxify_toxicity_over_larger_other_scores() -> None:
    scores = {
        PROF: {"profanity": 0.9},
        DETOX_A: {"toxicity": 0.2, "insult": 0.7},
    }
    assert headline(scores) == Headline(DETOX_A, "toxicity", 0.2)


def test_several_detoxify_models_registration_order_wins() -> None:
    scores = {DETOX_A: {"toxicity": 0.1}, DETOX_B: {"toxicity": 0.6}}
    assert headline(scores, order=[DETOX_B, DETOX_A]).model == DETOX_A
    assert headline(scores, order=[DETOX_A, DETOX_B]).model == DETOX_B
    # without an order, the original variant ranks first
    assert headline(scores).model == DETOX_A


def test_profanity_check_max_when_no_detoxify() -> None:
    scores = {PROF: {"profanity": 0.4}, "other@1": {"x": 0.95}}
    assert headline(scores) == Headline(PROF, "profanity", 0.4)


def test_max_over_everything_otherwise_and_none_when_empty() -> None:
    scores = {"a@1": {"x": 0.3, "y": 0.8}, "b@2": {"z": 0.5}}
    assert headline(scores) == Headline("a@1", "y", 0.8)
    assert headline({}) is None
    assert headline({"a@1": {}}) is None


def test_detoxify_without_toxicity_attribute_is_not_preferred() -> None:
    scores = {"detoxify/custom@c": {"insult": 0.9}, PROF: {"profanity": 0.1}}
    assert headline(scores) == Headline(PROF, "profanity", 0.1)


def test_importing_scoring_and_cli_does_not_import_torch() -> None:
    code = (
        "import sys, modtool.scoring, modtool.scoring.headline, modtool.cli\n"
        "bad = [m for m in ('torch', 'transformers', 'detoxify', 'textual') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
