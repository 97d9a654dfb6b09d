"""Hostile JSON inputs through the real importers and CLI: one clear line, nothing stored
(issue 16.4: huge integers, deep nesting)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from modtool.ingest import import_path
from modtool.store import open_store
from tests.json_formats import dump, one_error_line

PUSHSHIFT = Path(__file__).parent / "fixtures" / "pushshift" / "RC_2024-01-sample.ndjson"
HUGE = "9" * 5000


def reddit_listing(score: str) -> str:
    comment = (
        '{"kind": "t1", "data": {"id": "c1", "name": "t1_c1", "link_id": "t3_p1", '
        '"parent_id": "t3_p1", "author": "ann", "body": "hi", "replies": "", '
        f'"score": {score}}}}}'
    )
    post = '{"kind": "t3", "data": {"id": "p1", "name": "t3_p1", "title": "T"}}'
    return (
        f'[{{"kind": "Listing", "data": {{"children": [{post}]}}}},\n'
        f' {{"kind": "Listing", "data": {{"children": [{comment}]}}}}]'
    )


@pytest.mark.parametrize("fmt", ["reddit", "pushshift"])
def test_an_integer_of_5000_digits_is_one_line_and_nothing_is_stored(
    tmp_path: Path, db_path: Path, run_cli: Callable, fmt: str
) -> None:
    with open_store(db_path) as store:
        import_path(store, PUSHSHIFT)
    before = dump(db_path)
    if fmt == "reddit":
        path = tmp_path / "thread.json"
        path.write_text(reddit_listing(HUGE), encoding="utf-8")
        where = "line 2 column 194"  # 193 characters before the value, counted
    else:
        path = tmp_path / "RC_big.ndjson"
        lines = PUSHSHIFT.read_text(encoding="utf-8").splitlines()
        bad = json.loads(lines[1])
        bad["score"] = 1
        text = json.dumps(bad).replace('"score": 1', f'"score": {HUGE}')
        column = text.index(HUGE) + 1
        path.write_text("\n".join([lines[0], text, *lines[2:]]) + "\n", encoding="utf-8")
        where = f"line 2 column {column}"
    failed = run_cli("import", path)
    assert failed.returncode == 1
    if fmt == "reddit":  # one document: nothing of it stored
        assert one_error_line(failed.stderr) == (
            f"modtool: error: {path}: {where}: an integer of 5,000 digits (more than 4,300)"
        )
        assert dump(db_path) == before
    else:  # a dump line: a problem of its thread, which is not stored (issue 16.6)
        assert failed.stderr.splitlines()[0] == (
            f"modtool: error: {path}: thread '19abc01' 'Why castles?' not stored: "
            f"{where}: an integer of 5,000 digits (more than 4,300)"
        )
    # The same file with a small number imports.
    path.write_text(path.read_text(encoding="utf-8").replace(HUGE, "7"), encoding="utf-8")
    assert run_cli("import", path).returncode == 0
