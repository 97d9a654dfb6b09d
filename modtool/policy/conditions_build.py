"""Building the conditions of a policy's rules (score, regex, words, author, depth,
all/any/not), every problem reported with its place. A mixin of
:class:`modtool.policy.build.Builder`, which owns ``problem`` and the counters."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

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
from modtool.policy.places import Place
from modtool.policy.regex_guard import MAX_POLICY_WEIGHT, UnsafePattern, check_pattern
from modtool.policy.wordlist import WordListTooBig, build_matcher

MAX_FUZZY = 3
MAX_NESTING = 16
"""How deep ``all``/``any``/``not`` may nest (a 400-deep policy gave a 3,000-line
RecursionError; 16 is far more than any rulebook needs, and far below what
tomllib and the evaluator's recursion can take)."""
FIELDS = ("body", "author")
BASE_FLAGS = regex.ENHANCEMATCH
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


class ConditionBuilder:
    """The ``condition`` half of :class:`~modtool.policy.build.Builder`."""

    nesting: int
    regex_weight: int

    if TYPE_CHECKING:  # provided by Builder, which this is a mixin of

        def problem(
            self, place: Place | None, message: str, key: str | None = None, value: Any = None
        ) -> None: ...

    def condition(self, place: Place, table: Any) -> Condition | None:
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
                f"min = 0.8 }}, not {short(repr(table))}",
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

    def c_all(self, place: Place, table: dict[str, Any]) -> Condition | None:
        return self.combination(place, table, "all", AllOf)

    def c_any(self, place: Place, table: dict[str, Any]) -> Condition | None:
        return self.combination(place, table, "any", AnyOf)

    def combination(
        self, place: Place, table: dict[str, Any], key: str, kind: type[AllOf] | type[AnyOf]
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

    def c_not(self, place: Place, table: dict[str, Any]) -> Condition | None:
        self.nesting += 1
        try:
            inner = self.condition(place, table["not"])
        finally:
            self.nesting -= 1
        return None if inner is None else Not(inner)

    def c_score(self, place: Place, table: dict[str, Any]) -> Condition | None:
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

    def c_author(self, place: Place, table: dict[str, Any]) -> Condition | None:
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

    def c_depth(self, place: Place, table: dict[str, Any]) -> Condition | None:
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

    def text_options(self, place: Place, table: dict[str, Any]) -> tuple[str, int] | None:
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
        self, place: Place, source: str, pattern: str, flags: int, key: str, shown: str
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
            self.problem(place, f"{key} {short(shown)!r} {exc}", key, source)
            return None
        except (regex.error, OverflowError, RecursionError, ValueError) as exc:
            self.problem(place, f"{key} {short(shown)!r} does not compile: {exc}", key, source)
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

    def c_regex(self, place: Place, table: dict[str, Any]) -> Condition | None:
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

    def c_words(self, place: Place, table: dict[str, Any]) -> Condition | None:
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


def short(text: str, limit: int = 80) -> str:
    """A pattern as shown in a problem line: long ones are cut (a 4 KB line helps no one)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
