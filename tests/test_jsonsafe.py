"""``modtool.jsonsafe``: untrusted JSON parsed with bounds, every failure one ParseError
naming the file and the place (issue 16.4, 16.12)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from modtool import jsonsafe
from modtool.errors import ParseError


def refused(call) -> str:
    with pytest.raises(ParseError) as caught:
        call()
    return str(caught.value)


# -- (c) the byte-order mark, and plain values ------------------------------------------


def test_a_byte_order_mark_is_accepted_in_text_bytes_files_and_the_first_line(
    tmp_path: Path,
) -> None:
    assert jsonsafe.loads('\ufeff{"a": 1}', "f") == {"a": 1}
    assert jsonsafe.loads(b'\xef\xbb\xbf{"a": 1}', "f") == {"a": 1}
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf[1, 2]\n")
    assert jsonsafe.load(path) == [1, 2]
    lines = tmp_path / "bom.jsonl"
    lines.write_bytes(b'\xef\xbb\xbf{"a": 1}\n\n   \n[2]\r\n"three"')
    assert list(jsonsafe.iter_lines(lines)) == [(1, {"a": 1}), (4, [2]), (5, "three")]


def test_not_utf8_names_the_byte_and_the_line(tmp_path: Path) -> None:
    assert refused(lambda: jsonsafe.loads(b'{"a": "caf\xe9"}', "f")) == (
        "f: byte 11: not UTF-8 text"
    )
    lines = tmp_path / "latin1.jsonl"
    lines.write_bytes(b'{"a": 1}\n{"b": "caf\xe9"}\n')
    assert refused(lambda: list(jsonsafe.iter_lines(lines))) == (
        f"{lines}: line 2, byte 11: not UTF-8 text"
    )


def test_syntax_errors_name_line_and_column() -> None:
    assert refused(lambda: jsonsafe.loads('{"a": [1,\n 2,]}', "doc.json")) == (
        "doc.json: line 2 column 4: not valid JSON: Expecting value"
    )
    # One line of a JSON Lines file: the file's line, the column in it.
    assert refused(lambda: jsonsafe.loads('{"a" 1}', "x.jsonl", line=7)) == (
        "x.jsonl: line 7 column 6: not valid JSON: Expecting ':' delimiter"
    )


# -- (d) NaN and Infinity ------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"a": [1, NaN]}', "line 1 column 11: NaN is not a number JSON can hold"),
        ('{"s": "NaN 1e999",\n "a": -Infinity}', "line 2 column 7: -Infinity is not a number"),
        ("[1,\n  2, 1e400]", "line 2 column 6: the number 1e400 is too large for a float"),
    ],
)
def test_non_finite_numbers_are_refused_by_default(document: str, message: str) -> None:
    assert refused(lambda: jsonsafe.loads(document, "f")).startswith(f"f: {message}")


def test_non_finite_numbers_are_read_when_the_caller_allows_them() -> None:
    value = jsonsafe.loads("[NaN, Infinity, -Infinity, 1e400]", "f", allow_nan=True)
    assert [str(v) for v in value] == ["nan", "inf", "-inf", "inf"]


# -- (b) integers over the digit bound ------------------------------------------------


def test_an_integer_over_the_digit_bound_is_refused_at_its_place() -> None:
    digits = "9" * 5000
    # Digits in a string and a long fraction are fine; the integer on line 2 is not.
    document = f'{{"a": "{digits}", "b": 1.{digits},\n "c": -{digits}}}'
    assert refused(lambda: jsonsafe.loads(document, "f")) == (
        "f: line 2 column 7: an integer of 5,000 digits (more than 4,300)"
    )
    assert jsonsafe.loads("[" + "9" * 4300 + "]", "f") == [int("9" * 4300)]


def test_the_digit_bound_holds_when_python_lifted_its_own() -> None:
    script = (
        "import sys; sys.set_int_max_str_digits(0)\n"
        "from modtool import jsonsafe\n"
        "from modtool.errors import ParseError\n"
        "assert jsonsafe.loads('[' + '1' * 4300 + ']', 'f')[0] > 0\n"
        "try:\n    jsonsafe.loads('[' + '1' * 4301 + ']', 'f')\n"
        "except ParseError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out == "f: line 1 column 2: an integer of 4,301 digits (more than 4,300)\n"


# -- (a) nesting ------------------------------------------------------------------------


def test_deep_nesting_within_the_bound_is_read() -> None:
    depth = 20_000  # far past the default stack's ~1,000 levels
    value = jsonsafe.loads("[" * depth + "]" * depth, "f")
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


def test_nesting_past_the_bound_is_one_parse_error_at_the_bracket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonsafe, "MAX_NESTING", 5_000)
    document = '{"a":\n' + "[" * 6_000 + "]" * 6_000 + "}"
    # Levels: the object is 1, brackets 2..; the 5,001st level is bracket 5,000.
    assert refused(lambda: jsonsafe.loads(document, "f")) == (
        "f: line 2 column 5000: JSON nested more than 5,000 levels deep"
    )


def test_a_million_levels_in_a_jsonl_line_never_raise_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"ok": 1}\n' + "[" * 1_000_000 + "]" * 1_000_000 + "\n")
    assert refused(lambda: list(jsonsafe.iter_lines(path))) == (
        f"{path}: line 2 column 100001: JSON nested more than 100,000 levels deep"
    )


# -- sizes ------------------------------------------------------------------------------


def test_a_long_line_is_refused_before_it_is_held(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    # Line 2 is exactly 50 bytes with its newline (allowed); line 3 is 52.
    path.write_bytes(b'{"a":1}\n"' + b"a" * 47 + b'"\n"' + b"b" * 50 + b'"\n')
    stream = jsonsafe.iter_lines(path, max_line_bytes=50)
    assert next(stream) == (1, {"a": 1})
    assert next(stream) == (2, "a" * 47)
    assert refused(lambda: next(stream)) == (
        f"{path}: line 3: a JSON line longer than 50 bytes (refused before reading on)"
    )


def test_a_document_over_the_size_bound_is_refused_while_reading() -> None:
    handle = io.BytesIO(b"[1]" * 100)
    assert refused(lambda: jsonsafe.load("big.json", handle=handle, max_bytes=200)) == (
        "big.json: byte 201: a JSON document larger than 200 bytes (refused before reading on)"
    )
    assert handle.tell() == 201  # read just past the bound, not to the end


def test_a_stream_is_read_where_it_stands() -> None:
    handle = io.BytesIO(b'skip\n{"a": 1}\n[2]\n')
    handle.readline()
    assert list(jsonsafe.iter_lines("<stdin>", handle=handle)) == [(1, {"a": 1}), (2, [2])]
    assert not handle.closed


def test_a_missing_file_is_one_line() -> None:
    assert refused(lambda: jsonsafe.load(Path("/nonexistent/x.json"))) == (
        "/nonexistent/x.json: cannot read: No such file or directory"
    )


def test_object_hooks_see_every_object_and_their_errors_pass_through() -> None:
    seen: list[dict] = []

    def hook(value: dict) -> dict:
        seen.append(value)
        if "boom" in value:
            raise ParseError("the hook's own message")
        return value

    assert jsonsafe.loads('[{"a": {"b": 1}}]', "f", object_hook=hook) == [{"a": {"b": 1}}]
    assert seen == [{"b": 1}, {"a": {"b": 1}}]
    assert refused(lambda: jsonsafe.loads('{"boom": 1}', "f", object_hook=hook)) == (
        "the hook's own message"
    )
