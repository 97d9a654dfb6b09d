"""``modtool decisions`` (issue 12.4): final decisions keyed by the platform's ids,
on an imported WordPress export, as JSONL, CSV and a WP-CLI script that runs."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
from pathlib import Path

from modtool.ingest import import_path
from modtool.policy import load_policy
from modtool.store import Store
from tests.cli_batch import run_batch
from tests.test_export_cli import one_error_line

WXR = Path(__file__).parent / "fixtures" / "wxr" / "site-1.2.xml"
URL = "https://news.example/2024/03/talks-collapse/"
POLICY = ("--policy", "news-comments")


def decide(store: Store) -> None:
    """On the post with WordPress id 10: comments 1..8 (database ids 1..8)."""
    ref = load_policy("news-comments").ref
    ids = {
        ext: cid
        for cid, ext in store.db.execute("SELECT id, external_id FROM comments WHERE thread_id = 1")
    }
    labels = store.labels
    for who in ("alice", "bob"):
        labels.approve(ids["1"], moderator=who, policy=ref)
        labels.add(ids["2"], "insult", moderator=who, policy=ref)
    labels.add(ids["3"], "spam", moderator="alice", policy=ref)
    labels.add(ids["7"], "threat", moderator="bob", policy=ref)
    labels.add(ids["8"], "insult", moderator="alice", policy=ref)  # a tie
    labels.approve(ids["8"], moderator="bob", policy=ref)


def test_decisions_on_a_wordpress_import(store: Store, run_cli, tmp_path: Path) -> None:
    import_path(store, WXR)
    decide(store)
    out = tmp_path / "d.jsonl"
    result = run_cli("decisions", "--thread", "1", "-o", out, "--policy", "news-comments")
    assert result.returncode == 0, result.stderr
    assert "4 decision(s), 1 tied" in result.stdout
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(r["external_id"], r["final"], r["action"], r["labels"]) for r in rows] == [
        ("1", True, "approve", []),
        ("2", True, "remove", ["insult"]),
        ("3", True, "remove", ["spam"]),
        ("7", True, "escalate", ["threat"]),
        ("8", False, None, []),
    ]
    assert all(r["platform"] == "wordpress" and r["thread_external_id"] == "10" for r in rows)
    # the export's post 11 (same site) has comments 1 and 2 too: WordPress ids are site-wide
    assert [r["id_problem"] is not None for r in rows] == [True, True, False, False, False]
    assert rows[0]["id_problem"] == (
        "WordPress id 1 is ambiguous: comment(s) #9 (thread 2, id '1') of the same site "
        "spell it too"
    )
    assert rows[1]["permalink"] == f"{URL}#comment-2"
    assert rows[1]["moderators"] == ["alice", "bob"] and rows[4]["tied_labels"] == ["insult"]
    assert rows[0]["global_id"] == "wordpress:10:1"
    assert rows[0]["policy_hashes"] == [load_policy("news-comments").hash]

    out_csv = tmp_path / "d.csv"
    result = run_cli("decisions", "-o", out_csv, "--format", "csv", "--policy", "news-comments")
    assert result.returncode == 0, result.stderr
    with open(out_csv, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["external_id"], r["action"], r["labels"]) for r in table] == [
        ("1", "approve", ""),
        ("2", "remove", "insult"),
        ("3", "remove", "spam"),
        ("7", "escalate", "threat"),
        ("8", "", ""),
    ]

    script = tmp_path / "apply.sh"
    result = run_cli(
        "decisions",
        "--thread",
        "1",
        "--format",
        "wp-cli",
        "-o",
        script,
        "--policy",
        "news-comments",
    )
    assert result.returncode == 0, result.stderr
    text = script.read_text()
    commands = [line for line in text.splitlines() if line.startswith("wp ")]
    assert commands == ["wp comment spam 3", "wp comment unapprove 7"]
    assert "# comment 8 (modtool #8): insult" in text
    assert "# ambiguous id: comment 1 (modtool #1), decision approve\n" in text
    assert "# ambiguous id: comment 2 (modtool #2), decision remove\n" in text
    assert "2 decision(s) have a WordPress id that cannot name one comment" in result.stderr
    assert text.startswith("#!/bin/sh\n# Moderation decisions from modtool")
    # the script runs: a stand-in `wp` records what it was asked to do
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "wp"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "wp.log"}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    subprocess.run(["sh", str(script)], check=True, env=env, cwd=tmp_path)
    assert (tmp_path / "wp.log").read_text().splitlines() == [
        "comment spam 3",
        "comment unapprove 7",
    ]


def test_decisions_refusals(sample_store: Store, run_cli, tmp_path: Path) -> None:
    from tests.labeled_sample import label_sample

    label_sample(sample_store, second_policy=False)
    one_error_line(
        run_cli(
            "decisions", "--format", "wp-cli", "-o", tmp_path / "x.sh", "--policy", "news-comments"
        ),
        "writes WordPress commands",
        "'text'",
    )
    one_error_line(
        run_cli(
            "decisions",
            "-o",
            tmp_path / "x.jsonl",
            "--since",
            "2999-01-01",
            "--policy",
            "news-comments",
        ),
        "no decisions match",
    )
    one_error_line(run_cli("decisions", "-o", tmp_path / "x.jsonl", "--since", "soon"), "--since")
    one_error_line(
        run_cli("decisions", "-o", "modtool.db", "--policy", "news-comments"),
        "is the database this export reads",
    )
    assert not (tmp_path / "x.sh").exists() and not (tmp_path / "x.jsonl").exists()
    result = run_cli("decisions", "-o", "-", "--policy", "news-comments")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["modtool_id"] for r in rows if r["final"]] == [1, 4, 8, 16]
    assert [r["modtool_id"] for r in rows if not r["final"]] == [9, 17]


def test_a_decision_for_an_earlier_text_is_marked_and_never_acted_on(
    store: Store, run_cli, tmp_path: Path
) -> None:
    """16.2: comments 4 and 6 of post 10 are edited on the site after both moderators
    decided them; the re-import brings the new text. Comment 5 is unchanged."""
    import_path(store, WXR)
    ref = load_policy("news-comments").ref
    ids = {
        ext: cid
        for cid, ext in store.db.execute("SELECT id, external_id FROM comments WHERE thread_id = 1")
    }
    for who in ("alice", "bob"):
        store.labels.add(ids["4"], "spam", moderator=who, policy=ref)
        store.labels.add(ids["5"], "insult", moderator=who, policy=ref)
        store.labels.add(ids["6"], "threat", moderator=who, policy=ref)
    edited = tmp_path / "edited.xml"
    text = WXR.read_text()
    assert text.count("<![CDATA[Buy now]]>") == 1
    text = text.replace("<![CDATA[Buy now]]>", "<![CDATA[Buy now, or read the rules first]]>")
    six = text.index("<wp:comment_id>6</wp:comment_id>")
    start = text.index("<wp:comment_content><![CDATA[", six) + len("<wp:comment_content><![CDATA[")
    edited.write_text(text[:start] + "Edited: " + text[start:])
    result = run_cli("import", edited)
    assert result.returncode == 0, result.stderr

    out = tmp_path / "d.jsonl"
    script = tmp_path / "apply.sh"
    sor = tmp_path / "sor.jsonl"
    jsonl, wp_cli, dsa = run_batch(
        [
            ("decisions", "--thread", "1", "-o", out, "--policy", "news-comments"),
            ("decisions", "--thread", "1", "--format", "wp-cli", "-o", script, *POLICY),
            ("decisions", "--thread", "1", "--format", "dsa-sor", "-o", sor, *POLICY),
        ],
        db=store.path,
        cwd=tmp_path,
    )
    assert jsonl.returncode == 0, jsonl.stderr
    rows = {r["external_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert {ext: r["edited_after_decision"] for ext, r in rows.items()} == {
        "4": True,
        "5": False,
        "6": True,
    }
    warning = (
        f"modtool: warning: 2 decision(s) were made for an earlier text: the comment was "
        f"edited after review; review them again: #{ids['6']}, #{ids['4']}; "
    )
    assert jsonl.stderr == warning + "marked in the edited_after_decision field\n"

    assert wp_cli.returncode == 0, wp_cli.stderr
    assert wp_cli.stderr == warning + (
        "not written as commands (listed apart at the end of the script)\n"
    )
    lines = script.read_text().splitlines()
    assert [line for line in lines if line.startswith("wp ")] == ["wp comment trash 5"]
    tail = lines[
        lines.index("# not written as commands: edited after the decision, review them again") + 1 :
    ]
    assert tail == [
        f"# comment 6 (modtool #{ids['6']}), decision escalate was for an earlier text",
        f"# comment 4 (modtool #{ids['4']}), decision remove was for an earlier text",
    ]

    assert dsa.returncode == 0, dsa.stderr
    assert [json.loads(x)["puid"].split("-")[2] for x in sor.read_text().splitlines()] == ["5"]
    assert (
        "no statement for 2 decision(s): the comment was edited after the decision "
        f"(review it again) (#{ids['6']}, #{ids['4']})"
    ) in dsa.stderr
