"""Read a policy file, check everything, and build a :class:`~modtool.policy.model.Policy`.

Validation collects *every* problem before giving up, each with the line it is
on when that can be found in the file (else the label or rule it belongs to),
so ``modtool policy check`` can list them all in one run.

Policies are found by path or by name: ``./policies/NAME.toml`` first, then
the policies shipped inside the package (``modtool/policies/*.toml``, read
with :mod:`importlib.resources`, so they work after a plain ``pip install``).
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import regex

from modtool.policy.attributes import (
    ATTRIBUTES_BY_FAMILY,
    KNOWN_ATTRIBUTES,
    attributes_for,
    is_known_attribute,
)
from modtool.policy.conditions import (
    AllOf,
    AnyOf,
    AuthorIs,
    Condition,
    DepthRange,
    Not,
    Pattern,
    ScoreRange,
    TextMatch,
    WordList,
)
from modtool.policy.errors import PolicyError, Problem
from modtool.policy.model import ACTIONS, APPROVE_HOTKEY, RESERVED_HOTKEYS, LabelDef, Policy, Rule
from modtool.policy.regex_guard import MAX_POLICY_WEIGHT, UnsafePattern, check_pattern
from modtool.policy.wordlist import (  # noqa: F401  (word_pattern: public, documented here)
    MASK_CLASS,
    WordListTooBig,
    build_matcher,
    word_list_pattern,
    word_pattern,
)

DEFAULT_POLICY = "news-comments"
LOCAL_DIR = "policies"
HASH_LENGTH = 16
DEFAULT_TIMEOUT = 0.25
MAX_TIMEOUT = 10.0
DEFAULT_BUDGET = 1.0
MAX_BUDGET = 60.0
MAX_FUZZY = 3
MAX_PROBLEMS = 100
"""Problems listed per file; the rest are counted (a 5,000-item list of wrong
values would otherwise print 5,000 lines)."""
MAX_NESTING = 16
"""How deep ``all``/``any``/``not`` may nest (a 400-deep policy gave a 3,000-line
RecursionError; 16 is far more than any rulebook needs, and far below what
tomllib and the evaluator's recursion can take)."""
FIELDS = ("body", "author")
KEY_PATTERN = regex.compile(r"^[a-z][a-z0-9_-]*$")
HEX_COLOUR = regex.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
NAMED_COLOURS = frozenset(
    {"red", "green", "blue", "yellow", "magenta", "cyan", "white", "black", "purple"}
)
"""Colour names both Rich and Textual understand (anything else: use ``#rrggbb``)."""
BASE_FLAGS = regex.ENHANCEMATCH

TOP_KEYS = {"name", "version", "description", "regex_timeout", "regex_budget", "labels", "rules"}
LABEL_KEYS = {"key", "name", "guidance", "examples", "hotkey", "action", "colour", "color"}
RULE_META_KEYS = {"id", "name", "label", "automatic", "description"}
CONDITION_KEYS = {
    "score": {"score", "model", "min", "max"},
    "regex": {"regex", "field", "case_sensitive"},
    "words": {"words", "fuzzy", "masked", "field", "case_sensitive"},
    "author": {"author"},
    "depth": {"min_depth", "max_depth"},
    "all": {"all"},
    "any": {"any"},
    "not": {"not"},
}


# -- finding policies -------------------------------------------------------------------
def shipped_dir() -> Traversable:
    return resources.files("modtool").joinpath("policies")


def shipped_policies() -> dict[str, Traversable]:
    """``{name: resource}`` of the policies shipped with modtool."""
    folder = shipped_dir()
    if not folder.is_dir():
        return {}
    return {
        item.name[: -len(".toml")]: item
        for item in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if item.name.endswith(".toml") and item.is_file()
    }


def local_policies(cwd: Path | None = None) -> dict[str, Path]:
    """``{name: path}`` of ``./policies/*.toml`` in the working folder."""
    folder = (cwd or Path.cwd()) / LOCAL_DIR
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.toml")) if path.is_file()}


def resolve_policy_path(name_or_path: str | Path | Traversable) -> Path | Traversable:
    """A policy file from a path, a local name (``./policies/NAME.toml``) or a shipped name."""
    if not isinstance(name_or_path, str | Path):
        return name_or_path
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        raise PolicyError(f"{text}: is a folder; name a .toml policy file")
    looks_like_path = (
        isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml")
    )
    if not looks_like_path:
        local = local_policies()
        if text in local:
            return local[text]
        shipped = shipped_policies()
        if text in shipped:
            return shipped[text]
    known = sorted(set(local_policies()) | set(shipped_policies()))
    hint = f" (known policies: {', '.join(known)})" if known else ""
    raise PolicyError(f"{text}: no such policy file or policy name{hint}")


def load_policy(name_or_path: str | Path | Traversable = DEFAULT_POLICY) -> Policy:
    """Load and validate a policy; :class:`PolicyError` lists every problem."""
    source = resolve_policy_path(name_or_path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{source}: cannot read policy: {exc.strerror or exc}") from None
    return parse_policy(data, str(source))


def policy_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def parse_policy(data: bytes, path: str = "<policy>") -> Policy:
    """Build a policy from the bytes of a TOML file (``path`` is for messages)."""
    problems = check_policy_bytes(data)
    if isinstance(problems, Policy):
        return _with_origin(problems, data, path)
    raise PolicyError.from_problems(path, problems)


def check_policy_bytes(data: bytes) -> Policy | list[Problem]:
    """The policy, or every problem found in it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(f"not UTF-8 text (byte {exc.start})")]
    try:
        document = tomllib.loads(text)
    except RecursionError:
        line, depth = _deepest_bracket(text)
        return [
            Problem(
                f"not readable TOML: brackets nest {depth} deep, deeper than the TOML "
                f"reader can follow (a policy needs a few dozen at most)",
                line=line,
            )
        ]
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = regex.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(found.group(1)) if found else None
        message = regex.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        return [Problem(f"not valid TOML: {message}", line=line)]
    builder = _Builder(_Locator(text))
    policy = builder.build(document)
    if builder.hidden:
        builder.problems.append(
            Problem(f"{builder.hidden} more problems not listed (the first {MAX_PROBLEMS} are)")
        )
    return builder.problems if builder.problems or policy is None else policy


_TOML_TOKEN = regex.compile(
    r'''"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|'[^'\n]*'|#[^\n]*|[\[\]{}\n]''',
    regex.S,
)


def _deepest_bracket(text: str) -> tuple[int | None, int]:
    """``(line, depth)`` where ``[``/``{`` nesting (outside strings and comments) is deepest.

    Only run when tomllib gave up with a RecursionError, to say where.
    """
    depth = deepest = 0
    line = 1
    where: int | None = None
    for token in _TOML_TOKEN.finditer(text):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, where = depth, line
        elif mark in ("]", "}"):
            depth = max(depth - 1, 0)
        else:
            line += mark.count("\n")
    return where, deepest


def _with_origin(policy: Policy, data: bytes, path: str) -> Policy:
    from dataclasses import replace

    return replace(policy, hash=policy_hash(data), path=path, source=data.decode("utf-8"))


# -- where things are in the file --------------------------------------------------------
class _Locator:
    """Line numbers for keys, found by reading the text (tomllib keeps none)."""

    HEADER = regex.compile(r"^\s*\[\[\s*(labels|rules)\s*\]\]")
    ANY_HEADER = regex.compile(r"^\s*\[")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.blocks: dict[str, list[tuple[int, int]]] = {"labels": [], "rules": [], "": []}
        headers = [
            (number, match.group(1) if (match := self.HEADER.match(line)) else None)
            for number, line in enumerate(self.lines)
            if self.ANY_HEADER.match(line)
        ]
        first = headers[0][0] if headers else len(self.lines)
        self.blocks[""].append((0, first))
        for position, (start, section) in enumerate(headers):
            end = headers[position + 1][0] if position + 1 < len(headers) else len(self.lines)
            if section:
                self.blocks[section].append((start, end))

    def block(self, section: str, index: int) -> tuple[int, int] | None:
        blocks = self.blocks.get(section, [])
        return blocks[index] if 0 <= index < len(blocks) else None

    def header(self, section: str, index: int) -> int | None:
        found = self.block(section, index)
        return found[0] + 1 if found else None

    def find(self, section: str, index: int, key: str | None, value: Any = None) -> int | None:
        """The 1-based line of ``key`` (holding ``value`` if given) in one table."""
        found = self.block(section, index)
        if found is None:
            return None
        start, end = found
        key_re = regex.compile(rf"(?:^|[{{,\s])\"?{regex.escape(key)}\"?\s*=") if key else None
        needles = _renderings(value) if value is not None else []
        fallback = None
        for number in range(start, end):
            line = self.lines[number]
            has_key = key_re is None or key_re.search(line) is not None
            has_value = any(needle in line for needle in needles)
            if has_key and (has_value or not needles):
                return number + 1
            if has_value and fallback is None:
                fallback = number + 1
            if has_key and fallback is None and not needles:
                fallback = number + 1
        return fallback


def _renderings(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str):
        if not value:
            return ['""', "''"]
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        return [value] if value == escaped else [escaped, value]
    if isinstance(value, int | float):
        return [str(value)]
    return []


# -- building and checking -----------------------------------------------------------------
@dataclass(slots=True)
class _Place:
    section: str
    index: int
    where: str


class _Builder:
    def __init__(self, locator: _Locator) -> None:
        self.locator = locator
        self.problems: list[Problem] = []
        self.regex_weight = 0  # compiled size of every regex so far (see regex_guard)
        self.nesting = 0  # all/any/not levels around the condition being built
        self.hidden = 0  # problems past MAX_PROBLEMS, counted, not listed

    def problem(
        self, place: _Place | None, message: str, key: str | None = None, value: Any = None
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
        self, place: _Place | None, table: dict[str, Any], key: str, required: bool = False
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
            place = _Place(
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

    def label(self, place: _Place, table: dict[str, Any]) -> LabelDef | None:
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

    def check_hotkey(self, place: _Place, hotkey: str, action: str | None) -> None:
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
            place = _Place(
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

    def rule(
        self, place: _Place, table: dict[str, Any], labels: dict[str, LabelDef]
    ) -> Rule | None:
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

    # -- conditions ----------------------------------------------------------------
    def condition(self, place: _Place, table: Any) -> Condition | None:
        if self.nesting > MAX_NESTING:
            kind = next(
                (k for k in ("not", "any", "all") if isinstance(table, dict) and k in table), None
            )
            self.problem(
                place,
                f"conditions nest more than {MAX_NESTING} levels deep (all/any/not); "
                "flatten the rule or split it into several rules",
                kind,
            )
            return None
        if not isinstance(table, dict):
            self.problem(
                place,
                f'a condition must be a table such as {{ score = "insult", '
                f"min = 0.8 }}, not {_short(repr(table))}",
            )
            return None
        kinds = [
            kind
            for kind, keys in CONDITION_KEYS.items()
            if (kind == "depth" and keys & set(table)) or kind in table
        ]
        if not kinds:
            unknown = ", ".join(sorted(table))
            self.problem(
                place,
                f"unknown condition key(s) {unknown} (a condition has one of: "
                "score, regex, words, author, min_depth/max_depth, all, any, not)",
                next(iter(sorted(table)), None),
            )
            return None
        if len(kinds) > 1:
            self.problem(
                place,
                f"one condition mixes {' and '.join(kinds)}: combine them with "
                "all = [ {...}, {...} ] or any = [...]",
                kinds[1],
            )
            return None
        kind = kinds[0]
        for key in sorted(set(table) - CONDITION_KEYS[kind]):
            self.problem(
                place,
                f"unknown key {key!r} in a {kind} condition (expected: "
                f"{', '.join(sorted(CONDITION_KEYS[kind]))})",
                key,
            )
        return getattr(self, f"c_{kind}")(place, table)

    def c_all(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        return self.combination(place, table, "all", AllOf)

    def c_any(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        return self.combination(place, table, "any", AnyOf)

    def combination(
        self, place: _Place, table: dict[str, Any], key: str, kind: type[AllOf] | type[AnyOf]
    ) -> Condition | None:
        items = table[key]
        if not isinstance(items, list) or not items:
            self.problem(place, f"{key} must be a non-empty list of conditions", key)
            return None
        self.nesting += 1
        try:
            built = [self.condition(place, item) for item in items]
        finally:
            self.nesting -= 1
        if any(item is None for item in built):
            return None
        return kind(tuple(built))  # type: ignore[arg-type]

    def c_not(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        self.nesting += 1
        try:
            inner = self.condition(place, table["not"])
        finally:
            self.nesting -= 1
        return None if inner is None else Not(inner)

    def c_score(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        before = len(self.problems)
        attribute = table["score"]
        if not isinstance(attribute, str):
            self.problem(place, 'score must name an attribute, e.g. score = "insult"', "score")
            return None
        if not is_known_attribute(attribute):
            self.problem(
                place,
                f"unknown attribute {attribute!r} (known: "
                f"{', '.join(sorted(KNOWN_ATTRIBUTES))}, site:<label>)",
                "score",
                attribute,
            )
        model = table.get("model")
        if model is not None:
            if not isinstance(model, str) or not model.strip():
                self.problem(
                    place, 'model must be a model id or family such as "detoxify/original"', "model"
                )
                model = None
            else:
                yields = attributes_for(model)
                if yields is None:
                    self.problem(
                        place,
                        f"unknown model {model!r} (known families: "
                        f"{', '.join(ATTRIBUTES_BY_FAMILY)})",
                        "model",
                        model,
                    )
                elif attribute in KNOWN_ATTRIBUTES and attribute not in yields:
                    self.problem(
                        place,
                        f"model {model!r} does not yield {attribute!r} "
                        f"(it yields: {', '.join(sorted(yields))})",
                        "model",
                        model,
                    )
        bounds: dict[str, float] = {}
        for key in ("min", "max"):
            if key not in table:
                continue
            value = table[key]
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or math.isnan(value)
                or not 0 <= value <= 1
            ):
                self.problem(place, f"{key} threshold {value!r} is outside [0, 1]", key, value)
            else:
                bounds[key] = float(value)
        if "min" not in table and "max" not in table:
            self.problem(
                place,
                f"score {attribute!r} needs a threshold: min = 0.8 "
                "(at least) and/or max = 0.2 (at most)",
                "score",
                attribute,
            )
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            self.problem(
                place, f"min {bounds['min']} is above max {bounds['max']}: nothing can match", "min"
            )
        if len(self.problems) > before:
            return None
        return ScoreRange(
            attribute=attribute, model=model, min=bounds.get("min"), max=bounds.get("max")
        )

    def c_author(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        names = table["author"]
        names = [names] if isinstance(names, str) else names
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            self.problem(place, "author must be a name or a list of names", "author")
            return None
        return AuthorIs(tuple(names))

    def c_depth(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        bounds: dict[str, int] = {}
        for key in ("min_depth", "max_depth"):
            if key not in table:
                continue
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.problem(place, f"{key} must be a whole number >= 0 (0 = top level)", key)
            else:
                bounds[key] = value
        if len(bounds) == 2 and bounds["min_depth"] > bounds["max_depth"]:
            self.problem(place, "min_depth is above max_depth: nothing can match", "min_depth")
            return None
        if len(bounds) != len({"min_depth", "max_depth"} & set(table)):
            return None
        return DepthRange(min=bounds.get("min_depth"), max=bounds.get("max_depth"))

    def text_options(self, place: _Place, table: dict[str, Any]) -> tuple[str, int] | None:
        field = table.get("field", "body")
        ok = True
        if field not in FIELDS:
            self.problem(place, f"field must be one of {', '.join(FIELDS)}, not {field!r}", "field")
            ok = False
        case_sensitive = table.get("case_sensitive", False)
        if not isinstance(case_sensitive, bool):
            self.problem(place, "case_sensitive must be true or false", "case_sensitive")
            ok = False
        flags = BASE_FLAGS | (0 if case_sensitive else regex.IGNORECASE)
        return (field, flags) if ok else None

    def compile(
        self, place: _Place, source: str, pattern: str, flags: int, key: str, shown: str
    ) -> Pattern | None:
        try:
            cost = check_pattern(pattern, flags)
            if key == "regex":
                self.regex_weight += cost.weight
                if self.regex_weight > MAX_POLICY_WEIGHT:
                    raise UnsafePattern(
                        f"brings the policy's regexes over {MAX_POLICY_WEIGHT} compiled atoms "
                        "in all (each pattern's repeat counts multiply its size)"
                    )
            compiled = regex.compile(pattern, flags)
        except UnsafePattern as exc:
            self.problem(place, f"{key} {_short(shown)!r} {exc}", key, source)
            return None
        except (regex.error, OverflowError, RecursionError, ValueError) as exc:
            self.problem(place, f"{key} {_short(shown)!r} does not compile: {exc}", key, source)
            return None
        try:
            empty = compiled.search("", timeout=0.05) is not None
        except TimeoutError:
            empty = False
        if empty:
            self.problem(
                place,
                f"{key} {shown!r} matches empty text, so it would match every comment",
                key,
                source,
            )
            return None
        return Pattern(source=source, compiled=compiled)

    def c_regex(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        options = self.text_options(place, table)
        raw = table["regex"]
        sources = [raw] if isinstance(raw, str) else raw
        if (
            not isinstance(sources, list)
            or not sources
            or not all(isinstance(s, str) and s for s in sources)
        ):
            self.problem(place, "regex must be a pattern or a list of patterns", "regex")
            return None
        if options is None:
            return None
        field, flags = options
        patterns = [
            self.compile(place, source, source, flags, "regex", source) for source in sources
        ]
        if any(p is None for p in patterns):
            return None
        return TextMatch(tuple(patterns), field=field)  # type: ignore[arg-type]

    def c_words(self, place: _Place, table: dict[str, Any]) -> Condition | None:
        options = self.text_options(place, table)
        raw = table["words"]
        words = [raw] if isinstance(raw, str) else raw
        if (
            not isinstance(words, list)
            or not words
            or not all(isinstance(w, str) and w.strip(" *") for w in words)
        ):
            self.problem(place, "words must be a non-empty list of words or phrases", "words")
            return None
        edits: dict[str, int] = {}
        for key in ("fuzzy", "masked"):
            value = table.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FUZZY:
                self.problem(place, f"{key} must be a whole number from 0 to {MAX_FUZZY}", key)
                return None
            edits[key] = value
        if edits["fuzzy"] and edits["masked"]:
            self.problem(
                place,
                "use fuzzy or masked, not both (fuzzy already allows any substitution)",
                "masked",
            )
            return None
        if options is None:
            return None
        field, flags = options
        try:
            matcher = build_matcher(words, edits["fuzzy"], edits["masked"], flags)
        except WordListTooBig as exc:
            self.problem(place, f"the words list {exc}", "words")
            return None
        return WordList(tuple(words), matcher, field=field)


def _short(text: str, limit: int = 80) -> str:
    """A pattern as shown in a problem line: long ones are cut (a 4 KB line helps no one)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
