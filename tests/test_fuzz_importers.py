"""Seeded random-mutation fuzz of the importers (issue 9, Tests).

Every format's fixtures (``tests/fixtures/*/*``, whatever exists when the test
runs) and the sample thread are mutated a few hundred times: byte flips,
truncations, inserted NUL / control / tab / BOM, duplicated and deleted lines,
deep nesting, huge numbers, HTML nested past libxml2's limit (or hidden by
style) inside bodies, and the whole document compressed (sometimes cut short). Each mutant is imported into a fresh database
through the library (fast), a handful through the real CLI. Per mutant:

* no traceback: success or a :class:`~modtool.errors.ModtoolError`, nothing else;
* no hang: a time bound per mutant (``SIGALRM``);
* the database is unchanged (same SQL dump as the empty one) after an error,
  and after a success holds every thread the parser yields whole: each stored
  thread has exactly the comments an independent parse of the mutant places.

A failure message carries the seed, the source and the mutation, so it can be
replayed with ``FUZZ_SEED=... pytest tests/test_fuzz_importers.py``.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from modtool.errors import ModtoolError
from modtool.ingest import import_path
from modtool.store import open_store
from tests.fuzz_support import bounded, check_cli_run, dump, lay_out, mutate

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "threads" / "sample-thread-korea-talks-collapse.txt"
SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
MUTANTS = int(os.environ.get("FUZZ_MUTANTS", "250"))
CLI_MUTANTS = 3
PER_MUTANT_SECONDS = 10.0
TOTAL_SECONDS = 20.0


def sources() -> list[tuple[Path, str | None]]:
    """``(document, --format)``: the sample thread (sniffed) and every fixture whose
    folder names a registered format (``tests/fixtures/FORMAT/*``)."""
    from modtool.importers import IMPORTERS

    fixtures = sorted(
        (path, path.parent.name)
        for path in (REPO / "tests" / "fixtures").glob("*/*")
        if path.is_file() and path.parent.name in IMPORTERS
    )
    return [(SAMPLE, None), *fixtures]


# -- mutations ------------------------------------------------------------------------
Mutation = Callable[[bytes, random.Random], bytes]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def insert_odd(data: bytes, rng: random.Random) -> bytes:
    odd = rng.choice([b"\x00", b"\x01", b"\x1b[2J", b"\t", b"\xef\xbb\xbf", b"\r", b"\xc2\xa0"])
    out = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(out) + 1)
        if rng.random() < 0.5:  # at a line start, where indentation and headers live
            at = out.rfind(b"\n", 0, at) + 1
        out[at:at] = odd
    return bytes(out)


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        if len(lines) < 2:
            break
        at = rng.randrange(len(lines))
        if rng.random() < 0.5:
            lines.insert(at, lines[rng.randrange(len(lines))])  # duplicate a line
        else:
            del lines[at]
    return b"\n".join(lines)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([400, 5000])
    at = rng.randrange(len(data) + 1)
    stripped = data.lstrip()
    if stripped[:1] in (b"{", b"["):
        block = b'{"a": ' * depth + b"1" + b"}" * depth if rng.random() < 0.5 else b"[" * depth
        return data[:at] + block + data[at:]
    if stripped[:1] == b"<":
        return data[:at] + b"<x>" * depth + b"</x>" * depth + data[at:]
    # Indentation grows with depth: 5,000 levels would be a 50 MB document, so 1,000.
    chain = b"".join(b"  " * (level + 1) + b"1. Deep says\n\n" for level in range(depth // 5))
    return data[:at] + b"\n" + chain + data[at:]


def huge_numbers(data: bytes, rng: random.Random) -> bytes:
    import re

    numbers = list(re.finditer(rb"\d+", data))
    if not numbers:
        return data + b"99999999999999999999999"
    out = data
    for match in sorted(rng.sample(numbers, min(len(numbers), 3)), key=lambda m: -m.start()):
        big = rng.choice([b"99999999999999999999999", b"1e999", b"-9223372036854775809"])
        out = out[: match.start()] + big + out[match.end() :]
    return out


_BODY_STARTS = (b"<![CDATA[", b'"text": "', b'"text":"', b'"body": "', b'"body":"', b'"cooked":"')


def deep_html(data: bytes, rng: random.Random) -> bytes:
    """Markup nested past libxml2's depth limit inside a body (CDATA or a JSON string),
    text hidden by style, or both (issue 16.1): the text must survive, flagged."""
    depth = rng.choice([260, 3000])
    tag = rng.choice([b"b", b"div", b"span", b"blockquote"])
    block = b"<" + tag + b">"
    inner = b"deep text"
    if rng.random() < 0.4:
        inner = b'<span style="display:none">' + inner + b"</span>"
    markup = block * depth + inner + (b"</" + tag + b">") * depth
    places = [m.end() for start in _BODY_STARTS for m in _finditer(start, data)]
    at = rng.choice(places) if places else rng.randrange(len(data) + 1)
    return data[:at] + markup + data[at:]


def _finditer(needle: bytes, data: bytes) -> list:
    import re

    return list(re.finditer(re.escape(needle), data))


def compressed(data: bytes, rng: random.Random) -> bytes:
    """The document gzip/bzip2/xz/zstd-compressed, sometimes cut short (issue 16.3):
    JSON formats read it as the plain file, others refuse it in one line."""
    import bz2
    import gzip
    import lzma

    import zstandard

    packers: list[Callable[[bytes], bytes]] = [
        gzip.compress,
        bz2.compress,
        lzma.compress,
        zstandard.ZstdCompressor().compress,
    ]
    packed = rng.choice(packers)(data)
    if rng.random() < 0.3:
        packed = packed[: rng.randrange(1, len(packed))]
    return packed


MUTATIONS: list[Mutation] = [
    flip_bytes,
    truncate,
    insert_odd,
    shuffle_lines,
    deep_nesting,
    huge_numbers,
    deep_html,
    compressed,
]


# -- checks ---------------------------------------------------------------------------
def expected_threads(path: Path, format: str | None) -> dict[tuple[str, str], int] | None:
    """``{(platform, external id): comments}`` an independent parse places, or ``None``
    when the document itself is refused."""
    from modtool.importers import pipeline

    try:
        importer = pipeline.choose_importer(path, format, pipeline.check_input(path))
        counts: dict[tuple[str, str], int] = {}
        key: tuple[str, str] | None = None
        for kind, payload in pipeline.document_events(importer, path, lambda message: None):
            if kind == pipeline.RESTART:
                counts.clear()
            elif kind == pipeline.THREAD:
                key = (payload.platform, payload.external_id)
                counts[key] = 0
            elif kind == pipeline.COMMENTS and key is not None:
                counts[key] += len(payload)
            elif kind == pipeline.END and payload.problems and key is not None:
                counts.pop(key, None)
        return counts
    except ModtoolError:
        return None


def stored_threads(db: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT t.platform, t.external_id, count(c.id) FROM threads t "
            "LEFT JOIN comments c ON c.thread_id = t.id GROUP BY t.id"
        ).fetchall()
    return {(platform, external_id): count for platform, external_id, count in rows}


def one_mutant(
    tmp_path: Path,
    template: Path,
    empty: list[str],
    source: tuple[Path, str | None],
    number: int,
) -> tuple[str, str]:
    """Import one mutant; returns ``(outcome, description)`` or fails the test."""
    source, format = source
    data, mutation = mutate(source.read_bytes(), random.Random(f"{SEED}-{number}"), MUTATIONS)
    path, db = lay_out(tmp_path / f"m{number}", source, data, template)
    what = f"seed {SEED} mutant {number}: {mutation.__name__} of {source.relative_to(REPO)}"
    with bounded(what, PER_MUTANT_SECONDS):
        store = open_store(db)
        try:
            import_path(store, path, format)
            outcome = "stored"
        except ModtoolError:
            outcome = "refused"
        finally:
            store.close()
        expected = expected_threads(path, format) if outcome == "stored" else None
    if outcome == "refused":
        assert dump(db) == empty, f"{what}: refused, but the database changed"
    else:
        assert expected is not None, f"{what}: stored, but a second parse refuses it"
        assert stored_threads(db) == expected, f"{what}: a thread is not whole"
    shutil.rmtree(path.parent)
    return outcome, what


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.db"
    open_store(path).close()
    return path


def test_mutants_through_the_library(tmp_path: Path, template: Path) -> None:
    empty = dump(template)
    found = sources()
    outcomes: dict[str, int] = {"stored": 0, "refused": 0}
    started = time.perf_counter()
    for number in range(MUTANTS):
        outcome, _ = one_mutant(tmp_path, template, empty, found[number % len(found)], number)
        outcomes[outcome] += 1
    took = time.perf_counter() - started
    # Both outcomes must occur, or the mutations are too timid (or too brutal) to test much.
    assert outcomes["stored"] >= MUTANTS // 20 and outcomes["refused"] >= MUTANTS // 20, outcomes
    assert took < TOTAL_SECONDS * 2, took  # generous: the machine is shared


def test_a_few_mutants_through_the_cli(tmp_path: Path, template: Path) -> None:
    """The real command: one ``modtool: error:`` line and exit 1, or success; never a traceback."""
    found = sources()
    rng = random.Random(SEED)
    for number in range(CLI_MUTANTS):
        source, format = found[rng.randrange(len(found))]
        mutation = MUTATIONS[number % len(MUTATIONS)]
        path = tmp_path / f"cli{number}" / source.name
        path.parent.mkdir()
        path.write_bytes(mutation(source.read_bytes(), random.Random(f"{SEED}-cli-{number}")))
        db = path.parent / "modtool.db"
        shutil.copyfile(template, db)
        chosen = ["--format", format] if format else []
        result = subprocess.run(
            [sys.executable, "-m", "modtool", "import", str(path), "--db", str(db), *chosen],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
        )
        check_cli_run(result, f"cli mutant {number}: {mutation.__name__} of {source.name}")
