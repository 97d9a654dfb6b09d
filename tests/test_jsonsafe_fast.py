"""jsonsafe's fast path (msgspec) reads exactly what the standard library reads, and
everything it refuses still goes the bounded standard-library way (issue 19.1)."""

from __future__ import annotations

import io
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modtool import jsonsafe
from modtool.errors import ParseError


def same(a: object, b: object) -> bool:
    """Equal values of equal types, floats bit for bit (``-0.0``, ``nan``), keys in order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or repr(a) == repr(b)  # type: ignore[arg-type]
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)  # type: ignore[index]
    return a == b


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)
literals = st.from_regex(
    r"-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,40})?([eE][-+]?[0-9]{1,3})?", fullmatch=True
)


def test_the_fast_decoder_is_there() -> None:
    assert jsonsafe._FAST is not None  # otherwise the tests below test nothing new


@settings(max_examples=300, deadline=None)
@given(value=values, ascii_only=st.booleans())
def test_what_it_accepts_equals_the_standard_library(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert same(jsonsafe.loads(text, "x"), json.loads(text))
    assert same(jsonsafe.loads(text.encode(), "x", allow_nan=True), json.loads(text))
    stream = io.BytesIO((text + "\n" + text + "\n").encode())
    assert all(same(read, json.loads(text)) for _, read in jsonsafe.iter_lines("x", handle=stream))


@settings(max_examples=300, deadline=None)
@given(literal=literals)
def test_every_number_literal_reads_as_the_standard_library_reads_it(literal: str) -> None:
    expected = json.loads(literal)  # 1e400 is inf here: allowed with allow_nan
    assert same(jsonsafe.loads(literal, "x", allow_nan=True), expected)
    if isinstance(expected, float) and math.isinf(expected):
        with pytest.raises(ParseError, match="too large for a float"):
            jsonsafe.loads(literal, "x")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"score": NaN}', {"score": math.nan}),
        (b'{"big": 1e400}', {"big": math.inf}),
        (b'\xef\xbb\xbf{"bom": 1}', {"bom": 1}),
        (b'{"lone": "\\ud800"}', {"lone": "\ud800"}),
        (b'{"raw": "\xed\xa0\x80"}', None),  # not UTF-8: refused the standard way
        (b"[" * 3000 + b"]" * 3000, "deep"),
        (b'{"id": ' + b"7" * 4300 + b"}", {"id": int("7" * 4300)}),
    ],
)
def test_what_it_refuses_goes_the_standard_way(line: bytes, expected: object) -> None:
    lines = list(
        jsonsafe.iter_lines("x", handle=io.BytesIO(line + b"\n"), allow_nan=True, bad_lines=True)
    )
    ((number, value),) = lines
    assert number == 1
    if expected is None:
        assert type(value) is jsonsafe.BadLine and "not UTF-8" in value.error.problem
    elif expected == "deep":
        depth = 0
        while isinstance(value, list) and value:
            value, depth = value[0], depth + 1
        assert depth == 2999
    else:
        assert same(value, expected)


def test_an_integer_past_the_bound_is_still_refused_with_its_place() -> None:
    line = b'{"id": ' + b"7" * 4301 + b"}\n"
    with pytest.raises(ParseError) as caught:
        list(jsonsafe.iter_lines("dump.ndjson", handle=io.BytesIO(line)))
    assert str(caught.value) == (
        "dump.ndjson: line 1 column 8: an integer of 4,301 digits (more than 4,300)"
    )
