"""`modtool import`, `threads`, `tree` and the help of every command, through real runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
import pytest

from modtool.cli import main


def test_import_threads_tree(run_cli, sample_path: Path, db_path: Path) -> None:
    result = run_cli("import", sample_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"imported {sample_path} as thread 1: 27 comments (27 new)"
    again = run_cli("import", sample_path)
    assert (
        again.stdout.strip() == f"re-imported {sample_path} as thread 1: 27 comments (27 unchanged)"
    )

    listing = run_cli("threads")
    assert listing.returncode == 0
    assert "US-South Korea Talks" in listing.stdout
    assert " 27 " in listing.stdout and " 5 " in listing.stdout

    tree = run_cli("tree", "1", "--width", "30")
    assert tree.returncode == 0, tree.stderr
    lines = tree.stdout.splitlines()
    assert "US-South Korea Talks" in lines[0]
    authors = [line for line in lines if "#" in line][1:]
    assert len(authors) == 27
    deepest = next(line for line in lines if "7.4.2.1.1.2 Joe" in line)
    chuckman = next(line for line in lines if "5.1 CHUCKMAN" in line)
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
