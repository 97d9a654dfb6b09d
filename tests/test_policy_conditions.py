"""Evaluating conditions: fuzzy/masked words, regex timeouts, scores per model, logic."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modtool.policy.conditions import Subject
from modtool.policy.rules import evaluate
from tests.policy_helpers import load_text, policy_text

CATASTROPHIC = "(a|aa)+$"
"""Exponential backtracking in the regex package on 'aaaa…!' (measured: > 1 s at 30 a's)."""


def subject(
    body: str = "", author: str = "someone", depth: int = 0, scores: dict | None = None
) -> Subject:
    return Subject(comment_id=1, body=body, author=author, depth=depth, scores=scores or {})


def one_rule(tmp_path: Path, condition: str, head: str | None = None):
    text = policy_text(f'[[rules]]\nid = "r"\nlabel = "insult"\n{condition}\n', head=head)
    return load_text(tmp_path, text)


def fires(policy, s: Subject) -> bool:
    return any(f.rule.id == "r" for f in evaluate(policy, s).fired)


# -- words and regexes -----------------------------------------------------------------------
def test_fuzzy_words_catch_misspellings(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'words = ["arsewipe", "ignorant", "idiot"]\nfuzzy = 1')
    assert fires(policy, subject("The arzewipe that wrote this"))
    assert fires(policy, subject("you are an ingnorant"))
    assert fires(policy, subject("what an idiiot"))
    assert not fires(policy, subject("a careful, well argued point"))


def test_fuzzy_leaves_short_words_exact(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'words = ["dumb"]\nfuzzy = 1')
    assert fires(policy, subject("Dumb, high IQ"))
    assert not fires(policy, subject("they dump the bonds")), "4 letters: no edits allowed"


def test_masked_words_catch_symbols_but_not_other_words(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'words = ["fuck*", "shit"]\nmasked = 1')
    for text in ("Dumb, high IQ, f*cks!", "f#cking hell", "sh1t happens", "SH*T"):
        assert fires(policy, subject(text)), text
    for text in ("a nice shirt", "shift the blame", "this is fine"):
        assert not fires(policy, subject(text)), text


def test_words_are_whole_words_and_case_insensitive(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'words = ["pos"]')
    assert fires(policy, subject("He's a traitorous POS."))
    assert not fires(policy, subject("the position is clear, post it"))
    sensitive = one_rule(tmp_path, 'words = ["pos"]\ncase_sensitive = true')
    assert not fires(sensitive, subject("He's a traitorous POS."))


def test_raw_fuzzy_regex_and_spans(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, "regex = '(?:idiot){e<=1}'")
    body = "You id1ot, and another idiot."
    result = evaluate(policy, subject(body))
    (fired,) = result.fired
    (reason,) = fired.reasons
    assert reason["kind"] == "regex" and reason["field"] == "body"
    assert [body[s:e] for s, e in reason["spans"]] == ["id1ot", "idiot"]
    assert reason["matched"] == ["id1ot", "idiot"]


def test_regex_on_author_field(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, "regex = '^bot\\d+$'\nfield = 'author'")
    assert fires(policy, subject("hello", author="bot123"))
    assert not fires(policy, subject("bot123", author="ana"))


def test_unicode_classes_work(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, r"regex = '(\p{L})\1{9,}'")
    assert fires(policy, subject("ééééééééééé"))
    assert not fires(policy, subject("……………………………… dots are not letters"))


def test_catastrophic_regex_times_out_and_is_reported(tmp_path: Path) -> None:
    head = 'name = "test"\nversion = "1"\nregex_timeout = 0.1\n'
    policy = one_rule(tmp_path, f"regex = '{CATASTROPHIC}'", head=head)
    started = time.perf_counter()
    result = evaluate(policy, subject("a" * 40 + "!"))
    elapsed = time.perf_counter() - started
    assert elapsed < 2, "the timeout must stop the search"
    assert result.fired == []
    assert result.timeouts == [
        {"rule": "r", "pattern": CATASTROPHIC, "field": "body", "timeout": 0.1}
    ]
    assert result.undecided == {"r": ["regex timeout"]}
    # On ordinary text the same pattern answers normally.
    assert evaluate(policy, subject("aaaa")).fired


# -- scores -------------------------------------------------------------------------------------
SCORES = {
    "detoxify/original@abc": {"insult": 0.9, "toxicity": 0.95},
    "detoxify/unbiased@def": {"insult": 0.3, "toxicity": 0.4},
    "profanity-check@1.9.1": {"profanity": 0.2},
}


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("", True),  # any model: the highest score counts
        ('model = "detoxify"', True),  # family prefix
        ('model = "detoxify/original"', True),  # family
        ('model = "detoxify/original@abc"', True),  # exact id
        ('model = "detoxify/unbiased"', False),  # 0.3 < 0.8
    ],
)
def test_score_threshold_per_model(tmp_path: Path, model: str, expected: bool) -> None:
    policy = one_rule(tmp_path, f'score = "insult"\n{model}\nmin = 0.8')
    assert fires(policy, subject(scores=SCORES)) is expected


def test_score_reason_names_model_score_and_threshold(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'score = "insult"\nmin = 0.8')
    (fired,) = evaluate(policy, subject(scores=SCORES)).fired
    assert fired.reasons == (
        {
            "kind": "score",
            "model": "detoxify/original@abc",
            "attribute": "insult",
            "score": 0.9,
            "threshold": 0.8,
            "op": ">=",
        },
    )


def test_max_holds_only_if_every_model_is_under_it(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'score = "toxicity"\nmax = 0.5')
    assert not fires(policy, subject(scores=SCORES))  # original says 0.95
    only_unbiased = {"detoxify/unbiased@def": SCORES["detoxify/unbiased@def"]}
    assert fires(policy, subject(scores=only_unbiased))


def test_score_range(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'score = "profanity"\nmin = 0.1\nmax = 0.3')
    assert fires(policy, subject(scores=SCORES))
    assert [c.op for c in policy.rules[0].score_conditions()] == [">=", "<="]


def test_missing_score_is_undecided_even_under_not(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'not = { score = "threat", min = 0.5 }')
    result = evaluate(policy, subject(scores={"profanity-check@1.9.1": {"profanity": 0.1}}))
    assert result.fired == [] and result.undecided == {"r": ["threat"]}
    assert fires(policy, subject(scores={"detoxify/original@x": {"threat": 0.1}}))
    assert policy.rules[0].score_conditions()[0].op == "<"


# -- author, depth, combinations ------------------------------------------------------------------
def test_author_and_depth(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, 'all = [ { author = ["Joe", "Ilya"] }, { min_depth = 2 } ]')
    assert fires(policy, subject(author=" joe ", depth=2))
    assert not fires(policy, subject(author="joe", depth=1))
    assert not fires(policy, subject(author="Vish", depth=3))
    (fired,) = evaluate(policy, subject(author="Ilya", depth=3)).fired
    assert [r["kind"] for r in fired.reasons] == ["author", "depth"]


def test_any_collects_every_matching_reason_and_unknown_does_not_block(tmp_path: Path) -> None:
    policy = one_rule(
        tmp_path,
        'any = [ { score = "insult", min = 0.8 }, { words = ["idiot"] }, { words = ["moron"] } ]',
    )
    (fired,) = evaluate(policy, subject("idiot and moron")).fired  # no scores at all
    assert [r["matched"] for r in fired.reasons] == [["idiot"], ["moron"]]
    assert evaluate(policy, subject("fine")).undecided == {"r": ["insult"]}


def test_all_needs_every_part(tmp_path: Path) -> None:
    policy = one_rule(tmp_path, "all = [ { regex = 'https?://' }, { words = ['buy now'] } ]")
    assert fires(policy, subject("Buy  now at https://x.example"))
    assert not fires(policy, subject("see https://x.example"))


def test_approve_is_only_suggested_when_nothing_else_is(tmp_path: Path) -> None:
    text = policy_text("""
[[rules]]
id = "clean"
label = "ok"
score = "toxicity"
max = 0.2

[[rules]]
id = "r"
label = "insult"
words = ["idiot"]
""")
    policy = load_text(tmp_path, text)
    low = {"detoxify/original@x": {"toxicity": 0.1}}
    assert [f.rule.id for f in evaluate(policy, subject("fine", scores=low)).fired] == ["clean"]
    assert [f.rule.id for f in evaluate(policy, subject("idiot", scores=low)).fired] == ["r"]


_WORDS_POLICY: dict[str, object] = {}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "idiot",
                "id*ot",
                "IDIOTS",
                "dumb",
                "f*cks",
                "shirt",
                "é",
                " ",
                "\n",
                "-",
                "sh1t",
                "arzewipe",
                "x",
            ]
        ),
        max_size=20,
    )
)
def test_spans_always_point_at_the_matched_text(tmp_path_factory, parts: list[str]) -> None:
    if "policy" not in _WORDS_POLICY:
        _WORDS_POLICY["policy"] = load_text(
            tmp_path_factory.mktemp("p"),
            policy_text(
                '[[rules]]\nid = "r"\nlabel = "insult"\nany = [\n'
                '  { words = ["idiot*", "dumb", "fuck*", "shit"], masked = 1 },\n'
                '  { words = ["arsewipe"], fuzzy = 1 },\n'
                "  { regex = '(?:idiot){e<=1}' },\n]\n"
            ),
        )
    body = "".join(parts)
    for fired in evaluate(_WORDS_POLICY["policy"], subject(body)).fired:
        for reason in fired.reasons:
            assert reason["spans"], reason
            for (start, end), matched in zip(reason["spans"], reason["matched"], strict=True):
                assert 0 <= start < end <= len(body)
                assert body[start:end] == matched
