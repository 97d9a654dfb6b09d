"""`modtool import`, `threads`, `tree` and the help of every command, through real runs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from modtool.cli import main


def test_import_threads_tree(run_cli, sample_path: Path, db_path: Path) -> None:
    result = run_cli("import", sample_path)
    assert result.returncode == 0, result.stderr
    line = f"{sample_path}: thread 1 'US-South Korea Talks on Trump’s $5bn Troop Payment Demand C…'"
    assert result.stdout == f"imported {line}: 27 comments (27 new)\n"
    again = run_cli("import", sample_path)
    assert again.stdout == f"re-imported {line}: 27 comments (27 unchanged)\n"

    listing = run_cli("threads")
    assert listing.returncode == 0
    assert "US-South Korea Talks" in listing.stdout
    assert " 27 " in listing.stdout
    assert '"max_depth": 5' in run_cli("threads", "--json").stdout

    tree = run_cli("tree", "1", "--width", "30")
    assert tree.returncode == 0, tree.stderr
    lines = tree.stdout.splitlines()
    assert "US-South Korea Talks" in lines[0]
    authors = [line for line in lines if "#" in line][1:]
    assert len(authors) == 27
    # The reply path, then the database id (issue 11.1), then the author.
    deepest = next(line for line in lines if "7.4.2.1.1.2 #26 Joe · " in line)
    chuckman = next(line for line in lines if "5.1 #6 CHUCKMAN · " in line)
    # Depth shows as indentation: the depth-5 reply sits further right than a depth-1 one.
    assert deepest.index("7.4.2.1.1.2") > chuckman.index("5.1")


def test_db_option_and_env(run_cli, sample_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    result = run_cli("import", sample_path, "--db", other)
    assert result.returncode == 0
    count = sqlite3.connect(other).execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    assert count == 27


def test_markup_and_escapes_in_comments_are_shown_literally(run_cli, tmp_path: Path) -> None:
    doc = tmp_path / "evil.txt"
    doc.write_text(
        "T\n\nA\n\n  1. [bold red]Mallory[/] says\n\n    hi \x1b[31mred\x1b[0m [link=http://x]click[/link]\n",
        encoding="utf-8",
    )
    assert run_cli("import", doc).returncode == 0
    tree = run_cli("tree", env={"TERM": "xterm-256color"})
    assert "[bold red]Mallory[/]" in tree.stdout
    assert "[link=http://x]click[/link]" in tree.stdout
    assert "\x1b" not in tree.stdout


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "the document is empty"),
        (
            lambda p: p.write_bytes("T\n\nA\n\n  1. Jos\xe9 says\n".encode("latin-1")),
            "line 5: not valid UTF-8",
        ),
        (
            lambda p: p.write_text("T\n\n  1. A says\n\n    x\n\n       1. B says\n\n        y\n"),
            "line 7: comment header indented 7 spaces",
        ),
        (
            lambda p: p.write_text("T\n\n  1. A says\n\n    x\n\n      1. B says\n\n        y\n"),
            "line 7: comment header at depth 2",
        ),
    ],
    ids=["missing", "directory", "empty", "not-utf8", "odd-indent", "two-level-jump"],
)
def test_bad_input_one_line_nonzero_unchanged(
    run_cli, sample_path: Path, tmp_path: Path, db_path: Path, setup, message: str
) -> None:
    run_cli("import", sample_path)
    before = list(sqlite3.connect(db_path).iterdump())
    bad = tmp_path / "bad.txt"
    setup(bad)
    result = run_cli("import", bad)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"modtool: error: {bad}")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(sqlite3.connect(db_path).iterdump()) == before


def test_one_bad_file_does_not_stop_the_others(run_cli, sample_path: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = run_cli("import", missing, sample_path)
    assert result.returncode == 1
    assert "imported" in result.stdout and "27 comments" in result.stdout
    assert "no such file" in result.stderr


def test_unknown_thread_is_one_line(run_cli, db_path: Path) -> None:
    from modtool.store import open_store

    open_store(db_path).close()  # an empty database (a missing one is another error)
    result = run_cli("tree", "42")
    assert result.returncode == 1
    assert result.stderr == "modtool: error: no thread with id 42 (see `modtool threads`)\n"
    empty = run_cli("tree")
    assert empty.returncode == 1
    assert empty.stderr == (
        "modtool: error: the database has no threads yet: run `modtool import FILE` first\n"
    )


def test_database_path_is_a_directory(run_cli, tmp_path: Path) -> None:
    result = run_cli("threads", "--db", tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", _commands(main), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`modtool {' '.join(path)} --help` has no example"


def test_main_help(run_cli) -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "import" in result.stdout and "Example" in result.stdout


# -- issue 9: what is not a document, stdin, NUL bytes, warnings, cut trees ------------------


PIPE_HINT = "(to read a pipe, use `-` for stdin)"


def test_what_is_not_a_regular_file_is_refused_without_hanging(
    run_cli, tmp_path: Path, db_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # no writer: opening it would block forever
    expected = [
        (fifo, f"is a FIFO (named pipe), not a thread document {PIPE_HINT}"),
        ("/dev/zero", f"is a character device, not a thread document {PIPE_HINT}"),
        ("/dev/urandom", f"is a character device, not a thread document {PIPE_HINT}"),
        ("/proc/self/status", "is a kernel file, not a thread document"),
    ]
    started = time.monotonic()
    result = run_cli("import", *(target for target, _ in expected))  # one run for all four
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        *(f"modtool: error: {target}: {message}" for target, message in expected),
        "modtool: error: 4 documents: 0 threads stored, 0 comments; 4 with errors (see above)",
    ]
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM threads").fetchone()[0] == 0


def test_stdin_is_read_as_a_document(run_cli, sample_path: Path, db_path: Path) -> None:
    result = run_cli("import", "-", input=sample_path.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported -: thread 1 'US-South Korea")
    assert result.stdout.endswith(": 27 comments (27 new)\n")
    source = sqlite3.connect(db_path).execute("SELECT source FROM threads").fetchone()[0]
    assert source == "<stdin>"
    assert run_cli("import", "-", input=sample_path.read_text()).stdout.endswith("(27 unchanged)\n")


def test_nul_bytes_are_stripped_with_a_warning(run_cli, tmp_path: Path, db_path: Path) -> None:
    doc = tmp_path / "nul.txt"
    doc.write_text("T\n\nA\n\n  1. Ann says\n\n    hello\x00 world\n", encoding="utf-8")
    result = run_cli("import", doc)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"modtool: warning: {doc}: line 5: NUL bytes removed\n"
    body = sqlite3.connect(db_path).execute("SELECT body FROM comments").fetchone()[0]
    assert body == "hello world"


def test_warnings_are_capped(run_cli, tmp_path: Path) -> None:
    doc = tmp_path / "gaps.txt"
    # Every comment numbered 1 where 1, 2, 3, … was due: 99 numbering warnings.
    doc.write_text("T\n\nA\n\n" + "".join(f"  1. U{n} says\n\n    x\n\n" for n in range(100)))
    result = run_cli("import", doc)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert all("numbered" in line for line in lines[:20])
    assert lines[20] == f"modtool: warning: {doc}: … and 79 more warnings"


def test_a_cut_tree_says_what_was_cut(run_cli, tmp_path: Path) -> None:
    deep = tmp_path / "chain.txt"
    lines = ["T", "", "A", ""]
    for depth in range(300):  # a 300-deep reply chain
        lines += [f"{'  ' * (depth + 1)}1. U{depth} says", "", f"{'  ' * (depth + 2)}x{depth}", ""]
    deep.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_cli("import", deep).returncode == 0
    cut = run_cli("tree", "--depth", "4")
    assert len(cut.stdout.splitlines()) == 6
    assert cut.stderr == (
        "modtool: note: showing 5 of 300 comments (depth ≤ 4); "
        "--depth/--limit to change, --all to see every comment\n"
    )
    limited = run_cli("tree", "--limit", "20")
    assert "showing 20 of 300 comments (first 20)" in limited.stderr
    full = run_cli("tree", "--limit", "20", "--all")
    assert full.returncode == 0 and full.stderr == ""
    assert len(full.stdout.splitlines()) == 301  # the header and every comment


def test_tree_shows_labels_and_scores(run_cli, sample_path: Path, db_path: Path) -> None:
    from modtool.ingest import import_path
    from modtool.models import ModelInfo, PolicyRef, ScoreRow
    from modtool.store import open_store

    policy = PolicyRef(name="news", hash="h", labels=frozenset({"insult", "threat"}))
    with open_store(db_path) as store:
        import_path(store, sample_path)
        store.labels.add(4, "insult", moderator="ana", policy=policy)
        store.labels.add(4, "insult", moderator="bo", policy=policy)
        store.labels.add(4, "threat", moderator="bo", policy=policy)
        store.labels.approve(5, moderator="ana", policy=policy)
        store.scores.register_model(
            ModelInfo("detoxify/original@1", "detoxify", "o", ("toxicity",))
        )
        chash = store.comments.get(4).content_hash
        store.scores.save([ScoreRow(4, "detoxify/original@1", {"toxicity": 0.875}, chash)])
    result = run_cli("tree", "--labels", "--scores", "--width", "20")
    assert result.returncode == 0, result.stderr
    line4 = next(line for line in result.stdout.splitlines() if " #4 " in line)
    assert line4.lstrip().startswith("4 #4 Ilya 0.88 [insult, threat?] · ")
    line5 = next(line for line in result.stdout.splitlines() if " #5 " in line)
    assert "[approved]" in line5
    plain = run_cli("tree")
    assert "[insult" not in plain.stdout and "0.88" not in plain.stdout


def test_threads_fits_80_columns(run_cli, sample_path: Path) -> None:
    run_cli("import", sample_path)
    result = run_cli("threads", env={"COLUMNS": "80"})
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    header = next(line for line in lines if "title" in line)
    # Whole headers (none cut to "platfo…"); what does not fit is named below.
    shown = [cell.strip() for cell in header.strip("│").split("│")]
    # The review counts (issue 21.2) come before the platform and the import details.
    assert shown == ["id", "title", "comments", "unreviewed", "unmoderated", "hottest"]
    assert " ".join(lines[-2:]) == (
        "(not shown at this width: platform, orphans, missing, depth, dates, source;  "
        "--wide shows all)"
    )
    row = next(line for line in lines if line.startswith("│  1 "))
    assert "US-South" in row and " 27 " in row and " - " in row  # not scored: no hottest
    wide = run_cli("threads", "--wide", env={"COLUMNS": "80"})
    header = next(line for line in wide.stdout.splitlines() if "title" in line)
    assert all(name in header for name in ("depth", "dates", "source"))


@pytest.mark.parametrize("name", ["huge.txt", "huge"])  # chosen by extension / by nothing
def test_a_1gb_sparse_file_is_refused_with_little_memory(
    tmp_path: Path, db_path: Path, name: str
) -> None:
    """Issue 9.8: it reached 3.1 GB RSS before 'string or blob too big'."""
    huge = tmp_path / name
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)  # 1 GiB of NUL bytes, no disk used
    code = (
        "import resource, subprocess, sys\n"
        "out = subprocess.run([sys.executable, '-m', 'modtool', 'import', sys.argv[1],"
        " '--db', sys.argv[2]], capture_output=True, text=True)\n"
        "print(out.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(out.stderr, end='')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(huge), str(db_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    first, _, stderr = out.stdout.partition("\n")
    returncode, peak_kb = map(int, first.split())
    assert returncode == 1
    assert stderr.count("\n") == 1 and stderr.startswith(f"modtool: error: {huge}: "), stderr
    assert ": byte 0: binary data (NUL bytes), not a " in stderr
    assert peak_kb < 300 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"


def test_a_bad_thread_is_reported_the_others_stored_exit_1(
    run_cli, tmp_path: Path, db_path: Path
) -> None:
    """Pushshift NDJSON with two threads; one comment of thread b has no id."""
    lines = [
        {"id": "c1", "link_id": "t3_a", "parent_id": "t3_a", "author": "u", "body": "x"},
        {"id": "c2", "link_id": "t3_a", "parent_id": "t1_c1", "author": "v", "body": "y"},
        {"link_id": "t3_b", "parent_id": "t3_b", "author": "w", "body": "no id"},
        {"id": "c3", "link_id": "t3_b", "parent_id": "t3_b", "author": "w", "body": "z"},
    ]
    doc = tmp_path / "RC_test.ndjson"
    doc.write_text(
        "".join(json.dumps({**line, "created_utc": 1700000000}) + "\n" for line in lines)
    )
    result = run_cli("import", doc)
    assert result.returncode == 1
    assert result.stdout == f"imported {doc}: thread 1 (reddit a): 2 comments (2 new)\n"
    assert (
        result.stderr
        == f"modtool: error: {doc}: thread 'b' not stored: line 3: a comment without an id\n"
    )
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT platform, external_id FROM threads").fetchall() == [("reddit", "a")]
    assert conn.execute("SELECT COUNT(*) FROM comments").fetchone()[0] == 2


def test_replace_thread_option(run_cli, tmp_path: Path, db_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Title\n\nArticle.\n\n  1. Ann says\n\n    first comment here\n")
    assert run_cli("import", doc).returncode == 0
    doc.write_text(
        "Title\n\nArticle, with a typo fixed.\n\n  1. Ann says\n\n    first comment here\n"
    )
    missing = run_cli("import", doc, "--replace-thread", "99")
    assert missing.returncode == 1
    assert missing.stderr == "modtool: error: no thread with id 99 (see `modtool threads`)\n"
    result = run_cli("import", doc, "--replace-thread", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"re-imported {doc}: thread 1 'Title': 1 comment (1 unchanged)\n"
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT id, article FROM threads").fetchall() == [
        (1, "Article, with a typo fixed.")
    ]
