"""The other Detoxify architectures (unbiased: RoBERTa, multilingual: XLM-R,
small: ALBERT) on tiny offline checkpoints: stock Detoxify parity, the variant
in the model id, windows of a long text."""

from __future__ import annotations

from pathlib import Path

import pytest

from modtool.scoring import make_scorer
from tests.scoring_helpers import forbid_sockets
from tests.tiny_detoxify import build_family

TEXTS = [
    "you are an idiot",
    "thanks for the great article about korea",
    "hello",
    "shut up, loser!",
    "why why why",
]
LONG = " ".join(["you are stupid and the cat sat on the mat, what a fool"] * 8)
FAMILIES = {"roberta": "unbiased", "xlm-roberta": "multilingual", "albert": "original-small"}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    forbid_sockets(monkeypatch)


@pytest.fixture(scope="module")
def families(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("families")
    return {family: build_family(root, family) for family in FAMILIES}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_matches_stock_detoxify_and_windows(families, family) -> None:
    from detoxify import Detoxify

    checkpoint, hf_dir = families[family]
    stock = Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(hf_dir))
    ours = make_scorer("detoxify", checkpoint=checkpoint, hf_config=hf_dir)
    assert ours.model.id.startswith(f"detoxify/{FAMILIES[family]}@")
    limit = stock.tokenizer.model_max_length
    assert all(len(stock.tokenizer(t)["input_ids"]) <= limit for t in TEXTS)
    expected = stock.predict(TEXTS)
    results = ours.score(TEXTS)
    assert list(results[0].scores) == list(expected)
    for i, result in enumerate(results):
        assert not result.windowed
        for attribute, values in expected.items():
            assert result.scores[attribute] == pytest.approx(values[i], abs=1e-4)
    assert (
        len(stock.tokenizer(LONG)["input_ids"]) > limit
        or len(stock.tokenizer(LONG, truncation=False)["input_ids"]) > limit
    )
    [long_result] = ours.score([LONG])
    truncated = stock.predict([LONG, "hello"])
    assert long_result.windowed
    for attribute in expected:
        assert long_result.scores[attribute] >= truncated[attribute][0] - 1e-6
