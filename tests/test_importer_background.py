"""Large documents are parsed in a forked process: same result, same errors, same rollback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from modtool.errors import ParseError
from modtool.importers import background, open_document, plaintext
from modtool.ingest import import_path
from modtool.store import Store
from tests.thread_docs import Node, render


@pytest.fixture
def always_background(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "MIN_BYTES", 0)
    monkeypatch.setattr(background, "BATCH", 7)  # many small batches through the pipe


def big_tree() -> list[Node]:
    return [
        Node(
            f"User {n}",
            f"body {n}\n\nsecond paragraph",
            [Node(f"Re {n}", "reply", [Node("Deep", "x")])],
        )
        for n in range(1, 60)
    ]


def test_background_parse_matches_in_process(tmp_path: Path, always_background: None) -> None:
    path = tmp_path / "big.txt"
    path.write_text(render("T", "A", big_tree()), encoding="utf-8")
    assert background.worth_it(path)
    _, in_child = open_document(path)
    in_process = plaintext.parse(path)
    assert in_child.thread.title == in_process.thread.title == "T"
    assert list(in_child.comments) == list(in_process.comments)


def test_background_warnings_arrive(tmp_path: Path, always_background: None) -> None:
    path = tmp_path / "gap.txt"
    path.write_text(
        "T\n\nA\n\n  1. Ann says\n\n    one\n\n  3. Bob says\n\n    two\n", encoding="utf-8"
    )
    _, document = open_document(path)
    assert [c.author for c in document.comments] == ["Ann", "Bob"]
    assert len(document.thread.warnings) == 1 and "numbered 3" in document.thread.warnings[0]


def test_background_error_late_in_the_document_rolls_back(
    tmp_path: Path, sample_store: Store, db_path: Path, always_background: None
) -> None:
    before = list(sqlite3.connect(db_path).iterdump())
    path = tmp_path / "bad.txt"
    text = render("T", "A", big_tree(), end_marker=False) + "       1. Odd says\n\n         x\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=r"bad.txt: line \d+: comment header indented 7 spaces"):
        import_path(sample_store, path)
    assert list(sqlite3.connect(db_path).iterdump()) == before


def test_background_error_before_the_comments(tmp_path: Path, always_background: None) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Jos\xe9\n".encode("latin-1"))
    with pytest.raises(ParseError, match="line 1: not valid UTF-8"):
        open_document(path)
