"""``modtool score --engine ray`` on one local Ray cluster (started once per run),
a tiny Detoxify checkpoint, and no network beyond loopback (Ray's own sockets).

Few and small on purpose: an actor pool starts in ~10 s on 2 cores."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modtool.ingest import import_path
from modtool.scoring import make_scorer, score_store
from modtool.store import open_store
from tests.ray_support import local_only_env
from tests.scoring_helpers import write_thread

# A real local Ray cluster: the integration stage (`make test-integration`), not the main suite.
pytestmark = pytest.mark.integration

WORDS = "you are a stupid idiot and the cat sat on the mat while we talk about peace".split()  # noqa: SIM905


def _bodies(count: int) -> list[str]:
    """Distinct texts of varied length (some longer than the tiny model's 24 tokens)."""
    return [
        " ".join(WORDS[(i + j) % len(WORDS)] for j in range(3 + (i * 7) % 40)) + f" n{i}"
        for i in range(count)
    ]


def _tiny_options(tiny_detoxify) -> dict:
    return {"checkpoint": tiny_detoxify.checkpoint, "hf_config": tiny_detoxify.hf_dir}


def _scores(db_path: Path) -> dict[tuple[int, str], tuple[str, float, int]]:
    with sqlite3.connect(db_path) as conn:
        return {
            (cid, attribute): (model, score, windowed)
            for cid, model, attribute, score, windowed in conn.execute(
                "SELECT comment_id, model, attribute, score, windowed FROM scores"
            )
        }


def test_store_mode_gives_the_local_scores_and_model_id(
    ray_cluster, tiny_detoxify, tmp_path, monkeypatch
) -> None:
    from modtool.scoring.ray_engine import RayOptions, score_store_ray

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    doc = write_thread(tmp_path / "t.txt", [*_bodies(40), "same text twice", "same text twice"])
    databases = []
    for name in ("local", "ray"):
        db = tmp_path / f"{name}.db"
        with open_store(db) as store:
            import_path(store, doc)
        databases.append(db)
    scorer = make_scorer("detoxify", **_tiny_options(tiny_detoxify))
    with open_store(databases[0]) as store:
        local = score_store(store, scorer, batch_size=8)
    seen: list[tuple[int, int]] = []
    with open_store(databases[1]) as store:
        summary = score_store_ray(
            store,
            "detoxify",
            {**_tiny_options(tiny_detoxify), "num_threads": None},
            scorer.model,
            scorer.headline_attribute,
            RayOptions(actors=2, batch_size=8),
            progress=lambda done, total: seen.append((done, total)),
        )
    assert summary.model == local.model == scorer.model.id
    assert summary.scored == local.scored == 42 and summary.windowed == local.windowed > 0
    assert seen[0] == (0, 42) and seen[-1] == (42, 42) and len(seen) > 2  # block by block
    ours, theirs = _scores(databases[1]), _scores(databases[0])
    assert ours.keys() == theirs.keys() and len(ours) == 42 * 6
    for key, (model, value, windowed) in theirs.items():
        assert ours[key][0] == model and ours[key][2] == windowed
        assert abs(ours[key][1] - value) <= 1e-6
    with open_store(databases[1]) as store:  # nothing left: no cluster work at all
        again = score_store_ray(
            store, "detoxify", _tiny_options(tiny_detoxify), scorer.model, "toxicity", RayOptions()
        )
    assert (again.scored, again.skipped) == (0, 42)


def test_killed_driver_resumes_and_scores_every_comment_once(
    ray_cluster, tiny_detoxify, tmp_path
) -> None:
    """A real `modtool score --engine ray` is SIGKILLed after its first committed
    batch; the rerun scores exactly the rest, and the committed rows stay as they were."""
    count = 400
    db = tmp_path / "kill.db"
    with open_store(db) as store:
        import_path(store, write_thread(tmp_path / "t.txt", _bodies(count)))
    env = {**os.environ, **local_only_env(tmp_path), "NO_COLOR": "1"}

    def command(batch_size: int) -> list[str]:
        return [
            sys.executable, "-m", "modtool", "score", "--engine", "ray", "--address", ray_cluster,
            "--actors", "1", "--batch-size", str(batch_size), "--scorer", "detoxify",
            "--checkpoint", str(tiny_detoxify.checkpoint), "--hf-config", str(tiny_detoxify.hf_dir),
            "--db", str(db),
        ]  # fmt: skip

    args = command(1)
    first = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and first.poll() is None:
        with sqlite3.connect(db) as conn:
            committed = conn.execute("SELECT COUNT(DISTINCT comment_id) FROM scores").fetchone()[0]
        if committed:
            first.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    _, err = first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL, f"not killed mid-run: {err}"
    with sqlite3.connect(db) as conn:
        before = dict(conn.execute("SELECT comment_id, scored_at FROM scores"))
        per_comment = conn.execute(
            "SELECT COUNT(*) FROM scores GROUP BY comment_id HAVING COUNT(*) != 6"
        ).fetchall()
    assert 0 < len(before) < count and per_comment == []  # whole batches only

    # bigger batches for the rest: fewer Ray round trips (the batch size is no part
    # of what was committed)
    second = subprocess.run(command(64), env=env, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr
    assert f"scored {count - len(before)}, skipped {len(before)} already scored" in second.stdout
    assert "Traceback" not in second.stderr
    with sqlite3.connect(db) as conn:
        after = dict(conn.execute("SELECT comment_id, scored_at FROM scores"))
        rows = conn.execute("SELECT COUNT(*), COUNT(DISTINCT comment_id) FROM scores").fetchone()
    assert rows == (count * 6, count)
    assert {cid: after[cid] for cid in before} == before  # not scored a second time


def test_file_mode_round_trip_through_shards_and_scores_load(
    ray_cluster, tiny_detoxify, tmp_path, monkeypatch, run_cli
) -> None:
    """Parquet and JSONL in, one shard per file out (resumable), then `scores load`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from modtool.scoring.files import plan, read_meta
    from modtool.scoring.ray_engine import RayOptions, score_files_ray

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    bodies = _bodies(30)
    db = tmp_path / "modtool.db"
    with open_store(db) as store:
        import_path(store, write_thread(tmp_path / "t.txt", bodies))
        comments = store.comments.for_thread(store.threads.list()[0].id)
    by_body = {c.body: c.id for c in comments}
    dump = tmp_path / "dump"
    dump.mkdir()
    ids = [str(by_body[b]) for b in bodies]
    pq.write_table(pa.table({"cid": ids[:18], "body": bodies[:18]}), dump / "part-1.parquet")
    with (dump / "part-2.jsonl").open("w", encoding="utf-8") as out:
        for key, body in zip(ids[18:], bodies[18:], strict=True):
            out.write(json.dumps({"cid": key, "body": body}) + "\n")
    out_dir = tmp_path / "scored"
    items = plan(str(dump / "part-*"), out_dir, "body", "cid")
    scorer = make_scorer("detoxify", **_tiny_options(tiny_detoxify))
    summary = score_files_ray(
        "detoxify",
        _tiny_options(tiny_detoxify),
        scorer.model,
        items,
        "body",
        "cid",
        RayOptions(actors=1, batch_size=4),
    )
    assert (summary.files, summary.rows, summary.skipped_files) == (2, 30, 0)
    shards = sorted(out_dir.iterdir())
    assert [p.name for p in shards] == ["part-1.scores.parquet", "part-2.scores.parquet"]
    table = pq.read_table(shards[0])
    assert table.column("id").to_pylist() == ids[:18]  # input order kept
    assert set(table.column("model").to_pylist()) == {scorer.model.id}
    assert read_meta(shards[0])["rows"] == 18
    expected = scorer.score(bodies[:18])
    for position, result in enumerate(expected):
        for attribute, value in result.scores.items():
            assert abs(table.column(attribute)[position].as_py() - value) <= 1e-6
        assert table.column("windowed")[position].as_py() == result.windowed
    again = score_files_ray(
        "detoxify", _tiny_options(tiny_detoxify), scorer.model, items, "body", "cid", RayOptions()
    )
    assert (again.files, again.rows, again.skipped_files) == (0, 0, 2)  # resumable by shard

    loaded = run_cli("scores", "load", out_dir, "--match", "db", env=local_only_env(tmp_path))
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 30 comments' scores from 2 shards" in loaded.stdout
    assert "0 stale" in loaded.stdout and "0 ids unmatched" in loaded.stdout
    with open_store(db) as store:
        for comment_id, result in zip(ids[:18], expected, strict=True):
            stored = store.scores.for_comment(int(comment_id))[scorer.model.id]
            assert stored == pytest.approx(result.scores, abs=1e-6)
        assert store.scores.count_scored(scorer.model.id) == 30
