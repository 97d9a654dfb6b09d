"""Where an export may write (issue 9.1, 9.2): never over the database it reads (by
any spelling, hard link or sidecar file) nor over any SQLite file; devices, FIFOs
and ``-`` are written in place, never replaced by a regular file."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from modtool.errors import InputError
from modtool.export import Selection, export
from modtool.store import Store, open_store
from tests.test_export_cli import leftovers, one_error_line


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_never_over_the_database_or_any_sqlite_file(
    sample_store: Store, run_cli, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample_store.close()
    before = digest(db_path)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    other_before = digest(other)
    os.link(db_path, tmp_path / "hard-link.db")
    spelled = tmp_path.name + "/./../" + tmp_path.name + "/modtool.db"
    cases = [
        ("jsonl", "modtool.db", "is the database this export reads"),
        ("csv", "modtool.db", "is the database this export reads"),
        ("parquet", "modtool.db", "is the database this export reads"),
        ("jsonl", f"../{spelled}", "is the database this export reads"),
        ("jsonl", "modtool.db-wal", "is the database this export reads"),
        ("csv", "modtool.db-shm", "is the database this export reads"),
        ("jsonl", "modtool.db-journal", "is the database this export reads"),
        ("jsonl", "hard-link.db", "is the database this export reads"),
        ("csv", "other.sqlite", "is an SQLite database"),
        ("jsonl", "other.sqlite-wal", "belongs to the SQLite database other.sqlite"),
    ]
    for fmt, target, needle in cases[:2]:  # the real CLI, with a relative --db
        result = run_cli("export", "--format", fmt, "-o", target, env={"MODTOOL_DB": "modtool.db"})
        one_error_line(result, target, needle)
    monkeypatch.chdir(tmp_path)
    with open_store(Path("modtool.db")) as store:  # the rest through the library: same code
        for fmt, target, needle in cases[2:]:
            with pytest.raises(InputError, match=needle):
                export(store, fmt=fmt, output=Path(target), selection=Selection())
    # a folder export with --force would delete the folder holding the database
    one_error_line(
        run_cli("export", "--format", "convokit", "-o", ".", "--force"),
        "holds the database this export reads",
    )
    one_error_line(
        run_cli("export", "--format", "jsonl", "--split", "a=0.5,b=0.5", "-o", "..", "--force"),
        "holds the database",
    )
    assert digest(db_path) == before and digest(other) == other_before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hard-link.db",
        "modtool.db",
        "other.sqlite",
    ]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM comments").fetchone()[0] == 27


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can rename over /dev/null")
def test_devices_are_written_in_place(sample_store: Store, run_cli) -> None:
    result = run_cli("export", "--format", "jsonl", "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    result = run_cli("export", "--format", "jsonl", "-o", "/dev/full")
    one_error_line(result, "/dev/full: cannot write: disk full")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_fifo_and_stdout(sample_store: Store, run_cli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_cli("export", "--format", "jsonl", "-o", fifo)
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    rows = [json.loads(line) for line in received[0].decode().splitlines()]
    assert [r["id"] for r in rows] == list(range(1, 28))
    assert leftovers(tmp_path) == []
    # -o - is standard output: the data there, the summary on stderr, no file named "-"
    result = run_cli("export", "--format", "jsonl", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == list(range(1, 28))
    assert "to standard output" in result.stderr
    assert not (tmp_path / "-").exists()
    one_error_line(
        run_cli("export", "--format", "convokit", "-o", "-"), "standard output takes one file"
    )
    # Parquet to a pipe: the writer never seeks
    import io

    import pyarrow.parquet as pq

    process = subprocess.run(
        [sys.executable, "-m", "modtool", "export", "--format", "parquet", "-o", "-"],
        capture_output=True,
        env={**os.environ, "MODTOOL_DB": str(sample_store.path)},
        cwd=tmp_path,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert pq.read_table(io.BytesIO(process.stdout)).num_rows == 27


def test_stdout_is_written_where_it_stands(sample_store: Store, tmp_path: Path) -> None:
    """Issue 16.13: ``-o -`` writes through the descriptor the shell gave, from its
    offset: a file opened with ``>`` keeps what came before and gets what comes
    after behind the export; ``>>`` appends; Parquet streams too; and a command
    line run in-process (output captured, no descriptor) gets the same bytes."""
    from modtool.policy import load_policy
    from modtool.policy.suggest import register
    from tests.cli_batch import run_batch
    from tests.labeled_sample import POLICY, label_sample

    label_sample(sample_store, second_policy=False)
    register(sample_store, load_policy(POLICY))
    modtool = f"{sys.executable} -m modtool"
    script = f"""
    set -e
    {{ echo BEFORE; {modtool} export --format jsonl -o -; echo AFTER; }} > around.txt
    echo 'kept line' > app.txt
    {modtool} export --format csv -o - >> app.txt
    {{ printf 'PAR1?'; {modtool} export --format parquet -o -; }} > data.bin
    {{ echo '# first'; {modtool} decisions --policy {POLICY} -o -; echo '# end'; }} > dec.txt
    {modtool} export --format jsonl -o - > /dev/full 2> full.err && exit 9 || true
    {modtool} export --format jsonl -o - >&- 2> closed.err && exit 9 || true
    """
    done = subprocess.run(
        ["sh", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "MODTOOL_DB": str(sample_store.path), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    around = (tmp_path / "around.txt").read_text().splitlines()
    assert around[0] == "BEFORE" and around[-1] == "AFTER" and len(around) == 29
    assert [json.loads(line)["id"] for line in around[1:-1]] == list(range(1, 28))
    appended = (tmp_path / "app.txt").read_text(encoding="utf-8-sig").splitlines()
    assert appended[0] == "kept line" and appended[1].lstrip("\ufeff").startswith("id,")
    import io

    import pyarrow.parquet as pq

    data = (tmp_path / "data.bin").read_bytes()
    assert data[:5] == b"PAR1?"
    assert pq.read_table(io.BytesIO(data[5:])).num_rows == 27
    decisions = (tmp_path / "dec.txt").read_text().splitlines()
    assert decisions[0] == "# first" and decisions[-1] == "# end"
    assert sorted(json.loads(x)["modtool_id"] for x in decisions[1:-1]) == [1, 4, 8, 9, 16, 17]
    for name, needle in (("full", "disk full"), ("closed", "standard output is closed")):
        error = (tmp_path / f"{name}.err").read_text().splitlines()
        assert len(error) == 1 and error[0].startswith("modtool: error: -: cannot write: ")
        assert needle in error[0]
    (captured,) = run_batch(
        [("export", "--format", "jsonl", "-o", "-")],
        db=None,
        cwd=tmp_path,
        env={"MODTOOL_DB": str(sample_store.path)},
    )
    assert captured.returncode == 0, captured.stderr
    assert [json.loads(x)["id"] for x in captured.stdout.splitlines()] == list(range(1, 28))
