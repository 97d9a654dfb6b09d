"""The one number that summarises a comment's toxicity (no torch, no SQL).

Rule, in order:

1. a Detoxify model's ``toxicity`` attribute. With several Detoxify models, the
   one registered last wins when ``order`` (model ids in registration order,
   e.g. ``[m.id for m in store.scores.models()]``) is given; otherwise the
   variant ranks ``original`` > ``unbiased`` > ``multilingual`` >
   ``original-small`` > ``unbiased-small`` > any other, then the model id;
2. else the offline model's ``toxicity`` (``offline/bilstm@…``; with several,
   the one registered last when ``order`` is given, else the first id);
3. else the largest attribute of a ``profanity-check`` model;
4. else the largest attribute of any model (ties: the first model id, then
   attribute name, in sorted order).

``None`` when there are no scores at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DETOXIFY_PREFIX = "detoxify/"
PROFANITY_PREFIX = "profanity-check"
OFFLINE_PREFIX = "offline/"
VARIANT_RANK = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")


@dataclass(frozen=True, slots=True)
class Headline:
    """The headline score: which model and attribute it came from, and its value."""

    model: str
    attribute: str
    value: float


def is_detoxify(model_id: str) -> bool:
    return model_id.startswith(DETOXIFY_PREFIX)


def is_profanity_check(model_id: str) -> bool:
    return model_id.startswith(PROFANITY_PREFIX)


def detoxify_variant(model_id: str) -> str:
    """``detoxify/original@3f2a…+int8`` → ``original``."""
    return model_id[len(DETOXIFY_PREFIX) :].split("@", 1)[0]


def _variant_rank(model_id: str) -> int:
    variant = detoxify_variant(model_id)
    return VARIANT_RANK.index(variant) if variant in VARIANT_RANK else len(VARIANT_RANK)


def _max_attribute(model: str, scores: Mapping[str, float]) -> Headline | None:
    if not scores:
        return None
    attribute = max(sorted(scores), key=lambda name: scores[name])
    return Headline(model, attribute, float(scores[attribute]))


def headline(
    scores_by_model: Mapping[str, Mapping[str, float]],
    order: Sequence[str] | None = None,
) -> Headline | None:
    """Pick the headline score from ``{model_id: {attribute: score}}`` (see module doc)."""
    detoxify = [m for m in scores_by_model if is_detoxify(m) and "toxicity" in scores_by_model[m]]
    if detoxify:
        if order:
            position = {model_id: i for i, model_id in enumerate(order)}
            known = [m for m in detoxify if m in position]
            if known:
                chosen = max(known, key=lambda m: position[m])
                return Headline(chosen, "toxicity", float(scores_by_model[chosen]["toxicity"]))
        chosen = min(detoxify, key=lambda m: (_variant_rank(m), m))
        return Headline(chosen, "toxicity", float(scores_by_model[chosen]["toxicity"]))
    offline = sorted(
        m
        for m in scores_by_model
        if m.startswith(OFFLINE_PREFIX) and "toxicity" in scores_by_model[m]
    )
    if offline:
        position = {model_id: i for i, model_id in enumerate(order or ())}
        chosen = max(offline, key=lambda m: (position.get(m, -1), -offline.index(m)))
        return Headline(chosen, "toxicity", float(scores_by_model[chosen]["toxicity"]))
    for model in sorted(m for m in scores_by_model if is_profanity_check(m)):
        found = _max_attribute(model, scores_by_model[model])
        if found is not None:
            return found
    best: Headline | None = None
    for model in sorted(scores_by_model):
        found = _max_attribute(model, scores_by_model[model])
        if found is not None and (best is None or found.value > best.value):
            best = found
    return best
