"""Tabs and Unicode spaces in the indentation of plain-text comment headers (issue 9.20).

A header indented with a tab or a no-break space used to be read as body text:
the first one swallowed into the article (the error then pointed at a later
line), a reply folded into its parent's body with only a warning. Now it is an
error at its own line and nothing is stored.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from modtool.errors import ParseError
from modtool.importers import open_document

HEAD = "Title\n\nThe article.\n\n"
GOOD = (
    HEAD
    + "  1. Ana says\n\n    First comment.\n\n"
    + "    1. Ben says\n\n      A reply.\n\n"
    + "  2. Cy says\n\n    Second.\n\nLeave A Reply\n"
)


def parse_all(path: Path) -> list:
    _, document = open_document(path, "text")
    return list(document.comments)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thread.txt"
    path.write_text(text, encoding="utf-8")
    return path


def line_number(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("  1. Ana says", "\t1. Ana says", "tab in indentation; use spaces"),  # first header
        ("  1. Ana says", "\u00a0\u00a01. Ana says", "no-break space (U+00A0) in indentation"),
        ("    1. Ben says", "  \t1. Ben says", "tab in indentation; use spaces"),  # a reply
        ("    1. Ben says", "  \u00a0 1. Ben says", "no-break space (U+00A0)"),
        ("  2. Cy says", "\u2003 2. Cy says", "em space (U+2003) in indentation"),
        ("  2. Cy says", "\t2. Cy says", "tab in indentation; use spaces"),
    ],
)
def test_odd_blank_in_a_header_indent_is_an_error_at_its_line(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    text = GOOD.replace(old, new)
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as error:
        parse_all(path)
    line = line_number(text, new)
    assert error.value.message.startswith(f"{path}: line {line}: "), error.value.message
    assert says in error.value.message


def test_cli_refuses_and_stores_nothing(tmp_path: Path, run_cli, db_path: Path) -> None:
    assert run_cli("import", write(tmp_path, GOOD)).returncode == 0
    before = sqlite3.connect(db_path).execute("SELECT count(*) FROM comments").fetchone()
    bad = tmp_path / "bad.txt"
    text = GOOD.replace("Title", "Other title").replace("    1. Ben says", "  \t1. Ben says")
    bad.write_text(text, encoding="utf-8")
    result = run_cli("import", bad)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    line = line_number(text, "\t1. Ben")
    assert f"{bad}: line {line}: tab in indentation; use spaces" in result.stderr
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone() == before
        assert db.execute("SELECT count(*) FROM threads").fetchone() == (1,)


def test_tabs_elsewhere_are_still_fine(tmp_path: Path) -> None:
    """Only a header's indent is refused: tabs in body text, after the number, or in
    an article's numbered list (followed by unindented prose) are kept as they were."""
    text = (
        "Title\n\n\t1. The minister says\nthat talks go on.\n\n"
        "  1.\tAna says\n\n    Body with\ta tab.\n\t  indented oddly\n\nLeave A Reply\n"
    )
    comments = parse_all(write(tmp_path, text))
    assert [(c.path, c.author) for c in comments] == [("1", "Ana")]
    assert "\ta tab" in comments[0].body


def test_header_scan_keeps_its_speed(tmp_path: Path) -> None:
    """The check rides on the block regex: ~8 MB of comments parse in well under 10 s."""
    unit = "  1. Ana says\n\n" + "    A line of body text that is long enough.\n" * 20 + "\n"
    replies = "".join(
        f"    {n}. Ben says\n\n      Reply {n} text, indented two deeper.\n\n" for n in range(1, 6)
    )
    numbered = "".join(unit.replace("  1.", f"  {n}.", 1) + replies for n in range(1, 6001))
    path = write(tmp_path, HEAD + numbered + "Leave A Reply\n")
    started = time.perf_counter()
    comments = parse_all(path)
    took = time.perf_counter() - started
    assert len(comments) == 36_000
    assert took < 10, took
