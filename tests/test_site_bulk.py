"""Bulk labels as one undoable group (issue 21.5), notes (21.8) and claims (21.7), on
the hand-counted site of ``tests/site_support.py`` (troll42 on Reddit: #1, #3, #5;
#1 has the replies #2 and #3)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from modtool.store import open_store
from modtool.store.claims import LEASE_S
from modtool.store.notes import notes_for
from tests.cli_batch import run_batch
from tests.site_support import REF, build_site


@pytest.fixture
def site_db(tmp_path: Path) -> Path:
    return build_site(tmp_path, tmp_path / "site.db")


def states(db: Path, moderator: str = "ana") -> dict[int, tuple[str, list[str]]]:
    with open_store(db) as store:
        return {
            cid: (s.state, sorted(s.labels))
            for cid in range(1, 9)
            if (s := store.labels.state(cid, moderator, REF.name)).state != "unreviewed"
        }


def test_bulk_needs_yes_says_how_many_and_undoes_as_one_step(site_db: Path, tmp_path: Path) -> None:
    author = ("--author", "troll42", "--platform", "reddit")
    runs = run_batch(
        [
            ("label", *author, "spam", "-m", "ana"),
            ("label", *author, "spam", "-m", "ana", "--yes"),
            ("label", "--subtree", "1", "off_topic", "-m", "ana", "--yes"),
            ("undo", "-m", "ana"),
            ("undo", "-m", "ana"),
            ("undo", "-m", "ana", "--redo"),
            ("log", "--actor", "ana", "--json"),
        ],
        db=site_db,
        cwd=tmp_path,
    )
    refused, labeled, subtree, undo_subtree, undo_author, redo_author, log = runs
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "modtool: error: this would label spam 3 comments (reddit account 'troll42' (the "
        "name is the account there)); add --yes to do it\n"
    )
    assert labeled.returncode == 0, labeled.stderr
    assert labeled.stdout.startswith("labeled spam: 3 of 3 comments (reddit account 'troll42'")
    assert "group 1: `modtool undo -m ana` reverts it" in labeled.stdout
    assert subtree.stdout.startswith("labeled off_topic: 3 of 3 comments (#1 and its 2 replies)")
    assert undo_subtree.stdout.startswith("undid a bulk step of 3 comments (#1…#3)")
    assert undo_author.stdout.startswith("undid a bulk step of 3 comments (#1…#5)")
    assert redo_author.stdout.startswith("redid a bulk step of 3 comments (#1…#5)")
    actions = [json.loads(line) for line in log.stdout.splitlines()]
    # fixture approval, 3 + 3 bulk actions, 3 + 3 undos, 3 redos
    assert len(actions) == 1 + 3 + 3 + 3 + 3 + 3
    assert states(site_db) == {
        1: ("labeled", ["spam"]),
        3: ("labeled", ["spam"]),
        4: ("approved", []),
        5: ("labeled", ["spam"]),
    }
    with open_store(site_db) as store:
        groups = store.db.execute("SELECT id, kind, reverts FROM action_groups").fetchall()
        assert groups == [
            (1, "author", None),
            (2, "subtree", None),
            (3, "undo", 2),
            (4, "undo", 1),
            (5, "redo", 1),
        ]


def test_unreviewed_only_and_a_single_comment_without_yes(site_db: Path, tmp_path: Path) -> None:
    runs = run_batch(
        [
            ("label", "5", "--approve", "-m", "ana"),
            (
                "label",
                "--author",
                "troll42",
                "--platform",
                "reddit",
                "insult",
                "--unreviewed-only",
                "-m",
                "ana",
                "--yes",
            ),
            ("label", "--subtree", "4", "spam", "-m", "bo"),
            ("label", "--subtree", "999", "spam", "-m", "bo"),
            ("label", "--subtree", "1", "insult", "profanity", "-m", "bo", "--yes"),
        ],
        db=site_db,
        cwd=tmp_path,
    )
    assert runs[1].stdout.startswith("labeled insult: 2 of 2 comments")
    assert "not yet reviewed by you" in runs[1].stdout
    assert states(site_db)[5] == ("approved", [])
    assert runs[2].returncode == 0 and runs[2].stdout.startswith(
        "labeled spam: 1 of 1 comments (#4 and its 0 replies)"
    )
    assert runs[3].returncode == 1 and runs[3].stderr == "modtool: error: no comment with id 999\n"
    assert runs[4].returncode == 1 and "a bulk action gives one label" in runs[4].stderr


def test_notes_go_with_the_verdict_into_log_and_exports(site_db: Path, tmp_path: Path) -> None:
    runs = run_batch(
        [
            ("label", "2", "insult", "-m", "ana", "--note", "name-calling, rule 2"),
            ("label", "2", "insult", "-m", "ana", "--note", "name-calling, rule 2"),
            ("label", "2", "insult", "-m", "ana", "--note", "and a threat"),
            ("log", "--comment", "2", "--json"),
            ("export", "--format", "jsonl", "-o", tmp_path / "out.jsonl", "--policy", REF.name),
        ],
        db=site_db,
        cwd=tmp_path,
    )
    assert runs[0].stdout.startswith("labeled #2")
    assert runs[1].stdout.startswith("unchanged #2")  # the same note again adds nothing
    assert runs[2].stdout.startswith("noted #2")
    log = [json.loads(line) for line in runs[3].stdout.splitlines()]
    assert [(a["kind"], a["note"]) for a in log] == [
        ("add_label", "name-calling, rule 2"),
        ("note", "and a threat"),
    ]
    records = {
        r["id"]: r
        for r in map(json.loads, (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())
    }
    (annotation,) = records[2]["annotations"]
    assert annotation["notes"] == ["name-calling, rule 2", "and a threat"]
    with open_store(site_db) as store:
        store.labels.undo(moderator="ana", policy=REF)  # the note action: its note goes
        assert [n.text for n in notes_for(store.db, [2], REF.name)[2]] == ["name-calling, rule 2"]


def test_claims_lease_skip_expire_and_release(site_db: Path) -> None:
    here = socket.gethostname()
    with open_store(site_db) as store:
        claims = store.claims
        ana = f"{here}:{os.getpid()}:a"
        assert claims.claim(3, policy_name=REF.name, moderator="ana", holder=ana, now=1000) is None
        held = claims.claim(3, policy_name=REF.name, moderator="bo", holder="far:1:b", now=1100)
        assert held is not None and held.moderator == "ana"
        assert set(claims.held([1, 3], REF.name, now=1100)) == {3}
        # Moving on releases: ana's UI shows #5 now.
        assert claims.claim(5, policy_name=REF.name, moderator="ana", holder=ana, now=1200) is None
        assert set(claims.held([3, 5], REF.name, now=1200)) == {5}
        # A lease runs out unless renewed.
        assert claims.held([5], REF.name, now=1200 + LEASE_S) == {}
        assert claims.renew(ana, now=1200 + LEASE_S - 1) == 1
        assert set(claims.held([5], REF.name, now=1200 + LEASE_S + 10)) == {5}
        claims.release(ana)
        assert claims.held([5], REF.name, now=1300) == {}
        # A UI of this machine that died (its process is gone) blocks nobody.
        dead = f"{here}:{_dead_pid()}:c"
        assert claims.claim(6, policy_name=REF.name, moderator="cy", holder=dead) is None
        assert claims.held([6], REF.name) == {}
        assert claims.claim(6, policy_name=REF.name, moderator="bo", holder="far:1:b") is None


def _dead_pid() -> int:
    """A process id that ran and has exited."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
