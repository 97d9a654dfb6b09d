"""CLI tables stay readable at 80 and 120 columns (issue 11.3): no line wider than the
terminal, no empty or zero-width column, every moderator and label name whole; and the
layout rules of ``modtool.cli.tables`` themselves."""

from __future__ import annotations

import io
import re
from itertools import pairwise
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text

from modtool.cli.tables import Column, Grid
from modtool.models import PolicyRef
from modtool.store import Store
from tests.cli_batch import run_batch
from tests.labeled_sample import KEYS, label_sample, score_sample
from tests.pty_run import run_in_pty

LONG = "moderator-with-a-rather-long-name"
POLICY_LABELS = [
    "approve",
    "insult",
    "identity_attack",
    "threat",
    "profanity",
    "off_topic",
    "spam",
]
BORDERS = "│┃"


def header_cells(output: str) -> list[list[str]]:
    """The header cells of every boxed table in ``output`` (the line after a top border)."""
    lines = output.splitlines()
    found = []
    for above, line in pairwise(lines):
        if above.startswith(("┌", "┏")):
            found.append([cell for cell in re.split(f"[{BORDERS}]", line)[1:-1]])
    return found


def check_layout(output: str, width: int) -> None:
    assert output.strip()
    for line in output.splitlines():
        assert len(line) <= width, f"{len(line)} > {width}: {line}"
    for cells in header_cells(output):
        for cell in cells:
            assert cell.strip(), f"an empty or zero-width column in {cells}"
            assert len(cell) >= 3, cells  # one character and its padding at least


@pytest.fixture
def reviewed(sample_store: Store) -> Store:
    label_sample(sample_store, second_policy=False)
    ref = PolicyRef(name="news-comments", hash="dddd", labels=KEYS)
    for cid in (4, 9, 17):
        sample_store.labels.add(cid, "insult", moderator=LONG, policy=ref)
    sample_store.labels.approve(8, moderator=LONG, policy=ref)
    score_sample(sample_store)
    return sample_store


@pytest.mark.parametrize("width", [80, 120])
def test_tables_fit_and_keep_names_whole(
    reviewed: Store, db_path: Path, tmp_path: Path, width: int
) -> None:
    commands = [
        ("log",),
        ("agreement",),
        ("calibrate", "--policy", "news-comments"),
        ("policy", "show", "news-comments"),
        ("policy", "list"),
        ("progress",),
    ]
    results = run_batch(commands, db=db_path, cwd=tmp_path, env={"COLUMNS": str(width)})
    for result in results:
        assert result.returncode == 0, (result.args, result.stderr)
        check_layout(result.stdout, width)
    log, agreement, calibrate, show, _, progress = results
    for output in (log.stdout, agreement.stdout, progress.stdout):
        flat = " ".join(output.split())
        for name in ("alice", "bob", LONG):
            assert name in output or name in flat, (name, output)
    for label in POLICY_LABELS:
        assert re.search(rf"\b{label}\b", show.stdout), label
    for label in ("insult", "off_topic", "spam"):
        assert re.search(rf"\b{label}\b", agreement.stdout), label
    # thresholds are never cut to "0.…" and headers never broken into letters
    assert "0.…" not in calibrate.stdout and "…" not in "".join(
        "".join(cells) for cells in header_cells(calibrate.stdout)
    )
    assert re.search(r"│\s+0\.6\s+│", calibrate.stdout)
    assert len(show.stdout.splitlines()) < 100  # was 181 lines with a 19-character column


def test_wide_shows_every_column(reviewed: Store, db_path: Path, tmp_path: Path) -> None:
    narrow, wide = run_batch(
        [("log", "--actor", "alice"), ("log", "--wide")],
        db=db_path,
        cwd=tmp_path,
        env={"COLUMNS": "80"},
    )
    assert "--wide shows all" in narrow.stdout
    headers = [c.strip() for c in header_cells(wide.stdout)[0]]
    assert headers == ["id", "at (UTC)", "actor", "comment", "policy", "change", "before → after"]
    assert "not shown" not in wide.stdout


def test_log_in_a_real_80_column_terminal(reviewed: Store, db_path: Path, tmp_path) -> None:
    """No COLUMNS: the width comes from the terminal itself (a pty of 80 x 24)."""
    text = run_in_pty(("log",), db=db_path, cwd=tmp_path, size=(24, 80))
    check_layout(text, 80)
    assert LONG in text


# -- the layout rules ---------------------------------------------------------------------------
def render(grid: Grid, width: int, wide: bool = False) -> str:
    console = Console(width=max(width, 400) if wide else width, record=True, file=io.StringIO())
    console.print(grid.render(width, wide=wide))
    return console.export_text()


def sample_grid(note: str = "a note that goes on for a while and then some more") -> Grid:
    grid = Grid(
        "T",
        [
            Column("id", 0, "right"),
            Column("name", 0),
            Column("extra", 2),
            Column("detail", 1),
            Column("note", 0, fold=True, min_width=10),
        ],
    )
    grid.add_row("1", "alice-the-first", "x" * 20, "y" * 20, note)
    grid.add_row("22", "bob", "x", "y", "")
    return grid


def test_columns_are_dropped_by_priority_then_records() -> None:
    grid = sample_grid()
    assert grid.choose(200) == ([0, 1, 2, 3, 4], [])
    assert grid.choose(60) == ([0, 1, 3, 4], [2])
    assert grid.choose(40) == ([0, 1, 4], [2, 3])
    assert grid.choose(20) == ([], [])  # records
    text = render(grid, 20)
    assert re.search(r"^name +alice-the-fir", text, re.M) and "note" in text
    assert all(len(line) <= 20 for line in text.splitlines())
    assert "not shown at this width: extra, detail" in render(grid, 40)


def test_an_empty_column_is_left_out_and_wide_keeps_all() -> None:
    grid = sample_grid(note="")
    shown, hidden = grid.choose(200)
    assert 4 not in shown and 4 not in hidden
    assert grid.choose(40, wide=True)[0] == [0, 1, 2, 3]
    wide = render(grid, 40, wide=True)
    assert "x" * 20 in wide and "y" * 20 in wide


def test_plain_string_cells_are_made_terminal_safe() -> None:
    grid = Grid("", [Column("who")])
    grid.add_row("eve\x1b]52;c;SGVsbG8=\x07\x1b[2J")
    grid.add_row(Text("kept as given"))
    text = render(grid, 80)
    assert "\x1b" not in text and "\x07" not in text and "eve]52;c;SGVsbG8=[2J" in text
