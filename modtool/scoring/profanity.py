"""The offline fallback: ``profanity-check`` from the ``alt-profanity-check`` wheel.

A linear SVM over word n-grams, trained on about 200k human-labelled texts,
whose weights ship inside the package. It yields one attribute, ``profanity``
(the SVM's calibrated probability that the text is profane). It catches
profanity and misses insults worded politely: it is a profanity detector, not
a toxicity model, and modtool names it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata

from modtool.errors import ModtoolError
from modtool.models import ModelInfo
from modtool.scoring.base import TextScore

PACKAGE = "alt-profanity-check"
ATTRIBUTE = "profanity"


def package_version() -> str | None:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


class ProfanityCheckScorer:
    """``profanity-check@<package version>``: one attribute, ``profanity``."""

    headline_attribute = ATTRIBUTE

    def __init__(self, note: str | None = None) -> None:
        version = package_version()
        if version is None:
            raise ModtoolError(f"the {PACKAGE} package is not installed: pip install {PACKAGE}")
        try:
            from profanity_check import predict_prob
        except Exception as exc:  # a broken install (e.g. a mismatched scikit-learn)
            raise ModtoolError(f"{PACKAGE} {version} cannot be loaded: {exc}") from None
        self._predict_prob = predict_prob
        self.note = note
        self.model = ModelInfo(
            id=f"profanity-check@{version}",
            scorer="profanity-check",
            name="profanity-check",
            attributes=(ATTRIBUTE,),
            details={
                "package": PACKAGE,
                "version": version,
                "kind": "linear SVM over word n-grams (profanity, not toxicity)",
            },
        )

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.model.attributes

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        if not texts:
            return []
        values = self._predict_prob(list(texts))
        return [TextScore({ATTRIBUTE: float(value)}) for value in values]
