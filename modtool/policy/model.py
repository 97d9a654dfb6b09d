"""A policy as loaded from its TOML file: labels, rules and where it came from.

Plain frozen dataclasses. :mod:`modtool.policy.loader` builds them (and
validates); :mod:`modtool.policy.rules` evaluates the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modtool.models import PolicyRef, Suggestion
from modtool.policy.conditions import Condition, ScoreCondition

ACTIONS = ("approve", "flag", "remove", "escalate")
"""What applying a label implies. ``approve`` = reviewed, nothing wrong."""

RESERVED_HOTKEYS = frozenset(
    {
        "q",
        "n",
        "u",
        "r",
        "j",
        "k",
        "?",
        "/",
        "v",
        "c",
        "f",
        "s",
        "a",
        "m",
        "T",
        "A",
        "S",
        "B",
        "M",
        "N",
        "J",
        "K",
        "backspace",
        "space",
        "enter",
        "tab",
        "escape",
        "up",
        "down",
        "left",
        "right",
        " ",
        "\t",
        "\n",
    }
)
"""Keys the moderation UI binds itself (plus arrows and every ctrl combination).

The label whose action is ``approve`` may use ``a``: the UI's approve key does
the same thing.
"""

APPROVE_HOTKEY = "a"


@dataclass(frozen=True, slots=True)
class LabelDef:
    """A label a moderator may apply."""

    key: str
    name: str
    guidance: str
    hotkey: str
    action: str
    colour: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """Suggest ``label`` when ``condition`` holds; ``automatic`` rules are applied by
    ``modtool apply-policy`` (as the policy's own actor), the rest only suggest."""

    id: str
    label: str
    condition: Condition
    automatic: bool = False
    description: str = ""

    @property
    def name(self) -> str:
        return self.id

    def score_conditions(self) -> list[ScoreCondition]:
        """Every score threshold the rule tests (for calibration views)."""
        return self.condition.score_conditions()

    def describe(self) -> str:
        return self.condition.describe()


@dataclass(frozen=True, slots=True)
class Policy:
    """A moderation rulebook.

    ``hash`` is a sha256 prefix of the file's bytes, so labels and suggestions
    made under it say exactly which version of the rulebook was used.
    ``source`` is the file's text (kept in the ``policies`` table).
    """

    name: str
    version: str
    description: str
    hash: str
    path: str
    labels: tuple[LabelDef, ...]
    rules: tuple[Rule, ...] = ()
    regex_timeout: float = 0.25
    regex_budget: float = 1.0
    """Seconds of regex searching all rules together may spend on one comment."""
    source: str = field(default="", repr=False)

    @property
    def ref(self) -> PolicyRef:
        """What the store records with labels and actions.

        ``labels`` leaves out the approve label: approving is
        ``store.labels.approve(...)``, never a label of its own.
        """
        return PolicyRef(
            name=self.name,
            hash=self.hash,
            labels=frozenset(label.key for label in self.labels if label.action != "approve"),
            version=self.version,
        )

    @property
    def label_keys(self) -> tuple[str, ...]:
        return tuple(label.key for label in self.labels)

    def label(self, key: str) -> LabelDef:
        for label in self.labels:
            if label.key == key:
                return label
        from modtool.policy.errors import PolicyError

        raise PolicyError(
            f"label {key!r} is not in policy {self.name!r} (labels: {', '.join(self.label_keys)})"
        )

    def label_by_hotkey(self, key: str) -> LabelDef | None:
        for label in self.labels:
            if label.hotkey == key:
                return label
        return None

    @property
    def approve_label(self) -> LabelDef | None:
        for label in self.labels:
            if label.action == "approve":
                return label
        return None

    def rule(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None

    @property
    def actor(self) -> str:
        """The name automatic rules act under in the audit log."""
        return f"policy:{self.name}"


__all__ = [
    "ACTIONS",
    "APPROVE_HOTKEY",
    "RESERVED_HOTKEYS",
    "LabelDef",
    "Policy",
    "Rule",
    "Suggestion",
]
