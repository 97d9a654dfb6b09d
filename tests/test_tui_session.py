"""The Textual-free moderation state: queue order and filters, next-unreviewed, progress,
writes that commit, other moderators' changes, highlight offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from modtool.moderation import ANY, SORT_POSITION, SORT_SCORE, QueueFilter, Session
from modtool.store import open_store
from modtool.tui.text import body_text, safe_with_offsets
from tests.tui_support import HOT, build_sample, policy, toxicity


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("tui-session") / "sample.db")


@pytest.fixture
def session(sample_db: Path, tmp_path: Path) -> Session:
    db = tmp_path / "s.db"
    db.write_bytes(sample_db.read_bytes())
    store = open_store(db)
    yield Session(store, store.threads.get(1), policy(), "ana").load()
    store.close()


def test_loads_the_tree_in_document_order(session: Session) -> None:
    assert session.order == list(range(1, 28))
    # Sample paths: 1, 2, 3, 4, 5, 5.1, 6, 6.1, 7, 7.1, ... 8 (the last comment).
    assert session.top_level == [1, 2, 3, 4, 5, 7, 9, 27]
    assert [session.comment(cid).path for cid in session.top_level] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
    ]
    # Comment 7 (Nick Rhynes, "7") has replies; the counts add up over the subtree.
    seven = session.nodes[9]
    assert seven.comment.path == "7"
    assert seven.descendants == sum(
        1 for c in session.order if session.comment(c).path.startswith("7.")
    )


def test_hottest_is_the_max_over_descendants_not_the_comment_itself(session: Session) -> None:
    seven = session.nodes[9]  # path 7, score 0.64; comment 13 (7.1.3) scores 0.81 below it
    assert session.comment(13).path.startswith("7.")
    assert seven.hottest == pytest.approx(0.81)
    leaf = session.nodes[1]
    assert leaf.descendants == 0 and leaf.hottest is None


def test_queue_by_score_is_highest_first_and_stable(session: Session) -> None:
    ids = session.queue(sort=SORT_SCORE)
    assert ids[:4] == sorted(HOT, key=HOT.get, reverse=True)
    values = [toxicity(cid) for cid in ids]
    assert values == sorted(values, reverse=True)
    assert session.queue(sort=SORT_POSITION) == list(range(1, 28))


def test_filters(session: Session) -> None:
    assert session.queue(QueueFilter(min_score=0.6), SORT_POSITION) == [4, 9, 13]
    assert session.queue(QueueFilter(author="joe"), SORT_POSITION) == [
        cid for cid in session.order if session.comment(cid).author == "Joe"
    ]
    assert session.queue(QueueFilter(text="mafia"), SORT_POSITION) == [1]
    suggested = session.queue(QueueFilter(suggestion=ANY), SORT_POSITION)
    assert 4 in suggested  # "Dumb" is in the policy's insult word list
    assert session.queue(QueueFilter(suggestion="insult"), SORT_POSITION) == [
        cid for cid in session.order if "insult" in session.suggested(cid)
    ]
    session.toggle(4, "insult")
    assert session.queue(QueueFilter(label="insult")) == [4]
    assert 4 not in session.queue(QueueFilter(unreviewed=True))
    assert QueueFilter(unreviewed=True, min_score=0.5).describe() == "unreviewed, score ≥ 0.50"


def test_next_unreviewed_follows_the_given_order_and_wraps(session: Session) -> None:
    session.approve(2)
    session.toggle(3, "spam")
    assert session.next_unreviewed_in_document(1) == 4
    assert session.next_unreviewed([5, 3, 2, 1], 5) == 1
    assert session.next_unreviewed([1, 2, 3], 3) == 1  # wraps around
    for cid in session.order:
        session.approve(cid)
    assert session.next_unreviewed_in_document(1) is None


def test_writes_commit_and_counts_follow(session: Session, tmp_path: Path) -> None:
    session.toggle(1, "insult")
    session.toggle(1, "profanity")
    session.approve(2)
    progress = session.progress()
    assert (progress.reviewed, progress.approved, progress.total) == (2, 1, 27)
    assert progress.per_label["insult"] == 1 and progress.per_label["profanity"] == 1
    assert "approve" not in progress.per_label
    # Committed: a second connection sees it now.
    with open_store(session.store.path) as other:
        assert other.labels.state(1, "ana", "news-comments").labels == {"insult", "profanity"}
    session.undo()
    session.undo()
    assert session.mine(1).labels == {"insult"} and not session.is_reviewed(2)
    session.redo()  # the last undone first: profanity on 1
    assert session.mine(1).labels == {"insult", "profanity"} and not session.is_reviewed(2)
    session.redo()
    assert session.is_reviewed(2)
    assert session.progress().reviewed == 2
    assert session.redo() == []


def test_the_approve_label_approves(session: Session) -> None:
    action = session.toggle(5, "approve")
    assert action is not None and action.kind == "approve"
    assert session.mine(5).state == "approved"


def test_refresh_others_picks_up_another_process(session: Session) -> None:
    with open_store(session.store.path) as other:
        other.labels.toggle(6, "spam", moderator="bo", policy=policy().ref)
        other.labels.approve(7, moderator="ana", policy=policy().ref)  # same moderator elsewhere
    assert session.refresh_others() == {6, 7}
    assert session.others(6)["bo"].labels == {"spam"}
    assert session.is_reviewed(7) and session.progress().reviewed == 1
    assert session.refresh_others() == set()


def test_offsets_survive_hidden_characters() -> None:
    raw = "a\u202eb\x1b[31mc idiot"
    shown, offsets = safe_with_offsets(raw)
    assert shown == "a⟨U+202E⟩b[31mc idiot"
    start = raw.index("idiot")
    assert shown[offsets[start] : offsets[start + 5]] == "idiot"
    from modtool.moderation import Highlight

    text = body_text(raw, [Highlight(start, start + 5, "insult")])
    assert text.plain == shown
    styled = [shown[span.start : span.end] for span in text.spans]
    assert styled == ["idiot"]


def test_screening_pattern_agrees_with_terminal_safe() -> None:
    from modtool.moderation import SUSPECT
    from modtool.safe_text import terminal_safe

    for code in range(0x3000):
        char = chr(code)
        assert bool(SUSPECT.search(char)) == (terminal_safe(char) != char), hex(code)
    for char in "\ufeff\ufe0f\U0001f600":
        assert bool(SUSPECT.search(char)) == (terminal_safe(char) != char), hex(ord(char))


def test_session_and_cli_start_import_neither_textual_nor_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, modtool.moderation, modtool.cli, modtool.store.queue; "
        "print(sorted(m for m in ('textual', 'torch', 'detoxify') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
