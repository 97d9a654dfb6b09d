"""Features of a site model, from a plain JSON description (stored with the model).

* hashed word unigrams and bigrams and hashed character 2–5-grams within word
  boundaries (scikit-learn's ``HashingVectorizer``: stateless, so nothing but
  its settings is stored), as 0/1 presence, not normalised: a word a site
  bans then weighs the same in a long comment as in a short one, and its
  character n-grams catch spellings around it. (L2-normalised blocks drowned
  such a word: on the 80-comment brand fixture of ``tests/test_train.py``
  cross-validated ROC-AUC was 0.59 normalised and 1.0 as presence, with the
  same fixed C = 1);
* when the offline model is installed at training time: its 100 max-pooled
  BiLSTM states and its six outputs (its weights hash is stored, and the same
  weights must be there to score).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modtool.errors import ModtoolError

WORD_BITS = 17
CHAR_BITS = 17


def default_config(use_offline: bool) -> dict[str, Any]:
    """The featurizer's settings; with ``use_offline`` the installed offline model's hash."""
    config: dict[str, Any] = {
        "word": {"ngram_range": [1, 2], "bits": WORD_BITS, "binary": True},
        "char": {"analyzer": "char_wb", "ngram_range": [2, 5], "bits": CHAR_BITS, "binary": True},
        "offline": None,
    }
    if use_offline:
        import json

        from modtool.scoring.offline.cache import MANIFEST, installed

        folder = installed()
        if folder is not None:  # the Featurizer loads and checks the weights themselves
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            config["offline"] = {"weights_sha256": str(manifest["weights_sha256"])}
    return config


def _offline() -> tuple[Any, Any]:
    from modtool.scoring.offline.scorer import load_runner

    return load_runner()


class Featurizer:
    """Texts → a sparse feature matrix, exactly as at training time."""

    def __init__(self, config: dict[str, Any]) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.config = config
        word, char = config["word"], config["char"]
        self.word = HashingVectorizer(
            ngram_range=tuple(word["ngram_range"]),
            n_features=2 ** int(word["bits"]),
            alternate_sign=False,
            lowercase=True,
            binary=True,
            norm=None,
        )
        self.char = HashingVectorizer(
            analyzer=char["analyzer"],
            ngram_range=tuple(char["ngram_range"]),
            n_features=2 ** int(char["bits"]),
            alternate_sign=False,
            lowercase=True,
            binary=True,
            norm=None,
        )
        self.runner = None
        wanted = config.get("offline")
        if wanted:
            try:
                self.runner, converted = _offline()
            except ModtoolError as exc:
                raise ModtoolError(
                    f"this site model reads the offline model's states, which cannot be "
                    f"loaded here ({exc})"
                ) from None
            if converted.manifest["weights_sha256"] != wanted["weights_sha256"]:
                raise ModtoolError(
                    "this site model was trained on other offline-model weights "
                    f"({wanted['weights_sha256'][:12]}…) than the ones installed "
                    f"({converted.manifest['weights_sha256'][:12]}…): train it again"
                )

    @property
    def size(self) -> int:
        dense = 0
        if self.runner is not None:
            dense = 2 * self.runner.network.units + self.runner.network.output_bias.shape[0]
        return self.word.n_features + self.char.n_features + dense

    def transform(self, texts: Sequence[str]) -> Any:
        import numpy as np
        from scipy import sparse

        blocks = [self.word.transform(texts), self.char.transform(texts)]
        if self.runner is not None:
            pooled, outputs = self.runner.run(texts)
            blocks.append(sparse.csr_matrix(np.hstack([pooled, outputs]).astype(np.float64)))
        return sparse.hstack(blocks, format="csr")
