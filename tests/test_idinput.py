"""Where ID text comes from (geelark_tui.idinput): the one input cap and the encoding rules.
The same through the headless command: tests/test_headless.py; through the app: tests/tui."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from geelark_tui.idinput import (
    MAX_INPUT_BYTES,
    InputError,
    decode_ids,
    paste_problem,
    read_ids_path,
    read_ids_stream,
)
from geelark_tui.ids import parse_ids

A, B, C = "574376043897425801", "574376043897425802", "574376043897425803"
TEXT = f"taskId,plan\n{A},warm up\n{B},post\n{C},post\n"
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4


def utf16_variants() -> Iterator[tuple[str, bytes]]:
    yield "utf-16 with BOM (Windows Notepad)", TEXT.encode("utf-16")
    yield "utf-16-le without BOM", TEXT.encode("utf-16-le")
    yield "utf-16-be without BOM", TEXT.encode("utf-16-be")
    yield "utf-16-be with BOM", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")
    yield "utf-32 with BOM", TEXT.encode("utf-32")
    yield "utf-8 with BOM", TEXT.encode("utf-8-sig")


@pytest.mark.parametrize(("name", "data"), list(utf16_variants()),
                         ids=[n for n, _ in utf16_variants()])
def test_utf16_and_utf32_text_is_decoded(name: str, data: bytes) -> None:
    parsed = parse_ids(decode_ids(data, "the file"))
    assert parsed.ids == (A, B, C) and parsed.source == "csv" and not parsed.ignored


def test_bytes_that_are_not_utf8_do_not_hide_the_ids_around_them() -> None:
    text = decode_ids(f"{A}\n\xe9t\xe9 {B}\n".encode("latin-1") + b"\xff\xfe\x00" + C.encode(),
                      "the file")
    assert parse_ids(text).ids == (A, B, C)


def test_a_few_nul_bytes_in_utf8_text_are_not_taken_for_utf16() -> None:
    text = decode_ids(f"{A}\x00{B}\n{C}\n".encode(), "the file")
    assert parse_ids(text).ids == (A, B, C)


@pytest.mark.parametrize(("magic", "kind"), [(XLSX, "spreadsheet"),
                                             (b"%PDF-1.7\n%\xe2\xe3", "PDF")], ids=["xlsx", "pdf"])
def test_a_spreadsheet_or_pdf_is_refused_with_what_to_do(magic: bytes, kind: str) -> None:
    with pytest.raises(InputError, match=f"{kind}.*not text: save or export it as CSV"):
        decode_ids(magic, "the file")


def test_a_file_over_the_cap_is_refused_and_one_at_the_cap_is_read(tmp_path: Path) -> None:
    at_cap = tmp_path / "at-cap.txt"
    line = f"{A}\n".encode()
    with at_cap.open("wb") as handle:
        handle.write(line * (MAX_INPUT_BYTES // len(line)))
        handle.write(b" " * (MAX_INPUT_BYTES % len(line)))
    assert at_cap.stat().st_size == MAX_INPUT_BYTES
    assert len(read_ids_path(at_cap)) == MAX_INPUT_BYTES
    with at_cap.open("ab") as handle:
        handle.write(b"\n")
    with pytest.raises(InputError, match="over the 64 MiB limit"):
        read_ids_path(at_cap)


def test_a_text_stream_is_read_through_its_bytes() -> None:
    stream = io.TextIOWrapper(io.BytesIO(TEXT.encode("utf-16")), encoding="utf-8")
    assert parse_ids(read_ids_stream(stream)).ids == (A, B, C)
    assert read_ids_stream(io.StringIO(TEXT)) == TEXT  # no bytes underneath: as it is


def test_a_paste_over_the_cap_says_so_and_what_to_do() -> None:
    assert paste_problem(TEXT) is None
    assert paste_problem(TEXT, already=MAX_INPUT_BYTES - len(TEXT)) is None
    big = paste_problem("1" * (MAX_INPUT_BYTES + 1))
    assert big is not None and "64.0 MiB" in big and "64 MiB limit" in big
    assert "the box is unchanged" in big
    both = paste_problem(TEXT, already=MAX_INPUT_BYTES)
    assert both is not None and "clear it first" in both
    wide = paste_problem("é" * (MAX_INPUT_BYTES // 2 + 1))  # fewer characters than bytes
    assert wide is not None
