"""Issue 16.3 (and 17.2): compressed JSON is read as a stream with bounded memory,
recognised by content, and a damaged or hostile file is one clear line."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from modtool.errors import InputError, ParseError
from modtool.importers import pushshift
from modtool.ingest import import_path
from modtool.jsonsafe import MAX_DOCUMENT_BYTES, MAX_LINE_BYTES
from modtool.store import open_store
from tests.json_formats import dump, no_warnings, one_error_line

FIXTURES = Path(__file__).parent / "fixtures"
DUMP = FIXTURES / "pushshift" / "RC_2024-01-sample.ndjson"
ZST = FIXTURES / "pushshift" / "RC_2024-01-sample.zst"
THREAD = FIXTURES / "reddit" / "comments-1cebxh.json"
WXR = FIXTURES / "wxr" / "site-1.2.xml"


def read(path: Path) -> list:
    return list(pushshift.read(path, no_warnings))


def test_a_zst_dump_with_the_dumps_2_gib_window_reads_as_the_plain_file(
    db_path: Path, run_cli: Callable
) -> None:
    # Made as the Pushshift dumps are (zstd --long=31, streamed): its frame declares a
    # 2 GiB window, which `zstd -d` without --long=31 refuses (fixtures/pushshift/README.md).
    assert ZST.read_bytes()[:4] == b"\x28\xb5\x2f\xfd"
    assert read(ZST) == read(DUMP)
    done = run_cli("import", ZST)
    assert done.returncode == 0, done.stderr
    assert "6 comments" in done.stdout and "2 comments" in done.stdout


@pytest.mark.parametrize(
    ("name", "compress"),
    [
        ("thread.json.bz2", bz2.compress),
        ("thread.json", gzip.compress),  # gzip under a plain name: the bytes decide
        ("thread.json.xz", lzma.compress),
    ],
)
def test_compressed_documents_are_sniffed_by_their_decompressed_content(
    tmp_path: Path, name: str, compress: Callable[[bytes], bytes]
) -> None:
    path = tmp_path / name
    path.write_bytes(compress(THREAD.read_bytes()))
    with open_store(tmp_path / "m.db") as store:
        report = import_path(store, path)
        plain = import_path(store, THREAD)  # the same thread again: nothing new
    # The fixture holds six t1 comments (and three "more" stubs).
    assert [(r.platform, r.external_id, r.added) for r in report.threads] == [
        ("reddit", "1cebxh", 6)
    ]
    assert plain.threads[0].unchanged == 6 and plain.added == 0


def test_a_compressed_export_of_a_plain_file_format_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "export.xml.gz"
    path.write_bytes(gzip.compress(WXR.read_bytes()))
    with open_store(tmp_path / "m.db") as store, pytest.raises(InputError) as caught:
        import_path(store, path)
    assert str(caught.value) == (
        f"{path}: a gzip-compressed wxr document: wxr reads plain files only; "
        f"decompress it first (gunzip -k {path})"
    )


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        ("RC.ndjson.gz", lambda b: b[: len(b) // 2], "file (truncated gzip data: "),
        ("RC.ndjson.xz", lambda b: b[: len(b) // 2], "file (truncated xz data: "),
        ("RC.ndjson.bz2", lambda b: b[:40] + b"\x00" * 40 + b[80:], "file (bzip2 data: "),
        ("RC.zst", lambda b: b[:-8], "file (truncated zstd data: "),
        ("RC.ndjson.zst", lambda b: b[:20] + b"\xff" * 20 + b[40:], "file (zstd data: "),
    ],
)
def test_damaged_compressed_data_is_one_line_and_stores_nothing(
    tmp_path: Path, db_path: Path, run_cli: Callable, name: str, damage, message: str
) -> None:
    plain = (DUMP.read_text(encoding="utf-8") + "\n") * 40  # long enough to cut inside
    packed = {
        ".gz": gzip.compress,
        ".xz": lzma.compress,
        ".bz2": bz2.compress,
        ".zst": lambda b: ZST_COMPRESS(b),
    }[Path(name).suffix](plain.encode())
    path = tmp_path / name
    path.write_bytes(damage(packed))
    with open_store(db_path):
        pass
    before = dump(db_path)
    failed = run_cli("import", path)
    assert failed.returncode == 1
    line = one_error_line(failed.stderr)
    assert line.startswith(f"modtool: error: {path}: ") and message in line, line
    assert dump(db_path) == before


def ZST_COMPRESS(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor(level=3).compress(data)


# -- bombs: bounded memory, measured in a fresh process ----------------------------------

PEAK = """
import sys
from pathlib import Path
from modtool.errors import ModtoolError
from modtool.ingest import import_path
from modtool.store import open_store
with open_store(Path(sys.argv[2])) as store:
    try:
        import_path(store, Path(sys.argv[1]))
        print("imported")
    except ModtoolError as exc:
        print(exc)
# VmHWM: this process's own peak (ru_maxrss would carry pytest's over exec).
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(int(hwm.split()[1]) // 1024)
"""


def import_measured(path: Path, db: Path) -> tuple[str, int]:
    assert path.stat().st_size < 4 * 1024 * 1024  # read in this process, not a forked one
    out = subprocess.run(
        [sys.executable, "-c", PEAK, str(path), str(db)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return out[0], int(out[1])


def write_members(
    path: Path,
    compress: Callable[[bytes], bytes],
    head: bytes,
    block: bytes,
    times: int,
    tail: bytes = b"",
) -> None:
    """``head + block * times + tail`` as concatenated compressed members (gzip members,
    xz and bzip2 streams decompress to the concatenation): one block compressed once."""
    packed = compress(block)
    with path.open("wb") as handle:
        handle.write(compress(head))
        for _ in range(times):
            handle.write(packed)
        if tail:
            handle.write(compress(tail))


def test_an_xz_line_of_200_mb_is_refused_at_its_line_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "RC_bomb.ndjson.xz"
    first = json.dumps({"id": "a", "link_id": "t3_b", "parent_id": "t3_b", "body": "ok"})
    head = first.encode() + b'\n{"id": "b", "link_id": "t3_b", "body": "'
    write_members(path, lzma.compress, head, b"A" * (1 << 20), 200)
    message, peak = import_measured(path, tmp_path / "m.db")
    assert message == (
        f"{path}: line 2: a JSON line longer than {MAX_LINE_BYTES >> 20} MiB "
        "(refused before reading on)"
    )
    assert peak < 250, f"peak RSS {peak} MB"


def test_a_gzip_document_of_300_mb_is_refused_while_inflating(tmp_path: Path) -> None:
    path = tmp_path / "item.json.gz"  # a Hacker News item whose story text never ends
    head = b'{"id": 1, "type": "story", "created_at_i": 1, "children": [], "text": "'
    write_members(path, gzip.compress, head, b"B" * (1 << 20), 300)
    message, peak = import_measured(path, tmp_path / "m.db")
    assert message == (
        f"{path}: byte {MAX_DOCUMENT_BYTES + 1:,}: a JSON document larger than "
        f"{MAX_DOCUMENT_BYTES >> 20} MiB (refused before reading on)"
    )
    assert peak < 400, f"peak RSS {peak} MB"


def test_a_document_of_empty_lists_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """3 bytes a value on disk, ~64 parsed: 12 MB of ``[],`` would take ~540 MB."""
    path = tmp_path / "item.json.bz2"
    head = b'{"id": 1, "type": "story", "created_at_i": 1, "children": [], "x": ['
    write_members(path, bz2.compress, head, b"[]," * (1 << 20), 4, b"[]]}")
    message, peak = import_measured(path, tmp_path / "m.db")
    # Counted: the head's 1 "{", 2 "[" and 4 ","; 4 x 2**20 "[]," of 2 each; the tail's "[".
    assert message == (
        f"{path}: a JSON document of about 8,388,616 values "
        "(more than 2,500,000: too many to hold in memory at once)"
    )
    assert peak < 250, f"peak RSS {peak} MB"


def test_damaged_head_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "RC.ndjson.gz"
    path.write_bytes(b"\x1f\x8b" + b"\x00" * 30)
    with open_store(tmp_path / "m.db") as store, pytest.raises(ParseError) as caught:
        import_path(store, path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "gzip data" in str(caught.value)
