"""Where ID text comes from: a file, stdin or a paste, with one size cap and one set of
encoding rules for all of them (the headless command, the app's "Load file" and its paste).

Encoding: UTF-8 (a UTF-8 BOM is dropped; a byte that is not UTF-8 becomes U+FFFD, so the
IDs around it are still read). UTF-16 and UTF-32 (what Windows tools such as Notepad or
PowerShell often write) are decoded: by their BOM, or for UTF-16 without one by its look,
a NUL byte beside nearly every character (read as UTF-8, the NULs would cut each ID into
single digits). A spreadsheet, archive or PDF is refused with what to do instead.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO, TextIO

from geelark_tui.limits import MAX_INPUT_BYTES

_MIB = 1024 * 1024
_SNIFF = 4096  # bytes looked at to recognise UTF-16 without a BOM

# (BOM, codec): longest first, since the UTF-32 LE BOM begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NOT_TEXT = (
    (b"PK\x03\x04", "a spreadsheet or archive (.xlsx, .ods, .zip)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file (.xls, .doc)"),
    (b"%PDF", "a PDF"),
)


class InputError(ValueError):
    """Input that cannot be read as ID text; the message says why and what to do."""


def too_big_message(what: str, size: int) -> str:
    return (f"{what} is {size / _MIB:.1f} MiB, over the {MAX_INPUT_BYTES // _MIB} MiB limit "
            f"for ID input: split it into smaller parts")


def utf8_size(text: str, chunk: int = _MIB) -> int:
    """The size of ``text`` in UTF-8, without one big copy of it."""
    if text.isascii():
        return len(text)
    return sum(len(text[i : i + chunk].encode("utf-8", "surrogatepass"))
               for i in range(0, len(text), chunk))


def check_size(text: str, what: str) -> str:
    """``text``, or :class:`InputError` if it is over the cap."""
    size = utf8_size(text)
    if size > MAX_INPUT_BYTES:
        raise InputError(too_big_message(what, size))
    return text


def paste_problem(pasted: str, already: int = 0) -> str | None:
    """Why a paste of ``pasted`` into a box holding ``already`` characters is refused, if it is.

    Checked before the paste reaches the box, so that a refused paste changes nothing."""
    if len(pasted) > MAX_INPUT_BYTES or utf8_size(pasted) > MAX_INPUT_BYTES:
        return too_big_message("The paste", utf8_size(pasted)) + "; the box is unchanged"
    if already + len(pasted) > MAX_INPUT_BYTES:
        return (f"With this paste the box would hold more than the {MAX_INPUT_BYTES // _MIB} MiB "
                "limit for ID input: clear it first or paste less; the box is unchanged")
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when most characters of ``sample`` are ASCII in UTF-16: a NUL
    byte after (or before) each of them, and few NULs in the other half of the bytes."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : pairs * 2 : 2].count(0), sample[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * 3 // 4 and even <= pairs // 8:
        return "utf-16-le"
    if even >= pairs * 3 // 4 and odd <= pairs // 8:
        return "utf-16-be"
    return None


def decode_ids(data: bytes, what: str) -> str:
    """The text of ``data``, by the encoding rules above; :class:`InputError` if it is not text."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    utf16 = _utf16_without_bom(data[:_SNIFF])
    if utf16 is not None:
        return data.decode(utf16, "replace")
    for magic, kind in _NOT_TEXT:
        if data.startswith(magic):
            raise InputError(f"{what} is {kind}, not text: save or export it as CSV or "
                             "plain text (UTF-8) and load that")
    return data.decode("utf-8", "replace")


def _read_capped(stream: BinaryIO, what: str) -> bytes:
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{what} is over the {MAX_INPUT_BYTES // _MIB} MiB limit for ID input: "
                         "split it into smaller parts")
    return data


def read_ids_path(path: Path) -> str:
    """The ID text of the file at ``path`` (OSError if it cannot be opened; the messages of
    :class:`InputError` say "the file", the caller names it)."""
    with path.open("rb") as handle:
        return decode_ids(_read_capped(handle, "the file"), "the file")


def read_ids_stream(stream: TextIO) -> str:
    """The ID text of a text stream such as ``sys.stdin``: its bytes when it has them, so the
    encoding rules above apply to a pipe as to a file."""
    raw: BinaryIO | None = getattr(stream, "buffer", None)
    if raw is not None:
        return decode_ids(_read_capped(raw, "standard input"), "standard input")
    return check_size(stream.read(MAX_INPUT_BYTES + 1), "standard input")
