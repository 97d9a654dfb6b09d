"""`modtool scores load` trusts no shard (issue 16.8), and file mode never reads its own
outputs (issue 16.9). Real Parquet files, real SQLite, the real CLI (in-process)."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from modtool.cli import main
from modtool.models import content_hash
from modtool.store import Store

MODEL = "detoxify/original@0123456789ab"
ATTRIBUTES = ("toxicity", "insult")
DETAILS = {"sha256": "0123456789ab" + "0" * 52, "precision": "fp32", "checkpoint": "/a/b.ckpt"}


def good_columns(store: Store, count: int = 4) -> dict[str, pa.Array]:
    """Rows for the first ``count`` sample comments, matched by database id."""
    comments = list(store.comments.for_thread(1))[:count]
    return {
        "id": pa.array([str(c.id) for c in comments], pa.string()),
        "model": pa.array([MODEL] * count, pa.string()),
        "windowed": pa.array([False] * count, pa.bool_()),
        "text_hash": pa.array([content_hash(c.body) for c in comments], pa.string()),
        "toxicity": pa.array([0.25 * i for i in range(count)], pa.float64()),
        "insult": pa.array([0.5] * count, pa.float64()),
    }


def good_meta(**changes: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "model": MODEL,
        "scorer": "detoxify",
        "name": "detoxify/original",
        "attributes": list(ATTRIBUTES),
        "details": DETAILS,
        "input": "a.parquet",
        "rows": 4,
    }
    meta.update(changes)
    return meta


def write_shard(folder: Path, columns: dict[str, pa.Array], meta: object, name: str = "a") -> Path:
    folder.mkdir(exist_ok=True)
    raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    table = pa.table(columns).replace_schema_metadata({b"modtool": raw})
    path = folder / f"{name}.scores.parquet"
    pq.write_table(table, path)
    return path


def dump(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return list(conn.iterdump())


def load(db_path: Path, folder: Path) -> object:
    return CliRunner().invoke(
        main, ["scores", "load", str(folder), "--match", "db", "--db", str(db_path)]
    )


def assert_refused(result: object, *fragments: str) -> None:
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert err.startswith("modtool: error:") and len(err.strip().splitlines()) == 1, err
    assert isinstance(result.exception, SystemExit), result.exception  # type: ignore[attr-defined]
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture
def loaded(sample_store: Store, db_path: Path, tmp_path: Path) -> Callable[..., object]:
    """A shard folder writer plus a loader that checks the database did not change."""

    def run(columns: dict[str, pa.Array] | None = None, meta: object = None) -> object:
        folder = tmp_path / f"shards{len(list(tmp_path.iterdir()))}"
        write_shard(
            folder, columns or good_columns(sample_store), good_meta() if meta is None else meta
        )
        before = dump(db_path)
        result = load(db_path, folder)
        if result.exit_code != 0:  # type: ignore[attr-defined]
            assert dump(db_path) == before
        return result

    return run


def test_a_good_shard_loads_and_exports(sample_store: Store, db_path: Path, loaded) -> None:
    result = loaded()
    assert result.exit_code == 0, result.output
    assert "loaded 4 comments' scores from 1 shards" in result.stdout
    assert sample_store.scores.for_comment(2) == {MODEL: {"insult": 0.5, "toxicity": 0.25}}
    target = db_path.parent / "out.jsonl"
    out = CliRunner().invoke(main, ["export", "-o", str(target), "--db", str(db_path)])
    assert out.exit_code == 0, out.output
    first = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert {(s["attribute"], s["score"]) for s in first["scores"]} == {
        ("toxicity", 0.0),
        ("insult", 0.5),
    }


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (-5.0, "-5.0"),
        (1e308, "1e+308"),
        (float("inf"), "inf"),
        (2.0, "2.0"),
        (float("nan"), "nan"),
        (1.0000001, "1.0000001"),
    ],
)
def test_a_score_outside_0_1_is_refused_with_its_row(
    sample_store: Store, loaded, value: float, shown: str
) -> None:
    columns = good_columns(sample_store)
    columns["toxicity"] = pa.array([0.1, 0.2, value, 0.3], pa.float64())
    assert_refused(loaded(columns), "a.scores.parquet: row 3: toxicity is " + shown)


def test_the_same_model_id_with_other_details_keeps_the_stored_scores(
    sample_store: Store, db_path: Path, loaded, tmp_path: Path
) -> None:
    assert loaded().exit_code == 0
    kept = sample_store.scores.for_comment(3)
    zeros = good_columns(sample_store)
    zeros["toxicity"] = pa.array([0.0] * 4, pa.float64())
    other = good_meta(details={**DETAILS, "sha256": "f" * 64})
    assert_refused(loaded(zeros, other), f"model {MODEL} is not the one the database has")
    assert sample_store.scores.for_comment(3) == kept
    other = good_meta(attributes=["insult", "toxicity"])
    assert_refused(loaded(zeros, other), "attributes insult, toxicity against toxicity, insult")
    # where the model ran (the checkpoint's path, library versions) is no part of it
    moved = good_meta(details={**DETAILS, "checkpoint": "/elsewhere/b.ckpt", "torch": "2.13.0"})
    assert loaded(zeros, moved).exit_code == 0


def test_two_shards_of_one_model_must_agree_and_nothing_is_written_before(
    sample_store: Store, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "two"
    write_shard(folder, good_columns(sample_store), good_meta(), name="a")
    write_shard(folder, good_columns(sample_store), good_meta(scorer="other"), name="b")
    before = dump(db_path)
    assert_refused(load(db_path, folder), "b.scores.parquet", "a.scores.parquet has")
    assert dump(db_path) == before  # no models row, no scores from a.scores.parquet


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c, m: (c, b"{not json"), "metadata: line 1 column 2: not valid JSON"),
        (lambda c, m: (c, b'{"model": NaN}'), "metadata: line 1 column 11: NaN is not a number"),
        (lambda c, m: (c, b"[" * 200_000 + b"]" * 200_000), "metadata: line 1 column 100001"),
        (lambda c, m: (c, b'{"rows": 1' + b"0" * 5000 + b"}"), "an integer of 5,001 digits"),
        (lambda c, m: (c, b"\xff{}"), "metadata: byte 1: not UTF-8 text"),
        (lambda c, m: (c, [1, 2]), "metadata: not a JSON object"),
        (lambda c, m: (c, {**m, "model": 7}), "'model' is not a model name"),
        (lambda c, m: (c, {k: v for k, v in m.items() if k != "scorer"}), "'scorer' is not"),
        (lambda c, m: (c, {**m, "attributes": "toxicity"}), "'attributes' is not a list"),
        (lambda c, m: (c, {**m, "attributes": ["toxicity", "toxicity"]}), "distinct names"),
        (lambda c, m: (c, {**m, "attributes": ["id"]}), "attribute 'id' names a fixed column"),
        (lambda c, m: (c, {**m, "details": [1]}), "'details' is not a JSON object"),
        (lambda c, m: ({k: v for k, v in c.items() if k != "insult"}, m), "no column 'insult'"),
        (lambda c, m: ({k: v for k, v in c.items() if k != "text_hash"}, m), "no column"),
        (lambda c, m: ({**c, "extra": c["insult"]}, m), "column 'extra' is no attribute"),
        (lambda c, m: ({**c, "insult": pa.array(["0.5"] * 4)}, m), "'insult': is string, not"),
        (lambda c, m: ({**c, "id": pa.array([1, 2, 3, 4])}, m), "'id': is int64, not text"),
        (lambda c, m: ({**c, "windowed": pa.array([0] * 4)}, m), "is int64, not bool"),
        (
            lambda c, m: ({**c, "insult": pa.array([0.5, None, 0.5, 0.5], pa.float64())}, m),
            "row 2: 'insult' is empty (null)",
        ),
        (
            lambda c, m: ({**c, "model": pa.array([MODEL, MODEL, "other@1", MODEL])}, m),
            "row 3: 'model' is not the shard's model",
        ),
        (
            lambda c, m: ({**c, "text_hash": pa.array(["x" * 16] * 4)}, m),
            "row 1: 'text_hash' is no text hash",
        ),
    ],
)
def test_a_malformed_shard_is_one_line_and_changes_nothing(
    sample_store: Store, loaded, change, message: str
) -> None:
    columns, meta = change(good_columns(sample_store), good_meta())
    assert_refused(loaded(columns, meta), message)


def test_not_parquet_and_no_metadata_are_one_line(
    sample_store: Store, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.scores.parquet").write_bytes(b"PAR1 not really")
    assert_refused(load(db_path, folder), "not a readable Parquet file")
    pq.write_table(pa.table(good_columns(sample_store)), folder / "a.scores.parquet")
    assert_refused(load(db_path, folder), "not a modtool score shard")


VALUES = [0.0, -0.0, 0.5, 1.0, 1e-320, -1e-9, 1.0000001, 2.0, -5.0, 1e308, float("inf"),
          float("-inf"), float("nan")]  # fmt: skip


def _mutate(rng: random.Random, columns: dict[str, pa.Array], meta: dict) -> tuple[dict, object]:
    columns, meta = dict(columns), json.loads(json.dumps(meta))
    kind = rng.randrange(9)
    if kind == 0:  # values from the edges
        name = rng.choice(ATTRIBUTES)
        columns[name] = pa.array([rng.choice(VALUES) for _ in range(4)], pa.float64())
    elif kind == 1:  # a metadata field removed or retyped
        key = rng.choice(list(meta))
        if rng.random() < 0.5:
            del meta[key]
        else:
            meta[key] = rng.choice([None, 0, 1.5, "", [], {}, "x" * 2000, [None], True])
    elif kind == 2:  # metadata bytes damaged
        raw = bytearray(json.dumps(meta).encode())
        for _ in range(rng.randint(1, 4)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return columns, bytes(raw)
    elif kind == 3:  # a column dropped, renamed or retyped
        name = rng.choice(list(columns))
        array = columns.pop(name)
        choice = rng.randrange(3)
        if choice == 1:
            columns[name + "_"] = array
        elif choice == 2:
            columns[name] = pa.array([rng.choice([1, 2])] * 4)
    elif kind == 4:  # nulls
        name = rng.choice(list(columns))
        values = columns[name].to_pylist()
        values[rng.randrange(4)] = None
        columns[name] = pa.array(values, columns[name].type)
    elif kind == 5:  # odd ids (unmatched, unicode, empty) and hashes
        columns["id"] = pa.array(
            [rng.choice(["", "1", "٣", "99999", "1e3", " 2"]) for _ in range(4)]
        )
        if rng.random() < 0.5:
            columns["text_hash"] = pa.array(
                [rng.choice(["", "0" * 16, "G" * 16]) for _ in range(4)]
            )
    elif kind == 6:  # attributes that are not the columns
        meta["attributes"] = rng.choice([["toxicity"], ["insult", "toxicity", "threat"], []])
    elif kind == 7:  # another model id in rows or metadata
        meta["model"] = rng.choice(["", "other@1", MODEL + "+bf16", "x" * 1001])
    else:  # float32 columns, windowed as strings
        columns["insult"] = pa.array([rng.choice(VALUES) for _ in range(4)], pa.float32())
        if rng.random() < 0.5:
            columns["windowed"] = pa.array(["true"] * 4)
    return columns, meta


def test_seeded_fuzz_of_scores_load(sample_store: Store, db_path: Path, tmp_path: Path) -> None:
    """Success, or one clear line and the database exactly as it was (SQL dump)."""
    rng = random.Random(1608)
    base = good_columns(sample_store)
    outcomes = {"loaded": 0, "refused": 0}
    for case in range(60):
        columns, meta = _mutate(rng, base, good_meta())
        folder = tmp_path / f"fuzz{case}"
        try:
            write_shard(folder, columns, meta)
        except (pa.ArrowInvalid, ValueError):
            continue  # pyarrow itself will not write this table
        before = dump(db_path)
        result = load(db_path, folder)
        if result.exit_code == 0:
            outcomes["loaded"] += 1
        else:
            outcomes["refused"] += 1
            assert_refused(result)
            assert dump(db_path) == before, (case, result.stderr)
        with sqlite3.connect(db_path) as conn:
            values = [v for (v,) in conn.execute("SELECT score FROM scores")]
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in values), case
    assert outcomes["loaded"] >= 3 and outcomes["refused"] >= 30, outcomes


def test_output_folder_equal_to_the_input_folder_twice(tmp_path: Path) -> None:
    """Issue 16.9: the second run skips its own shard instead of reading it as input."""
    folder = tmp_path / "data"
    folder.mkdir()
    pq.write_table(
        pa.table({"id": ["a", "b"], "body": ["you idiot", "thanks"]}), folder / "c.parquet"
    )
    args = ["score", "--scorer", "profanity-check", "--input", str(folder),
            "--text-column", "body", "--id-column", "id", "--output", str(folder)]  # fmt: skip
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "scored 2 rows into 1 shards" in first.stdout
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "scored 0 rows into 0 shards" in again.stdout and "skipped 1" in again.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["c.parquet", "c.scores.parquet"]
    alone = CliRunner().invoke(main, [*args[:4], str(folder / "c.scores.parquet"), *args[5:]])
    assert alone.exit_code == 1 and "a score shard" in alone.stderr
