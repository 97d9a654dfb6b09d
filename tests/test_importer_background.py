"""Large documents are read in a forked process: same result, same errors, same
rollback, and the child never outlives its parent (issue 9.5)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modtool.errors import ParseError
from modtool.importers import background, pipeline
from modtool.ingest import import_path
from modtool.store import Store, open_store
from tests.thread_docs import Node, render

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def always_background(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "MIN_BYTES", 0)
    monkeypatch.setattr(background, "BATCH", 7)  # many small messages through the pipe
    monkeypatch.setattr(pipeline, "BATCH", 5)  # of small comment batches


def big_tree() -> list[Node]:
    return [
        Node(
            f"User {n}",
            f"body {n}\n\nsecond paragraph",
            [Node(f"Re {n}", "reply", [Node("Deep", "x")])],
        )
        for n in range(1, 60)
    ]


def test_background_events_match_in_process(tmp_path: Path, always_background: None) -> None:
    path = tmp_path / "big.txt"
    path.write_text(render("T", "A", big_tree()), encoding="utf-8")
    assert background.worth_it(path)
    in_child = list(background.events_in_background("text", path))
    in_process = list(pipeline.document_events(pipeline.load_importer("text"), path, print))

    def flat(events):
        out = []
        for kind, payload in events:
            out.extend(payload) if kind == pipeline.COMMENTS else out.append((kind, payload))
        return out

    assert flat(in_child) == flat(in_process)
    assert sum(1 for kind, _ in in_child if kind == pipeline.COMMENTS) > 10  # it was batched


def test_background_warnings_arrive(tmp_path: Path, store: Store, always_background) -> None:
    path = tmp_path / "gap.txt"
    path.write_text(
        "T\n\nA\n\n  1. Ann says\n\n    one\n\n  3. Bob says\n\n    two\n", encoding="utf-8"
    )
    report = import_path(store, path)
    assert [c.author for c in store.comments.iter_thread(report.thread_id)] == ["Ann", "Bob"]
    assert len(report.warnings) == 1 and "numbered 3" in report.warnings[0]


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


def test_background_error_before_the_comments(
    tmp_path: Path, store: Store, always_background: None
) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Jos\xe9\n".encode("latin-1"))
    with pytest.raises(ParseError, match="line 1: not valid UTF-8"):
        import_path(store, path)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_parser_child_dies_with_its_parent(tmp_path: Path, signum: int) -> None:
    """A real import of a > 4 MB document, its parent killed mid-way: no child remains."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic import write_thread

    doc = tmp_path / "big.txt"
    if not doc.exists():
        write_thread(doc, 20_000, seed=2)
    assert doc.stat().st_size >= background.MIN_BYTES
    open_store(tmp_path / "k.db").close()
    parent = subprocess.Popen(
        [sys.executable, "-m", "modtool", "import", str(doc), "--db", str(tmp_path / "k.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        children: list[int] = []
        while not children and time.monotonic() < deadline and parent.poll() is None:
            children = _children(parent.pid)
            time.sleep(0.005)
        assert children, "the import never forked its parser (or finished first)"
        os.kill(parent.pid, signum)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(c) for c in children), f"parser child outlived its parent ({signum})"
    finally:
        if parent.poll() is None:
            parent.kill()
