"""Compressed inputs (``.gz``, ``.bz2``, ``.xz``, ``.zst``): recognised by their first
bytes, always read as a stream.

Nothing is ever decompressed whole: a reader pulls decompressed bytes as it
parses, so memory is bounded by what the reader holds (a JSON line, a JSON
document, see :mod:`modtool.jsonsafe`), never by the compression ratio. A
4 GB bomb in a 1 MB ``.xz`` is refused when its first over-long line or
over-large document passes the bound, after a few hundred MB at most.

* :func:`kind_of` names the compression from the magic bytes (the file name
  decides nothing: a ``.json`` that is gzip is gzip; ``.lzma``, which has no
  magic, goes by its suffix).
* :func:`open_input` opens a path for reading, decompressed. Damaged or
  truncated compressed data is one :class:`~modtool.errors.ParseError` naming
  the file and the place in the decompressed data, never a ``zlib.error``,
  ``EOFError`` or ``LZMAError`` traceback.
* :func:`read_head` gives the first bytes *after* decompression, which is what
  sniffing and the binary-data check look at.

``.zst`` (how Pushshift and Arctic-Shift ship their dumps) is read with the
``zstandard`` package, a runtime dependency. A zstd frame declares the window
its decoder must hold (the Pushshift dumps, made with ``--long=31``, declare
2 GiB, and decoding them takes that much memory as the window fills):
windows up to :data:`MAX_ZSTD_WINDOW` are accepted, larger ones refused.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from pathlib import Path
from typing import IO, Any

from modtool.errors import InputError, ParseError

GZIP, BZIP2, XZ, ZSTD, LZMA = "gzip", "bzip2", "xz", "zstd", "lzma"
_MAGIC = (
    (b"\x1f\x8b", GZIP),
    (b"BZh", BZIP2),
    (b"\xfd7zXZ\x00", XZ),
    (b"\x28\xb5\x2f\xfd", ZSTD),
)
MAX_ZSTD_WINDOW = 2**31
"""The largest zstd window accepted (2 GiB: what ``zstd --long=31`` writes)."""
DECOMPRESS = {
    GZIP: "gunzip -k FILE",
    BZIP2: "bunzip2 -k FILE",
    XZ: "unxz -k FILE",
    ZSTD: "zstd -d --long=31 FILE",
    LZMA: "unlzma -k FILE",
}
"""How to decompress each kind by hand (said when a format reads only plain files)."""


def kind_of(head: bytes, path: Path | None = None) -> str | None:
    """``gzip``/``bzip2``/``xz``/``zstd`` (``lzma`` by suffix), or ``None`` for plain data."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if path is not None and path.suffix.lower() == ".lzma":
        return LZMA
    return None


def open_input(path: Path) -> IO[bytes]:
    """``path``'s bytes, decompressed when its first bytes say it is compressed."""
    try:
        with open(path, "rb") as probe:
            kind = kind_of(probe.read(8), path)
        if kind is None:
            return open(path, "rb")
        return _Guarded(_decompressing(kind, path), path, kind)
    except OSError as exc:
        raise InputError.at(path, None, f"cannot read: {exc.strerror or exc}") from None


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of ``path`` after decompression (fewer at its end).

    Compressed data too damaged to give a head is an error naming the file.
    """
    with open_input(path) as handle:
        return handle.read(size)


def is_compressed(path: Path) -> str | None:
    """The compression of ``path`` (by its first bytes), or ``None``."""
    try:
        with open(path, "rb") as handle:
            return kind_of(handle.read(8), path)
    except OSError:
        return None


def _decompressing(kind: str, path: Path) -> IO[bytes]:
    if kind == GZIP:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if kind == BZIP2:
        return bz2.open(path, "rb")  # type: ignore[return-value]
    if kind in (XZ, LZMA):
        return lzma.open(path, "rb")  # type: ignore[return-value]
    return _zstd(path)


def _zstd(path: Path) -> IO[bytes]:
    try:
        import zstandard
    except ImportError:  # a broken install: zstandard is a runtime dependency
        raise ParseError.at(
            path,
            None,
            "a .zst file needs the 'zstandard' package (pip install zstandard), "
            f"or decompress it first: {DECOMPRESS[ZSTD]}",
        ) from None
    decompressor = zstandard.ZstdDecompressor(max_window_size=MAX_ZSTD_WINDOW)
    raw = _ZstdRaw(open(path, "rb"), decompressor)  # noqa: SIM115 (closed with the reader)
    return io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[return-value]


class _ZstdRaw(io.RawIOBase):
    """Every zstd frame of a file, decompressed a little input at a time.

    Not ``stream_reader``: it ends quietly, with part of the data or none, when
    the file stops inside a frame (a truncated download would import as a
    shorter dump); here that is an ``EOFError``. Input goes in 1 KiB at a time,
    so one call inflates at most ~32 MB (a zstd block of 128 KiB can be 4 bytes).
    """

    INPUT = 1024

    def __init__(self, handle: IO[bytes], decompressor: Any) -> None:
        self._handle = handle
        self._decompressor = decompressor
        self._frame = decompressor.decompressobj()
        self._started = False  # bytes of the current frame were fed
        self._pending = b""
        self._done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            data = self._handle.read(self.INPUT)
            if not data:
                if self._started:
                    raise EOFError("the file ends inside a zstd frame")
                return 0
            while data:
                self._started = True
                self._pending += self._frame.decompress(data)
                if not self._frame.eof:
                    break
                data = self._frame.unused_data  # the next frame starts here
                self._frame = self._decompressor.decompressobj()
                self._started = False
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self._done += count
        return count

    def tell(self) -> int:
        return self._done

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
        super().close()


def _errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [EOFError, OSError, zlib.error, lzma.LZMAError]
    try:
        import zstandard

        found.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(found)


class _Guarded:
    """A decompressing stream whose failures are one ParseError naming file and place."""

    __slots__ = ("_errors", "_kind", "_path", "_stream", "peek")

    def __init__(self, stream: Any, path: Path, kind: str) -> None:
        self._stream = stream
        self._path = path
        self._kind = kind
        self._errors = _errors()
        if hasattr(stream, "peek"):
            self.peek = self._wrap(stream.peek)

    def _fail(self, exc: BaseException) -> ParseError:
        try:
            done = self._stream.tell()
        except Exception:
            done = None
        where = f"after {done:,} decompressed bytes" if done else None
        if isinstance(exc, EOFError):
            problem = (
                f"damaged compressed file (truncated {self._kind} data: "
                "the file ends inside the compressed stream)"
            )
        elif "memory" in str(exc) or "window" in str(exc).lower():
            problem = (
                f"the {self._kind} data needs a decompression window larger than "
                f"{MAX_ZSTD_WINDOW >> 20:,} MiB ({exc})"
            )
        else:
            detail = str(exc) or type(exc).__name__
            problem = f"damaged compressed file ({self._kind} data: {detail})"
        return ParseError.at(self._path, where, problem)

    def _wrap(self, method: Any) -> Any:
        errors = self._errors

        def call(*args: Any) -> Any:
            try:
                return method(*args)
            except errors as exc:
                raise self._fail(exc) from None

        return call

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except self._errors as exc:
            raise self._fail(exc) from None

    def readline(self, size: int = -1) -> bytes:
        try:
            return self._stream.readline(size)
        except self._errors as exc:
            raise self._fail(exc) from None

    def readinto(self, buffer: Any) -> int:
        try:
            return self._stream.readinto(buffer)
        except self._errors as exc:
            raise self._fail(exc) from None

    def __iter__(self) -> _Guarded:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._stream.tell()

    @property
    def closed(self) -> bool:
        return self._stream.closed

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> _Guarded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
