"""One style and one set of options for every table (issue 17.5-17.7, 17.10), in real
CLI runs at 80 and 120 columns, piped, and in a real 80 x 24 pseudo-terminal.

The fixture (counted by hand): thread 1 is the sample thread (27 comments) labeled
as in ``tests/labeled_sample.py`` plus a moderator with a 33-character name, a
policy's automatic label on #4 and a Label Studio annotator's on #4 and #9.
Thread 2 is a Pushshift dump of one submission and three comments: ``throwaway42``
(p1, top level), ``throwaway_9931`` (p2, answering p1), and a comment whose author
was deleted (p3, empty author, answering p2); bob approved p1.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from modtool.cli import main
from modtool.ingest import import_path
from modtool.models import PolicyRef
from modtool.store import Store
from tests.cli_batch import run_batch
from tests.labeled_sample import KEYS, label_sample
from tests.pty_run import run_in_pty
from tests.test_cli_tables import LONG, POLICY_LABELS, check_layout, header_cells

TABLE_COMMANDS = [
    ("threads",),
    ("log",),
    ("progress",),
    ("stats",),
    ("agreement",),
    ("calibrate", "--policy", "news-comments"),
    ("models",),
    ("policy", "list"),
    ("policy", "show"),
]
HEAVY = "┏┓┗┛━┃┡┩╇"
DUMP = [
    {"id": "t2sub", "title": "Throwaways", "selftext": "", "created_utc": 1714000000},
    {"id": "p1", "link_id": "t3_t2sub", "parent_id": "t3_t2sub", "author": "throwaway42"}
    | {"body": "first", "created_utc": 1714000100},
    {"id": "p2", "link_id": "t3_t2sub", "parent_id": "t1_p1", "author": "throwaway_9931"}
    | {"body": "second", "created_utc": 1714000200},
    {"id": "p3", "link_id": "t3_t2sub", "parent_id": "t1_p2", "author": ""}
    | {"body": "third", "created_utc": 1714000300},
]
REF = PolicyRef(name="news-comments", hash="dddd", labels=KEYS)


@pytest.fixture
def busy(sample_store: Store, tmp_path: Path) -> Store:
    return make_busy(sample_store, tmp_path)


def make_busy(sample_store: Store, tmp_path: Path) -> Store:
    """The fixture of this module on a store holding the sample thread."""
    label_sample(sample_store, second_policy=False)
    for cid in (4, 9, 17):
        sample_store.labels.add(cid, "insult", moderator=LONG, policy=REF)
    sample_store.labels.approve(8, moderator=LONG, policy=REF)
    labels = sample_store.labels
    labels.add(4, "insult", moderator="policy:news-comments", policy=REF, actor_kind="policy")
    labels.add(4, "insult", moderator="label-studio:7", policy=REF)
    labels.approve(9, moderator="label-studio:7", policy=REF)
    dump = tmp_path / "RC_throwaways.ndjson"
    dump.write_text("".join(json.dumps(row) + "\n" for row in DUMP), encoding="utf-8")
    import_path(sample_store, dump)
    (p1,) = [c.id for c in sample_store.comments.iter_thread(2) if c.author == "throwaway42"]
    labels.approve(p1, moderator="bob", policy=REF)
    return sample_store


def command(path: tuple[str, ...]) -> click.Command:
    found: click.Command = main
    for word in path:
        if word.startswith("-"):
            break
        assert isinstance(found, click.Group)
        found = found.commands[word]
    return found


WIDE_HELP = "Every column, however wide (default: what fits the terminal)."


def test_every_table_command_takes_the_same_table_options() -> None:
    for path in [*TABLE_COMMANDS, ("queue",), ("author",), ("search",)]:
        options = {
            opt: param.help
            for param in command(path).params
            if isinstance(param, click.Option)
            for opt in param.opts
        }
        assert "--wide" in options and "--json" in options, path
        assert options["--wide"] == WIDE_HELP, path


@pytest.mark.parametrize("width", [80, 120])
def test_tables_at_80_and_120_columns(busy: Store, db_path: Path, tmp_path: Path, width: int):
    runs = [*TABLE_COMMANDS, ("stats", "--thread", "2"), ("progress", "--wide")]
    runs.append(("log", "--actor", "bob"))
    results = run_batch(runs, db=db_path, cwd=tmp_path, env={"COLUMNS": str(width)})
    for result in results:
        assert result.returncode == 0, (result.args, result.stderr)
        if "--wide" not in result.args:  # --wide: every column whole, however wide
            check_layout(result.stdout, width)
        assert not set(HEAVY) & set(result.stdout), (result.args, "a heavy border")
    out = {" ".join(r.args): r.stdout for r in results}
    # stats: the two throwaways stay whole and apart; the deleted author is named so
    authors = out["stats --thread 2"]
    assert re.search(r"│ throwaway42 +│", authors) and re.search(r"│ throwaway_9931 +│", authors)
    assert "│ (no author)" in authors and "throwaw…" not in authors
    if width == 80:
        assert "(not shown at this width: share; --wide shows all)" in authors
    # log: the time is always shown (at 80 the 33-character name leaves no room for a
    # table: each action is a record, "at (UTC)" one of its lines)
    if width == 120:
        log_headers = [c.strip() for c in header_cells(out["log"])[0]]
        assert log_headers[:4] == ["id", "at (UTC)", "actor", "comment"]
        bob = [c.strip() for c in header_cells(out["log --actor bob"])[0]]
        assert "│ labeled (insult) → labeled" in out["log --actor bob"]
        assert bob == ["id", "at (UTC)", "actor", "comment", "policy", "change", "before → after"]
    else:
        assert out["log"].count("at (UTC)") == 19
    # a folded cell wraps between words: the label keys stay whole at both widths
    assert "off_topic)" in out["log --actor bob"] and "off_to\n" not in out["log --actor bob"]
    # progress: the two threads' tables show the same columns in one run
    headers = [[c.strip() for c in cells] for cells in header_cells(out["progress"])]
    assert len(headers) == 2 and headers[0] == headers[1], headers
    assert out["progress"].count("not shown at this width") == (1 if width == 80 else 0)
    wide = [[c.strip() for c in cells] for cells in header_cells(out["progress --wide"])]
    assert (
        wide[0]
        == wide[1]
        == [
            "moderator",
            "reviewed",
            "unreviewed",
            "approved",
            "labeled",
            "labels given",
        ]
    )
    # agreement: humans only, and it says who was left out and why
    agreement = " ".join(out["agreement"].split())
    assert f"3 raters: alice, bob, {LONG}" in agreement
    assert "not counted: " in agreement
    assert "policy:news-comments (a policy's automatic actions)" in agreement
    assert "label-studio:7 (imported; --include-imported counts them)" in agreement


def test_piped_log_is_one_line_per_action(busy: Store, db_path: Path, tmp_path: Path) -> None:
    """No COLUMNS and a pipe (what `modtool log | less` sees): a header line, then one
    line per action with every value whole. 11 sample actions + 4 of the long-named
    moderator + 1 policy + 2 Label Studio + bob's approval of p1 = 19."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update({"MODTOOL_DB": str(db_path), "NO_COLOR": "1"})
    done = subprocess.run(
        [sys.executable, "-m", "modtool", "log"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1 + 19, done.stdout
    assert lines[0].split()[:4] == ["id", "at", "(UTC)", "actor"]
    stamp = re.compile(r"^ *\d+  \d{4}-\d\d-\d\d \d\d:\d\d  ")
    assert all(stamp.match(line) for line in lines[1:]), lines
    assert f"  {LONG}  " in done.stdout and "news-comments@dddd" in done.stdout
    assert "policy:news-comments (policy)" in done.stdout


def test_json_of_the_new_table_commands(busy: Store, db_path: Path, tmp_path: Path) -> None:
    runs = [
        ("threads", "--json"),
        ("policy", "list", "--json"),
        ("policy", "show", "news-comments", "--json"),
        ("models", "--json"),
        ("agreement", "--json"),
        ("agreement", "--include-imported", "--json"),
        ("agreement", "--moderators", "alice,policy:news-comments"),
    ]
    threads, listed, shown, models, humans, imported, refused = run_batch(
        runs, db=db_path, cwd=tmp_path, env={"HF_HUB_OFFLINE": "1"}
    )
    rows = json.loads(threads.stdout)
    assert [(t["id"], t["comments"], t["platform"]) for t in rows] == [
        (1, 27, "text"),
        (2, 3, "reddit"),
    ]
    assert {"news-comments", "jigsaw"} <= {p["name"] for p in json.loads(listed.stdout)}
    policy = json.loads(shown.stdout)
    assert [label["key"] for label in policy["labels"]] == POLICY_LABELS
    assert json.loads(models.stdout)["recorded"] == []  # nothing scored in this fixture
    report = json.loads(humans.stdout)
    assert report["moderators"] == ["alice", "bob", LONG]
    assert {n["name"] for n in report["not_counted"]} == {"policy:news-comments", "label-studio:7"}
    report = json.loads(imported.stdout)
    assert report["moderators"] == ["alice", "bob", "label-studio:7", LONG]
    assert [n["name"] for n in report["not_counted"]] == ["policy:news-comments"]
    assert refused.returncode == 1
    assert "policy:news-comments is a policy's automatic actions, never a rater" in refused.stderr


def test_tables_in_a_real_80_column_terminal(busy: Store, db_path: Path, tmp_path: Path) -> None:
    """No COLUMNS: the width comes from the pty (80 x 24); every line fits and no
    name or label is broken across lines."""
    whole = {
        ("stats", "--thread", "2"): [r"throwaway42", r"throwaway_9931", r"\(no author\)"],
        ("progress",): [r"alice", r"bob", re.escape(LONG), r"insult:3"],
        ("agreement",): [r"label-studio:7", r"policy:news-comments", r"off_topic"],
    }
    for args, words in whole.items():
        text = run_in_pty(args, db=db_path, cwd=tmp_path, size=(24, 80))
        check_layout(text, 80)
        for word in words:
            assert re.search(word, text), (args, word, text)


def test_imported_prefixes_are_the_annotation_modules_own() -> None:
    from modtool.annotations import argilla, label_studio, prodigy
    from modtool.moderator import IMPORTED_PREFIXES, rater_kind

    assert set(IMPORTED_PREFIXES) == {argilla.PREFIX, label_studio.PREFIX, prodigy.PREFIX}
    kinds = [rater_kind(n) for n in ("ana", "policy:x", "label-studio:7", "Prodigy:ann")]
    assert kinds == ["moderator", "policy", "imported", "imported"]


def test_grids_with_the_same_columns_share_one_plan() -> None:
    """Laid out alone at 40 columns the first grid keeps ``detail`` and the second
    (a 30-character name) drops it; laid out together both drop it, and the note
    on left-out columns comes once."""
    from rich.console import Console

    from modtool.cli.tables import Column, Grid, layout

    columns = [Column("id", 0, "right"), Column("name"), Column("detail", 1)]
    short, long = Grid("A", columns), Grid("B", columns)
    short.add_row("1", "ann", "x" * 10)
    long.add_row("2", "n" * 30, "y")
    assert short.choose(40) == ([0, 1, 2], []) and long.choose(40) == ([0, 1], [2])
    console = Console(width=40, record=True, file=io.StringIO())
    console.print(layout([short, long], 40))
    text = console.export_text()
    assert "x" * 10 not in text and text.count("not shown at this width: detail") == 1
    assert [[c.strip() for c in cells] for cells in header_cells(text)] == [["id", "name"]] * 2


def test_a_folded_column_never_breaks_a_word() -> None:
    from rich.console import Console

    from modtool.cli.tables import Column, Grid, layout

    grid = Grid("", [Column("id", 0, "right"), Column("state", 0, fold=True, min_width=8)])
    grid.add_row("1", "labeled (insult, identity_attack)")
    assert grid.minimum_widths() == [2, len("identity_attack)")]
    console = Console(width=26, record=True, file=io.StringIO())
    console.print(layout([grid], 26))
    assert "identity_attack)" in console.export_text()


def test_piped_lines_keep_every_value_whole_and_aligned() -> None:
    from rich.text import Text

    from modtool.cli.tables import Column, Grid

    grid = Grid("T", [Column("n", 0, "right"), Column("who"), Column("note", 1, fold=True)])
    grid.add_row("7", "ann", Text("a long\nnote"))
    grid.add_row("12", "bob-the-builder", "")
    assert grid.lines() == [
        " n  who              note",
        " 7  ann              a long note",
        "12  bob-the-builder",
    ]
