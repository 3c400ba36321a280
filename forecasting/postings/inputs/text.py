"""Bytes -> text: size limits, binary sniffing, the encoding, and lines read chunk by chunk.

A file on disk is read ``_BYTE_CHUNK`` bytes at a time and decoded incrementally, so a 50 MB
upload never exists as one 50 MB string.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
from collections.abc import Iterable, Iterator

from forecasting.core.errors import UserInputError
from forecasting.postings.inputs.rules import _show

BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP/Excel (.xlsx) file",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) file",
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF file",
    b"\x1f\x8b": "a gzip file",
    b"\xff\xd8\xff": "a JPEG image",
    b"PAR1": "a Parquet file",
}
#: Bytes decoded and CSV records tokenized at a time: the file's text and its rows are never
#: all in memory at once (see _Columns).
_BYTE_CHUNK = 1 << 20


class _Bytes:
    """A file's bytes, handed out ``_BYTE_CHUNK`` at a time as often as needed (the checks,
    then the parse): an upload already in memory, or a file on disk read afresh each time so
    that its 50 MB are never all in memory at once."""

    def __init__(self, data: bytes | None = None, path: str | None = None, size: int = 0,
                 limit: int = 0):
        self._data, self._path, self._limit = data, path, limit
        self.size = len(data) if data is not None else size

    def chunks(self, offset: int = 0) -> Iterator[bytes]:
        if self._data is not None:
            for start in range(offset, len(self._data), _BYTE_CHUNK):
                yield self._data[start:start + _BYTE_CHUNK]
            return
        try:
            with open(self._path, "rb") as fh:
                fh.seek(offset)
                read = offset
                while block := fh.read(_BYTE_CHUNK):
                    read += len(block)
                    if read > self._limit:  # grew since it was measured
                        raise UserInputError(f"file is too large: over the limit of "
                                             f"{self._limit / 1024 / 1024:.4g} MB")
                    yield block
        except OSError as exc:
            raise UserInputError(f"cannot read {_show(self._path)}: "
                                 f"{exc.strerror or exc}") from None

    def head(self, n: int) -> bytes:
        out = b""
        for chunk in self.chunks():
            out += chunk
            if len(out) >= n:
                break
        return out[:n]

    def whole(self) -> bytes:
        return self._data if self._data is not None else b"".join(self.chunks())

    def line_breaks(self) -> int:
        """At least the number of line breaks (\r, \n or \r\n), so records <= this + 1."""
        return sum(_line_breaks(c) for c in self.chunks())

    def contains(self, needle: bytes) -> bool:
        return any(needle in c for c in self.chunks())  # needles here are one byte long

    def count_newlines(self, end: int) -> int:
        """Line feeds before byte ``end``."""
        n = 0
        for start, c in zip(range(0, end, _BYTE_CHUNK), self.chunks()):
            n += c.count(b"\n", 0, end - start)
        return n


def _line_breaks(text: str | bytes) -> int:
    """Line breaks in ``text`` (a \r\n cut between two chunks counts twice: an upper bound)."""
    cr, lf = ("\r", "\n") if isinstance(text, str) else (b"\r", b"\n")
    return text.count(cr) + text.count(lf) - text.count(cr + lf)


def _read_bytes(source: object, limit: int) -> _Bytes:
    limit_txt = f"{limit / 1024 / 1024:.4g} MB"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > limit:
            raise UserInputError(f"file is too large: {len(data) / 1024 / 1024:.1f} MB, "
                                 f"the limit is {limit_txt}")
        return _Bytes(data)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            size = os.stat(path).st_size
            if os.path.isdir(path):
                raise UserInputError(f"{_show(path)} is a folder, not a CSV file")
            if size > limit:  # refuse before reading any of it
                raise UserInputError(f"file is too large: {size / 1024 / 1024:.1f} MB, "
                                     f"the limit is {limit_txt}")
            with open(path, "rb") as fh:  # readable? (the content is read in chunks later)
                fh.read(1)
        except FileNotFoundError:
            raise UserInputError(f"file not found: {_show(path)}") from None
        except UserInputError:
            raise
        except OSError as exc:
            raise UserInputError(f"cannot read {_show(path)}: {exc.strerror or exc}") from None
        return _Bytes(path=path, size=size, limit=limit)
    if hasattr(source, "read"):  # file-like (e.g. an upload widget's buffer)
        data = source.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > limit:
            raise UserInputError(f"file is too large: over the limit of {limit_txt}")
        return _Bytes(bytes(data))
    raise UserInputError(f"expected a file path or file contents, got {type(source).__name__}")


def _decode(data: _Bytes, notes: list[str]) -> tuple[str, int, str | None]:
    """Check the bytes and pick their text encoding: (codec, offset of the text, text).

    ``text`` is the decoded file only for UTF-16 (rare, decoded whole); otherwise None and the
    caller decodes from ``offset`` chunk by chunk (``_text_chunks``), so a 50 MB file never
    exists as one 50 MB string. Every check scans the whole file, as the one-shot decode did,
    so the refusals and notes are the same."""
    head = data.head(8)
    for magic, what in BINARY_MAGIC.items():
        if head.startswith(magic):
            raise UserInputError(f"looks like a binary file ({what}), not a CSV; "
                                 f"if it is a spreadsheet, export it as CSV (UTF-8)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.whole().decode("utf-16")
        except UnicodeDecodeError:
            raise UserInputError("the file starts like UTF-16 text but cannot be decoded; "
                                 "save it as CSV (UTF-8)") from None
        notes.append("file was UTF-16 encoded; decoded as UTF-16")
        return "utf-16", 0, text
    if data.contains(b"\x00"):
        raise UserInputError("looks like a binary/Excel file (it contains NUL bytes), not a "
                             "CSV; export it as CSV (UTF-8)")
    if head.startswith(b"\xef\xbb\xbf"):
        if _decodes(data, 3, "utf-8"):
            notes.append("file is UTF-8 with a byte-order mark (BOM); the BOM was removed")
            return "utf-8", 3, None
    elif _decodes(data, 0, "utf-8"):
        return "utf-8", 0, None
    # cp1252 reads every printable Latin-1 byte the same way and adds the Windows extras
    # (euro sign, curly quotes); the bytes it rejects would be control characters in Latin-1.
    # One byte per character, so text offsets are byte offsets.
    for start, chunk in zip(itertools.count(0, _BYTE_CHUNK), data.chunks()):
        try:
            str(chunk, "cp1252")
        except UnicodeDecodeError as exc:
            line = data.count_newlines(start + exc.start) + 1
            raise UserInputError(f"line {line}: the file is neither UTF-8 nor Windows-1252/"
                                 f"Latin-1 text; save it as CSV (UTF-8)") from None
    for start, chunk in zip(itertools.count(0, _BYTE_CHUNK), data.chunks()):  # then controls
        bad = _CONTROL.search(str(chunk, "cp1252"))
        if bad:
            line = data.count_newlines(start + bad.start()) + 1
            raise UserInputError(f"line {line}: the file is not UTF-8 text and contains control "
                                 f"bytes; is it a CSV? Save it as CSV (UTF-8)")
    notes.append("file is not UTF-8; decoded as Windows-1252 (cp1252, which includes Latin-1)")
    return "cp1252", 0, None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decodes(data: _Bytes, offset: int, codec: str) -> bool:
    """True when the bytes from ``offset`` are valid ``codec`` text (checked in chunks, the
    text discarded)."""
    try:
        for _ in _text_chunks(data, offset, codec):
            pass
    except UnicodeDecodeError:
        return False
    return True


def _text_chunks(data: _Bytes, offset: int, codec: str) -> Iterator[str]:
    """The bytes from ``offset`` decoded a chunk at a time (a character split across two
    chunks is completed by the incremental decoder)."""
    decoder = codecs.getincrementaldecoder(codec)()
    for chunk in data.chunks(offset):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
#: Line breaks of str.splitlines that io.StringIO(newline="") does not split at.
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _split_lines(text: str) -> list[str]:
    """``text`` cut into lines with their endings, at \n, \r and \r\n only (as
    ``io.StringIO(text, newline="")`` reads them); the last may have no ending."""
    if not any(c in text for c in _OTHER_BREAKS):
        return text.splitlines(keepends=True)  # same cuts, in C
    return _LINE.findall(text)


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Physical lines with their endings (``_split_lines``) from text arriving in chunks."""
    return itertools.chain.from_iterable(_line_lists(chunks))


def _line_lists(chunks: Iterable[str]) -> Iterator[list[str]]:
    carry = ""
    for chunk in chunks:
        buf = carry + chunk if carry else chunk
        lines = _split_lines(buf)
        # an unfinished last line, or one ending in \r whose \n may start the next chunk
        carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield lines
    if carry:
        yield _split_lines(carry)
