"""Where ID text comes from (geelark_tui.idinput): the one input cap and the encoding rules, in
the core and through the headless command (`--ids-file`, `-`, piped stdin)."""

from __future__ import annotations

import codecs
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from geelark_tui.cli import main
from geelark_tui.idinput import (
    MAX_INPUT_BYTES,
    InputError,
    decode_ids,
    paste_problem,
    read_ids_path,
    read_ids_stream,
)
from geelark_tui.ids import parse_ids
from geelark_tui.simulator import Simulator, SimulatorConfig

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


# --- through the headless command --------------------------------------------------------------


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(SimulatorConfig(per_minute=0, query_faults=False)) as s:
        yield s


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"GEELARK_TOKEN": "demo-token",
              "GEELARK_TUI_CONFIG": str(tmp_path / "cfg" / "config.toml"),
              "GEELARK_TUI_DATA_DIR": str(tmp_path / "data")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def restart(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["restart", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_ids_file_in_utf16_is_read(sim: Simulator, env: dict[str, str], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "from-notepad.csv"
    path.write_bytes(TEXT.encode("utf-16"))
    code, out, err = restart(capsys, "--ids-file", str(path), "--format", "json",
                             "--base-url", sim.base_url)
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)["results"]] == [A, B, C]
    assert "ignored" not in err


@pytest.mark.parametrize(("content", "says"), [
    (XLSX, "the file is a spreadsheet or archive (.xlsx, .ods, .zip), not text"),
    (b"1" * (MAX_INPUT_BYTES + 1), "the file is over the 64 MiB limit for ID input"),
], ids=["xlsx", "over-the-cap"])
def test_an_ids_file_that_cannot_be_read_as_ids_is_a_usage_error(
        env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        content: bytes, says: str) -> None:
    path = tmp_path / "ids.bin"
    path.write_bytes(content)
    code, out, err = restart(capsys, "--ids-file", str(path))
    assert code == 2 and out == ""
    assert f"error: cannot read the IDs: {says}" in err


@pytest.mark.parametrize("stdin", [
    f"{A}\x00{B}\n{C}\n".encode(),  # a NUL between two IDs
    f"{A}\n{B}\n{C}\n".encode("utf-16"),  # PowerShell's pipe
    f"{A}\r\n{B}\r\n{C}".encode("utf-16-le"),
], ids=["nul", "utf-16", "utf-16-le"])
def test_piped_stdin_gets_the_same_rules(sim: Simulator, env: dict[str, str],
                                         stdin: bytes) -> None:
    for how in ([], ["--ids-file", "-"]):
        done = subprocess.run(
            [sys.executable, "-m", "geelark_tui", "restart", *how, "--format", "json",
             "--base-url", sim.base_url], input=stdin, capture_output=True, timeout=60,
            env={**os.environ, **env})
        assert done.returncode in (0, 1), done.stderr  # the second time: already restarted
        assert [r["id"] for r in json.loads(done.stdout)["results"]] == [A, B, C]
        assert b"ignored" not in done.stderr
