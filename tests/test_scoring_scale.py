"""Scoring at scale without a Ray cluster: the one-line message without Ray, no
ray/torch in commands that do not score, file mode on the local engine, stale
scores on `scores load`, and the score command's messages (issues 9.12, 11.4)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.scoring_helpers import no_network_env, write_thread

NO_RAY = """
import builtins
_real_import = builtins.__import__
def _import(name, *args, **kwargs):
    if name == "ray" or name.startswith("ray."):
        raise ImportError("No module named 'ray' (hidden by the test)")
    return _real_import(name, *args, **kwargs)
builtins.__import__ = _import
"""


def test_without_ray_the_engine_says_how_to_install_it(run_cli, tmp_path) -> None:
    shim = tmp_path / "noray"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(NO_RAY, encoding="utf-8")
    result = run_cli("score", "--engine", "ray", env={"PYTHONPATH": str(shim)})
    assert result.returncode == 1
    assert result.stderr == (
        "modtool: error: --engine ray needs Ray, which is not installed: "
        "pip install 'modtool[ray]'\n"
    )


def test_commands_that_do_not_score_import_no_ray_or_torch(tmp_path, sample_path) -> None:
    code = (
        "import sys, json, atexit\n"
        "atexit.register(lambda: print('MODULES=' + json.dumps(sorted(sys.modules)), "
        "file=sys.stderr))\n"
        "from modtool.cli import main\n"
        "main()\n"
    )
    db = str(tmp_path / "db.sqlite")
    for args in (["import", str(sample_path)], ["threads"], ["scores", "load", "--help"]):
        out = subprocess.run(
            [sys.executable, "-c", code, *args, "--db", db], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        line = next(x for x in out.stderr.splitlines() if x.startswith("MODULES="))
        modules = set(json.loads(line.removeprefix("MODULES=")))
        assert not {"ray", "torch", "pyarrow"} & modules, args


@pytest.fixture
def scorer(tiny_detoxify, monkeypatch):
    from modtool.scoring import make_scorer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return make_scorer(
        "detoxify", checkpoint=tiny_detoxify.checkpoint, hf_config=tiny_detoxify.hf_dir
    )


def test_local_file_mode_shards_resume_and_stale_load(scorer, tmp_path, store) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from modtool.errors import InputError
    from modtool.ingest import import_path
    from modtool.scoring.files import load_shards, plan, score_files_local

    bodies = ["you are an idiot", "thanks for the article", ("the cat sat on the mat " * 5).strip()]
    import_path(store, write_thread(tmp_path / "t.txt", bodies))
    ids = {c.body: c.id for c in store.comments.for_thread(store.threads.list()[0].id)}
    dump = tmp_path / "dump"
    dump.mkdir()
    # the last text differs from the stored one: its score must come in as stale
    texts = [*bodies[:2], "another text entirely"]
    keys = [ids[b] for b in bodies]
    pq.write_table(pa.table({"id": keys, "text": texts}), dump / "a.parquet")
    (dump / "b.jsonl").write_text('{"id": 999, "text": "nobody"}\n\n', encoding="utf-8")
    items = plan(str(dump), tmp_path / "out", "text", "id")
    assert [item.rows for item in items] == [3, 1]
    first = score_files_local(scorer, items, "text", "id", batch_size=2)
    assert (first.files, first.rows) == (2, 4)
    assert not list((tmp_path / "out").glob(".*partial"))
    again = score_files_local(scorer, items, "text", "id")
    assert (again.files, again.skipped_files) == (0, 2)
    table = pq.read_table(tmp_path / "out" / "a.scores.parquet")
    assert table.column("id").to_pylist() == [str(k) for k in keys]
    expected = scorer.score(texts)
    assert table.column("toxicity").to_pylist() == pytest.approx(
        [r.scores["toxicity"] for r in expected], abs=1e-6
    )

    summary = load_shards(store, tmp_path / "out", match="db")
    assert (summary.loaded, summary.stale, summary.unmatched) == (2, 1, 1)
    model = scorer.model.id
    assert store.scores.count_scored(model) == 2  # the stale one is not current
    assert store.scores.for_comment(keys[2]) == {}
    with pytest.raises(InputError, match="no column 'body'"):
        plan(str(dump / "a.parquet"), tmp_path / "out2", "body", "id")
    with pytest.raises(InputError, match="no input files match"):
        plan(str(tmp_path / "nothing-*.parquet"), tmp_path / "out2", "text", "id")


def test_score_messages_nothing_to_do_and_ignored_options(run_cli, tmp_path, sample_path) -> None:
    """Issue 11.4: no "scored 0/0" beside "skipped 27"; Detoxify-only options that
    the profanity-check fallback ignores are named."""
    assert run_cli("import", sample_path).returncode == 0
    env = no_network_env(tmp_path)
    first = run_cli("score", "--quantize", "--device", "cuda", env=env)
    assert first.returncode == 0, first.stderr
    warnings = [line for line in first.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "modtool: warning: --device, --quantize apply to Detoxify only: ignored with "
        + first.stdout.split()[1].rstrip(":")
    ]
    again = run_cli("score", env=env)
    assert "scored 0, skipped 27 already scored" in again.stdout
    assert "scored 0/0" not in again.stderr and "/0" not in again.stderr


def test_huge_batch_size_is_a_range_error(run_cli, tmp_path) -> None:
    """Issue 9.12: a number past 2^63 is click's range check, not a traceback."""
    result = run_cli("score", "--batch-size", "99999999999999999999", env=no_network_env(tmp_path))
    assert result.returncode == 2
    assert "1<=x<=1000000" in result.stderr and "Traceback" not in result.stderr


def test_ray_driver_describes_the_actors_model_without_building_it(scorer, tiny_detoxify) -> None:
    """The driver (maybe without a GPU) derives the id the actors will build."""
    from modtool.scoring import make_scorer
    from modtool.scoring.ray_engine import driver_model

    options = {"checkpoint": tiny_detoxify.checkpoint, "hf_config": tiny_detoxify.hf_dir}
    int8 = make_scorer("detoxify", **options, precision="int8")
    described = driver_model("detoxify", {**options, "precision": "int8"})
    assert described.model.id == int8.model.id and described.model.details["precision"] == "int8"
    assert described.attributes == tuple(scorer.attributes)
    assert driver_model("auto", options).model.id == scorer.model.id
