"""Pushshift / Arctic-Shift NDJSON dumps read into flat records (``modtool.importers.pushshift``)."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.formats_json import Node, pushshift_lines
from modtool.errors import ParseError
from modtool.importers import pushshift
from modtool.importers.records import ProblemRecord, ThreadRecord
from modtool.ingest import import_path
from modtool.store import open_store
from tests.json_formats import (
    by_id,
    comments,
    dump,
    no_warnings,
    node_shape,
    shape,
    stored_shape,
    trees,
)

FIXTURE = Path(__file__).parent / "fixtures" / "pushshift" / "RC_2024-01-sample.ndjson"


def read(path: Path) -> list:
    return list(pushshift.read(path, no_warnings))


def test_submission_lines_are_threads_and_comments_name_theirs_by_link_id() -> None:
    records = read(FIXTURE)
    thread = records[0]
    assert thread == ThreadRecord(
        platform="reddit",
        external_id="19abc01",
        title="Why castles?",
        article="Why were castles built on hills & rivers?",
        url="https://www.reddit.com/r/AskHistorians/comments/19abc01/why_castles/",
        created_at="2024-01-01T00:00:00Z",
        meta={"subreddit": "AskHistorians", "author": "op_person", "score": 88, "num_comments": 4},
    )
    found = by_id(records)
    assert {r.thread_external_id for r in found.values()} == {"19abc01", "19zzz99"}
    assert found["kh00010"].thread_external_id == "19zzz99"  # undeclared thread


def test_threads_interleave_in_file_order_and_parents_may_come_later() -> None:
    records = read(FIXTURE)
    order = [(r.external_id, r.parent_external_id) for r in comments(records)]
    assert order == [
        ("kh00001", None),
        ("kh00003", "kh00002"),  # before its parent
        ("kh00010", None),  # another thread, between
        ("kh00002", "kh00001"),
        ("kh00004", "kh00001"),
        ("kh00005", None),
        ("kh00006", "kgzzzzz"),  # parent outside the dump: kept by name
        ("kh00011", "kh00010"),
    ]
    assert [r.where for r in comments(records)][:3] == ["line 2", "line 3", "line 5"]


def test_created_utc_as_int_float_or_string_and_edited_time() -> None:
    found = by_id(read(FIXTURE))
    assert found["kh00001"].created_at == "2024-01-01T00:01:40Z"  # int
    assert found["kh00003"].created_at == "2024-01-01T00:05:00Z"  # string
    assert found["kh00010"].created_at == "2024-01-01T00:02:30Z"  # float
    assert found["kh00002"].created_at == "2024-01-01T00:03:20Z"  # float with fraction
    assert found["kh00002"].meta == {"score": 12, "edited": "2024-01-01T00:46:40Z"}


def test_status_entities_and_link_title() -> None:
    records = read(FIXTURE)
    found = by_id(records)
    assert found["kh00004"].status == "removed"
    assert found["kh00005"].status == "deleted"
    assert found["kh00001"].body == "Defence > comfort, mostly."
    named = [r for r in records if isinstance(r, ThreadRecord) and r.external_id == "19zzz99"]
    assert [r.title for r in named] == ["Undeclared & found"]


def test_sniff() -> None:
    assert pushshift.sniff(FIXTURE.read_bytes()[:65536], Path("dump.txt"))
    line = json.dumps({"id": "a", "link_id": "t3_b", "parent_id": "t3_b", "body": "x" * 70000})
    assert pushshift.sniff(line.encode()[:65536], Path("big.txt"))  # first line cut by the head
    assert pushshift.sniff(b"\x28\xb5\x2f\xfd", Path("RC_2024-01.zst"))
    listing = b'[{"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"link_id": "t3_x"}}]}}]'
    assert not pushshift.sniff(listing, Path("x.json"))
    assert not pushshift.sniff(b'{"kind": "Listing", "data": {"link_id": "t3_x"}}', Path("x"))
    assert not pushshift.sniff(b'{"id": "1", "speaker": "a", "reply_to": null}\n', Path("x"))
    algolia = Path(__file__).parent / "fixtures" / "hackernews" / "item-40500071.json"
    assert not pushshift.sniff(algolia.read_bytes(), algolia)  # title and url, no subreddit


GOOD = '{"id": "a", "link_id": "t3_b", "body": "x"}'


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        # Issue 16.6: a bad line is a problem of the thread its text names (t3_c) ...
        (
            [GOOD, '{"id": "b", "link_id": "t3_c", "body": "cut sh'],
            # 39 characters before the string; it runs into the newline at column 47.
            ProblemRecord("c", "line 2 column 47", "not valid JSON: Invalid control character at"),
        ),
        # ... or of no thread when it names none.
        (
            [GOOD, "", "[1, 2]"],
            ProblemRecord(None, "line 3", f"expected a JSON object: {pushshift.DESCRIPTION}"),
        ),
        (
            [GOOD, '{"hello": "world"}'],
            ProblemRecord(
                None,
                "line 2",
                f"neither a Reddit comment nor a submission: {pushshift.DESCRIPTION}",
            ),
        ),
    ],
)
def test_a_bad_line_is_a_problem_of_its_thread_and_names_the_line(
    tmp_path: Path, lines: list[str], problem: ProblemRecord
) -> None:
    path = tmp_path / "RC_bad.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = read(path)
    assert records[0].external_id == "a"  # the good line is read
    assert records[1] == problem


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"hello": "world"}', GOOD], "line 1: neither a Reddit comment nor a submission"),
        (["{not json", GOOD], "line 1 column 2: not valid JSON"),
    ],
)
def test_a_bad_first_line_is_a_document_error(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    path = tmp_path / "RC_bad.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParseError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_more_than_the_bad_line_bound_is_a_document_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pushshift, "MAX_BAD_LINES", 2)
    path = tmp_path / "RC_bad.ndjson"
    path.write_text(GOOD + "\n" + "[1]\n" * 3, encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        read(path)
    assert str(caught.value) == (
        f"{path}: line 4: more than 2 bad lines, the last: expected a JSON object: "
        f"{pushshift.DESCRIPTION}"
    )


def test_five_good_lines_then_a_bad_one_stores_the_other_threads(
    tmp_path: Path, db_path: Path, run_cli
) -> None:
    """Issue 16.6 end to end: the bad line's thread is not stored and is named with
    the line; the other thread is stored; exit status 1."""
    path = tmp_path / "RC_six.ndjson"
    lines = [
        json.dumps({"id": f"a{n}", "link_id": "t3_t1", "parent_id": "t3_t1", "body": f"x{n}"})
        for n in range(3)
    ] + [
        json.dumps({"id": f"b{n}", "link_id": "t3_t2", "parent_id": "t3_t2", "body": f"y{n}"})
        for n in range(2)
    ]
    lines.append('{"id": "a9", "link_id": "t3_t1", "body": "truncated')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli("import", path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        # 41 characters before "truncated (10 characters): the newline is column 52.
        f"modtool: error: {path}: thread 't1' not stored: line 6 column 52: "
        "not valid JSON: Invalid control character at"
    )
    assert "thread 1" in done.stdout and "(reddit t2): 2 comments" in done.stdout
    assert "t1" not in done.stdout


def test_a_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "RC_latin1.ndjson"
    path.write_bytes(
        b'{"id": "a", "link_id": "t3_b", "body": "ok"}\n{"id": "b", "body": "caf\xe9"}\n'
    )
    # A bad line like any other (issue 16.6): a problem, here of no thread.
    assert read(path)[1] == ProblemRecord(None, "line 2, byte 25", "not UTF-8 text")


def test_a_comment_without_id_is_a_problem_for_its_thread_only(tmp_path: Path) -> None:
    path = tmp_path / "RC_noid.ndjson"
    path.write_text(
        '{"link_id": "t3_b", "parent_id": "t3_b", "body": "who am I"}\n'
        '{"id": "c", "link_id": "t3_d", "parent_id": "t3_d", "body": "fine"}\n',
        encoding="utf-8",
    )
    records = read(path)
    assert records[0] == ProblemRecord("b", "line 1", "a comment without an id")
    assert [r.external_id for r in comments(records)] == ["c"]


def test_gzip_dumps_are_read(tmp_path: Path) -> None:
    path = tmp_path / "RC_2024-01.ndjson.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert read(path) == read(FIXTURE)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(forest=st.lists(trees(max_size=12), min_size=1, max_size=4), seed=st.integers(0, 99))
def test_random_threads_interleaved_in_a_dump_read_back_the_same(
    tmp_path: Path, forest: list[list[Node]], seed: int
) -> None:
    threads = [
        (
            f"s{number}",
            f"Title {number}",
            [
                n._replace(id=f"{number}x{n.id}", parent=n.parent and f"{number}x{n.parent}")
                for n in nodes
            ],
        )
        for number, nodes in enumerate(forest)
    ]
    path = tmp_path / "RC_random.ndjson"
    path.write_text(
        "\n".join(pushshift_lines(threads, random.Random(seed))) + "\n", encoding="utf-8"
    )
    records = read(path)
    for link, title, nodes in threads:
        mine = [r for r in comments(records) if r.thread_external_id == link]
        mine.sort(key=lambda r: int(r.external_id.split("n")[-1]))  # the dump is in time order
        assert shape(mine) == node_shape(nodes)
        for record, node in zip(mine, nodes, strict=True):
            if node.status == "visible":
                assert (record.author, record.body) == (node.author, node.body)
        assert [
            r.title for r in records if isinstance(r, ThreadRecord) and r.external_id == link
        ] == [title]


# -- through the store and the real CLI --------------------------------------------------


def test_cli_dump_orphans_undeclared_threads_reimport_and_growth(
    run_cli: Callable, db_path: Path, tmp_path: Path
) -> None:
    dump_path = tmp_path / "RC_2024-01.ndjson"
    dump_path.write_bytes(FIXTURE.read_bytes())
    done = run_cli("import", dump_path)
    assert done.returncode == 0, done.stderr
    assert "(reddit 19abc01): 6 comments (6 new, 1 orphan)" in done.stdout
    assert "'Undeclared & found' (reddit 19zzz99): 2 comments (2 new)" in done.stdout
    with open_store(db_path) as store:
        threads = {t.external_id: t for t in store.threads.list()}
        castles = {c.external_id: c for c in store.comments.for_thread(threads["19abc01"].id)}
    assert castles["kh00006"].orphan and castles["kh00006"].parent_external_id == "kgzzzzz"
    assert castles["kh00006"].depth == 0
    assert castles["kh00003"].path == "1.1.1"  # its parent came later in the dump
    before = dump(db_path)
    assert run_cli("import", dump_path).returncode == 0
    assert dump(db_path) == before
    with dump_path.open("a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {
                    "id": "kh00099",
                    "link_id": "t3_19abc01",
                    "parent_id": "t1_kh00003",
                    "author": "new",
                    "body": "Grown",
                    "created_utc": 1704070000,
                }
            )
            + "\n"
        )
    grown = run_cli("import", dump_path)
    assert grown.returncode == 0 and "1 new" in grown.stdout
    bad = tmp_path / "RC_bad.ndjson"
    bad.write_text(FIXTURE.read_text(encoding="utf-8") + "{truncated\n", encoding="utf-8")
    failed = run_cli("import", bad)
    # Issue 16.6: the bad line (it names no thread) is reported with its place; the
    # dump's threads are stored as the fixture alone would store them; exit status 1.
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        f"modtool: error: {bad}: a record not stored: line 12 column 2: "
        "not valid JSON: Expecting property name enclosed in double quotes",
        "modtool: error: 1 document: 2 threads stored, 8 comments; 1 with errors (see above)",
    ]
    assert "(reddit 19abc01): 6 comments" in failed.stdout


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(forest=st.lists(trees(max_size=10), min_size=1, max_size=3))
def test_random_dumps_land_in_the_store_as_the_same_trees(
    tmp_path_factory: pytest.TempPathFactory, forest: list[list[Node]]
) -> None:
    folder = tmp_path_factory.mktemp("store")
    threads = [
        (
            f"s{number}",
            f"T{number}",
            [
                n._replace(id=f"{number}x{n.id}", parent=n.parent and f"{number}x{n.parent}")
                for n in nodes
            ],
        )
        for number, nodes in enumerate(forest)
    ]
    path = folder / "RC_x.ndjson"
    path.write_text("\n".join(pushshift_lines(threads, random.Random(1))) + "\n", encoding="utf-8")
    with open_store(folder / "m.db") as store:
        import_path(store, path)
        stored = {t.external_id: t.id for t in store.threads.list()}
        for link, _title, nodes in threads:
            parents, replies = stored_shape(store, stored[link])
            want_parents, want_replies = node_shape(nodes)
            assert parents == want_parents
            # Siblings in time order (the dump's), which is creation order here.
            assert replies == want_replies


def test_zst_dumps_with_zstandard_installed(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    path = tmp_path / "RC_2024-01.zst"
    # As the dumps are made: a long window, written as one stream.
    compressor = zstandard.ZstdCompressor(level=3, write_content_size=False)
    path.write_bytes(compressor.compress(FIXTURE.read_bytes()))
    assert pushshift.sniff(path.read_bytes()[:65536], path)
    assert read(path) == read(FIXTURE)
