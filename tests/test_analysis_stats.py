"""Discourse statistics on the sample thread, expectations read off its tree
(``modtool tree``) and the definitions in ``modtool.analysis.stats``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modtool.analysis.stats import pick_score, thread_stats
from modtool.ingest import import_path
from modtool.models import ModelInfo, ScoreRow
from modtool.store import Store
from modtool.store.dataset import Selection
from tests.labeled_sample import POLICY, label_sample

MODEL = "detoxify/original@test"
# The two back-and-forths of the deepest branch:
#   7 Nick Rhynes (#9) <- 7.4 Ilya (#20) <- 7.4.2 Nick Rhynes (#22) <- 7.4.2.1 Ilya (#23)
#   7.4.2.1 Ilya (#23) <- 7.4.2.1.1 Joe (#24) <- 7.4.2.1.1.1 Ilya (#25), and
#   7.4.2.1.1.2 Joe (#26), placed under his own #24 at the deepest level beside #25:
#   read as answering Ilya's #25 (depth-cap reading).
SCORES = {9: 0.8, 20: 0.6, 22: 0.4, 23: 0.1, 24: 0.2, 25: 0.5, 26: 0.9, 4: 0.95}


def add_scores(store: Store, values: dict[int, float]) -> None:
    store.scores.register_model(ModelInfo(MODEL, "detoxify", "original", ("toxicity",)))
    hashes = {c.id: c.content_hash for c in store.comments.iter_thread(1)}
    store.scores.save(ScoreRow(i, MODEL, {"toxicity": v}, hashes[i]) for i, v in values.items())


def stats_of(store: Store, **options: object) -> dict:
    selection = Selection(policy=POLICY)
    score = pick_score(store.dataset.score_columns(selection))
    return thread_stats(store.dataset.iter_rows(selection), score=score, **options)


def test_heated_exchanges_on_the_sample(sample_store: Store) -> None:
    add_scores(sample_store, SCORES)
    stats = stats_of(sample_store)
    assert stats["score"] == {"model": MODEL, "attribute": "toxicity"}
    exchanges = stats["heated_exchanges"]
    assert [(e["authors"], e["comments"], e["replies"]) for e in exchanges] == [
        (["Nick Rhynes", "Ilya"], [9, 20, 22, 23], 3),
        (["Ilya", "Joe"], [23, 24, 25, 26], 3),
    ]
    first, second = exchanges
    assert first["paths"] == ["7", "7.4", "7.4.2", "7.4.2.1"]
    assert first["peak_score"] == 0.8 and first["peak_comment"] == 9 and first["rising"] is False
    assert second["paths"] == ["7.4.2.1", "7.4.2.1.1", "7.4.2.1.1.1", "7.4.2.1.1.2"]
    assert second["peak_score"] == 0.9 and second["peak_comment"] == 26
    assert second["rising"] is True
    # 11.4: #26 is #25's sibling, read as answering it: a "beside" link, not a reply
    assert first["links"] == ["reply", "reply", "reply"]
    assert second["links"] == ["reply", "reply", "beside"]

    # Taking the tree literally, #26 answers Joe's own #24: Ilya <-> Joe is only
    # two answers (#24, #25) and is not heated.
    literal = stats_of(sample_store, depth_cap=False)["heated_exchanges"]
    assert [e["comments"] for e in literal] == [[9, 20, 22, 23]]
    # With two answers enough, the shorter ones appear too.
    two = stats_of(sample_store, depth_cap=False, min_replies=2)["heated_exchanges"]
    assert [e["comments"] for e in two] == [[9, 10, 15], [9, 20, 22, 23], [23, 24, 25]]


def test_shape_authors_pairs_mentions(sample_store: Store) -> None:
    label_sample(sample_store)
    add_scores(sample_store, SCORES)
    stats = stats_of(sample_store)
    assert stats["threads"] == 1 and stats["comments"] == 27
    shape = stats["shape"]
    assert shape["top_level"] == 8 and shape["max_depth"] == 5
    assert [(d["depth"], d["comments"]) for d in shape["depth_histogram"]] == [
        (0, 8),
        (1, 6),
        (2, 8),
        (3, 2),
        (4, 1),
        (5, 2),
    ]
    # 19 replies (27 comments - 8 top-level) spread over the 10 comments that got any
    assert shape["leaves"] == 17
    assert shape["branching"]["mean_replies"] == pytest.approx(19 / 27)
    assert shape["branching"]["mean_replies_when_replied"] == pytest.approx(19 / 10)
    assert (shape["branching"]["max_replies"], shape["branching"]["max_replies_comment"]) == (5, 10)
    assert shape["longest_chain"]["comments"] == [9, 20, 22, 23, 24, 25]
    assert shape["longest_chain"]["length"] == 6

    depth = {d["depth"]: d for d in stats["toxicity_by_depth"]}
    assert depth[0]["scored"] == 2 and depth[0]["mean"] == pytest.approx((0.8 + 0.95) / 2)
    assert depth[5]["max"] == 0.9

    authors = {a["author"]: a for a in stats["authors"]}
    ilya = authors["Ilya"]  # 4, 18, 20, 23, 25; replies from Joe #21, Nick #22, Joe #24
    assert (ilya["comments"], ilya["replies_received"]) == (5, 3)
    assert ilya["max_score"] == 0.95  # #4
    assert ilya["mean_score"] == pytest.approx((0.95 + 0.6 + 0.1 + 0.5) / 4)
    assert ilya["labels"] == {"insult": 1}  # #4: both moderators; #9 is Nick's (a tie)
    assert authors["JustPassingThrough"]["labels"] == {"insult": 1}
    assert authors["Nick Rhynes"]["labels"] == {}
    assert stats["authors"][0]["author"] in {"Ilya", "Joe"}

    top = stats["reply_pairs"][:3]
    assert top == [
        {"from": "DarkEyes", "to": "CHUCKMAN", "replies": 2},
        {"from": "Ilya", "to": "Nick Rhynes", "replies": 2},
        {"from": "Joe", "to": "Ilya", "replies": 2},
    ]
    # "Chuckman, or you are an ingnorant…" (7.1.3, DarkEyes). "lavishness" contains
    # "vish" but not as a word; "Chuck refers to" is not the whole name.
    assert stats["mentions"] == [
        {
            "thread_id": 1,
            "comment_id": 13,
            "path": "7.1.3",
            "author": "DarkEyes",
            "mentions": "CHUCKMAN",
        }
    ]


def test_mentions_are_word_bounded_and_case_insensitive(store: Store, tmp_path: Path) -> None:
    doc = tmp_path / "names.txt"
    doc.write_text(
        "A title\n\nthe article\n\n"
        "  1. Joe says\n\n    I am Joe and I agree with nick rhynes.\n\n"
        "  2. Nick Rhynes says\n\n    Joe's point is weak; Joey is someone else.\n\n"
        "  3. Al says\n\n    Al and JOE, also NICK RHYNESS.\n",
        encoding="utf-8",
    )
    import_path(store, doc)
    stats = thread_stats(store.dataset.iter_rows(Selection()), score=None)
    assert [(m["author"], m["mentions"]) for m in stats["mentions"]] == [
        ("Joe", "Nick Rhynes"),
        ("Nick Rhynes", "Joe"),
        ("Al", "Joe"),
    ]


def test_stats_cli(sample_store: Store, run_cli) -> None:
    add_scores(sample_store, SCORES)
    result = run_cli("stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert [e["comments"] for e in stats["heated_exchanges"]] == [[9, 20, 22, 23], [23, 24, 25, 26]]
    result = run_cli("stats", "--thread", "1")
    assert result.returncode == 0, result.stderr
    for title in (
        "Thread shape",
        "Depth",
        "Authors",
        "Who replies to whom",
        "Heated exchanges",
        "Mentions",
    ):
        assert title in result.stdout
    assert "Nick Rhynes ↔ Ilya" in result.stdout and "█" in result.stdout
    result = run_cli("stats", "--thread", "99")
    assert result.returncode == 1 and result.stderr.count("\n") == 1


def rendered(items, width: int = 80) -> str:
    import io

    from rich.console import Console

    from modtool.cli.tables import layout

    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(layout(items, width))
    return console.export_text()


def test_siblings_are_not_shown_as_one_reply_chain(sample_store: Store) -> None:
    from modtool.cli.analysis_views import stats_view

    text = " ".join(rendered(stats_view(stats_of(sample_store)), 200).split())
    assert "7.4.2.1.1.1 ⤳ 7.4.2.1.1.2" in text
    assert "7.4.2.1.1.1 → 7.4.2.1.1.2" not in text
    assert "⤳ a reply placed beside the comment it answers" in text


def test_a_deep_chain_prints_a_bounded_longest_chain_line() -> None:
    """A 3,000-deep chain: the longest-chain line listed every path (quadratic: 26 MB at
    5,000); now its ends and a count."""
    from modtool.cli.analysis_views import stats_view
    from modtool.store.dataset import DatasetRow

    depth = 3000
    rows = [
        DatasetRow(
            id=i + 1,
            thread_id=1,
            parent_id=i or None,
            depth=i,
            path=".".join(["1"] * (i + 1)),
            position=i,
            author=("Ann", "Bob")[i % 2],
            text="no",
            parent_text="",
        )
        for i in range(depth)
    ]
    stats = thread_stats(rows, score=None)
    assert stats["shape"]["longest_chain"]["length"] == depth
    text = rendered(stats_view(stats))
    assert len(text) < 20_000, len(text)
    flat = " ".join(text.split())
    assert "(2,994 more comments)" in flat and "(3,000 levels)" in flat
    assert "1 Ann → 1.1 Bob → 1.1.1 Ann" in flat
    # The JSON too: it listed every path of the chain and of the exchange (50 MB at 5,000).
    import json

    chain = stats["shape"]["longest_chain"]
    assert len(chain["comments"]) == depth and len(chain["paths"]) == 100
    assert chain["paths_omitted"] == depth - 100 and chain["paths"][-1] == rows[-1].path
    assert len(json.dumps(stats)) < 2_000_000
