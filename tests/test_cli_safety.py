"""The CLI's root guarantees (issue 9.12, 9.13, 9.16, 9.18, 9.19, 11.1 usage errors, 11.4 --db):
one line and a non-zero exit for bad input, nothing written, nothing raw in the terminal."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from modtool.ingest import import_path
from modtool.store import open_store
from tests.cli_batch import run_batch
from tests.thread_docs import Node, render

REPO = Path(__file__).resolve().parent.parent
HUGE = "99999999999999999999999"
OSC52 = "\x1b]52;c;SGVsbG8=\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b2J"
HOSTILE = f"mal{OSC52}lory{CLEAR}{C1}"
UNSAFE = re.compile("[\x1b\x07\x80-\x9f]")


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("modtool: error: "), lines[0]
    return lines[0]


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


# -- 9.16: one output path ----------------------------------------------------------------------
DIRECT_OUTPUT = re.compile(r"\bclick\.echo\(|\bclick\.secho\(|(?<![\w.])print\(|\bConsole\(")


def test_no_direct_output_calls_in_the_cli_package() -> None:
    """Everything the CLI prints goes through modtool/cli/output.py (made terminal-safe there)."""
    offenders = []
    for path in sorted((REPO / "modtool" / "cli").glob("*.py")):
        if path.name == "output.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if DIRECT_OUTPUT.search(code):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == [], "direct output calls (use modtool.cli.output):\n" + "\n".join(offenders)


@pytest.fixture
def hostile_db(tmp_path: Path, db_path: Path) -> Path:
    """A database whose stored strangers' text carries escape sequences: an author, a
    moderator name (written by an older modtool or another tool, straight in SQL)."""
    document = tmp_path / "hostile.txt"
    document.write_text(
        render(
            "Title",
            "Article.",
            [Node(f"Eve{CLEAR}", f"body {OSC52} text", [Node("Bob", "reply")]), Node("Ann", "x")],
        ),
        encoding="utf-8",
    )
    with open_store(db_path) as store:
        import_path(store, document)
        from modtool.policy import load_policy
        from modtool.policy.suggest import register

        policy = load_policy("news-comments")
        register(store, policy)
        for moderator in ("ana", "ben"):
            store.labels.add(1, "insult", moderator=moderator, policy=policy.ref)
            store.labels.approve(2, moderator=moderator, policy=policy.ref)
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER actions_append_only_update")  # the test forges history
        for table in ("labels", "reviews", "actions"):
            column = "actor" if table == "actions" else "moderator"
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = 'ben'", [HOSTILE])
    return db_path


def hostile_policy(folder: Path) -> Path:
    text = (REPO / "modtool" / "policies" / "news-comments.toml").read_text(encoding="utf-8")
    text = text.replace(
        'description = "', 'description = "\\u001b]52;c;SGVsbG8=\\u0007\\u001b[2J', 1
    )
    assert "\\u001b" in text
    path = folder / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_stored_and_file_text_never_reaches_the_terminal_raw(
    hostile_db: Path, tmp_path: Path
) -> None:
    policy = hostile_policy(tmp_path)
    commands = [
        ("agreement",),
        ("log",),
        ("log", "--json"),
        ("policy", "show", policy),
        ("policy", "check", policy),
        ("progress",),
        ("queue",),
        ("queue", "--json"),
        ("threads",),
        ("tree",),
        ("stats",),
        ("label", 1, "insult", "--moderator", HOSTILE),
        ("label", 1, "insult", "--moderator", "ana", "--note", HOSTILE),
    ]
    results = run_batch(commands, db=hostile_db, cwd=tmp_path, env={"COLUMNS": "200"})
    for result in results:
        assert "Traceback" not in result.stderr, (result.args, result.stderr)
        for stream in (result.stdout, result.stderr):
            assert not UNSAFE.search(stream), (result.args, stream[:400])
    assert "mal]52;c;SGVsbG8=lory" in results[0].stdout  # shown, only its escapes are gone


def test_label_refuses_a_hostile_moderator_name_before_writing(run_cli, hostile_db) -> None:
    before = dump(hostile_db)
    result = run_cli("label", 1, "threat", "--moderator", HOSTILE)
    assert result.returncode == 1
    assert "control or invisible characters" in one_error_line(result)
    assert dump(hostile_db) == before


# -- 9.18: only import and tui FILE create a database -------------------------------------------
NO_DB_COMMANDS = [
    ("log",),
    ("threads",),
    ("tree",),
    ("export", "-o", "out.jsonl"),
    ("stats",),
    ("agreement",),
    ("label", "9", "insult", "-m", "ana"),
    ("suggest",),
    ("apply-policy",),
    ("progress",),
    ("queue",),
    ("score", "--scorer", "profanity-check"),
]


def test_a_mistyped_db_is_not_created(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    results = run_batch([(*c, "--db", typo) for c in NO_DB_COMMANDS], db=None, cwd=tmp_path)
    for result in results:
        assert result.returncode != 0, (result.args, result.stdout)
        assert re.fullmatch(
            rf"modtool: error: no database at {re.escape(str(typo))} "
            r"\(run `modtool import FILE` first\)",
            one_error_line(result),
        ), result.args
    assert not list(tmp_path.glob("typo.db*"))


def test_import_creates_the_database(run_cli, tmp_path: Path, sample_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    result = run_cli("import", sample_path, "--db", fresh)
    assert result.returncode == 0, result.stderr
    assert fresh.exists()


# -- 9.12: numbers above 2^63 --------------------------------------------------------------------
HUGE_COMMANDS = [
    ("label", HUGE, "insult", "-m", "ana"),
    ("label", f"#{HUGE}", "insult", "-m", "ana"),
    ("label", f"{HUGE}:1", "insult", "-m", "ana"),
    ("tree", HUGE),
    ("log", "--limit", HUGE),
    ("log", "--comment", HUGE),
    ("stats", "--thread", HUGE),
    ("score", "--batch-size", HUGE),
    ("progress", HUGE),
    ("queue", HUGE),
    ("suggest", "--thread", HUGE),
    ("export", "--thread", HUGE, "-o", "out.jsonl"),
    ("decisions", "--thread", HUGE, "-o", "out.jsonl"),
    ("agreement", "--thread", HUGE),
    ("calibrate", "--thread", HUGE),
]


def test_numbers_too_large_for_sqlite_are_one_line(sample_store, db_path: Path, tmp_path) -> None:
    before = dump(db_path)
    for result in run_batch(HUGE_COMMANDS, db=db_path, cwd=tmp_path):
        assert result.returncode != 0, result.args
        line = one_error_line(result)
        assert "out of range" in line or "not in the range" in line, (result.args, line)
    assert dump(db_path) == before


# -- 9.13: undecodable bytes ---------------------------------------------------------------------
def run_bytes(args: list[bytes], db: Path, env: dict[bytes, bytes] | None = None):
    full = {k.encode(): v.encode() for k, v in os.environ.items()}
    full.update({b"MODTOOL_DB": os.fsencode(db), b"NO_COLOR": b"1", b"COLUMNS": b"120"})
    full.update(env or {})
    return subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"modtool", *args],
        capture_output=True,
        env=full,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ([b"label", b"9", b"insult", b"--moderator", b"\xff\xfe"], None),
        ([b"label", b"9", b"insult"], {b"MODTOOL_MODERATOR": b"\xff\xfe"}),
        ([b"tree", b"\xff"], None),
        ([b"label", b"9", b"\xff"], None),
    ],
)
def test_undecodable_arguments_are_refused_before_anything_is_written(
    sample_store, db_path: Path, args, env
) -> None:
    before = dump(db_path)
    result = run_bytes(args, db_path, env)
    assert result.returncode == 2
    lines = result.stderr.decode("utf-8").strip().splitlines()
    assert len(lines) == 1 and "is not valid UTF-8" in lines[0], lines
    assert ("\\xff" in lines[0]) and ("MODTOOL_MODERATOR" in lines[0]) == bool(env)
    assert dump(db_path) == before  # no policies row either


# -- 9.19: policy: is reserved -------------------------------------------------------------------
def test_policy_prefix_is_reserved_for_moderators(sample_store, db_path, tmp_path) -> None:
    before = dump(db_path)
    names = ["policy:news-comments", "Policy:x", " policy:y"]
    commands = [("label", 9, "insult", "-m", name) for name in names]
    commands += [("queue", "-m", name) for name in names]
    results = run_batch(commands, db=db_path, cwd=tmp_path)
    results += run_batch(
        [("label", 9, "insult")],
        db=db_path,
        cwd=tmp_path,
        env={"MODTOOL_MODERATOR": "policy:news-comments"},
    )
    for result in results:
        assert result.returncode == 1, result.args
        assert "cannot start with 'policy:'" in one_error_line(result)
    assert dump(db_path) == before


def test_the_store_refuses_a_policy_name_for_a_moderator(sample_store) -> None:
    from modtool.errors import InputError
    from modtool.models import PolicyRef

    ref = PolicyRef("news-comments", "h")
    with pytest.raises(InputError, match="policy:"):
        sample_store.labels.add(9, "insult", moderator="policy:news-comments", policy=ref)


# -- 11.1 / 11.4: usage errors in one line, --db everywhere ---------------------------------------
def test_usage_errors_are_one_line_and_every_command_takes_db(
    sample_store, db_path, tmp_path
) -> None:
    missing, unknown, policy_list, show, check = run_batch(
        [
            ("export",),
            ("nonsense",),
            ("policy", "list", "--db", db_path),
            ("policy", "show", "news-comments", "--db", db_path),
            ("policy", "check", "news-comments", "--db", db_path),
        ],
        db=db_path,
        cwd=tmp_path,
    )
    assert missing.returncode == 2
    line = one_error_line(missing)
    assert "modtool export: Missing option '-o'" in line and "--help" in line
    assert unknown.returncode == 2 and "No such command" in one_error_line(unknown)
    for result in (policy_list, show, check):
        assert result.returncode == 0, (result.args, result.stderr)
