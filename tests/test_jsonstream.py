"""``modtool.jsonstream``: a large JSON document walked as it is read, values parsed
whole, with jsonsafe's bounds; the same values as ``json.loads`` wherever the reads
cut the text."""

from __future__ import annotations

import io
import json
import random

import pytest

from modtool import jsonstream
from modtool.errors import ParseError


def events(document: str | bytes, expand=lambda at, char: len(at) < 2, **options) -> list:
    data = document.encode() if isinstance(document, str) else document
    return list(jsonstream.iter_document("f", handle=io.BytesIO(data), expand=expand, **options))


def rebuilt(found: list) -> object:
    """The document put back together from its events."""
    stack: list = [[]]
    for at, value in found:
        if value is jsonstream.ARRAY or value is jsonstream.OBJECT:
            stack.append([] if value is jsonstream.ARRAY else {})
            continue
        if value is jsonstream.END:
            value = stack.pop()
        parent = stack[-1]
        if isinstance(parent, list):
            parent.append(value)
        else:
            parent[at[-1]] = value
    return stack[0][0]


def refused(document: str | bytes, **options) -> str:
    with pytest.raises(ParseError) as caught:
        events(document, **options)
    return str(caught.value)


def random_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 4 or roll < 0.3:
        return rng.choice(
            [0, -2.5, 1e-7, 12345678901234567890, None, True, False, "", 'é"\\\n😀', "abc" * 9]
        )
    if roll < 0.65:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {f"k{i}": random_value(rng, depth + 1) for i in range(rng.randint(0, 4))}


@pytest.mark.parametrize("chunk", [1, 2, 5, 64])
def test_every_cut_of_the_text_gives_the_values_json_loads_gives(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)  # reads of `chunk` bytes cut every token
    rng = random.Random(chunk)
    for _ in range(150):
        value = [random_value(rng) for _ in range(4)]
        document = json.dumps(value, indent=rng.choice([None, 1]), ensure_ascii=rng.random() < 0.5)
        depth = rng.randint(0, 3)
        assert rebuilt(events(document, expand=lambda at, char, d=depth: len(at) < d)) == value


def test_walked_containers_and_their_paths() -> None:
    found = events(
        '\ufeff{"kind": "Listing", "data": {"children": [1, {"a": null}]}}',
        lambda at, c: len(at) < 3,
    )
    assert found == [
        ((), jsonstream.OBJECT),
        (("kind",), "Listing"),
        (("data",), jsonstream.OBJECT),
        (("data", "children"), jsonstream.ARRAY),
        (("data", "children", 0), 1),
        (("data", "children", 1), {"a": None}),
        (("data", "children"), jsonstream.END),
        (("data",), jsonstream.END),
        ((), jsonstream.END),
    ]


def test_expand_sees_whether_an_object_or_an_array_opens() -> None:
    found = events('[{"a": 1}, [2]]', lambda at, char: not at or char == "{")
    assert found[2:4] == [((0, "a"), 1), ((0,), jsonstream.END)]
    assert found[4] == ((1,), [2])


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[1, 2,]", "f: line 1 column 7: not valid JSON: Expecting value"),
        ('[1,\n  {"a" 1}]', "f: line 2 column 8: not valid JSON: Expecting ':' delimiter"),
        ('[1, {"a": nul', "f: line 1 column 11: not valid JSON: Expecting value"),
        ('[1, "abc', "f: line 1 column 5: not valid JSON: Unterminated string starting at"),
        ("[1] x", "f: line 1 column 5: not valid JSON: Extra data"),
        ("", "f: line 1 column 1: not valid JSON: Expecting value"),
        ("[1, 2\n, NaN]", "f: line 2 column 3: NaN is not a number JSON can hold"),
        (
            "[1,\n " + "9" * 5000 + "]",
            "f: line 2 column 2: an integer of 5,000 digits (more than 4,300)",
        ),
    ],
)
def test_errors_name_line_and_column_wherever_the_reads_cut(
    monkeypatch: pytest.MonkeyPatch, document: str, message: str
) -> None:
    for chunk in (1, 3, 1 << 20):
        monkeypatch.setattr(jsonstream, "CHUNK", chunk)
        assert refused(document) == message


def test_bytes_that_are_not_utf8_name_the_byte() -> None:
    assert refused(b'[1, "ab\xff"]') == "f: byte 8: not UTF-8 text"


def test_nesting_past_the_bound_inside_a_whole_value() -> None:
    document = "[1,\n " + "[" * 150_000 + "]" * 150_000 + "]"
    # The root is walked; the value at [1] (column 2) is parsed whole, and its
    # 100,001st level is the bracket 100,000 columns on.
    assert refused(document, expand=lambda at, char: not at) == (
        "f: line 2 column 100002: JSON nested more than 100,000 levels deep"
    )


def test_one_value_longer_than_the_bound_is_refused_while_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", 16)
    handle = io.BytesIO(b'[1, "' + b"a" * 10_000 + b'"]')
    stream = jsonstream.iter_document(
        "f", handle=handle, expand=lambda at, c: not at, max_value_bytes=100
    )
    assert next(stream) == ((), jsonstream.ARRAY)
    assert next(stream) == ((0,), 1)
    with pytest.raises(ParseError) as caught:
        next(stream)
    assert str(caught.value) == (
        "f: line 1 column 5: a JSON value longer than 100 bytes (refused before reading on)"
    )
    assert handle.tell() < 400  # read about as far as the bound, not to the end
    # A value within the bound that happens to arrive in one read is refused the same.
    assert refused('[1, "' + "a" * 200 + '"]', max_value_bytes=100).endswith(
        "a JSON value longer than 100 bytes (refused before reading on)"
    )
