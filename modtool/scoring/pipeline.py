"""Scoring the store: resume, dedup, length-sorted batches, commit per batch.

The store-level half of the pipeline (no torch here). It asks the store for
the comments this model has not scored at their current content (so a re-run
skips them and an edited comment is scored again), groups identical texts so
each is scored once, orders the distinct texts by length so that each batch
holds texts of similar length (the backend pads a batch only to its longest
member), and commits every batch in its own transaction: an interrupted run
(Ctrl-C, crash, ``should_stop``) loses at most the batch in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import islice

from modtool.errors import InputError
from modtool.models import ScoreRow
from modtool.scoring.base import Scorer, ScoreSummary
from modtool.store import Store

TOP = 5

Progress = Callable[[int, int], None]
ShouldStop = Callable[[], bool]


def score_store(
    store: Store,
    scorer: Scorer,
    *,
    thread_id: int | None = None,
    batch_size: int = 32,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> ScoreSummary:
    """Score every present comment (of ``thread_id``, or all) that ``scorer`` has not.

    Safe to call from a worker thread (the store's connection allows it).
    ``progress(done, total)`` is called once before the first batch and after
    every committed batch, counting comments; ``should_stop()`` is checked
    before each batch.
    """
    if batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, not {batch_size}")
    started = time.perf_counter()
    model = scorer.model
    prepare = getattr(scorer, "before_scoring", None)
    if prepare is not None:  # e.g. a site model retiring an older one's scores
        prepare(store)
    store.scores.register_model(model)
    pending = list(store.scores.unscored(model.id, thread_id))
    summary = ScoreSummary(
        model=model.id, attribute=scorer.headline_attribute, total=len(pending), note=scorer.note
    )
    summary.skipped = store.comments.count(thread_id) - len(pending)

    groups: dict[str, list[tuple[int, str]]] = {}
    for comment_id, body, content_hash in pending:
        groups.setdefault(body, []).append((comment_id, content_hash))
    # Longest first: the first batch shows at once whether memory suffices, and
    # the ETA errs on the safe side.
    texts = sorted(groups, key=len, reverse=True)
    summary.unique_texts = len(texts)

    if progress:
        progress(0, len(pending))
    iterator = iter(texts)
    while batch := list(islice(iterator, batch_size)):
        if should_stop and should_stop():
            summary.stopped = True
            break
        results = scorer.score(batch)
        rows = [
            ScoreRow(comment_id, model.id, result.scores, content_hash, result.windowed)
            for text, result in zip(batch, results, strict=True)
            for comment_id, content_hash in groups[text]
        ]
        store.scores.save(rows)
        summary.batches += 1
        summary.scored += len(rows)
        summary.windowed += sum(1 for row in rows if row.windowed)
        if progress:
            progress(summary.scored, len(pending))
    summary.seconds = time.perf_counter() - started
    summary.top = store.scores.top(
        model.id, scorer.headline_attribute, thread_id=thread_id, limit=TOP
    )
    return summary


def score_texts(scorer: Scorer, texts: list[str], *, batch_size: int = 32) -> list:
    """Score free texts (no store) with the same dedup and length ordering."""
    unique = sorted(set(texts), key=len, reverse=True)
    results = {}
    for start in range(0, len(unique), batch_size):
        batch = unique[start : start + batch_size]
        results.update(zip(batch, scorer.score(batch), strict=True))
    return [results[text] for text in texts]
