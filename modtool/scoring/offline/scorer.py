"""``--scorer offline``: the BiLSTM's six Jigsaw outputs under Detoxify's names,
plus profanity-check, with ``toxicity`` the mean of the two.

``toxicity`` = mean(BiLSTM ``toxic``, profanity-check ``profanity``): on the
Jigsaw subset (``benchmarks/offline_bench.py``) that mean has a higher ROC-AUC
than either alone (0.967 against 0.960 and 0.959, measured here). The other
five come from the BiLSTM alone; ``profanity`` is profanity-check's own score,
so rules written for it keep working.

The model id is ``offline/bilstm@<12 hex>``: a hash of the weights, the
vocabulary and the profanity-check version, so a different conversion or
profanity-check release never shares an id (and is never mixed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modtool.errors import ModtoolError
from modtool.models import ModelInfo
from modtool.scoring.base import TextScore
from modtool.scoring.offline import cache
from modtool.scoring.offline.bilstm import BiLSTM

FAMILY = "offline/bilstm"
# Detoxify's renames (detoxify.load_checkpoint), so policies read the same names.
RENAMES = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "identity_hate": "identity_attack",
}
PROFANITY = "profanity"
HASH_CHARS = 12
PREFERRED_BATCH = 512


def attribute_names(classes: Sequence[str]) -> tuple[str, ...]:
    return (*(RENAMES.get(name, name) for name in classes), PROFANITY)


class NetworkRunner:
    """The BiLSTM with its vocabulary, single-threaded BLAS (its 50×200 products
    run slower when OpenBLAS splits them over threads: measured 10x on 2 cores)."""

    def __init__(self, converted: cache.Converted) -> None:
        import threadpoolctl

        self.vocabulary = converted.vocabulary
        self.network = BiLSTM(converted.arrays, maxlen=converted.vocabulary.maxlen)
        self._threads = threadpoolctl.ThreadpoolController()

    def run(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """``(pooled states n × 100, sigmoid outputs n × classes)``."""
        with self._threads.limit(limits=1, user_api="blas"):
            return self.network.run(self.vocabulary.sequences(texts))


def load_runner(folder: Path | None = None) -> tuple[NetworkRunner, cache.Converted]:
    """The converted model from ``folder`` (default: modtool's cache), checked."""
    found = cache.installed(folder)
    if found is None:
        where = folder or cache.cache_folder()
        raise ModtoolError(
            f"the offline model is not installed ({where} has no converted model): run "
            "`modtool models fetch offline` (or, air-gapped, `modtool models fetch offline "
            "--from DIR` with a folder fetched elsewhere)"
        )
    converted = cache.read(found)
    return NetworkRunner(converted), converted


class OfflineScorer:
    """``offline/bilstm@<hash>``: toxicity, severe_toxicity, obscene, threat, insult,
    identity_attack (the BiLSTM; toxicity averaged with profanity-check) and profanity."""

    headline_attribute = "toxicity"
    batch_size = PREFERRED_BATCH

    def __init__(self, folder: Path | None = None, note: str | None = None) -> None:
        from modtool.scoring.profanity import ProfanityCheckScorer

        self.runner, converted = load_runner(folder)
        self.profanity = ProfanityCheckScorer()
        self.classes = tuple(converted.manifest["classes"])
        self.names = attribute_names(self.classes)
        if "toxic" not in self.classes:
            raise ModtoolError(f"{converted.folder}: the offline model has no 'toxic' output")
        self.toxic = self.classes.index("toxic")
        profanity_id = self.profanity.model.id
        digest = hashlib.sha256(
            f"{converted.digest}|toxicity=mean(bilstm,{profanity_id})".encode()
        ).hexdigest()
        self.note = note
        self.model = ModelInfo(
            id=f"{FAMILY}@{digest[:HASH_CHARS]}",
            scorer="offline",
            name=FAMILY,
            attributes=self.names,
            details={
                "package": cache.PACKAGE,
                "version": cache.VERSION,
                "wheel_sha256": converted.manifest.get("wheel_sha256"),
                "weights_sha256": converted.manifest["weights_sha256"],
                "vocabulary_sha256": converted.manifest["vocabulary_sha256"],
                "profanity_check": profanity_id,
                "toxicity": f"mean of the BiLSTM's toxic and {profanity_id}",
                "licence": cache.LICENCE,
                "training_data": cache.TRAINING_DATA,
            },
        )

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.model.attributes

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        if not texts:
            return []
        _, outputs = self.runner.run(texts)
        profane = self.profanity.score(texts)
        results = []
        for row, extra in zip(outputs.tolist(), profane, strict=True):
            values = dict(zip(self.names, row, strict=False))
            values[PROFANITY] = extra.scores[PROFANITY]
            values["toxicity"] = (row[self.toxic] + values[PROFANITY]) / 2
            results.append(TextScore(values))
        return results
