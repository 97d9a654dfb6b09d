"""Cells a spreadsheet would run as a formula are neutralised, in every text column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from modtool.export import Selection, export
from modtool.export.csv_format import neutralise
from modtool.ingest import import_path


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),  # full-width =
        ("\ufe66cmd", "'\ufe66cmd"),  # small equals sign
        ("\uff0b1", "'\uff0b1"),  # full-width +
        ("\uff0d1", "'\uff0d1"),  # full-width -
        ("\ufe63x", "'\ufe63x"),  # small hyphen-minus
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),  # full-width @
        ("\u22121", "'\u22121"),  # minus sign
        ("\uff41=1", "\uff41=1"),  # a full-width letter is no formula
        ("a=1", "a=1"),
        ("plain text", "plain text"),
        ("", ""),
        (" =1", " =1"),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_formula_cells_in_a_real_export(store, tmp_path: Path) -> None:
    doc = tmp_path / "evil.txt"
    doc.write_text(
        "=cmd|' /C calc'!A0\n\nan article\n\n"
        '  1. @attacker says\n\n    =HYPERLINK("http://x","y")\n\n'
        "    1. +plus says\n\n      -1+2\n\n"
        "  2. Plain Name says\n\n    fine text\n\n"
        '  3. \uff20Wide says\n\n    \uff1dHYPERLINK("http://x")\n',
        encoding="utf-8",
    )
    import_path(store, doc)
    out = tmp_path / "out.csv"
    export(store, fmt="csv", output=out, selection=Selection())
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["author"], r["text"], r["parent_text"]) for r in rows] == [
        ("'@attacker", '\'=HYPERLINK("http://x","y")', "'=cmd|' /C calc'!A0"),
        ("'+plus", "'-1+2", '\'=HYPERLINK("http://x","y")'),
        ("Plain Name", "fine text", "'=cmd|' /C calc'!A0"),
        ("'\uff20Wide", '\'\uff1dHYPERLINK("http://x")', "'=cmd|' /C calc'!A0"),
    ]
    for row in rows:  # numbers stay numbers
        assert row["id"].isdigit() and row["depth"].isdigit()
