"""Building a policy from its TOML document: the top level, labels and rules
(conditions: :mod:`modtool.policy.conditions_build`), every problem collected
with the line it is on, so ``policy check`` lists them all in one run."""

from __future__ import annotations

from typing import Any

import regex

from modtool.policy.conditions_build import ConditionBuilder
from modtool.policy.errors import Problem
from modtool.policy.model import ACTIONS, APPROVE_HOTKEY, RESERVED_HOTKEYS, LabelDef, Policy, Rule
from modtool.policy.places import Locator, Place

DEFAULT_TIMEOUT = 0.25
MAX_TIMEOUT = 10.0
DEFAULT_BUDGET = 1.0
MAX_BUDGET = 60.0
MAX_PROBLEMS = 100
"""Problems listed per file; the rest are counted (a 5,000-item list of wrong
values would otherwise print 5,000 lines)."""
KEY_PATTERN = regex.compile(r"^[a-z][a-z0-9_-]*$")
HEX_COLOUR = regex.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
NAMED_COLOURS = frozenset(
    {"red", "green", "blue", "yellow", "magenta", "cyan", "white", "black", "purple"}
)
"""Colour names both Rich and Textual understand (anything else: use ``#rrggbb``)."""

TOP_KEYS = {"name", "version", "description", "regex_timeout", "regex_budget", "labels", "rules"}
LABEL_KEYS = {"key", "name", "guidance", "examples", "hotkey", "action", "colour", "color"}
RULE_META_KEYS = {"id", "name", "label", "automatic", "description"}


class Builder(ConditionBuilder):
    """Checks a TOML document and builds the :class:`Policy`, collecting every
    problem (at most :data:`MAX_PROBLEMS` listed) with its line."""

    def __init__(self, locator: Locator) -> None:
        self.locator = locator
        self.problems: list[Problem] = []
        self.regex_weight = 0  # compiled size of every regex so far (see regex_guard)
        self.nesting = 0  # all/any/not levels around the condition being built
        self.hidden = 0  # problems past MAX_PROBLEMS, counted, not listed

    def problem(
        self, place: Place | None, message: str, key: str | None = None, value: Any = None
    ) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.hidden += 1
            return
        line = None
        where = None
        if place is not None:
            where = place.where
            line = (
                self.locator.find(place.section, place.index, key, value)
                if key or value is not None
                else None
            )
            if line is None:
                line = self.locator.header(place.section, place.index)
        elif key is not None:
            line = self.locator.find("", 0, key, value)
        self.problems.append(Problem(message, line=line, where=where))

    # -- top level -------------------------------------------------------------
    def build(self, document: dict[str, Any]) -> Policy | None:
        for key in sorted(set(document) - TOP_KEYS):
            self.problem(
                None, f"unknown key {key!r} (expected one of: {', '.join(sorted(TOP_KEYS))})", key
            )
        name = self.text(None, document, "name", required=True)
        if name is not None and not KEY_PATTERN.match(name):
            self.problem(
                None,
                f"name {name!r} must be lowercase letters, digits, - or _ "
                "(it is stored with every label)",
                "name",
            )
        version = document.get("version")
        if version is None:
            self.problem(None, "missing required key 'version' (e.g. version = \"1.0\")")
        elif isinstance(version, bool) or not isinstance(version, str | int | float):
            self.problem(None, 'version must be a string such as "1.0"', "version")
            version = None
        description = self.text(None, document, "description") or ""
        timeout = document.get("regex_timeout", DEFAULT_TIMEOUT)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= MAX_TIMEOUT
        ):
            self.problem(
                None,
                f"regex_timeout must be a number of seconds in (0, {MAX_TIMEOUT}]",
                "regex_timeout",
            )
            timeout = DEFAULT_TIMEOUT
        budget = document.get("regex_budget", DEFAULT_BUDGET)
        if (
            isinstance(budget, bool)
            or not isinstance(budget, int | float)
            or not 0 < budget <= MAX_BUDGET
        ):
            self.problem(
                None,
                f"regex_budget must be a number of seconds in (0, {MAX_BUDGET}] "
                "(regex time all rules together may spend on one comment)",
                "regex_budget",
            )
            budget = DEFAULT_BUDGET
        labels = self.labels(document.get("labels"))
        rules = self.rules(document.get("rules", []), labels)
        if self.problems or name is None or version is None:
            return None
        return Policy(
            name=name,
            version=str(version),
            description=description.strip(),
            hash="",
            path="",
            labels=tuple(labels.values()),
            rules=tuple(rules),
            regex_timeout=float(timeout),
            regex_budget=float(budget),
        )

    def text(
        self, place: Place | None, table: dict[str, Any], key: str, required: bool = False
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(place, f"missing required key {key!r}")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(place, f"{key} must be a non-empty string", key)
            return None
        return value

    # -- labels ----------------------------------------------------------------
    def labels(self, raw: Any) -> dict[str, LabelDef]:
        result: dict[str, LabelDef] = {}
        if raw is None:
            self.problem(None, "no labels: add at least one [[labels]] table")
            return result
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.problem(None, "labels must be [[labels]] tables", "labels")
            return result
        hotkeys: dict[str, str] = {}
        approvers: list[str] = []
        rejected = 0
        for index, table in enumerate(raw):
            key = table.get("key")
            place = Place(
                "labels", index, f"label {key!r}" if isinstance(key, str) else f"label #{index + 1}"
            )
            label = self.label(place, table)
            if label is None:
                rejected += 1
                continue
            if label.key in result:
                self.problem(place, f"duplicate label key {label.key!r}", "key", label.key)
                continue
            if label.hotkey in hotkeys:
                self.problem(
                    place,
                    f"hotkey {label.hotkey!r} is already used by label {hotkeys[label.hotkey]!r}",
                    "hotkey",
                    label.hotkey,
                )
            hotkeys.setdefault(label.hotkey, label.key)
            if label.action == "approve":
                approvers.append(label.key)
            result[label.key] = label
        if len(approvers) > 1:
            self.problem(
                None, f"more than one label has action 'approve' ({', '.join(approvers)}); keep one"
            )
        if (
            raw
            and result
            and not rejected
            and all(label.action == "approve" for label in result.values())
        ):
            self.problem(
                None, "every label approves: add at least one label to flag, remove or escalate"
            )
        return result

    def label(self, place: Place, table: dict[str, Any]) -> LabelDef | None:
        before = len(self.problems)
        for key in sorted(set(table) - LABEL_KEYS):
            self.problem(
                place,
                f"unknown key {key!r} in a label (expected: "
                f"{', '.join(sorted(LABEL_KEYS - {'color'}))})",
                key,
            )
        key = self.text(place, table, "key", required=True)
        if key is not None and not KEY_PATTERN.match(key):
            self.problem(
                place,
                f"key {key!r} must be lowercase letters, digits, - or _ and start with a letter",
                "key",
                key,
            )
        name = self.text(place, table, "name", required=True)
        guidance = self.text(place, table, "guidance", required=True)
        examples = table.get("examples", [])
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            self.problem(place, "examples must be a list of strings", "examples")
            examples = []
        action = self.text(place, table, "action", required=True)
        if action is not None and action not in ACTIONS:
            self.problem(
                place,
                f"unknown action {action!r} (expected one of: {', '.join(ACTIONS)})",
                "action",
                action,
            )
        hotkey = self.text(place, table, "hotkey", required=True)
        if hotkey is not None:
            self.check_hotkey(place, hotkey, action)
        colour_key = "colour" if "colour" in table or "color" not in table else "color"
        colour = self.text(place, table, colour_key, required=True)
        if colour is not None and not (HEX_COLOUR.match(colour) or colour in NAMED_COLOURS):
            self.problem(
                place,
                f"colour {colour!r} is not one the UI can show: use #rgb, "
                f"#rrggbb or one of {', '.join(sorted(NAMED_COLOURS))}",
                colour_key,
                colour,
            )
        if len(self.problems) > before or None in (key, name, guidance, action, hotkey, colour):
            return None
        return LabelDef(
            key=key,
            name=name,
            guidance=guidance.strip(),
            hotkey=hotkey,
            action=action,
            colour=colour,
            examples=tuple(examples),
        )

    def check_hotkey(self, place: Place, hotkey: str, action: str | None) -> None:
        if len(hotkey) != 1 or not hotkey.isprintable() or hotkey.isspace():
            self.problem(
                place,
                f"hotkey {hotkey!r} must be a single visible character (a letter, digit or symbol)",
                "hotkey",
                hotkey,
            )
        elif hotkey in RESERVED_HOTKEYS and not (hotkey == APPROVE_HOTKEY and action == "approve"):
            reserved = " ".join(sorted(k for k in RESERVED_HOTKEYS if len(k) == 1 and k.strip()))
            self.problem(
                place,
                f"hotkey {hotkey!r} is reserved by the moderation UI "
                f"(reserved: {reserved}; 'a' only for the approve label)",
                "hotkey",
                hotkey,
            )

    # -- rules ------------------------------------------------------------------
    def rules(self, raw: Any, labels: dict[str, LabelDef]) -> list[Rule]:
        result: list[Rule] = []
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.problem(None, "rules must be [[rules]] tables", "rules")
            return result
        seen: set[str] = set()
        for index, table in enumerate(raw):
            rule_id = table.get("id", table.get("name"))
            place = Place(
                "rules",
                index,
                f"rule {rule_id!r}" if isinstance(rule_id, str) else f"rule #{index + 1}",
            )
            rule = self.rule(place, table, labels)
            if rule is None:
                continue
            if rule.id in seen:
                self.problem(place, f"duplicate rule id {rule.id!r}", "id", rule.id)
                continue
            seen.add(rule.id)
            result.append(rule)
        return result

    def rule(self, place: Place, table: dict[str, Any], labels: dict[str, LabelDef]) -> Rule | None:
        before = len(self.problems)
        id_key = "id" if "id" in table or "name" not in table else "name"
        rule_id = self.text(place, table, id_key, required=True)
        if rule_id is not None and not KEY_PATTERN.match(rule_id):
            self.problem(
                place,
                f"rule id {rule_id!r} must be lowercase letters, digits, - or _",
                id_key,
                rule_id,
            )
        label = self.text(place, table, "label", required=True)
        if label is not None and labels and label not in labels:
            self.problem(
                place,
                f"label {label!r} is not defined in this policy (labels: {', '.join(labels)})",
                "label",
                label,
            )
        automatic = table.get("automatic", False)
        if not isinstance(automatic, bool):
            self.problem(place, "automatic must be true or false", "automatic")
        description = self.text(place, table, "description") or ""
        condition_table = {k: v for k, v in table.items() if k not in RULE_META_KEYS}
        if not condition_table:
            self.problem(
                place,
                "the rule has no condition (score, regex, words, author, "
                "min_depth/max_depth, all, any or not)",
            )
            return None
        condition = self.condition(place, condition_table)
        if len(self.problems) > before or condition is None or rule_id is None or label is None:
            return None
        return Rule(
            id=rule_id,
            label=label,
            condition=condition,
            automatic=bool(automatic),
            description=description.strip(),
        )
