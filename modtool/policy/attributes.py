"""Score attributes each known model family yields: the one list validation uses.

A family is the part of a model id before ``@`` (``detoxify/original@3f2a9c1e``
→ ``detoxify/original``). A policy condition may name a family, a shorter
prefix (``detoxify``) or an exact model id.
"""

from __future__ import annotations

_JIGSAW = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
_IDENTITIES = (
    "male",
    "female",
    "homosexual_gay_or_lesbian",
    "christian",
    "jewish",
    "muslim",
    "black",
    "white",
    "psychiatric_or_mental_illness",
)

ATTRIBUTES_BY_FAMILY: dict[str, tuple[str, ...]] = {
    "detoxify/original": _JIGSAW,
    "detoxify/unbiased": (*_JIGSAW, "sexual_explicit", *_IDENTITIES),
    "detoxify/multilingual": (*_JIGSAW, "sexual_explicit"),
    "profanity-check": ("profanity",),
    # The offline scorer: toxic-comment-classifier's BiLSTM (six Jigsaw labels under
    # Detoxify's names) and profanity-check's own `profanity`.
    "offline/bilstm": (*_JIGSAW, "profanity"),
    # Site models (`modtool train`): one `site:<label>` per label they learned.
    "site": (),
}
SITE_PREFIX = "site:"

KNOWN_ATTRIBUTES: frozenset[str] = frozenset(
    attribute for attributes in ATTRIBUTES_BY_FAMILY.values() for attribute in attributes
)


def is_known_attribute(attribute: str) -> bool:
    """A name some model yields: a known family's attribute, or ``site:<label>``."""
    return attribute in KNOWN_ATTRIBUTES or (
        attribute.startswith(SITE_PREFIX) and len(attribute) > len(SITE_PREFIX)
    )


def model_matches(selector: str, model_id: str) -> bool:
    """Whether a policy's ``model = selector`` covers the stored ``model_id``.

    Exact id, family (``detoxify/original`` matches ``detoxify/original@ab12``)
    or family prefix (``detoxify`` matches every Detoxify model).
    """
    return (
        model_id == selector
        or model_id.startswith(selector + "@")
        or model_id.startswith(selector + "/")
    )


def attributes_for(selector: str) -> frozenset[str] | None:
    """Attributes the models a selector can match yield; ``None`` for an unknown model."""
    found = [
        attributes
        for family, attributes in ATTRIBUTES_BY_FAMILY.items()
        if model_matches(selector.split("@")[0], family)
    ]
    if not found:
        return None
    return frozenset(attribute for attributes in found for attribute in attributes)
