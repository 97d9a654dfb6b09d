"""Toxicity scoring: a small :class:`Scorer` protocol, one module per backend.

Library API (no torch is imported until a Detoxify scorer is built)::

    from modtool.scoring import make_scorer, score_store
    scorer = make_scorer("auto")          # or "detoxify", "profanity-check"
    if scorer.note:                        # auto fell back: one line saying why
        print(scorer.note, file=sys.stderr)
    summary = score_store(store, scorer, thread_id=None, batch_size=32,
                          progress=lambda done, total: ...,
                          should_stop=lambda: False)

``score_store`` may be called from a worker thread; it commits every batch.
"""

from __future__ import annotations

from modtool.scoring.base import Scorer, ScoreSummary, TextScore
from modtool.scoring.headline import Headline, headline
from modtool.scoring.pipeline import score_store, score_texts
from modtool.scoring.registry import MODEL_TYPES, SCORERS, make_scorer

__all__ = [
    "MODEL_TYPES",
    "SCORERS",
    "Headline",
    "ScoreSummary",
    "Scorer",
    "TextScore",
    "headline",
    "make_scorer",
    "score_store",
    "score_texts",
]
