"""The site-wide queue (issue 21.1, 17.4), authors (21.3), search (21.4), threads'
counts (21.2): real CLI runs on the hand-counted site of ``tests/site_support.py``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from modtool.store import open_store
from tests.cli_batch import run_batch
from tests.site_support import BY_SCORE, REF, build_site


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    return build_site(folder, folder / "site.db")


def ids(ran) -> list[int]:
    assert ran.returncode == 0, ran.stderr
    return [json.loads(line)["id"] for line in ran.stdout.splitlines()]


def test_queue_filters_and_sorts_across_the_site(site_db: Path, tmp_path: Path) -> None:
    runs = run_batch(
        [
            ("queue", "--json", "-m", "ana"),
            ("queue", "--json", "-m", "ana", "--unreviewed"),
            ("queue", "--json", "-m", "ana", "--unmoderated"),
            ("queue", "--json", "-m", "ana", "--platform", "reddit"),
            ("queue", "2", "--json", "-m", "ana"),
            ("queue", "--json", "-m", "ana", "--since", "2024-05-02"),
            ("queue", "--json", "-m", "ana", "--until", "2024-05-01T10:06"),
            ("queue", "--json", "-m", "ana", "--author", "troll42", "--platform", "reddit"),
            ("queue", "--json", "-m", "ana", "--min-score", "0.75"),
            ("queue", "--json", "-m", "ana", "--min-score", "insult=0.5"),
            ("queue", "--json", "-m", "ana", "--label", "insult"),
            ("queue", "--json", "-m", "ana", "--search", "idiots"),
            ("queue", "--json", "-m", "ana", "--sort", "newest"),
            ("queue", "--json", "-m", "ana", "--sort", "thread"),
            (
                "queue",
                "--json",
                "-m",
                "ana",
                "--unmoderated",
                "--platform",
                "reddit",
                "--min-score",
                "0.5",
            ),
        ],
        db=site_db,
        cwd=tmp_path,
    )
    assert ids(runs[0]) == BY_SCORE == [1, 3, 5, 7, 2, 4, 6, 8]
    assert ids(runs[1]) == [1, 3, 5, 7, 2, 6, 8]  # ana approved 4
    assert ids(runs[2]) == [3, 5, 7, 2, 6, 8]  # bo reviewed 1, ana 4
    assert ids(runs[3]) == [1, 3, 5, 2, 4, 6]
    assert ids(runs[4]) == [5, 6]
    assert ids(runs[5]) == [5, 6]  # the plain-text thread has no dates
    assert ids(runs[6]) == [1, 2]
    assert ids(runs[7]) == [1, 3, 5]
    assert ids(runs[8]) == [1, 3]
    assert ids(runs[9]) == [1, 3, 5]  # insult 0.81, 0.72, 0.63
    assert ids(runs[10]) == [1]
    assert ids(runs[11]) == [1, 3]
    assert ids(runs[12]) == [6, 5, 4, 3, 2, 1, 8, 7]  # dated newest first, then the rest
    assert ids(runs[13]) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert ids(runs[14]) == [3, 5]


def test_queue_json_has_every_field_whole(site_db: Path, tmp_path: Path) -> None:
    (ran,) = run_batch([("queue", "--json", "-m", "bo", "--limit", "1")], db=site_db, cwd=tmp_path)
    (row,) = [json.loads(line) for line in ran.stdout.splitlines()]
    assert row == {
        "id": 1,
        "thread_id": 1,
        "thread_title": "Budget vote tonight",
        "platform": "reddit",
        "thread_external_id": "aaa",
        "external_id": "r1",
        "path": "1",
        "parent_id": None,
        "depth": 0,
        "author": "troll42",
        "created_at": "2024-05-01T10:00:00Z",
        "status": "visible",
        "score": 0.9,
        "score_model": "detoxify/original@site0001",
        "score_attribute": "toxicity",
        "scores": {"detoxify/original@site0001": {"insult": 0.81, "toxicity": 0.9}},
        "suggestions": [],
        "state": "labeled",
        "labels": ["insult"],
        "edited_since_review": False,
        "others": {},
        "claimed_by": None,
        "replies": 2,
        "text": "you are all idiots",
    }


def test_queue_table_fits_80_columns_with_a_header(site_db: Path, tmp_path: Path) -> None:
    (ran,) = run_batch(
        [("queue", "-m", "ana", "--limit", "3")], db=site_db, cwd=tmp_path, env={"COLUMNS": "80"}
    )
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    header = lines[1]
    for name in ("#", "thread", "author", "score", "yours", "text"):
        assert f" {name} " in header
    assert "1 Budget vote t…" in ran.stdout and "troll42" in ran.stdout
    assert "(not shown at this width: suggested; --wide shows all)" in ran.stdout
    assert "the first 3 shown" in ran.stderr and "more match" in ran.stderr


def test_bad_input_is_one_line(site_db: Path, tmp_path: Path) -> None:
    runs = run_batch(
        [
            ("queue", "--author", "troll42"),
            ("queue", "--min-score", "threat=0.5"),
            ("queue", "--since", "May 1st"),
            ("queue", "--search", '"unclosed'),
            ("queue", "--author", "nobody"),
        ],
        db=site_db,
        cwd=tmp_path,
    )
    for ran in runs:
        assert ran.returncode != 0 and ran.stdout == ""
        assert ran.stderr.count("\n") == 1 and ran.stderr.startswith("modtool: error: "), ran.stderr
    assert "'troll42' names 2 commenters" in runs[0].stderr and "give --platform" in runs[0].stderr
    assert "no model scored attribute 'threat' (attributes: insult, toxicity)" in runs[1].stderr
    assert "--since 'May 1st'" in runs[2].stderr
    assert "is not a search SQLite understands" in runs[3].stderr
    assert "no comments by 'nobody'" in runs[4].stderr


def test_author_across_threads_with_counts(site_db: Path, tmp_path: Path) -> None:
    runs = run_batch(
        [
            ("author", "troll42", "--platform", "reddit", "-m", "ana"),
            ("author", "troll42", "--platform", "reddit", "--json"),
            ("author", "troll42", "--platform", "text", "--json"),
        ],
        db=site_db,
        cwd=tmp_path,
    )
    first = runs[0].stdout.splitlines()[0]
    assert first == (
        "reddit account 'troll42' (the name is the account there): 3 comments, "
        "1 labeled under news-comments (insult 1)"
    )
    lines = [json.loads(line) for line in runs[1].stdout.splitlines()]
    assert lines[0] | {"labels": lines[0]["labels"]} == {
        "author": "troll42",
        "platform": "reddit",
        "matched_by": "account",
        "names": ["troll42"],
        "comments": 3,
        "labeled": 1,
        "labels": {"insult": 1},
    }
    assert [row["id"] for row in lines[1:]] == [5, 3, 1]  # newest first
    text = [json.loads(line) for line in runs[2].stdout.splitlines()]
    assert text[0]["matched_by"] == "name" and [r["id"] for r in text[1:]] == [7]


def test_search_finds_comments_and_titles(site_db: Path, tmp_path: Path) -> None:
    runs = run_batch(
        [
            ("search", "harbour", "--json"),
            ("search", "idiots", "--thread", "1", "--json"),
            ("search", "author:troll42", "--json"),
            ("search", "AND"),
        ],
        db=site_db,
        cwd=tmp_path,
    )
    rows = [json.loads(line) for line in runs[0].stdout.splitlines()]
    assert rows[0] == {"thread_id": 2, "thread_title": "Harbour plans"}
    assert sorted(r["id"] for r in rows[1:]) == [5, 6]
    assert sorted(json.loads(line)["id"] for line in runs[1].stdout.splitlines()) == [1, 3]
    assert sorted(json.loads(line)["id"] for line in runs[2].stdout.splitlines()) == [1, 3, 5, 7]
    assert runs[3].returncode == 1 and "is not a search SQLite understands" in runs[3].stderr


def test_queue_json_into_head_stops_quietly(site_db: Path, tmp_path: Path) -> None:
    """A reader that stops early (``| head``) is no error: no traceback, status 0."""
    script = (
        f"{sys.executable} -m modtool queue --json -m ana --db {site_db} | head -2; "
        "echo status ${PIPESTATUS[0]}"
    )
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    lines = done.stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines[:2]] == [1, 3]
    assert lines[2] == "status 0" and "Traceback" not in done.stderr


def test_claimed_comments_leave_the_team_queue(site_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    db.write_bytes(site_db.read_bytes())
    with open_store(db) as store:
        assert (
            store.claims.claim(3, policy_name=REF.name, moderator="bo", holder="otherhost:1:x")
            is None
        )
    (ran,) = run_batch([("queue", "--json", "-m", "ana", "--unmoderated")], db=db, cwd=tmp_path)
    assert ids(ran) == [5, 7, 2, 6, 8]  # 3 is open in bo's UI


def test_threads_count_reviews_and_sort(site_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "threads.db"
    db.write_bytes(site_db.read_bytes())
    with open_store(db) as store:
        for cid in (5, 6):  # ana has reviewed all of thread 2
            store.labels.approve(cid, moderator="ana", policy=REF)
    runs = run_batch(
        [
            ("threads", "--json", "-m", "ana"),
            ("threads", "--json", "-m", "ana", "--sort", "unreviewed"),
            ("threads", "--json", "-m", "bo", "--sort", "unreviewed"),
            ("threads", "--json", "-m", "ana", "--sort", "unmoderated"),
        ],
        db=db,
        cwd=tmp_path,
    )
    rows = json.loads(runs[0].stdout)
    assert [
        (r["id"], r["comments"], r["unreviewed"], r["unmoderated"], r["hottest"]) for r in rows
    ] == [
        (1, 4, 3, 2, 0.9),  # ana approved 4; bo labeled 1
        (2, 2, 0, 0, 0.7),
        (3, 2, 2, 2, 0.3),
    ]
    assert [r["id"] for r in json.loads(runs[1].stdout)] == [1, 3, 2]
    assert [(r["id"], r["unreviewed"]) for r in json.loads(runs[2].stdout)] == [
        (1, 3),
        (2, 2),
        (3, 2),
    ]
    assert [r["id"] for r in json.loads(runs[3].stdout)] == [1, 3, 2]  # 2, 2, 0


def test_import_of_many_threads_prints_a_summary(tmp_path: Path) -> None:
    """Issue 21.10: twelve threads in one dump are five lines and a tally, not twelve."""
    lines = []
    for number in range(12):
        lines.append(
            json.dumps(
                {"id": f"t{number}", "title": f"T{number}", "selftext": "", "created_utc": 1}
            )
        )
        for reply in range(number % 3 + 1):  # 1, 2 or 3 comments: 24 in all
            lines.append(
                json.dumps(
                    {
                        "id": f"c{number}x{reply}",
                        "link_id": f"t3_t{number}",
                        "parent_id": f"t3_t{number}",
                        "author": "a",
                        "body": f"comment {reply}",
                        "created_utc": 2,
                    }
                )
            )
    dump = tmp_path / "RC_many.ndjson"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (ran,) = run_batch([("import", dump)], db=tmp_path / "many.db", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    out = ran.stdout.splitlines()
    assert len(out) == 5 + 2
    assert all(line.startswith(f"imported {dump}: thread ") for line in out[:5])
    # T0-T4 hold 1+2+3+1+2 = 9 comments; the other seven threads hold 24 - 9 = 15.
    assert [line.split("'")[1] for line in out[:5]] == ["T0", "T1", "T2", "T3", "T4"]
    assert out[5] == (
        "… and 7 more threads: 7 imported; 15 comments (15 new) (`modtool threads` lists them)"
    )
    assert out[6] == "1 document: 12 threads stored, 24 comments"


def test_tui_takes_m_like_the_other_commands(site_db: Path, tmp_path: Path) -> None:
    """Issue 17.9: `tui -m NAME` was refused ("No such option"); now it gets as far as
    the terminal check (the batch has none)."""
    (ran,) = run_batch([("tui", "-m", "ana")], db=site_db, cwd=tmp_path)
    assert ran.returncode == 1
    assert ran.stderr == "modtool: error: tui needs a terminal (stdout is not a TTY)\n"
