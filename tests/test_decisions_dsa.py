"""``modtool decisions --format dsa-sor``: statements of reasons in the field layout of
the EU DSA Transparency Database API, checked against its own validation rules
(tests/dsa_rules.py, transcribed from the database's source).

On ``site-1.2.xml`` (post 10 is thread 1; by WordPress id, counted by hand)::

    1  insult by both            -> remove, but id 1 is also in post 11: no statement
    2  insult / approve          -> tied: no statement
    3  spam by both              -> removed, other violation of T&C
    4  insult by both and by the policy's rule, which also suggested it
                                 -> removed, cyber violence, partially automated, detected
    5  identity_attack + threat  -> removed (remove beats escalate), violence + harmful speech
    6  threat by both            -> held: disabled, violence
    7  off_topic by both         -> flag restricts nothing: no statement
    8  approved by both          -> approve restricts nothing: no statement
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from modtool.ingest import import_path
from modtool.policy import load_policy
from modtool.policy.model import Suggestion
from modtool.store import Store
from tests.dsa_rules import problems
from tests.test_export_cli import one_error_line

WXR = Path(__file__).parent / "fixtures" / "wxr" / "site-1.2.xml"
TERMS = "https://news.example/community-rules"


def decide(store: Store) -> dict[str, int]:
    policy = load_policy("news-comments")
    ref = policy.ref
    ids = {
        ext: cid
        for cid, ext in store.db.execute("SELECT id, external_id FROM comments WHERE thread_id = 1")
    }
    both = {"1": ["insult"], "3": ["spam"], "4": ["insult"], "5": ["identity_attack", "threat"],
            "6": ["threat"], "7": ["off_topic"]}  # fmt: skip
    for ext, labels in both.items():
        for who in ("alice", "bob"):
            for label in labels:
                store.labels.add(ids[ext], label, moderator=who, policy=ref)
    store.labels.add(ids["2"], "insult", moderator="alice", policy=ref)
    store.labels.approve(ids["2"], moderator="bob", policy=ref)
    for who in ("alice", "bob"):
        store.labels.approve(ids["8"], moderator=who, policy=ref)
    store.labels.add(ids["4"], "insult", moderator=policy.actor, policy=ref, actor_kind="policy")
    store.labels.note(
        ids["6"], "Threatens the author; told the editor.", moderator="alice", policy=ref
    )
    store.suggestions.replace_for_thread(
        1,
        policy.name,
        [Suggestion(ids["4"], "insult", "insult-score", True, policy.name, policy.hash)],
    )
    return ids


def test_statements_of_reasons_pass_the_databases_rules(
    store: Store, run_cli, tmp_path: Path
) -> None:
    import_path(store, WXR)
    ids = decide(store)
    out = tmp_path / "sor.jsonl"
    result = run_cli(
        "decisions", "--thread", "1", "--format", "dsa-sor", "--terms-url", TERMS, "-o", out,
        "--policy", "news-comments",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "wrote 4 statement(s) of reasons: 7 decision(s), 1 tied" in result.stdout
    assert result.stderr.splitlines() == [
        "modtool: note: no statement for 1 decision(s): its WordPress id cannot name one "
        "comment of the site (#1)",
        "modtool: note: no statement for 1 decision(s): flag restricts nothing (#7)",
        "modtool: note: no statement for 1 decision(s): approve restricts nothing (#8)",
        "modtool: note: no statement for 1 decision(s): tied, no final decision (#2)",
    ]
    statements = [json.loads(line) for line in out.read_text().splitlines()]
    for statement in statements:
        assert problems(statement) == [], statement
    bad = {**statements[0], "category": "STATEMENT_CATEGORY_SPAM", "puid": "wordpress:10:3"}
    del bad["content_date"]
    assert problems(bad) == [  # the rules can fail
        "content_date is required",
        "category 'STATEMENT_CATEGORY_SPAM' is not allowed",
        "content_date is not Y-m-d",
        "puid format is invalid",
    ]
    by_comment = {s["puid"].split("-")[2]: s for s in statements}
    assert sorted(by_comment) == ["3", "4", "5", "6"]
    today = datetime.now(UTC).date().isoformat()
    common = {
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "source_type": "SOURCE_VOLUNTARY",
        "application_date": today,
        "decision_ground_reference_url": TERMS,
    }
    for statement in statements:
        assert {k: statement[k] for k in common} == common
        assert statement["puid"].startswith("wordpress-10-")
    picked = {
        ext: (
            s["decision_visibility"],
            s["category"],
            s.get("category_addition"),
            s.get("category_specification"),
            s["automated_detection"],
            s["automated_decision"],
            s["content_date"],
        )
        for ext, s in by_comment.items()
    }
    assert picked == {
        "3": (["DECISION_VISIBILITY_CONTENT_REMOVED"], "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
              None, None, "No", "AUTOMATED_DECISION_NOT_AUTOMATED", "2024-03-04"),
        "4": (["DECISION_VISIBILITY_CONTENT_REMOVED"], "STATEMENT_CATEGORY_CYBER_VIOLENCE",
              None, ["KEYWORD_CYBER_HARASSMENT"], "Yes", "AUTOMATED_DECISION_PARTIALLY",
              "2024-03-04"),
        "5": (["DECISION_VISIBILITY_CONTENT_REMOVED"], "STATEMENT_CATEGORY_VIOLENCE",
              ["STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"],
              ["KEYWORD_DISCRIMINATION", "KEYWORD_INCITEMENT_VIOLENCE_HATRED"], "No",
              "AUTOMATED_DECISION_NOT_AUTOMATED", "2024-03-04"),
        "6": (["DECISION_VISIBILITY_CONTENT_DISABLED"], "STATEMENT_CATEGORY_VIOLENCE", None,
              ["KEYWORD_INCITEMENT_VIOLENCE_HATRED"], "No", "AUTOMATED_DECISION_NOT_AUTOMATED",
              "2024-03-04"),
    }  # fmt: skip
    policy = load_policy("news-comments")
    assert by_comment["5"]["incompatible_content_ground"] == (
        f"Policy news-comments version {policy.version}: Identity attack / hate "
        "(identity_attack); Threat (threat)"
    )
    assert by_comment["4"]["decision_facts"] == (
        "WordPress comment 4 in thread 10 was reviewed by 2 moderator(s) and 1 automatic "
        "rule(s) under policy news-comments; the majority found: Personal attack / insult "
        "(insult). A rule of the policy suggested insult before review. The comment was "
        "removed."
    )
    assert by_comment["6"]["decision_facts"].endswith(
        "The comment was held for a senior moderator. Moderators' notes: Threatens the "
        "author; told the editor."
    )
    # no personal data: no author, no moderator, no comment text
    text = out.read_text()
    for name in ("alice", "bob", "Cheap Pills", "Ilya", "secret"):
        assert name not in text
    assert ids  # the mapping above was by WordPress id


def test_dsa_sor_refusals(store: Store, run_cli, tmp_path: Path) -> None:
    import_path(store, WXR)
    decide(store)
    one_error_line(
        run_cli("decisions", "--format", "dsa-sor", "--terms-url", "rules", "-o",
                tmp_path / "x.jsonl", "--policy", "news-comments"),
        "--terms-url 'rules': give an http:// or https:// address",
    )  # fmt: skip
    assert not (tmp_path / "x.jsonl").exists()
