"""Re-import identity (issue 9.3, issue 10): labels never move onto other text.

Plain text has no ids: a changed article is a new thread, an edit needs the same
place, the same author and similar text. Platform formats are matched by
``(platform, thread id, comment id)``. Real SQLite files, compared by full dump.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from modtool.errors import ParseError
from modtool.importers import IMPORTERS
from modtool.ingest import import_path
from modtool.models import ModelInfo, PolicyRef, ScoreRow
from modtool.store import Store
from modtool.store.dataset import Selection
from modtool.store.threads import SIMILAR, similar
from tests import platform_fake
from tests.thread_docs import Node, render

POLICY = PolicyRef(name="test", hash="h1", labels=frozenset({"insult"}))


def dump(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def labeled_texts(store: Store) -> list[tuple[int, str]]:
    """What a labeled-only dataset export holds: (thread, text) of each labeled comment."""
    rows = store.dataset.iter_rows(Selection(labeled_only=True, policy="test"))
    return [(row.thread_id, row.text) for row in rows]


def comment_by_body(store: Store, body: str):
    return next(
        c
        for t in store.threads.list()
        for c in store.comments.iter_thread(t.id, include_missing=True)
        if c.body == body
    )


# -- plain text --------------------------------------------------------------------------


def test_unrelated_document_at_the_same_path_is_a_new_thread(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(
        render(
            "Talks",
            "About the talks.",
            [Node("Ann", "know sharing war stupid"), Node("Bob", "fine")],
        ),
        encoding="utf-8",
    )
    import_path(store, path)
    victim = comment_by_body(store, "know sharing war stupid")
    store.labels.add(victim.id, "insult", moderator="ana", policy=POLICY)
    path.write_text(
        render("Treaty", "Another story.", [Node("Ann", "deal know treaty"), Node("Bob", "fine")]),
        encoding="utf-8",
    )
    report = import_path(store, path)
    assert report.created and report.thread_id != victim.thread_id
    assert [t.title for t in store.threads.list()] == ["Talks", "Treaty"]
    # The label is on A's text only, and a dataset export carries it with that text only.
    assert store.labels.state(victim.id, "ana", "test").labels == {"insult"}
    assert store.comments.get(victim.id).body == "know sharing war stupid"
    assert labeled_texts(store) == [(victim.thread_id, "know sharing war stupid")]
    new = comment_by_body(store, "deal know treaty")
    assert store.labels.state(new.id, "ana", "test").labels == frozenset()


def test_same_article_with_other_comments_keeps_labels_on_the_old_text(
    tmp_path: Path, store: Store
) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(render("T", "A", [Node("Ann", "know sharing war stupid")]), encoding="utf-8")
    import_path(store, path)
    old = comment_by_body(store, "know sharing war stupid")
    store.labels.add(old.id, "insult", moderator="ana", policy=POLICY)
    # Same author, same place, unrelated text: not an edit.
    path.write_text(render("T", "A", [Node("Ann", "deal know treaty tomorrow")]), encoding="utf-8")
    report = import_path(store, path)
    assert (report.thread_id, report.added, report.updated, report.absent) == (1, 1, 0, 1)
    assert not store.comments.get(old.id).present
    assert store.comments.get(old.id).body == "know sharing war stupid"
    assert labeled_texts(store) == []  # the labeled comment is absent: not exported as present
    assert store.labels.state(old.id, "ana", "test").labels == {"insult"}
    new = comment_by_body(store, "deal know treaty tomorrow")
    assert new.id != old.id and store.labels.state(new.id, "ana", "test").labels == frozenset()


def test_a_real_edit_keeps_the_id_and_the_label(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "doc.txt"
    body = "The troops cost too much and the talks collapsed after eighty minutes."
    path.write_text(render("T", "A", [Node("Ann", body)]), encoding="utf-8")
    import_path(store, path)
    old = comment_by_body(store, body)
    store.labels.add(old.id, "insult", moderator="ana", policy=POLICY)
    edited = body.replace("too much", "far too much") + " Sad."
    assert similar(body, edited)
    path.write_text(render("T", "A", [Node("Ann", edited)]), encoding="utf-8")
    report = import_path(store, path)
    assert (report.updated, report.added, report.absent) == (1, 0, 0)
    assert store.comments.get(old.id).body == edited
    assert store.comments.get(old.id).content_hash != old.content_hash  # re-scored later
    assert labeled_texts(store) == [(1, edited)]


def test_similarity_threshold_is_measured(sample_path: Path) -> None:
    """On the sample thread: every edit is similar, no two different comments are."""
    from difflib import SequenceMatcher

    from modtool.importers import plaintext

    bodies = [c.body for c in plaintext.parse(sample_path).comments]
    ratios = []
    for body in bodies:
        words = body.split()
        if len(words) < 4:
            continue
        middle = words[len(words) // 2]
        for edit in (
            body.replace(middle, middle + "x", 1),  # a typo
            body + " Edit: I meant the other treaty.",  # an added sentence
            " ".join(words[: max(3, len(words) * 3 // 4)]),  # the last quarter cut
        ):
            assert similar(body, edit), (body, edit)
            ratios.append(SequenceMatcher(None, body, edit).ratio())
    assert min(ratios) >= 0.70 > SIMILAR
    for i, first in enumerate(bodies):
        for second in bodies[i + 1 :]:
            assert not similar(first, second)
    assert not similar("first", "completely different words here")


def test_repeated_comments_reimport_idempotent(tmp_path: Path, store: Store, db_path: Path) -> None:
    tree = [
        Node("Ann", "+1"),
        Node("Bob", "hello", [Node("Ann", "+1"), Node("Ann", "+1")]),
        Node("Ann", "+1", [Node("Cy", "why?")]),
        Node("Cy", "why?"),
    ]
    path = tmp_path / "doc.txt"
    path.write_text(render("T", "A", tree), encoding="utf-8")
    first = import_path(store, path)
    assert first.added == 7
    before = dump(db_path)
    for _ in range(2):
        again = import_path(store, path)
        assert (again.unchanged, again.added, again.moved, again.updated, again.absent) == (
            7,
            0,
            0,
            0,
            0,
        )
        assert dump(db_path) == before


def test_replace_thread_puts_an_edited_article_into_the_old_thread(
    tmp_path: Path, store: Store
) -> None:
    path = tmp_path / "doc.txt"
    tree = [Node("Ann", "first comment here"), Node("Bob", "second comment")]
    path.write_text(render("T", "Article.", tree), encoding="utf-8")
    import_path(store, path)
    ids = [c.id for c in store.comments.iter_thread(1)]
    path.write_text(render("T", "Article, with a fixed typo.", tree), encoding="utf-8")
    report = import_path(store, path, replace_thread=1)
    assert (report.thread_id, report.created, report.unchanged) == (1, False, 2)
    assert [c.id for c in store.comments.iter_thread(1)] == ids
    assert store.threads.get(1).article == "Article, with a fixed typo."
    assert len(store.threads.list()) == 1
    # Without it, the same edit would be a new thread.
    path.write_text(render("T", "Article, edited twice.", tree), encoding="utf-8")
    assert import_path(store, path).thread_id == 2


# -- platform ids ----------------------------------------------------------------------


@pytest.fixture
def fake_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(IMPORTERS, "fake", "tests.platform_fake")


def c(ext: str, thread: str, parent: str | None, body: str, **extra) -> dict:
    return {
        "id": ext,
        "thread": thread,
        "parent": parent,
        "author": f"u{ext}",
        "body": body,
        **extra,
    }


EXPORT = [
    {"kind": "thread", "id": "t1", "title": "First"},
    c("2", "t1", "1", "reply before its parent"),
    c("1", "t1", None, "top"),
    c("1", "t2", None, "same id, other thread"),  # ids repeat across threads
    c("3", "t1", "99", "orphan"),
    {"kind": "missing", "thread": "t1", "count": 4},
    {"kind": "thread", "id": "t2", "title": "Second"},
]


def test_platform_import_tree_orphans_missing_and_identical_reimport(
    tmp_path: Path, store: Store, db_path: Path, fake_format: None
) -> None:
    path = platform_fake.write(tmp_path / "x.fake", EXPORT)
    report = import_path(store, path)
    assert [(r.external_id, r.title, r.added, r.orphans, r.missing) for r in report.threads] == [
        ("t1", "First", 3, 1, 4),
        ("t2", "Second", 1, 0, 0),
    ]
    t1 = store.threads.get(report.threads[0].thread_id)
    assert (t1.platform, t1.external_id, t1.missing, t1.orphan_count) == (
        "fakeplatform",
        "t1",
        4,
        1,
    )
    tree = [
        (x.external_id, x.path, x.orphan, x.parent_external_id)
        for x in store.comments.iter_thread(t1.id)
    ]
    assert tree == [("1", "1", False, None), ("2", "1.1", False, "1"), ("3", "2", True, "99")]
    before = dump(db_path)
    again = import_path(store, path)
    assert sum(r.unchanged for r in again.threads) == 4 and again.added == 0
    assert dump(db_path) == before


def test_grown_export_adds_updates_and_keeps_absent(
    tmp_path: Path, store: Store, fake_format: None
) -> None:
    path = platform_fake.write(tmp_path / "x.fake", EXPORT)
    import_path(store, path)
    ids = {
        (x.thread_id, x.external_id): x
        for t in store.threads.list()
        for x in store.comments.iter_thread(t.id)
    }
    top, orphan = ids[(1, "1")], ids[(1, "3")]
    store.labels.add(top.id, "insult", moderator="ana", policy=POLICY)
    store.labels.add(orphan.id, "insult", moderator="ana", policy=POLICY)
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("toxicity",)))
    store.scores.save([ScoreRow(top.id, "m@1", {"toxicity": 0.9}, top.content_hash)])
    log_before = store.labels.log()
    grown = [
        {"kind": "thread", "id": "t1", "title": "First"},
        c("1", "t1", None, "top, edited by its author"),
        c("2", "t1", "1", "reply before its parent", status="removed"),
        c("4", "t1", "2", "new"),
        c("1", "t2", None, "same id, other thread"),
    ]
    report = import_path(store, platform_fake.write(path, grown))
    first = report.threads[0]
    # "1" has new text: edited. "2" only changed status (issue 17.11: metadata is no
    # edit): unchanged, though its row is rewritten (its status below).
    assert (first.added, first.updated, first.unchanged, first.absent) == (1, 1, 1, 1)
    now = store.comments.get(top.id)
    assert now.body == "top, edited by its author" and now.content_hash != top.content_hash
    assert store.scores.for_comment(top.id) == {}  # stale: scored again next time
    assert store.comments.get(ids[(1, "2")].id).status == "removed"
    assert not store.comments.get(orphan.id).present
    assert store.labels.state(orphan.id, "ana", "test").labels == {"insult"}
    assert store.labels.state(top.id, "ana", "test").labels == {"insult"}
    assert store.labels.log()[: len(log_before)] == log_before
    assert store.comments.get(ids[(2, "1")].id).body == "same id, other thread"


def test_only_dates_changed_is_no_edit_but_the_dates_are_stored(
    tmp_path: Path, store: Store, fake_format: None
) -> None:
    """Issue 17.11: a re-export whose timestamps moved reports no edits."""
    first = [c(str(n), "t1", None, f"text {n}", at=f"2024-01-0{n}T00:00:00Z") for n in (1, 2, 3)]
    path = platform_fake.write(tmp_path / "x.fake", first)
    import_path(store, path)
    moved = [dict(item, at=item["at"].replace("2024", "2025")) for item in first]
    moved[2]["body"] = "text 3, edited"
    report = import_path(store, platform_fake.write(path, moved)).threads[0]
    assert (report.added, report.unchanged, report.updated, report.absent) == (0, 2, 1, 0)
    stored = [(x.external_id, x.created_at) for x in store.comments.iter_thread(1)]
    assert stored == [(str(n), f"2025-01-0{n}T00:00:00Z") for n in (1, 2, 3)]


def test_a_dump_whose_timestamps_moved_reports_no_edits(tmp_path: Path, run_cli) -> None:
    """Issue 17.11 end to end: the Pushshift fixture again with every date a day later."""
    fixture = Path(__file__).parent / "fixtures" / "pushshift" / "RC_2024-01-sample.ndjson"
    assert run_cli("import", fixture).returncode == 0
    later = []
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            item["created_utc"] = float(item["created_utc"]) + 86400
            line = json.dumps(item)
        later.append(line)
    moved = tmp_path / "RC_2024-01-later.ndjson"
    moved.write_text("\n".join(later) + "\n", encoding="utf-8")
    again = run_cli("import", moved)
    assert again.returncode == 0, again.stderr
    # Thread 19abc01 holds 6 comments (one an orphan), 19zzz99 two.
    assert "19abc01): 6 comments (6 unchanged, 1 orphan)" in again.stdout
    assert "19zzz99): 2 comments (2 unchanged)" in again.stdout
    assert "edited" not in again.stdout
    dates = run_cli("tree", "1").stdout
    assert "2024-01-02 00:01" in dates  # kh00001, 1704067300 + one day


def test_a_thread_with_a_problem_is_not_stored_the_others_are(
    tmp_path: Path, store: Store, fake_format: None
) -> None:
    items = [*EXPORT, {"kind": "problem", "thread": "t2", "message": "a post without an id"}]
    report = import_path(store, platform_fake.write(tmp_path / "x.fake", items))
    assert [r.external_id for r in report.threads] == ["t1"]
    assert report.failed and report.failures[0].external_id == "t2"
    assert "line 9: a post without an id" in report.failures[0].problems[0]
    assert [t.external_id for t in store.threads.list()] == ["t1"]


def test_a_document_error_stores_nothing_of_it(
    tmp_path: Path, sample_store: Store, db_path: Path, fake_format: None
) -> None:
    before = dump(db_path)
    path = platform_fake.write(tmp_path / "x.fake", EXPORT)
    path.write_text(path.read_text() + "BROKEN\n")
    with pytest.raises(ParseError, match="line 9: broken on purpose"):
        import_path(sample_store, path)
    assert dump(db_path) == before


def test_grouped_format_that_repeats_a_thread_is_regrouped(
    tmp_path: Path, store: Store, fake_format: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A format that promises GROUPED but interleaves still gives the right threads."""
    monkeypatch.setattr(platform_fake, "GROUPED", True)
    report = import_path(store, platform_fake.write(tmp_path / "x.fake", EXPORT))
    assert [(r.external_id, r.added) for r in report.threads] == [("t1", 3), ("t2", 1)]
    assert store.comments.count() == 4


def test_a_value_too_large_for_the_store_fails_its_thread_only(
    tmp_path: Path, store: Store, fake_format: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modtool.importers import pipeline

    monkeypatch.setattr(pipeline, "MAX_TEXT_CHARS", 100)
    items = [*EXPORT, c("9", "t2", None, "x" * 101)]
    report = import_path(store, platform_fake.write(tmp_path / "x.fake", items))
    assert [r.external_id for r in report.threads] == ["t1"]
    assert "more than the database can hold" in report.failures[0].problems[0]


@pytest.mark.parametrize("grouped", [False, True])
def test_staged_threads_commit_one_by_one_grouped_ones_together(
    tmp_path: Path,
    store: Store,
    db_path: Path,
    fake_format: None,
    monkeypatch: pytest.MonkeyPatch,
    grouped: bool,
) -> None:
    """A staged document was read to its end first, so each thread commits alone
    (moderators' writes get in between); a grouped one stays one transaction."""
    from modtool.store.threads import DocumentWriter

    items = [
        {"kind": "thread", "id": "t1", "title": "First"},
        c("1", "t1", None, "a"),
        {"kind": "thread", "id": "t2", "title": "Second"},
        c("1", "t2", None, "b"),
    ]
    from modtool.store import threads as store_threads

    monkeypatch.setattr(platform_fake, "GROUPED", grouped)
    monkeypatch.setattr(store_threads, "COMMIT_EVERY_S", 0.0)  # every thread end may commit
    seen_by_others: list[int] = []
    original = DocumentWriter.end_thread

    def end_thread(self, **kwargs):
        result = original(self, **kwargs)
        other = sqlite3.connect(db_path)
        seen_by_others.append(other.execute("SELECT COUNT(*) FROM threads").fetchone()[0])
        other.close()
        return result

    monkeypatch.setattr(DocumentWriter, "end_thread", end_thread)
    import_path(store, platform_fake.write(tmp_path / "x.fake", items))
    assert seen_by_others == ([0, 0] if grouped else [1, 2])
    assert len(store.threads.list()) == 2


def test_after_a_comment_vanished_reimports_are_stable(
    tmp_path: Path, store: Store, db_path: Path
) -> None:
    """Repeated comments, one vanished: the next import moves them once, then nothing."""
    path = tmp_path / "doc.txt"
    first = [Node("Bob", "x"), Node("Ann", "+1"), Node("Cy", "y"), Node("Ann", "+1")]
    path.write_text(render("T", "A", first), encoding="utf-8")
    import_path(store, path)
    path.write_text(render("T", "A", [Node("Ann", "+1"), Node("Bob", "x"), Node("Ann", "+1")]))
    shrunk = import_path(store, path)
    assert (shrunk.added, shrunk.moved, shrunk.absent) == (0, 3, 1)
    before = dump(db_path)
    for _ in range(2):
        again = import_path(store, path)
        assert (again.unchanged, again.moved, again.added, again.absent) == (3, 0, 0, 0)
        assert dump(db_path) == before
