"""Untrusted JSON: every JSON document or line modtool reads from outside goes through here.

Importers, ``import-labels``, score shards and ``decisions`` all parse JSON a
user handed over. ``json.loads`` alone turns hostile input into tracebacks
(``RecursionError`` on deep nesting, ``ValueError: Exceeds the limit (4300
digits)`` on a huge integer, a refused byte-order mark) or into values nobody
can write back (``NaN``, ``Infinity``, ``1e400``). This module parses with
bounds and turns every failure into one :class:`~modtool.errors.ParseError`
naming the file and the place (``FILE: line 3 column 17: ...``).

The API is three functions, two error types and a few limits::

    from modtool import jsonsafe

    value = jsonsafe.load(path)                      # a whole file (at most MAX_DOCUMENT_BYTES)
    value = jsonsafe.loads(text, path, line=12)      # one document or one line you already hold
    for number, value in jsonsafe.iter_lines(path):  # JSON Lines, streamed, blank lines skipped
        ...

* **Nesting**: up to :data:`MAX_NESTING` levels are parsed (deep documents go
  to a thread with a large stack); deeper is a ParseError naming the place.
  Never a ``RecursionError``.
* **Integers**: more than :data:`MAX_INT_DIGITS` digits is a ParseError naming
  the place (whatever ``sys.set_int_max_str_digits`` says).
* **Non-finite numbers**: ``NaN``, ``Infinity``, ``-Infinity`` and literals
  that overflow a float (``1e400``) are refused unless ``allow_nan=True``.
* **Encoding**: UTF-8 only; a byte-order mark at the start is accepted.
* **Errors**: :class:`JsonError` (a ``ParseError``) with ``.where`` and
  ``.problem`` kept apart; ``iter_lines(bad_lines=True)`` yields a
  :class:`BadLine` for a line that fails instead of raising, and reads on.
* **Size**: :func:`load` reads at most ``max_bytes`` (and parses at most
  ``max_values`` values) and :func:`iter_lines` at most ``max_line_bytes`` per
  line, refusing more before it is in memory.

``source`` names the input in messages (a path, or ``"<stdin>"``). Any
binary stream can be read in place of the file (``handle=``: a decompressing
reader, standard input); it is read from where it stands and not closed.
``object_hook`` is ``json.loads``'s.

Imports nothing beyond the standard library (no Textual, no torch).
"""

from __future__ import annotations

import json
import json.scanner
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any, NamedTuple

from modtool.errors import ParseError

try:  # a faster decoder for the values it accepts; every other value takes the path below
    import msgspec
except ImportError:  # pragma: no cover (a dependency; a trimmed install still works)
    msgspec = None  # type: ignore[assignment]

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCUMENT_VALUES",
    "MAX_INT_DIGITS",
    "MAX_LINE_BYTES",
    "MAX_NESTING",
    "BadLine",
    "JsonError",
    "ObjectHook",
    "iter_lines",
    "load",
    "loads",
]

MAX_NESTING = 100_000
"""JSON nesting levels accepted (a 25,000-deep Reddit reply chain is 100,000)."""
MAX_INT_DIGITS = 4_300
"""Digits in one integer literal (CPython's own default bound on ``int(str)``)."""
MAX_LINE_BYTES = 64 * 1024 * 1024
"""Bytes in one JSON line (a comment with its metadata is a few KB)."""
MAX_DOCUMENT_BYTES = 128 * 1024 * 1024
"""Bytes in one whole JSON document read by :func:`load`."""
MAX_DOCUMENT_VALUES = 2_500_000
"""Values in one whole JSON document read by :func:`load`, counted as its ``[``,
``{`` and ``,`` bytes (an over-count: those inside strings count too). Parsed,
a value takes up to ~100 bytes (an empty list 56 and its slot 8), so this and
:data:`MAX_DOCUMENT_BYTES` keep a document's parse under ~400 MB whatever it
holds (``[[],[],…]`` is 3 bytes a value on disk, 64 in memory)."""
DEEP_STACK_BYTES = 256 * 1024 * 1024
"""Stack of the thread that parses deep documents (virtual: pages are used as touched)."""

ObjectHook = Callable[[dict[str, Any]], Any]
Source = object  # a Path or a name; shown as given

_BOM = "\ufeff"
_SPACE = " \t\n\r"


class JsonError(ParseError):
    """Every error this module raises: ``FILE: WHERE: PROBLEM`` as one line, with
    ``where`` (``line 3 column 17``, ``byte 40``, or ``None``) and ``problem`` kept
    apart for callers that report a place their own way."""

    where: str | None = None
    problem: str = ""

    @classmethod
    def at(cls, path: object, where: str | None, problem: str) -> JsonError:
        error = super().at(path, where, problem)
        error.where, error.problem = where, problem
        return error  # type: ignore[return-value]


class BadLine(NamedTuple):
    """A JSON line that could not be read, yielded by ``iter_lines(bad_lines=True)``."""

    error: JsonError
    raw: bytes
    """The line's first 64 KiB, as read (to find what it belonged to)."""


class _Refused(ValueError):
    """A value the parser met that is refused (raised inside the C scanner's callbacks)."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(name)


def _finite_float(text: str, _float: type[float] = float) -> float:
    value = _float(text)
    if value - value != 0.0:  # inf - inf is nan; nan != 0.0
        raise _Refused(text)
    return value


def _bounded_int(text: str) -> int:
    if len(text) - (text[:1] == "-") > MAX_INT_DIGITS:
        raise _Refused(text)
    return int(text)


_DECODERS: dict[tuple[bool, ObjectHook | None, bool], json.JSONDecoder] = {}


def _decoder(allow_nan: bool, object_hook: ObjectHook | None) -> json.JSONDecoder:
    # Python's own bound refuses long integers in C; the hook is needed only when
    # the interpreter's bound was raised or lifted.
    limit = sys.get_int_max_str_digits()
    own_int_check = limit == 0 or limit > MAX_INT_DIGITS
    key = (allow_nan, object_hook, own_int_check)
    decoder = _DECODERS.get(key)
    if decoder is None:
        decoder = json.JSONDecoder(
            object_hook=object_hook,
            parse_constant=None if allow_nan else _refuse_constant,
            parse_float=None if allow_nan else _finite_float,
            parse_int=_bounded_int if own_int_check else None,
        )
        if len(_DECODERS) < 64:  # object hooks are module-level functions; bound anyway
            _DECODERS[key] = decoder
    return decoder


_FAST = msgspec.json.Decoder().decode if msgspec is not None else None
_FAST_REFUSED: tuple[type[BaseException], ...] = (
    (msgspec.MsgspecError, RecursionError) if msgspec is not None else ()
)
"""``msgspec`` decodes a JSON line 2x faster than the C scanner (2.6 against 5.6 µs a
Pushshift comment here) and is stricter: it refuses ``NaN``/``Infinity``, numbers that
overflow a float, integers of more than 4,300 digits (whatever
``sys.set_int_max_str_digits`` says), lone surrogates, a byte-order mark and deep
nesting, all of which the standard library path below then reads (or refuses) as
before. What it accepts it returns exactly as ``json.loads`` would (the same types,
the same float for every literal, the later of two equal keys): a test compares.
Used only without an ``object_hook``."""


# -- parsing --------------------------------------------------------------------------


def loads(
    data: str | bytes,
    source: Source,
    *,
    line: int | None = None,
    allow_nan: bool = False,
    object_hook: ObjectHook | None = None,
) -> Any:
    """One JSON value from ``data`` (text, or UTF-8 bytes), or a ParseError.

    ``line``: ``data`` is that line of ``source`` (a JSON Lines record): errors
    say ``line 12 column 5`` instead of counting lines inside ``data``.
    A byte-order mark and white space around the value are accepted.
    """
    if _FAST is not None and object_hook is None:
        try:
            return _FAST(data)
        except _FAST_REFUSED:
            pass  # read (or refused) the standard library's way below
    text = _text(data, source, line) if isinstance(data, bytes) else data
    if text[:1] == _BOM:
        text = text[1:]
    decoder = _decoder(allow_nan, object_hook)
    try:
        return _parse(decoder, text)
    except RecursionError:
        pass
    except ValueError as exc:
        raise _error(exc, text, source, line) from None
    return _parse_deep(decoder, text, source, line)


def load(
    source: Source,
    *,
    handle: IO[bytes] | None = None,
    allow_nan: bool = False,
    object_hook: ObjectHook | None = None,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_values: int | None = MAX_DOCUMENT_VALUES,
) -> Any:
    """The whole of ``source`` (a path, or ``handle`` read to its end) as one JSON value.

    More than ``max_bytes`` is refused as soon as it is read past, more than
    ``max_values`` before parsing (``None``: no bound on values).
    """
    if handle is None:
        try:
            with open(source, "rb") as opened:  # type: ignore[call-overload]
                data = _read_bounded(opened, source, max_bytes)
        except OSError as exc:
            raise JsonError.at(source, None, f"cannot read: {exc.strerror or exc}") from None
    else:
        data = _read_bounded(handle, source, max_bytes)
    values = data.count(b"[") + data.count(b"{") + data.count(b",")
    if max_values is not None and values > max_values:
        raise JsonError.at(
            source,
            None,
            f"a JSON document of about {values:,} values (more than {max_values:,}: "
            "too many to hold in memory at once)",
        )
    text = _text(data, source, None)
    del data  # the text alone while parsing
    return loads(text, source, allow_nan=allow_nan, object_hook=object_hook)


def _read_bounded(handle: IO[bytes], source: Source, max_bytes: int) -> bytes:
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise JsonError.at(
            source,
            f"byte {max_bytes + 1:,}",
            f"a JSON document larger than {_size(max_bytes)} (refused before reading on)",
        )
    return data


def iter_lines(
    source: Source,
    *,
    handle: IO[bytes] | None = None,
    allow_nan: bool = False,
    object_hook: ObjectHook | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    bad_lines: bool = False,
) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for every non-blank line of a JSON Lines input, streamed.

    A line longer than ``max_line_bytes`` is refused before it is held whole;
    a line that is not one JSON value is a ParseError naming its line (with
    ``bad_lines``: yielded as a :class:`BadLine` instead, and reading goes on).
    Lines end at ``\\n`` (``\\r\\n`` too).
    """
    if handle is not None:
        yield from _iter_lines(handle, source, allow_nan, object_hook, max_line_bytes, bad_lines)
        return
    try:
        opened = open(source, "rb")  # type: ignore[call-overload]  # noqa: SIM115
    except OSError as exc:
        raise JsonError.at(source, None, f"cannot read: {exc.strerror or exc}") from None
    with opened:
        yield from _iter_lines(opened, source, allow_nan, object_hook, max_line_bytes, bad_lines)


def _iter_lines(
    handle: IO[bytes],
    source: Source,
    allow_nan: bool,
    object_hook: ObjectHook | None,
    max_line_bytes: int,
    bad_lines: bool = False,
) -> Iterator[tuple[int, Any]]:
    # The hot loop of the NDJSON formats: each line decoded and handed to the C
    # scanner directly (json.loads adds three Python calls a line); a line that
    # fails is worked out again by loads(), which names the problem and place.
    scan = json.scanner.make_scanner(_decoder(allow_nan, object_hook))
    fast = _FAST if object_hook is None else None
    space = _SPACE
    readline = handle.readline
    limit = max_line_bytes + 1
    number = 0
    while raw := readline(limit):
        number += 1
        if len(raw) == limit and raw[-1:] != b"\n":
            raise JsonError.at(
                source,
                f"line {number}",
                f"a JSON line longer than {_size(max_line_bytes)} (refused before reading on)",
            )
        if fast is not None:
            try:
                value = fast(raw)
            except _FAST_REFUSED:
                pass  # the standard library's scanner decides below
            else:
                yield number, value
                continue
        try:
            line = raw.decode()
            if line[:1] != "{":
                line = line.lstrip(space)
                if number == 1 and line[:1] == _BOM:
                    line = line[1:]
            value, end = scan(line, 0)
            if end != len(line) and line[end:].strip(space):
                raise ValueError("extra data")
        except (StopIteration, ValueError, RecursionError, UnicodeDecodeError):
            if not raw.strip():
                continue
            try:
                value = loads(
                    raw, source, line=number, allow_nan=allow_nan, object_hook=object_hook
                )
            except JsonError as error:
                if not bad_lines:
                    raise
                value = BadLine(error, raw[:65536])
        yield number, value


def _parse(decoder: json.JSONDecoder, text: str) -> Any:
    """``decoder.decode`` with white space at both ends allowed."""
    return decoder.decode(text)


def _parse_deep(decoder: json.JSONDecoder, text: str, source: Source, line: int | None) -> Any:
    """Parse in a thread whose stack holds :data:`MAX_NESTING` levels."""
    try:
        return run_deep(lambda: _parse(decoder, text))
    except RecursionError:
        offset = _too_deep_offset(text)
        raise JsonError.at(
            source, _place(text, offset, line), f"JSON nested more than {MAX_NESTING:,} levels deep"
        ) from None
    except ValueError as exc:
        raise _error(exc, text, source, line) from None


def run_deep(work: Callable[[], Any]) -> Any:
    """``work()`` in a thread whose stack and recursion limit hold :data:`MAX_NESTING`
    levels of the C scanner; its result, or what it raised (``RecursionError`` when
    even that is not deep enough). For :mod:`modtool.jsonstream`."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:
            outcome["error"] = exc

    previous_limit = sys.getrecursionlimit()
    previous_stack = threading.stack_size()
    try:
        threading.stack_size(DEEP_STACK_BYTES)
        worker = threading.Thread(target=run, name="modtool-deep-json")
        sys.setrecursionlimit(max(previous_limit, MAX_NESTING + 200))
        worker.start()
    finally:
        threading.stack_size(previous_stack)
    try:
        worker.join()
    finally:
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# -- errors ---------------------------------------------------------------------------


def _text(data: bytes, source: Source, line: int | None) -> str:
    try:
        return data.decode("utf-8-sig" if line is None or line == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start + 1}" if line is None else f"line {line}, byte {exc.start + 1}"
        raise JsonError.at(source, where, "not UTF-8 text") from None


def _error(exc: ValueError, text: str, source: Source, line: int | None) -> Exception:
    """The ParseError for what the parser refused (or ``exc`` itself if it was not JSON's)."""
    if isinstance(exc, json.JSONDecodeError):
        if line is None:
            where = f"line {exc.lineno} column {exc.colno}"
        else:
            where = f"line {line} column {exc.colno}"
        return JsonError.at(source, where, f"not valid JSON: {exc.msg}")
    if _is_refusal(exc):
        offset, problem = _refused_value(text)
        return JsonError.at(source, _place(text, offset, line), problem)
    return exc


def _is_refusal(exc: ValueError) -> bool:
    """A number refused by the bounds (not a syntax error, not an object hook's error)."""
    return isinstance(exc, _Refused) or str(exc).startswith("Exceeds the limit")


_TOKEN = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"'  # a string (skipped: numbers inside it are text)
    r"|(-?\d+)(\.\d+)?([eE][-+]?\d+)?"  # a number: integer part, fraction, exponent
    r"|(NaN|-?Infinity)"
    r"|([\[{])|[\]}]"
)


def _refused_value(text: str, start: int = 0) -> tuple[int | None, str]:
    """Where the first refused number from ``start`` on is, and what is wrong with it."""
    for match in _TOKEN.finditer(text, start):
        digits, fraction, exponent, constant = match.group(1, 2, 3, 4)
        if constant:
            return match.start(), f"{constant} is not a number JSON can hold"
        if digits is None:
            continue
        if fraction is None and exponent is None:
            if len(digits) - digits.startswith("-") > MAX_INT_DIGITS:
                return (
                    match.start(),
                    f"an integer of {len(digits) - digits.startswith('-'):,} digits "
                    f"(more than {MAX_INT_DIGITS:,})",
                )
        elif float(match.group(0)) in (float("inf"), float("-inf")):
            shown = match.group(0) if len(match.group(0)) <= 20 else match.group(0)[:20] + "…"
            return match.start(), f"the number {shown} is too large for a float"
    return None, f"an integer of more than {MAX_INT_DIGITS:,} digits or a non-finite number"


def _too_deep_offset(text: str, start: int = 0) -> int | None:
    depth = 0
    for match in _TOKEN.finditer(text, start):
        if match.group(5):
            depth += 1
            if depth > MAX_NESTING:
                return match.start()
        elif match.group(0) in ("]", "}"):
            depth -= 1
    return None


def _place(text: str, offset: int | None, line: int | None) -> str | None:
    """``line L column C`` of ``offset`` (``line`` given: that line, the column within it)."""
    if offset is None:
        return None if line is None else f"line {line}"
    if line is not None:
        return f"line {line} column {offset + 1}"
    row = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"line {row} column {column}"


def _size(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024):,} MiB"
    return f"{count:,} bytes"
