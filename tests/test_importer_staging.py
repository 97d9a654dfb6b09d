"""importers/staging.py: interleaved records grouped by thread, in memory or through
the temporary file of pieces, with the same result either way."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from modtool.errors import InputError
from modtool.importers import staging
from modtool.importers.records import CommentRecord, MissingRecord, ProblemRecord, ThreadRecord


def comment(thread: str | None, ext: str, body: str = "") -> CommentRecord:
    return CommentRecord(thread, ext, None, f"user {ext}", body or f"body {ext}", meta={"k": ext})  # type: ignore[arg-type]


def flat(staged: list[staging.StagedThread]) -> list[tuple]:
    return [
        (s.external_id, s.threads, [tuple(c) for c in s.comments], s.missing, s.problems)
        for s in staged
    ]


SMALL = [
    comment("B", "b1"),
    ThreadRecord("p", "A", title="first declaration of A"),
    comment("A", "a1"),
    ProblemRecord(None, "line 4", "names no thread"),
    comment("B", "b2"),
    MissingRecord("A", 3),
    ProblemRecord("C", "line 7", "bad line of C"),
    comment("A", "a2"),
    ThreadRecord("p", "B", title="B declared after its comments"),
    MissingRecord("A", 2),
    ProblemRecord(None, "line 11", "names no thread either"),
]


@pytest.mark.parametrize("budget", [1 << 40, 1, 2_000])
def test_threads_in_first_seen_order_records_in_file_order(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # budget 1: every record is spilled as a piece of its own; 2,000: a few pieces.
    monkeypatch.setattr(staging, "SPILL_BYTES", budget)
    staged = list(staging.stage(SMALL))
    assert [s.external_id for s in staged] == ["B", "A", "C", ""]
    b, a, c, loose = staged
    assert [x.external_id for x in b.comments] == ["b1", "b2"]
    assert [t.title for t in b.threads] == ["B declared after its comments"]
    assert (b.missing, b.problems) == (0, [])
    assert [x.external_id for x in a.comments] == ["a1", "a2"]
    assert a.missing == 5  # 3 + 2
    assert [t.title for t in a.threads] == ["first declaration of A"]
    assert (c.comments, c.problems) == ([], [ProblemRecord("C", "line 7", "bad line of C")])
    assert [p.where for p in loose.problems] == ["line 4", "line 11"]
    assert type(a.comments[0]) is CommentRecord and a.comments[0].meta == {"k": "a1"}


def test_spilled_and_held_give_the_same_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    threads = [f"t{i}" for i in range(40)]
    records: list = []
    for number in range(3_000):
        thread = rng.choice(threads)
        roll = rng.random()
        if roll < 0.03:
            records.append(ThreadRecord("p", thread, title=f"title {number}"))
        elif roll < 0.05:
            records.append(MissingRecord(thread, rng.randint(1, 5)))
        elif roll < 0.06:
            records.append(ProblemRecord(rng.choice([thread, None]), f"line {number}", "bad"))
        else:
            body = "x" * rng.randint(0, 3_000)
            records.append(comment(thread, f"c{number}", body))
    monkeypatch.setattr(staging, "SPILL_BYTES", 1 << 40)
    held = flat(list(staging.stage(records)))
    for budget in (1, 50_000, 400_000):
        monkeypatch.setattr(staging, "SPILL_BYTES", budget)
        assert flat(list(staging.stage(records))) == held
    # And the reference: a plain in-memory grouping.
    order: dict = {}
    for record in records:
        key = record.external_id if type(record) is ThreadRecord else record.thread_external_id
        order.setdefault(key, []).append(record)
    expected_ids = [key for key in order if key is not None]
    assert [s[0] for s in held[: len(expected_ids)]] == expected_ids
    for (_, declared, comments, missing, problems), key in zip(held, expected_ids, strict=False):
        mine = order[key]
        assert declared == [r for r in mine if type(r) is ThreadRecord]
        assert comments == [tuple(r) for r in mine if type(r) is CommentRecord]
        assert missing == sum(r.count for r in mine if type(r) is MissingRecord)
        assert problems == [r for r in mine if type(r) is ProblemRecord]
    assert held[len(expected_ids) :] == [("", [], [], 0, order[None])]


def test_a_temporary_folder_that_cannot_be_written_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "SPILL_BYTES", 1)
    missing = tmp_path / "no-such-folder"
    with pytest.raises(InputError) as caught:
        list(staging.stage(SMALL, folder=str(missing)))
    message = str(caught.value)
    assert message.startswith(
        f"cannot group the document's threads in a temporary file in {missing}: "
    )
    assert "\n" not in message


def test_nothing_is_left_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "SPILL_BYTES", 1)
    groups = staging.stage(SMALL, folder=str(tmp_path))
    first = next(groups)  # the file exists now, and was unlinked when it was made
    assert first.external_id == "B"
    assert list(tmp_path.iterdir()) == []
    groups.close()
