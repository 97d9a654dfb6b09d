"""--split divides by thread (never inside one), meets the shares as closely as whole
threads allow, and is reproducible with --seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modtool.errors import InputError
from modtool.export import Part, Selection, assign, export, parse_split
from modtool.ingest import import_path
from modtool.store import Store


def make_threads(store: Store, folder: Path, count: int = 12) -> dict[int, int]:
    """``count`` small threads; thread k has k + 2 comments (some replies)."""
    sizes = {}
    for k in range(count):
        lines = [f"Thread number {k}", "", f"article body {k}", ""]
        n = k + 2
        for i in range(1, n):
            lines += [f"  {i}. author{i % 3} says", "", f"    comment {i} of thread {k}", ""]
        lines += ["    1. replier says", "", f"      a reply in thread {k}", ""]
        path = folder / f"thread-{k}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        result = import_path(store, path)
        sizes[result.thread_id] = result.total
        assert result.total == n
    return sizes


def test_parse_split() -> None:
    assert parse_split("train=0.8,test=0.2") == [Part("train", 0.8), Part("test", 0.2)]
    assert parse_split("a=0.5, b=0.25, c=0.25") == [
        Part("a", 0.5),
        Part("b", 0.25),
        Part("c", 0.25),
    ]
    for bad in (
        "train",
        "train=0.8,test=0.3",
        "train=x,test=0.2",
        "a=1,a=0",
        "train=1.2,test=-0.2",
        "bad name=1",
    ):
        with pytest.raises(InputError):
            parse_split(bad)


def test_assign_is_seeded_and_meets_shares() -> None:
    sizes = [(i, 10) for i in range(1, 101)]
    parts = [Part("train", 0.8), Part("test", 0.2)]
    first = assign(sizes, parts, seed=7)
    assert first == assign(sizes, parts, seed=7)
    assert first != assign(sizes, parts, seed=8)
    assert len(first["train"]) == 80 and len(first["test"]) == 20
    assert sorted(first["train"] + first["test"]) == list(range(1, 101))
    # the input order does not matter, only the seed and the threads
    assert assign(list(reversed(sizes)), parts, seed=7) == first


def test_split_export_never_crosses_a_thread(store: Store, tmp_path: Path) -> None:
    sizes = make_threads(store, tmp_path)
    out = tmp_path / "out"
    result = export(
        store,
        fmt="jsonl",
        output=out,
        selection=Selection(),
        split=parse_split("train=0.75,test=0.25"),
        seed=7,
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "split.json",
        "test.jsonl",
        "train.jsonl",
    ]
    rows = {
        name: [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]
        for name in ("train", "test")
    }
    threads = {name: {r["thread_id"] for r in part} for name, part in rows.items()}
    assert threads["train"] and threads["test"]
    assert not threads["train"] & threads["test"]
    # every comment of every thread lands in exactly one part, whole threads only
    for name, part in rows.items():
        for thread_id in threads[name]:
            assert sum(r["thread_id"] == thread_id for r in part) == sizes[thread_id]
    total = sum(sizes.values())
    assert len(rows["train"]) + len(rows["test"]) == total == result.comments
    assert abs(len(rows["test"]) / total - 0.25) < 0.1
    manifest = json.loads((out / "split.json").read_text())
    assert manifest["seed"] == 7
    assert sorted(manifest["parts"]["test"]["threads"]) == sorted(threads["test"])

    again = tmp_path / "again"
    export(
        store,
        fmt="jsonl",
        output=again,
        selection=Selection(),
        split=parse_split("train=0.75,test=0.25"),
        seed=7,
    )
    for name in ("train", "test"):
        assert (again / f"{name}.jsonl").read_bytes() == (out / f"{name}.jsonl").read_bytes()
    other = tmp_path / "other"
    export(
        store,
        fmt="jsonl",
        output=other,
        selection=Selection(),
        split=parse_split("train=0.75,test=0.25"),
        seed=8,
    )
    assert json.loads((other / "split.json").read_text())["parts"] != manifest["parts"]


def test_split_convokit_makes_one_corpus_per_part(store: Store, tmp_path: Path) -> None:
    make_threads(store, tmp_path, count=4)
    out = tmp_path / "corpora"
    export(
        store,
        fmt="convokit",
        output=out,
        selection=Selection(),
        split=parse_split("train=0.5,test=0.5"),
        seed=1,
    )
    for name in ("train", "test"):
        utterances = [
            json.loads(x) for x in (out / name / "utterances.jsonl").read_text().splitlines()
        ]
        roots = [u for u in utterances if u["reply_to"] is None]
        assert len(roots) == len({u["conversation_id"] for u in utterances}) >= 1
