"""The policy, suggest, apply-policy, label and log commands, through the real CLI."""

from __future__ import annotations

import getpass
import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli_batch import run_batch
from tests.policy_helpers import policy_text

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def imported(run_cli, sample_store):
    """The CLI against a database file that holds the sample thread (imported in-process)."""
    return run_cli


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr


def test_label_add_remove_approve_and_log(imported, db_path: Path) -> None:
    run = imported
    added = run("label", 9, "insult", "--moderator", "ana")
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[0].startswith(
        'labeled #9 7 Nick Rhynes "trumputin would love to…": insult (by ana, news-comments@'
    )
    assert "#9 now: labeled (insult)" in added.stdout
    again = run("label", 9, "insult", "--moderator", "ana")
    assert "unchanged" in again.stdout
    removed = run("label", 9, "insult", "--remove", "--moderator", "ana")
    assert "unlabeled #9 7 Nick Rhynes" in removed.stdout and "now: unreviewed" in removed.stdout
    approved = run("label", 4, "approve", "--moderator", "ben", "--note", "satire")
    assert "approved" in approved.stdout, approved.stderr

    log = run("log", "--json")
    assert log.returncode == 0, log.stderr
    entries = [json.loads(line) for line in log.stdout.splitlines()]
    assert [(e["actor"], e["comment_id"], e["kind"], e["label"]) for e in entries] == [
        ("ana", 9, "add_label", "insult"),
        ("ana", 9, "remove_label", "insult"),
        ("ben", 4, "approve", None),
    ]
    assert entries[0]["before"] == {"labels": [], "state": "unreviewed"}
    assert entries[0]["after"] == {"labels": ["insult"], "state": "labeled"}
    assert entries[2]["note"] == "satire" and entries[2]["policy_name"] == "news-comments"
    assert all(e["actor_kind"] == "moderator" for e in entries)

    only_nine = run("log", "--comment", 9)
    assert only_nine.returncode == 0
    assert "add_label insult" in only_nine.stdout and "ben" not in only_nine.stdout

    with sqlite3.connect(db_path) as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM actions").fetchone()
    assert count == 3


def test_label_refuses_unknown_label_and_writes_nothing(imported, db_path: Path) -> None:
    result = imported("label", 9, "insult", "bogus", "--moderator", "ana")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "modtool: error: label 'bogus' is not in policy 'news-comments' (labels: approve, "
        "insult, identity_attack, threat, profanity, off_topic, spam)"
    ]
    no_traceback(result)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM actions").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM labels").fetchone() == (0,)


def test_label_errors(imported) -> None:
    missing = imported("label", 999, "insult", "--moderator", "ana")
    assert missing.returncode == 1 and "no comment with id 999" in missing.stderr
    no_label = imported("label", 9, "--moderator", "ana")
    assert no_label.returncode == 1 and "name at least one label" in no_label.stderr
    remove_approval = imported("label", 9, "approve", "--remove", "-m", "ana")
    assert remove_approval.returncode == 1 and "use --reset" in remove_approval.stderr
    bad_ref = imported("label", "1:9.9.9", "insult", "-m", "ana")
    assert bad_ref.returncode == 1
    assert bad_ref.stderr == "modtool: error: no comment at path 9.9.9 in thread 1\n"
    for result in (missing, no_label, remove_approval, bad_ref):
        no_traceback(result)


def test_label_by_id_hash_or_path_and_the_moderator_default(
    sample_store, db_path: Path, tmp_path: Path
) -> None:
    """11.1: #9 is the database id, 1:7.4.2 the reply path; the answer shows which comment."""
    by_path, by_hash, wrong_thread, log = run_batch(
        [
            ("label", "1:7.4.2", "threat"),
            ("label", "#22", "threat", "--remove", "-m", "dan"),
            ("label", "22", "threat", "--thread", "2"),
            ("log", "--comment", 22),
        ],
        db=db_path,
        cwd=tmp_path,
        env={"MODTOOL_MODERATOR": "carol"},
    )
    assert by_path.returncode == 0, by_path.stderr
    assert by_path.stdout.startswith('labeled #22 7.4.2 Nick Rhynes "I’d prefer it not to be…"')
    assert "(by carol, " in by_path.stdout
    assert by_hash.stdout.startswith("unchanged #22 7.4.2 Nick Rhynes"), by_hash.stderr
    assert "already unreviewed (by dan, " in by_hash.stdout  # dan had not labeled it
    assert wrong_thread.returncode == 1 and "no thread with id 2" in wrong_thread.stderr
    assert "#22 7.4.2" in log.stdout and "carol" in log.stdout
    (no_name,) = run_batch(
        [("label", "9", "insult")], db=db_path, cwd=tmp_path, env={"MODTOOL_MODERATOR": ""}
    )
    assert no_name.returncode == 0, no_name.stderr  # the OS user, as in `modtool tui`
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "moderator"
    assert f"(by {user}, " in no_name.stdout


def test_log_tells_an_undo_from_its_redo(imported, sample_store) -> None:
    from modtool.policy import load_policy
    from modtool.policy.suggest import register

    policy = load_policy("news-comments")
    register(sample_store, policy)
    sample_store.labels.add(9, "insult", moderator="ana", policy=policy.ref)
    sample_store.labels.undo(moderator="ana", policy=policy.ref)
    sample_store.labels.redo(moderator="ana", policy=policy.ref)
    log = imported("log", "--wide")
    assert "undo insult (undoes action 1)" in log.stdout
    assert "redo insult (redoes action 1, undone before)" in log.stdout


def test_label_under_another_policy(imported) -> None:
    result = imported("label", 4, "obscene", "toxic", "--policy", "jigsaw", "-m", "ana")
    assert result.returncode == 0, result.stderr
    assert "now: labeled (obscene, toxic)" in result.stdout
    log = imported("log", "--policy", "jigsaw", "--json")
    assert [json.loads(line)["label"] for line in log.stdout.splitlines()] == ["obscene", "toxic"]


def test_suggest_and_apply_policy(imported, tmp_path: Path) -> None:
    local = tmp_path / "policies"
    local.mkdir()
    (local / "site.toml").write_text(
        policy_text(
            '[[rules]]\nid = "auto"\nlabel = "insult"\nautomatic = true\nwords = ["arsewipe"]\n'
            "fuzzy = 1\n"
        ),
        encoding="utf-8",
    )
    suggested = imported("suggest", "--policy", "site", "--thread", 1)
    assert suggested.returncode == 0, suggested.stderr
    assert "test (" in suggested.stdout and "1 suggestions on 1 of 27 comments" in suggested.stdout
    dry = imported("apply-policy", "--policy", "policies/site.toml", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "comment #16: would add_label insult by policy:test (rule auto)",
        "test: 1 automatic suggestion(s); would apply 1, 0 already in place",
    ]
    assert imported("log", "--actor", "policy:test", "--json").stdout == ""
    applied = imported("apply-policy", "--policy", "policies/site.toml")
    assert applied.returncode == 0, applied.stderr
    assert "comment #16: add_label insult by policy:test (rule auto)" in applied.stdout
    log = imported("log", "--actor", "policy:test", "--json")
    (entry,) = [json.loads(line) for line in log.stdout.splitlines()]
    assert entry["actor_kind"] == "policy" and entry["comment_id"] == 16
    again = imported("apply-policy", "--policy", "policies/site.toml")
    assert "applied 0, 1 already in place" in again.stdout
    dry = imported("apply-policy", "--policy", "policies/site.toml", "--dry-run")
    assert "would apply 0, 1 already in place" in dry.stdout and "would add" not in dry.stdout


def test_suggest_reports_a_timed_out_rule(imported, tmp_path: Path) -> None:
    path = tmp_path / "slow.toml"
    path.write_text(
        policy_text(
            '[[rules]]\nid = "slow"\nlabel = "insult"\nregex = \'(a|aa)+$\'\n',
            head='name = "slow"\nversion = "1"\nregex_timeout = 0.05\n',
        ),
        encoding="utf-8",
    )
    doc = tmp_path / "aaa.txt"
    doc.write_text(
        "Title\n\nArticle.\n\n  1. Bob says\n\n    " + "a" * 40 + "!\n", encoding="utf-8"
    )
    assert imported("import", doc).returncode == 0
    result = imported("suggest", "--policy", path)
    assert result.returncode == 0, result.stderr
    assert "warning: rule slow timed out on comment #28" in result.stderr
    assert (
        "note: 1 rule undecided on 1 comment(s) (slow) as their regexes ran out of time (above)"
        in result.stderr
    )


def test_policy_check_lists_every_problem(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = policy_text('[[rules]]\nid = "r"\nlabel = "nope"\nscore = "toxicty"\nmin = 3\n')
    bad.write_text(text, encoding="utf-8")
    result = run_cli("policy", "check", bad, db=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    lines_of = {
        n
        for n, line in enumerate(text.splitlines(), 1)
        if any(k in line for k in ('"nope"', "toxicty", "min = 3"))
    }
    assert len(lines) == 3
    for line in lines:
        path, number, rest = line.split(":", 2)
        assert path == str(bad) and int(number) in lines_of and "rule 'r'" in rest
    no_traceback(result)
    good = run_cli("policy", "check", "news-comments", REPO / "policies" / "jigsaw.toml")
    assert good.returncode == 0, good.stderr
    assert good.stdout.count(": ok: ") == 2


def test_policy_list_and_show(run_cli, tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "mine.toml").write_text(policy_text(), encoding="utf-8")
    (tmp_path / "policies" / "broken.toml").write_text("name = ", encoding="utf-8")
    listed = run_cli("policy", "list", db=False)
    assert listed.returncode == 0, listed.stderr
    for expected in ("news-comments", "jigsaw", "shipped", "local", "test", "invalid"):
        assert expected in listed.stdout
    shown = run_cli("policy", "show", "news-comments", db=False)
    assert shown.returncode == 0, shown.stderr
    for expected in ("Personal attack", "escalate", "threat-severe", "insult >= 0.75"):
        assert expected in shown.stdout


def test_every_command_has_help_with_an_example() -> None:
    from click.testing import CliRunner

    from modtool.cli import main

    for command in (
        ["policy", "list"],
        ["policy", "show"],
        ["policy", "check"],
        ["suggest"],
        ["apply-policy"],
        ["label"],
        ["log"],
    ):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, command


def test_offline_hint_says_how_to_get_detoxify(imported, tmp_path: Path) -> None:
    """11.4: `run modtool score` cannot help when Detoxify is not available here."""
    env = {"TORCH_HOME": str(tmp_path / "torch"), "MODTOOL_OFFLINE": "1"}
    result = imported("suggest", env=env)
    assert result.returncode == 0, result.stderr
    note = [line for line in result.stderr.splitlines() if "undecided" in line]
    assert len(note) == 1 and len(note[0]) < 260  # 17.8: one short line, not 500 characters
    # the sample is unscored: profanity-check's scores come offline, Detoxify's cannot
    assert "for want of scores: profanity-check's (`modtool score`)" in note[0]
    assert "the offline model's (`modtool models fetch offline`)" in note[0]
    assert note[0].endswith('more in docs/policies.md, "Undecided rules"')
    assert "--scorer detoxify" not in result.stderr


def test_label_by_platform_id(imported, sample_path: Path, tmp_path: Path, db_path: Path):
    """11.1: --external names the platform's id (for plain text: the numbering path)."""
    with sqlite3.connect(db_path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(comments)")}
    if "external_id" not in columns:
        pytest.skip("comments.external_id (migration m004) is not in this tree yet")
    result = imported("label", "--external", "7.4.2", "threat", "-m", "ana")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("labeled #22 7.4.2 Nick Rhynes")
    copy = tmp_path / "copy.txt"
    text = sample_path.read_text(encoding="utf-8")
    copy.write_text("Another title\n" + text.split("\n", 1)[1], encoding="utf-8")
    assert imported("import", copy).returncode == 0
    ambiguous = imported("label", "--external", "7.4.2", "threat", "-m", "ana")
    assert ambiguous.returncode == 1
    assert "external id '7.4.2' is in threads 1, 2: add --thread ID" in ambiguous.stderr
    chosen = imported("label", "--external", "7.4.2", "threat", "--thread", "2", "-m", "ana")
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.startswith("labeled #")
    assert not chosen.stdout.startswith("labeled #22 ")
    missing = imported("label", "--external", "t1_nope", "spam", "-m", "ana")
    assert missing.stderr == "modtool: error: no comment with external id 't1_nope'\n"


def test_a_spent_regex_budget_reads_as_one_line_and_the_note_is_capped(
    run_cli, tmp_path: Path
) -> None:
    """200 catastrophic rules on one comment: the budget entry is its own warning (not
    dressed as one regex's timeout) and the undecided note names three rules, then counts."""
    doc = tmp_path / "x.txt"
    doc.write_text("Title\n\nArticle.\n\n  1. Ann says\n\n    " + "x" * 40 + "\n", encoding="utf-8")
    assert run_cli("import", doc).returncode == 0
    rules = "".join(
        f'\n[[rules]]\nid = "slow{n}"\nlabel = "insult"\nregex = \'(?:x|xx)+(?:y|z{{{n + 1}}})\'\n'
        for n in range(200)
    )
    head = 'name = "test"\nversion = "1"\nregex_timeout = 0.05\nregex_budget = 0.3\n'
    policy = tmp_path / "slow.toml"
    policy.write_text(policy_text(rules, head=head), encoding="utf-8")
    result = run_cli("suggest", "--policy", policy)
    no_traceback(result)
    lines = result.stderr.splitlines()
    budget = [line for line in lines if "regex time budget" in line]
    assert len(budget) == 1
    assert budget[0].startswith("modtool: warning: comment #1: regex time budget of 0.3 s")
    assert "took more than" not in budget[0] and "(+" in budget[0]
    note = next(line for line in lines if "rules undecided" in line)
    assert "200 rules undecided on 1 comment(s) (slow0, slow1, slow10 and 197 more)" in note
    assert len(note) < 200
