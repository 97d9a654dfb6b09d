"""Edited after review (issues 21.6, 16.2): a label and a review record the text they
were given for; a re-import that changes the text shows it, keeps the labels, puts the
comment back in the queue and marks the exported labels as stale.

The fixture, counted by hand: a thread of three comments, #1 Ann, #2 Bob (a reply to
Ann), #3 Cy. ana labels #2 insult and approves #3; bo labels #2 spam. The re-import
edits Bob's text only (same author and place, similar text: an edit, same id).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from modtool.export.runner import export as run_export
from modtool.ingest import import_path
from modtool.moderation import QueueFilter, Session
from modtool.policy import load_policy
from modtool.store import Store, open_store
from modtool.store.dataset import Selection
from tests.thread_docs import Node, render
from tests.tui_support import make_app

POLICY = load_policy("news-comments")
REF = POLICY.ref
BOB_BEFORE = "You are a complete idiot and everybody here knows it."
BOB_AFTER = "You are a complete idiot and everybody here knows it, sorry."


def document(bob: str) -> str:
    return render(
        "Edits",
        "An article.",
        [Node("Ann", "first comment here", [Node("Bob", bob)]), Node("Cy", "second comment")],
    )


@pytest.fixture
def edited(tmp_path: Path, db_path: Path) -> Path:
    doc = tmp_path / "edits.txt"
    doc.write_text(document(BOB_BEFORE), encoding="utf-8")
    with open_store(db_path) as store:
        import_path(store, doc)
        store.labels.add(2, "insult", moderator="ana", policy=REF)
        store.labels.approve(3, moderator="ana", policy=REF)
        store.labels.add(2, "spam", moderator="bo", policy=REF)
        assert store.labels.edited_since_review([1, 2, 3]) == {}
        doc.write_text(document(BOB_AFTER), encoding="utf-8")
        result = import_path(store, doc)
        assert (result.updated, result.unchanged, result.added) == (1, 2, 0)
        assert store.comments.get(2).body == BOB_AFTER  # the same comment, edited
    return db_path


def test_store_says_who_reviewed_an_earlier_text(edited: Path) -> None:
    with open_store(edited) as store:
        assert store.labels.edited_since_review([1, 2, 3]) == {2: frozenset({"ana", "bo"})}
        assert store.labels.edited_since_review([2], moderator="ana") == {2: frozenset({"ana"})}
        assert store.labels.edited_since_review([2], policy_name="other") == {}
        # Labels are never deleted by an edit.
        assert store.labels.state(2, "ana", REF.name).labels == {"insult"}
        assert store.labels.state(2, "bo", REF.name).labels == {"spam"}
        # Acting on the new text stamps ana's whole verdict (the label she kept too).
        action = store.labels.add(2, "profanity", moderator="ana", policy=REF)
        assert action is not None and action.content_hash == store.comments.get(2).content_hash
        assert store.labels.edited_since_review([2]) == {2: frozenset({"bo"})}
        hashes = store.db.execute(
            "SELECT label, content_hash FROM labels WHERE comment_id = 2 AND moderator = 'ana'"
        ).fetchall()
        assert {label for label, _ in hashes} == {"insult", "profanity"}
        assert {h for _, h in hashes} == {store.comments.get(2).content_hash}


def test_session_counts_an_edited_comment_as_unreviewed(edited: Path) -> None:
    with open_store(edited) as store:
        session = Session(store, store.threads.get(1), POLICY, "ana").load()
        assert session.edited_since_review(2) and not session.edited_since_review(3)
        assert not session.is_reviewed(2) and session.is_reviewed(3)
        assert session.progress().reviewed == 1  # #3 only: #2's review was for old text
        assert session.progress().per_label.get("insult", 0) == 0
        assert session.queue(QueueFilter(unreviewed=True)) == [1, 2]  # no scores: by position
        session.toggle(2, "insult")  # removes the old label: ana has looked again
        assert not session.edited_since_review(2) and not session.is_reviewed(2)
        session.toggle(2, "threat")
        assert session.is_reviewed(2) and session.progress().reviewed == 2
        assert session.edited_since_review(2, "bo")


def test_queue_json_says_edited_and_unreviewed_includes_it(edited: Path, run_cli) -> None:
    result = run_cli("queue", "1", "--unreviewed", "--json", "-m", "ana")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["edited_since_review"], r["labels"]) for r in rows] == [
        (1, False, []),
        (2, True, ["insult"]),
    ]


def export(store: Store, tmp_path: Path, fmt: str, name: str) -> Path:
    out = tmp_path / name
    keys = tuple(label.key for label in POLICY.labels if label.action != "approve")
    run_export(store, fmt=fmt, output=out, selection=Selection(policy=REF.name), label_keys=keys)
    return out


def test_exports_mark_labels_given_for_an_earlier_text(edited: Path, tmp_path: Path) -> None:
    with open_store(edited) as store:
        lines = export(store, tmp_path, "jsonl", "a.jsonl").read_text().splitlines()
        rows = {r["id"]: r for r in map(json.loads, lines)}
        assert rows[2]["text"] == BOB_AFTER
        assert rows[2]["labels_stale"] is True and rows[3]["labels_stale"] is False
        assert rows[1]["labels_stale"] is False  # nobody reviewed it
        assert [(a["moderator"], a["labels"], a["stale"]) for a in rows[2]["annotations"]] == [
            ("ana", ["insult"], True),
            ("bo", ["spam"], True),
        ]
        with open(export(store, tmp_path, "csv", "a.csv"), encoding="utf-8-sig") as handle:
            cells = {int(r["id"]): r for r in csv.DictReader(handle)}
        assert (cells[2]["labels_stale"], cells[3]["labels_stale"]) == ("1", "0")
        # A stale label is no training target for the new text: Jigsaw leaves #2 out.
        with open(export(store, tmp_path, "jigsaw", "train.csv"), encoding="utf-8") as handle:
            texts = [r["comment_text"] for r in csv.DictReader(handle)]
        assert texts == ["second comment"]
        with open(export(store, tmp_path, "annotations-csv", "l.csv"), encoding="utf-8-sig") as h:
            stale = {(r["comment_id"], r["moderator"]): r["stale"] for r in csv.DictReader(h)}
        assert stale == {("2", "ana"): "1", ("2", "bo"): "1", ("3", "ana"): "0"}


async def test_ui_shows_edited_after_your_review(edited: Path) -> None:
    app = make_app(edited)  # the latest thread: the only one
    async with app.run_test(size=(120, 30)) as pilot:
        app._select(2)
        await pilot.pause()
        detail = app.detail.text.plain
        assert "✎ edited after your review" in detail and "bo: " in detail
        assert "✎ before an edit" in detail
        assert "1/3 reviewed" in str(app.status.render())
        await pilot.press("v")  # the queue row carries the chip
        await pilot.pause()
        assert "✎edited" in app.queue._row(2, 80).plain
