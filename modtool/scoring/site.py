"""``--scorer site``: the newest (or a named) site model, writing ``site:<label>``.

Before it scores, the scores of every other site model are deleted from the
store (:meth:`SiteScorer.before_scoring`), so policies, the queue and
``evaluate`` never mix an older site model's ``site:<label>`` with a newer
one's; the older models stay recorded (``modtool models``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.models import ModelInfo
from modtool.policy.attributes import SITE_PREFIX
from modtool.scoring.base import TextScore


class SiteScorer:
    batch_size = 512

    def __init__(self, store: Any, model_id: str | None = None, note: str | None = None) -> None:
        import numpy as np

        from modtool.scoring.site_features import Featurizer

        if store is None:
            raise InputError("--scorer site reads its model from a database (it has none here)")
        model_id = model_id or store.site_models.latest_id()
        if model_id is None:
            raise ModtoolError(
                "no site model in this database: run `modtool train` first (it learns from "
                "the moderators' labels)"
            )
        try:
            record = store.site_models.get(model_id)
        except ValueError as exc:
            raise ModtoolError(str(exc)) from None
        if record is None:
            raise InputError(f"no site model {model_id!r} in this database")
        self.featurizer = Featurizer(record.features)
        size = self.featurizer.size
        self.labels = [label.label for label in record.labels]
        self.weights = []
        for label in record.labels:
            weights = np.frombuffer(label.weights, dtype="<f4").astype(np.float64)
            if weights.shape != (size,):
                raise ModtoolError(
                    f"site model {model_id}: {label.label} has {weights.shape[0]} weights, "
                    f"its features {size}"
                )
            self.weights.append((weights, label.intercept))
        self.note = note
        attributes = tuple(SITE_PREFIX + label for label in self.labels)
        self.headline_attribute = attributes[0] if attributes else ""
        self.model = ModelInfo(
            id=record.id,
            scorer="site",
            name="site",
            attributes=attributes,
            details={
                "policy": record.policy_name,
                "policy_hash": record.policy_hash,
                "training_size": record.training_size,
                "trained_at": record.created_at,
            },
        )

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.model.attributes

    def before_scoring(self, store: Any) -> None:
        """Delete the scores of every other site model (never mixed with this one's)."""
        for model in store.scores.models():
            if model.scorer == "site" and model.id != self.model.id:
                store.scores.forget(model.id)

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        import numpy as np

        if not texts:
            return []
        features = self.featurizer.transform(list(texts))
        columns = []
        for weights, intercept in self.weights:
            columns.append(1.0 / (1.0 + np.exp(-(features @ weights + intercept))))
        return [
            TextScore(
                {
                    name: float(column[i])
                    for name, column in zip(self.attributes, columns, strict=True)
                }
            )
            for i in range(len(texts))
        ]
