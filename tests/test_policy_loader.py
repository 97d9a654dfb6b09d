"""Loading and validating policies: shipped files, names, and every kind of problem."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from modtool.policy import (
    DEFAULT_POLICY,
    PolicyError,
    load_policy,
    resolve_policy_path,
    shipped_policies,
)
from modtool.policy.attributes import KNOWN_ATTRIBUTES
from modtool.policy.model import ACTIONS, RESERVED_HOTKEYS
from tests.policy_helpers import BASE_LABELS, line_of, load_text, policy_text, problems

REPO = Path(__file__).resolve().parent.parent
NEWS_LABELS = {"approve", "insult", "identity_attack", "threat", "profanity", "off_topic", "spam"}
JIGSAW_LABELS = {"toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"}


# -- shipped policies ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["news-comments", "jigsaw"])
def test_shipped_policy_validates_by_name_and_by_path(name: str) -> None:
    by_name = load_policy(name)
    by_path = load_policy(REPO / "policies" / f"{name}.toml")
    assert by_name.name == by_path.name == name
    assert by_name.hash == by_path.hash and len(by_name.hash) == 16
    assert by_name.rules, "a shipped policy should suggest something"
    for label in by_name.labels:
        assert label.guidance and label.examples, f"{label.key} needs guidance and examples"
        assert label.action in ACTIONS
        assert label.hotkey not in RESERVED_HOTKEYS or (
            label.hotkey == "a" and label.action == "approve"
        )
    for rule in by_name.rules:
        assert rule.label in by_name.label_keys
        for condition in rule.score_conditions():
            assert condition.attribute in KNOWN_ATTRIBUTES
            assert 0 <= condition.threshold <= 1


def test_news_comments_has_the_civility_labels_and_sensible_thresholds() -> None:
    policy = load_policy("news-comments")
    assert set(policy.label_keys) == NEWS_LABELS
    assert policy.approve_label is not None and policy.approve_label.key == "approve"
    assert policy.label("threat").action == "escalate"
    assert policy.label_by_hotkey("i").key == "insult"
    assert policy.label_by_hotkey("z") is None
    minimums = [
        c.threshold
        for rule in policy.rules
        for c in rule.score_conditions()
        if c.op == ">=" and c.attribute != "profanity"
    ]
    assert minimums and all(0.7 <= t <= 0.95 for t in minimums)
    assert DEFAULT_POLICY == "news-comments"


def test_jigsaw_has_the_six_training_labels() -> None:
    policy = load_policy("jigsaw")
    assert set(policy.ref.labels) == JIGSAW_LABELS
    assert policy.approve_label is not None
    assert not any(rule.automatic for rule in policy.rules)


def test_shipped_policies_are_package_resources() -> None:
    """After pip install they are read from the package, not from a clone's policies/."""
    shipped = shipped_policies()
    assert {"news-comments", "jigsaw"} <= set(shipped)
    folder = resources.files("modtool") / "policies"
    for name in ("news-comments", "jigsaw"):
        data = (folder / f"{name}.toml").read_bytes()
        assert data == (REPO / "policies" / f"{name}.toml").read_bytes()


def test_shipped_name_resolves_outside_the_repo(tmp_path: Path) -> None:
    code = "from modtool.policy import load_policy;p = load_policy('jigsaw'); print(p.name, p.path)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("jigsaw ") and "modtool" in out


def test_local_policies_folder_wins_over_shipped(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "jigsaw.toml").write_text(policy_text(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_policy("jigsaw").name == "test"
    assert resolve_policy_path("jigsaw") == tmp_path / "policies" / "jigsaw.toml"


def test_unknown_policy_name_lists_known_ones() -> None:
    with pytest.raises(PolicyError, match=r"no such policy.*news-comments"):
        load_policy("no-such-policy")


def test_hash_changes_with_the_file(tmp_path: Path) -> None:
    one = load_text(tmp_path, policy_text())
    two = load_text(tmp_path, policy_text() + "\n# a comment\n")
    assert one.hash != two.hash


def test_colours_are_understood_by_rich_and_textual() -> None:
    from rich.style import Style
    from textual.color import Color

    from modtool.cli.policy import _style

    for name in ("news-comments", "jigsaw"):
        for label in load_policy(name).labels:
            Color.parse(label.colour)
            Style.parse(_style(label.colour))


# -- every validation error, with where it is ---------------------------------------------------
def one(tmp_path: Path, text: str) -> object:
    found = problems(tmp_path, text)
    assert len(found) == 1, [p.message for p in found]
    return found[0]


RULE = """
[[rules]]
id = "r1"
label = "insult"
{condition}
"""


def rule(condition: str) -> str:
    return policy_text(RULE.replace("{condition}", condition))


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = policy_text(RULE.replace("{condition}", 'score = "insult"\nmin = = 0.8'))
    problem = one(tmp_path, text)
    assert "not valid TOML" in problem.message
    assert problem.line == line_of(text, "min = = 0.8")


def test_unknown_attribute(tmp_path: Path) -> None:
    text = rule('score = "toxicty"\nmin = 0.8')
    problem = one(tmp_path, text)
    assert "unknown attribute 'toxicty'" in problem.message
    assert problem.line == line_of(text, '"toxicty"') and problem.where == "rule 'r1'"


def test_attribute_the_named_model_does_not_yield(tmp_path: Path) -> None:
    text = rule('score = "insult"\nmodel = "profanity-check"\nmin = 0.8')
    problem = one(tmp_path, text)
    assert "does not yield 'insult'" in problem.message
    assert problem.line == line_of(text, "profanity-check")


def test_unknown_model(tmp_path: Path) -> None:
    problem = one(tmp_path, rule('score = "insult"\nmodel = "perspective"\nmin = 0.8'))
    assert "unknown model 'perspective'" in problem.message


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_threshold_outside_unit_interval(tmp_path: Path, value: str) -> None:
    text = rule(f'score = "insult"\nmin = {value}')
    problem = one(tmp_path, text)
    assert "outside [0, 1]" in problem.message
    assert problem.line == line_of(text, f"min = {value}")


def test_threshold_missing_and_min_above_max(tmp_path: Path) -> None:
    assert "needs a threshold" in one(tmp_path, rule('score = "insult"')).message
    assert "above max" in one(tmp_path, rule('score = "insult"\nmin = 0.9\nmax = 0.2')).message


def test_regex_that_does_not_compile(tmp_path: Path) -> None:
    text = policy_text(
        RULE.replace("{condition}", "any = [\n  { regex = 'ok' },\n  { regex = '(unclosed' },\n]")
    )
    problem = one(tmp_path, text)
    assert "does not compile" in problem.message and "(unclosed" in problem.message
    assert problem.line == line_of(text, "(unclosed")


def test_regex_matching_empty_text_is_refused(tmp_path: Path) -> None:
    assert "matches empty text" in one(tmp_path, rule("regex = 'a*'")).message


def test_unknown_action(tmp_path: Path) -> None:
    labels = BASE_LABELS.replace('action = "remove"', 'action = "delete"')
    text = policy_text(labels=labels)
    problem = one(tmp_path, text)
    assert "unknown action 'delete'" in problem.message and "escalate" in problem.message
    assert problem.line == line_of(text, '"delete"') and problem.where == "label 'insult'"


def test_duplicate_hotkey(tmp_path: Path) -> None:
    labels = BASE_LABELS + BASE_LABELS.split("[[labels]]")[2].replace('"insult"', '"spam"').replace(
        '"Insult"', '"Spam"'
    ).join(["[[labels]]", ""])
    text = policy_text(labels=labels)
    problem = one(tmp_path, text)
    assert "hotkey 'i' is already used by label 'insult'" in problem.message
    assert problem.where == "label 'spam'"
    assert (
        problem.line
        == [n for n, line in enumerate(text.splitlines(), 1) if 'hotkey = "i"' in line][1]
    )


def test_duplicate_label_key(tmp_path: Path) -> None:
    labels = (
        BASE_LABELS + '\n[[labels]]\nkey = "insult"\nname = "Again"\n'
        'guidance = "x"\nhotkey = "2"\naction = "flag"\ncolour = "red"\n'
    )
    text = policy_text(labels=labels)
    problem = one(tmp_path, text)
    assert "duplicate label key 'insult'" in problem.message
    assert (
        problem.line
        == [n for n, line in enumerate(text.splitlines(), 1) if 'key = "insult"' in line][1]
    )


@pytest.mark.parametrize("key", ["q", "j", "k", "s", "/", "?", "n", "v"])
def test_reserved_hotkey(tmp_path: Path, key: str) -> None:
    text = policy_text(labels=BASE_LABELS.replace('hotkey = "i"', f'hotkey = "{key}"'))
    problem = one(tmp_path, text)
    assert f"hotkey {key!r} is reserved" in problem.message


def test_a_is_only_for_the_approve_label(tmp_path: Path) -> None:
    # The approve label may use "a" (BASE_LABELS does); another label may not.
    labels = BASE_LABELS.replace('hotkey = "a"', 'hotkey = "1"').replace(
        'hotkey = "i"', 'hotkey = "a"'
    )
    assert "reserved" in one(tmp_path, policy_text(labels=labels)).message


def test_hotkey_must_be_one_character(tmp_path: Path) -> None:
    text = policy_text(labels=BASE_LABELS.replace('hotkey = "i"', 'hotkey = "ii"'))
    assert "single visible character" in one(tmp_path, text).message


def test_bad_colour(tmp_path: Path) -> None:
    text = policy_text(labels=BASE_LABELS.replace('"#d33"', '"reddish"'))
    problem = one(tmp_path, text)
    assert "colour 'reddish'" in problem.message
    assert problem.line == line_of(text, "reddish")


def test_rule_for_a_label_the_policy_does_not_have(tmp_path: Path) -> None:
    text = policy_text(
        RULE.replace('label = "insult"', 'label = "spam"').replace("{condition}", "regex = 'x'")
    )
    problem = one(tmp_path, text)
    assert "label 'spam' is not defined" in problem.message
    assert problem.line == line_of(text, 'label = "spam"')


def test_missing_required_keys_are_all_reported(tmp_path: Path) -> None:
    text = 'description = "no name, no version"\n[[labels]]\nkey = "x"\n'
    messages = [p.message for p in problems(tmp_path, text)]
    for needed in ("'name'", "'version'", "'guidance'", "'hotkey'", "'action'", "'colour'"):
        assert any(needed in m and "missing" in m for m in messages), needed


def test_no_labels(tmp_path: Path) -> None:
    assert "no labels" in one(tmp_path, 'name = "x"\nversion = "1"\n').message


def test_unknown_keys_catch_typos(tmp_path: Path) -> None:
    text = policy_text(RULE.replace("{condition}", "regex = 'x'\ncase_sensitiv = true"))
    problem = one(tmp_path, text)
    assert "unknown key 'case_sensitiv'" in problem.message
    assert problem.line == line_of(text, "case_sensitiv")
    head = 'name = "test"\nversion = "1"\nrule = 1\n'
    text = policy_text(head=head)
    problem = one(tmp_path, text)
    assert "unknown key 'rule'" in problem.message and problem.line == 3


def test_mixing_two_conditions_needs_all(tmp_path: Path) -> None:
    problem = one(tmp_path, rule('score = "insult"\nmin = 0.8\nregex = "x"'))
    assert "mixes score and regex" in problem.message and "all = [" in problem.message


def test_rule_without_condition(tmp_path: Path) -> None:
    assert "has no condition" in one(tmp_path, rule("")).message


def test_duplicate_rule_id(tmp_path: Path) -> None:
    text = policy_text(RULE.replace("{condition}", "regex = 'x'") * 2)
    problem = one(tmp_path, text)
    assert "duplicate rule id 'r1'" in problem.message


def test_fuzzy_and_masked_together(tmp_path: Path) -> None:
    problem = one(tmp_path, rule('words = ["idiot"]\nfuzzy = 1\nmasked = 1'))
    assert "fuzzy or masked" in problem.message


def test_bad_text_field_and_depth(tmp_path: Path) -> None:
    assert "field must be one of" in one(tmp_path, rule("regex = 'x'\nfield = 'title'")).message
    assert "min_depth must be" in one(tmp_path, rule("min_depth = -1")).message
    assert "nothing can match" in one(tmp_path, rule("min_depth = 3\nmax_depth = 1")).message


def test_two_approve_labels(tmp_path: Path) -> None:
    labels = BASE_LABELS + BASE_LABELS.split("[[labels]]")[1].replace('"ok"', '"fine"').replace(
        'hotkey = "a"', 'hotkey = "2"'
    ).join(["[[labels]]", ""])
    assert (
        "more than one label has action 'approve'"
        in one(tmp_path, policy_text(labels=labels)).message
    )


def test_bad_regex_timeout(tmp_path: Path) -> None:
    head = 'name = "test"\nversion = "1"\nregex_timeout = 0\n'
    assert "regex_timeout" in one(tmp_path, policy_text(head=head)).message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    labels = BASE_LABELS.replace('action = "remove"', 'action = "nuke"').replace(
        'hotkey = "i"', 'hotkey = "q"'
    )
    rules = """
[[rules]]
id = "a"
label = "insult"
score = "toxicty"
min = 2

[[rules]]
id = "b"
label = "insult"
regex = "(("
"""
    text = policy_text(rules, labels=labels)
    found = problems(tmp_path, text)
    messages = " | ".join(p.message for p in found)
    for expected in (
        "unknown action 'nuke'",
        "hotkey 'q' is reserved",
        "unknown attribute",
        "outside [0, 1]",
        "does not compile",
    ):
        assert expected in messages
    assert all(p.line for p in found), "each problem should name its line"
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "p.toml")
    assert caught.value.message.count("\n") == len(found)  # head line + one per problem


def test_policy_code_imports_neither_textual_nor_torch() -> None:
    code = (
        "import sys, modtool.policy, modtool.policy.suggest, modtool.cli.policy;"
        "print(sorted(m for m in ('textual', 'torch', 'detoxify', 'transformers')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
