"""The Detoxify backend on tiny checkpoints: the real stock Detoxify path, parity,
windows, offline loading of a hub-named checkpoint, bad checkpoints. No network."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest

from modtool.errors import InputError, ModtoolError
from modtool.ingest import import_path
from modtool.scoring import make_scorer, score_store
from tests.scoring_helpers import forbid_sockets, write_thread
from tests.tiny_detoxify import TinyDetoxify

FITTING = [
    "you are an idiot",
    "thanks for the great article about korea",
    "hello",
    "the cat sat on the mat and the dog said hello",
    "shut up loser, nobody cares what you think",
    "Peace talks? North and South Korea are still at war!",
    "",
    "why why why",
]
LONG = " ".join(["you are stupid and the cat sat on the mat, what a fool"] * 6)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return forbid_sockets(monkeypatch)


@pytest.fixture(scope="module")
def stock(tiny_detoxify: TinyDetoxify):
    from detoxify import Detoxify

    return Detoxify(
        checkpoint=str(tiny_detoxify.checkpoint), huggingface_config_path=str(tiny_detoxify.hf_dir)
    )


@pytest.fixture(scope="module")
def scorer(tiny_detoxify: TinyDetoxify):
    return make_scorer(
        "detoxify", checkpoint=tiny_detoxify.checkpoint, hf_config=tiny_detoxify.hf_dir
    )


def _token_count(stock, text: str) -> int:
    return len(stock.tokenizer(text)["input_ids"])


def test_fitting_texts_match_stock_detoxify_predict(stock, scorer, tiny_detoxify) -> None:
    assert all(_token_count(stock, t) <= tiny_detoxify.max_length for t in FITTING)
    expected = stock.predict(FITTING)
    assert list(expected) == list(tiny_detoxify.classes)
    ours = scorer.score(FITTING)
    assert len(ours) == len(FITTING)
    for i, result in enumerate(ours):
        assert not result.windowed
        assert list(result.scores) == list(tiny_detoxify.classes)
        for attribute, values in expected.items():
            assert result.scores[attribute] == pytest.approx(values[i], abs=1e-4)
    # the scores are not all alike (the parity check would be weak otherwise)
    toxicity = [r.scores["toxicity"] for r in ours]
    assert max(toxicity) - min(toxicity) > 0.01


def test_pipeline_over_the_store_matches_predict(stock, scorer, store, tmp_path: Path) -> None:
    bodies = [t for t in FITTING if t]  # an empty comment body is not importable
    result = import_path(store, write_thread(tmp_path / "t.txt", bodies))
    summary = score_store(store, scorer, thread_id=result.thread_id, batch_size=3)
    assert summary.scored == len(bodies) and summary.windowed == 0
    expected = stock.predict(bodies)
    stored = store.scores.for_thread(result.thread_id)
    for comment in store.comments.for_thread(result.thread_id):
        scores = stored[comment.id][scorer.model.id]
        index = bodies.index(comment.body)
        for attribute, values in expected.items():
            assert scores[attribute] == pytest.approx(values[index], abs=1e-4)


def test_model_id_is_variant_and_checkpoint_hash(scorer, tiny_detoxify) -> None:
    digest = hashlib.sha256(tiny_detoxify.checkpoint.read_bytes()).hexdigest()
    assert scorer.model.id == f"detoxify/original@{digest[:12]}"
    assert scorer.model.attributes == tiny_detoxify.classes
    assert scorer.model.details["sha256"] == digest
    assert scorer.note is None
    assert scorer.fast_last_layer  # the [CLS]-only last layer passed its exactness check


def _manual_windows(tokenizer, text: str, max_length: int) -> list[list[int]]:
    """The documented rule, written out: windows of max_length tokens (with [CLS]
    and [SEP]) overlapping by a quarter of max_length."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    content = max_length - 2
    step = content - max_length // 4
    windows, start = [], 0
    while True:
        windows.append(
            [tokenizer.cls_token_id, *ids[start : start + content], tokenizer.sep_token_id]
        )
        if start + content >= len(ids):
            return windows
        start += step


def test_long_text_is_scored_in_windows_keeping_the_max(stock, scorer, tiny_detoxify) -> None:
    import torch

    windows = _manual_windows(stock.tokenizer, LONG, tiny_detoxify.max_length)
    assert len(windows) >= 3
    with torch.no_grad():
        probs = [torch.sigmoid(stock.model(input_ids=torch.tensor([w]))[0])[0] for w in windows]
    expected = torch.stack(probs).max(dim=0).values.tolist()
    [result] = scorer.score([LONG])
    assert result.windowed
    for i, attribute in enumerate(tiny_detoxify.classes):
        assert result.scores[attribute] == pytest.approx(expected[i], abs=1e-4)
    # Detoxify truncates to the first window; the maximum can only be higher.
    truncated = stock.predict([LONG, "hello"])  # one text would be squeezed to a float
    for attribute in tiny_detoxify.classes:
        assert result.scores[attribute] >= truncated[attribute][0] - 1e-6


def test_mixed_batch_with_long_text_keeps_short_ones_exact(stock, scorer) -> None:
    ours = scorer.score([LONG, *FITTING[:3]])
    expected = stock.predict(FITTING[:3])
    assert ours[0].windowed and not any(r.windowed for r in ours[1:])
    for i, result in enumerate(ours[1:]):
        assert result.scores["toxicity"] == pytest.approx(expected["toxicity"][i], abs=1e-4)


def test_hub_named_checkpoint_loads_offline_from_local_config(tiny_detoxify) -> None:
    """Real releases name ``bert-base-uncased``: stock Detoxify asks the hub even
    with huggingface_config_path; modtool builds the config from the local dir."""
    from detoxify import Detoxify

    with pytest.raises(OSError):
        Detoxify(
            checkpoint=str(tiny_detoxify.hub_named),
            huggingface_config_path=str(tiny_detoxify.hf_dir),
        )
    ours = make_scorer(
        "detoxify", checkpoint=tiny_detoxify.hub_named, hf_config=tiny_detoxify.hf_dir
    )
    [result] = ours.score(["you are an idiot"])
    assert set(result.scores) == set(tiny_detoxify.classes)
    assert all(0.0 <= v <= 1.0 for v in result.scores.values())
    # without --hf-config it must say how to fix it, in one line
    with pytest.raises(ModtoolError, match="--hf-config") as info:
        make_scorer("detoxify", checkpoint=tiny_detoxify.hub_named)
    assert "\n" not in str(info.value)


def test_quantized_model_has_its_own_id_and_sane_scores(scorer, tiny_detoxify) -> None:
    quantized = make_scorer("detoxify", checkpoint=tiny_detoxify.checkpoint, quantize=True)
    assert quantized.model.id == scorer.model.id + "+int8"
    results = quantized.score(FITTING)
    for result, exact in zip(results, scorer.score(FITTING), strict=True):
        for attribute, value in result.scores.items():
            assert math.isfinite(value) and 0.0 <= value <= 1.0
            assert abs(value - exact.scores[attribute]) < 0.2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a pickle at all", "not a readable Detoxify checkpoint"),
        (None, "not a Detoxify checkpoint"),
    ],
)
def test_broken_checkpoint_is_one_clear_line(tmp_path: Path, content, message) -> None:
    path = tmp_path / "broken.ckpt"
    if content is None:
        import torch

        torch.save({"state_dict": {}}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        make_scorer("detoxify", checkpoint=path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_weights_that_do_not_fit_the_config(tmp_path: Path, tiny_detoxify) -> None:
    from tests.tiny_detoxify import build_checkpoint, build_hf_dir, make_vocab

    other = build_hf_dir(
        tmp_path / "wide", vocab=make_vocab(), max_length=24, hidden=48, heads=2, intermediate=64
    )
    with pytest.raises(InputError, match="weights do not fit"):
        make_scorer("detoxify", checkpoint=tiny_detoxify.checkpoint, hf_config=other)
    assert build_checkpoint  # imported helper is the one the fixture uses


def test_bad_options(tiny_detoxify, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such checkpoint"):
        make_scorer("detoxify", checkpoint=tmp_path / "missing.ckpt")
    with pytest.raises(InputError, match="CUDA"):
        make_scorer("detoxify", checkpoint=tiny_detoxify.checkpoint, device="cuda")
    with pytest.raises(InputError, match="not a device"):
        make_scorer("detoxify", checkpoint=tiny_detoxify.checkpoint, device="toaster")
    with pytest.raises(InputError, match=r"config\.json"):
        make_scorer("detoxify", checkpoint=tiny_detoxify.checkpoint, hf_config=tmp_path)
    with pytest.raises(InputError, match="unknown scorer"):
        make_scorer("perspective")


def test_no_socket_was_opened(_offline: list[object], scorer) -> None:
    scorer.score(["hello"])
    assert _offline == []
