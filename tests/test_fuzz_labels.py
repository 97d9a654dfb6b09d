"""Seeded random-mutation fuzz of ``import-labels`` (issue 16, Tests).

The three tools' fixture files (``tests/fixtures/{label-studio,argilla,prodigy}/*``)
are mutated: the importer fuzz's byte-level mutations (flips, truncation, odd
bytes and a BOM, duplicated and deleted lines, deep nesting, huge numbers) and
JSON-level ones: a value anywhere swapped for another type or an odd value
(``true`` for an id, ``7.0``, ``NaN``, ``Infinity``, a 401-digit number, a date
that is none, an e-mail address, a bidi override, 5,000-deep nesting) and a key
given twice. Each mutant is imported into a copy of a database holding the sample
thread, through the library (``modtool.label_ingest.import_labels``); a few
through the real CLI. Per mutant:

* no traceback: success or a :class:`~modtool.errors.ModtoolError`, nothing else;
* no hang: a time bound per mutant (``SIGALRM``);
* refused: the database is unchanged (the same SQL dump as before);
* stored: the database holds exactly the verdicts an independent read of the
  mutant gives (``read_labels``), nothing else.

A failure names the seed, the mutant, the mutation and the file; replay with
``FUZZ_SEED=… FUZZ_LABEL_MUTANTS=… pytest tests/test_fuzz_labels.py``.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from modtool.errors import ModtoolError
from modtool.ingest import import_path
from modtool.models import ReviewState
from modtool.store import open_store
from tests.fuzz_support import Mutation, bounded, check_cli_run, dump, lay_out, mutate
from tests.test_fuzz_importers import MUTATIONS as BYTE_MUTATIONS
from tests.test_fuzz_importers import SAMPLE, SEED

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("label-studio", "argilla", "prodigy")
MUTANTS = int(os.environ.get("FUZZ_LABEL_MUTANTS", "150"))
CLI_MUTANTS = 3
PER_MUTANT_SECONDS = 10.0
TOTAL_SECONDS = 20.0
ODD = [
    "true",
    "false",
    "null",
    "7.0",
    "0",
    "-1",
    "9223372036854775808",
    "1" + "0" * 400,
    '"x"',
    '""',
    "[]",
    "{}",
    "NaN",
    "-Infinity",
    '"2026-13-45T99:00:00Z"',
    '"ana@example.org"',
    '"\\u202e\\u001b[2J"',
    "[" * 5000 + "]" * 5000,
]
MARK = "\x00modtool-fuzz\x00"


def sources() -> list[tuple[Path, str]]:
    """``(file, tool)`` for every fixture of the three tools."""
    return sorted(
        (path, path.parent.name)
        for tool in TOOLS
        for path in (REPO / "tests" / "fixtures" / tool).glob("*")
        if path.is_file()
    )


# -- JSON-level mutations -------------------------------------------------------------
def _documents(data: bytes) -> tuple[list[object], bool] | None:
    """The file's JSON values (one, or one per line) and whether it is JSON Lines."""
    try:
        return [json.loads(data)], False
    except (ValueError, RecursionError):
        try:
            return [json.loads(line) for line in data.splitlines() if line.strip()], True
        except (ValueError, RecursionError):
            return None


def _places(value: object, path: tuple = ()) -> list[tuple]:
    """Every path to a value inside ``value`` (dict keys and list indexes)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


def swap_value(data: bytes, rng: random.Random) -> bytes:
    parsed = _documents(data)
    if parsed is None:
        return data
    documents, lines = parsed
    which = rng.randrange(len(documents))
    places = _places(documents[which])[1:]
    if not places:
        return data
    place = rng.choice(places)
    target = documents[which]
    for step in place[:-1]:
        target = target[step]  # type: ignore[index]
    target[place[-1]] = MARK  # type: ignore[index]
    odd = rng.choice(ODD)
    texts = [json.dumps(document).replace(json.dumps(MARK), odd) for document in documents]
    return ("\n".join(texts) + "\n" if lines else texts[0]).encode()


def duplicate_key(data: bytes, rng: random.Random) -> bytes:
    keys = list(re.finditer(rb'"([A-Za-z_.]+)"\s*:\s*', data))
    if not keys:
        return data
    key = rng.choice(keys)
    twin = b'"' + key.group(1) + b'": ' + rng.choice(ODD).encode() + b", "
    return data[: key.start()] + twin + data[key.start() :]


MUTATIONS: list[Mutation] = [*BYTE_MUTATIONS, swap_value, swap_value, duplicate_key]


# -- checks ---------------------------------------------------------------------------
def verdicts(db: Path) -> dict[tuple[int, str], ReviewState]:
    with closing(sqlite3.connect(db)) as connection:
        labels: dict[tuple[int, str], set[str]] = {}
        for comment_id, moderator, label in connection.execute(
            "SELECT comment_id, moderator, label FROM labels"
        ):
            labels.setdefault((comment_id, moderator), set()).add(label)
        return {
            (c, m): ReviewState(frozenset(labels.get((c, m), ())), state)
            for c, m, state in connection.execute(
                "SELECT comment_id, moderator, state FROM reviews WHERE state != 'unreviewed'"
            )
        }


def one_mutant(
    tmp_path: Path, template: Path, before: list[str], policy, number: int
) -> tuple[str, str]:
    from modtool.label_ingest import import_labels, read_labels

    rng = random.Random(f"{SEED}-labels-{number}")
    found = sources()
    source, tool = found[number % len(found)]
    data, mutation = mutate(source.read_bytes(), rng, MUTATIONS)
    path, db = lay_out(tmp_path / f"m{number}", source, data, template)
    what = f"seed {SEED} mutant {number}: {mutation.__name__} of {source.relative_to(REPO)}"
    with bounded(what, PER_MUTANT_SECONDS):
        store = open_store(db)
        try:
            import_labels(store, path, tool, policy)
            outcome = "stored"
        except ModtoolError:
            outcome = "refused"
        finally:
            store.close()
        rows = read_labels(path, tool, policy) if outcome == "stored" else []
    if outcome == "refused":
        assert dump(db) == before, f"{what}: refused, but the database changed"
    else:
        assert verdicts(db) == {
            (row.comment_id, row.user): ReviewState(
                frozenset(row.labels), "labeled" if row.labels else "approved"
            )
            for row in rows
        }, f"{what}: stored other verdicts than the file holds"
    shutil.rmtree(folder := path.parent)
    assert not folder.exists()
    return outcome, what


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A database holding the sample thread (comments 1..27), no labels."""
    path = tmp_path / "template.db"
    with open_store(path) as store:
        import_path(store, SAMPLE)
    return path


def test_label_mutants_through_the_library(tmp_path: Path, template: Path) -> None:
    from modtool.policy import load_policy

    policy = load_policy("news-comments")
    before = dump(template)
    outcomes = {"stored": 0, "refused": 0}
    started = time.perf_counter()
    for number in range(MUTANTS):
        outcome, _ = one_mutant(tmp_path, template, before, policy, number)
        outcomes[outcome] += 1
    took = time.perf_counter() - started
    # Both outcomes must occur, or the mutations are too timid (or too brutal) to test much.
    assert outcomes["stored"] >= MUTANTS // 20 and outcomes["refused"] >= MUTANTS // 20, outcomes
    assert took < TOTAL_SECONDS * 2, took  # generous: the machine is shared


def test_a_few_label_mutants_through_the_cli(tmp_path: Path, template: Path) -> None:
    """The real command: one ``modtool: error:`` line and exit 1, or success; never a
    traceback, and a refusal leaves the database as it was."""
    found = sources()
    rng = random.Random(f"{SEED}-labels-cli")
    before = dump(template)
    for number in range(CLI_MUTANTS):
        source, tool = found[rng.randrange(len(found))]
        mutation = MUTATIONS[rng.randrange(len(MUTATIONS))]
        data = mutation(source.read_bytes(), random.Random(f"{SEED}-cli-{number}"))
        path, db = lay_out(tmp_path / f"cli{number}", source, data, template)
        args = ["import-labels", str(path), "--from", tool, "--policy", "news-comments"]
        result = subprocess.run(
            [sys.executable, "-m", "modtool", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
        )
        what = f"cli mutant {number}: {mutation.__name__} of {source.name}"
        check_cli_run(result, what)
        if result.returncode:
            assert len(result.stderr.strip().splitlines()) == 1, what
            assert dump(db) == before, f"{what}: refused, but the database changed"
