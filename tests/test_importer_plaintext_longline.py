"""Issue 9.8: a plain-text line longer than the store can hold is refused in one
line naming the file and line, without the whole line in memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modtool.errors import ParseError
from modtool.importers import open_document, pipeline, plaintext


def comments_of(path: Path) -> list:
    return list(open_document(path)[1].comments)


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plaintext, "LINE_PIECE", 16)
    monkeypatch.setattr(pipeline, "MAX_TEXT_CHARS", 100)


@pytest.mark.parametrize("where", ["title", "article", "body"])
def test_a_line_longer_than_the_store_holds_is_refused(
    tmp_path: Path, small_limits: None, where: str
) -> None:
    long = "a" * 101
    lines = ["Title", "", "Article", "", "  1. Ann says", "", "    Body.", ""]
    number = {"title": 1, "article": 3, "body": 7}[where]
    lines[number - 1] = long if where != "body" else "    " + long
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines))
    with pytest.raises(ParseError) as error:
        comments_of(path)
    assert str(error.value) == (
        f"{path}: line {number}: a line longer than 100 characters: "
        "more than the database can hold in one value"
    )


def test_lines_longer_than_a_piece_but_within_the_limit_are_kept(
    tmp_path: Path, small_limits: None
) -> None:
    # Pieces of 16 characters: lines of 16, 17, 33 and 100 characters, CRLF ends.
    body = ["x" * 12, "y" * 13, "é" * 29, "z" * 96]
    text = "T" * 40 + "\r\n\r\n" + "A" * 90 + "\r\n\r\n  1. Ann says\r\n\r\n"
    text += "".join(f"    {line}\r\n" for line in body) + "\r\n  2. Bob says\r\n\r\n    ok\r\n"
    path = tmp_path / "ok.txt"
    path.write_bytes(text.encode())
    thread, comments = open_document(path)[1].thread, comments_of(path)
    assert (thread.title, thread.article) == ("T" * 40, "A" * 90)
    assert [c.body for c in comments] == ["\n".join(body), "ok"]
    assert [c.line for c in comments] == [5, 12]


def test_a_300_mb_line_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """The real limit, in a subprocess: refused at line 3 with a peak RSS far below
    the line's size (it used to be read whole: GBs for a 1 GB file)."""
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(b"Title\n\n")
        piece = b"a" * (1 << 20)
        for _ in range(300):
            handle.write(piece)
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from modtool.errors import ParseError\n"
        "from modtool.importers import open_document\n"
        "try:\n"
        "    list(open_document(Path(sys.argv[1]))[1].comments)\n"
        "except ParseError as exc:\n"
        "    print(exc)\n"
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a
        # large pytest process would report pytest's size.
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(int(hwm.split()[1]) // 1024)\n"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    finally:
        path.unlink()
    assert out[0] == (
        f"{path}: line 3: a line longer than {pipeline.MAX_TEXT_CHARS:,} characters: "
        "more than the database can hold in one value"
    )
    assert int(out[1]) < 300, f"peak RSS {out[1]} MB"
