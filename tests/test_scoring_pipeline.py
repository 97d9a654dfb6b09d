"""score_store over a real SQLite file: resume, dedup, edits, side-by-side models,
progress, and ``auto``'s choice. No network."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from modtool.ingest import import_path
from modtool.models import ModelInfo
from modtool.scoring import make_scorer, score_store
from modtool.scoring.base import TextScore
from modtool.store import Store, open_store
from tests.scoring_helpers import forbid_sockets, write_thread


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[object]:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    return forbid_sockets(monkeypatch)


class CountingScorer:
    """A real scorer wrapped to record what it was asked (and optionally fail)."""

    def __init__(self, inner, fail_on_call: int | None = None) -> None:
        self.inner = inner
        self.model = inner.model
        self.headline_attribute = inner.headline_attribute
        self.note = None
        self.calls: list[list[str]] = []
        self.fail_on_call = fail_on_call

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.inner.attributes

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        self.calls.append(list(texts))
        if self.fail_on_call is not None and len(self.calls) == self.fail_on_call:
            raise RuntimeError("simulated crash")
        return self.inner.score(texts)


@pytest.fixture(scope="module")
def detox(tiny_detoxify):
    return make_scorer("detoxify", checkpoint=tiny_detoxify.checkpoint)


def test_every_comment_gets_every_attribute(sample_store: Store, detox, tiny_detoxify) -> None:
    summary = score_store(sample_store, detox, batch_size=8)
    assert (summary.total, summary.scored, summary.skipped) == (27, 27, 0)
    assert summary.batches == 4
    scores = sample_store.scores.for_thread(1)
    assert sorted(scores) == list(range(1, 28))
    for by_model in scores.values():
        assert set(by_model[detox.model.id]) == set(tiny_detoxify.classes)
    # the sample has long comments: the tiny model (24 tokens) windows them, and says so
    assert summary.windowed > 0
    windowed_ids = [c for c in range(1, 28) if detox.model.id in sample_store.scores.windowed(c)]
    assert len(windowed_ids) == summary.windowed
    # top: the highest toxicity, best first, drawn from the stored scores
    toxicity = {c: m[detox.model.id]["toxicity"] for c, m in scores.items()}
    best = sorted(toxicity.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert summary.top == [(c, pytest.approx(v)) for c, v in best]
    assert [m.id for m in sample_store.scores.models()] == [detox.model.id]


def test_resume_after_stop_scores_only_the_rest(sample_store: Store, detox) -> None:
    counting = CountingScorer(detox)
    checks = iter([False, False, True])
    first = score_store(sample_store, counting, batch_size=5, should_stop=lambda: next(checks))
    assert first.stopped and first.scored == 10
    assert sample_store.scores.count_scored(detox.model.id) == 10
    second = score_store(sample_store, counting, batch_size=5)
    assert (second.scored, second.skipped, second.stopped) == (17, 10, False)
    texts = [t for call in counting.calls for t in call]
    assert len(texts) == 27 == len(set(texts))  # nothing scored twice


def test_crash_keeps_committed_batches(db_path: Path, sample_path: Path, detox) -> None:
    store = open_store(db_path)
    import_path(store, sample_path)
    crashing = CountingScorer(detox, fail_on_call=3)
    with pytest.raises(RuntimeError, match="simulated crash"):
        score_store(store, crashing, batch_size=4)
    store.close()
    reopened = open_store(db_path)  # what a new process would see
    assert reopened.scores.count_scored(detox.model.id) == 8
    rest = score_store(reopened, detox, batch_size=4)
    assert (rest.scored, rest.skipped) == (19, 8)


def test_identical_texts_are_scored_once(store: Store, tmp_path: Path, detox) -> None:
    doc = write_thread(
        tmp_path / "dup.txt",
        ["same words here", "other words", "same words here", "same words here"],
    )
    import_path(store, doc)
    counting = CountingScorer(detox)
    summary = score_store(store, counting)
    assert summary.scored == 4 and summary.unique_texts == 2
    assert sorted(t for call in counting.calls for t in call) == ["other words", "same words here"]
    stored = store.scores.for_thread(1)
    assert stored[1] == stored[3] == stored[4] != stored[2]


def test_edited_comment_is_rescored_and_reimport_keeps_scores(
    store: Store, tmp_path: Path, detox
) -> None:
    doc = write_thread(tmp_path / "t.txt", ["first comment", "second comment", "third one"])
    import_path(store, doc)
    score_store(store, detox)
    import_path(store, doc)  # a re-import of the same document drops nothing
    assert store.scores.count_scored(detox.model.id) == 3
    write_thread(doc, ["first comment", "second comment, now edited to be rude idiot", "third one"])
    import_path(store, doc)
    counting = CountingScorer(detox)
    again = score_store(store, counting)
    assert counting.calls == [["second comment, now edited to be rude idiot"]]
    assert (again.scored, again.skipped) == (1, 2)
    assert store.scores.count_scored(detox.model.id) == 3


def test_two_models_side_by_side_and_progress(sample_store: Store, detox) -> None:
    profanity = make_scorer("profanity-check")
    seen: list[tuple[int, int]] = []
    score_store(
        sample_store,
        detox,
        thread_id=1,
        batch_size=10,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(0, 27), (10, 27), (20, 27), (27, 27)]
    score_store(sample_store, profanity, thread_id=1)
    both = sample_store.scores.for_comment(4)
    assert set(both) == {detox.model.id, profanity.model.id}
    assert set(both[profanity.model.id]) == {"profanity"}
    # a clearly profane comment (#4 ends "Dumb, high IQ, f*cks!") ranks first
    assert score_store(sample_store, profanity).top[0][0] == 4


def test_profanity_check_model_id_names_the_package_version() -> None:
    from importlib.metadata import version

    scorer = make_scorer("profanity-check")
    assert scorer.model.id == f"profanity-check@{version('alt-profanity-check')}"
    assert scorer.attributes == ("profanity",)
    high, low = scorer.score(["you stupid f*cking idiot", "thank you for the article"])
    assert high.scores["profanity"] > 0.5 > low.scores["profanity"]


def test_auto_falls_back_offline_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.perf_counter()
    scorer = make_scorer("auto")
    assert time.perf_counter() - started < 10
    assert scorer.model.id.startswith("profanity-check@")
    assert "offline" in scorer.note and "modtool models fetch original" in scorer.note
    assert "\n" not in scorer.note


def test_auto_does_not_hang_on_an_unanswering_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from modtool.scoring import registry

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("MODTOOL_OFFLINE", raising=False)
    released = threading.Event()

    def never_answers(*args: object, **kwargs: object) -> None:
        released.wait(30)  # until the test is over: then fail like a dropped packet
        raise OSError("timed out")

    monkeypatch.setattr(socket, "create_connection", never_answers)
    started = time.perf_counter()
    try:
        scorer = make_scorer("auto")
        elapsed = time.perf_counter() - started
    finally:
        released.set()
    assert elapsed < registry.PROBE_SECONDS + 3
    assert scorer.model.id.startswith("profanity-check@")
    assert "cannot be reached" in scorer.note


def test_auto_uses_cached_or_given_detoxify(tmp_path: Path, tiny_detoxify, detox) -> None:
    given = make_scorer("auto", checkpoint=tiny_detoxify.checkpoint)
    assert given.model.id == detox.model.id and given.note is None
    cache = tmp_path / "torch-home" / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    shutil.copy(tiny_detoxify.checkpoint, cache / "toxic_original-c1212f89.ckpt")
    cached = make_scorer("auto")
    assert cached.model.id.startswith("detoxify/original@") and cached.note is None
    assert cached.model.id == detox.model.id  # same file, same hash


def test_auto_reports_a_broken_cached_checkpoint_and_falls_back(tmp_path: Path) -> None:
    cache = tmp_path / "torch-home" / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    (cache / "toxic_original-c1212f89.ckpt").write_bytes(b"truncated download")
    scorer = make_scorer("auto")
    assert scorer.model.id.startswith("profanity-check@")
    assert "not a readable Detoxify checkpoint" in scorer.note


def test_headline_over_stored_scores(sample_store: Store, detox) -> None:
    from modtool.scoring import headline

    score_store(sample_store, make_scorer("profanity-check"))
    score_store(sample_store, detox)
    order = [m.id for m in sample_store.scores.models()]
    found = headline(sample_store.scores.for_comment(4), order=order)
    assert found.model == detox.model.id and found.attribute == "toxicity"


def test_batch_size_must_be_positive(sample_store: Store, detox) -> None:
    from modtool.errors import InputError

    with pytest.raises(InputError):
        score_store(sample_store, detox, batch_size=0)
    assert sample_store.scores.count_scored(detox.model.id) == 0


def test_model_info_is_recorded_with_details(sample_store: Store, detox) -> None:
    score_store(sample_store, detox)
    [model] = sample_store.scores.models()
    assert isinstance(model, ModelInfo)
    assert model.scorer == "detoxify" and model.details["sha256"].startswith(model.id.split("@")[1])
