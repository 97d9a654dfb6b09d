"""The scorer protocol and the records the pipeline returns (no torch here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from modtool.models import ModelInfo


@dataclass(frozen=True, slots=True)
class TextScore:
    """Scores of one text: ``{attribute: value in [0, 1]}``.

    ``windowed`` is true when the text was longer than the model's maximum and
    was scored in overlapping token windows (each attribute is the maximum
    over the windows).
    """

    scores: dict[str, float]
    windowed: bool = False


@runtime_checkable
class Scorer(Protocol):
    """A toxicity scorer: one backend module implements it.

    ``model`` is what the store records (a precise id such as
    ``detoxify/original@3f2a9c1e5b7d`` or ``profanity-check@1.9.1``, the
    attribute names, details). ``headline_attribute`` is the attribute the
    summary ranks by. ``note`` is set when ``auto`` chose this scorer as a
    fallback (one line: why, and how to get the better one), else ``None``.
    """

    model: ModelInfo
    headline_attribute: str
    note: str | None

    @property
    def attributes(self) -> tuple[str, ...]: ...

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        """Score ``texts``; the result has one entry per text, in the same order."""
        ...


@dataclass(slots=True)
class ScoreSummary:
    """What one :func:`modtool.scoring.score_store` run did.

    ``scored``: comments that got scores in this run (duplicates included);
    ``skipped``: present comments already scored by this model at their current
    content; ``unique_texts``: distinct texts sent to the model; ``windowed``:
    comments scored in windows; ``stopped``: ``should_stop`` ended the run early
    (everything up to the last finished batch is committed); ``top``: the most
    toxic comments in scope by ``attribute``, ``(comment_id, value)`` best first.
    """

    model: str
    attribute: str
    total: int = 0
    scored: int = 0
    skipped: int = 0
    unique_texts: int = 0
    windowed: int = 0
    batches: int = 0
    seconds: float = 0.0
    stopped: bool = False
    note: str | None = None
    top: list[tuple[int, float]] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.scored / self.seconds if self.seconds > 0 else 0.0
