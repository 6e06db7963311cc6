"""The headless `restart` command against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from geelark_tui import history
from geelark_tui.cli import main
from geelark_tui.limits import MAX_INPUT_BYTES
from geelark_tui.simulator import Simulator, SimulatorConfig


def mixed_ids(n: int, start: int = 574376043897000000) -> list[str]:
    # consecutive numbers cover every bucket of the simulator (last two digits)
    return [str(start + i) for i in range(n)]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["restart", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_1000_ids_match_the_simulators_record(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = mixed_ids(1000)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids + ids[:37]))  # duplicates are dropped
    code, out, err = run_cli(capsys, "--ids-file", str(ids_file), "--format", "json",
                             "--base-url", sim.base_url, "--concurrency", "4")
    assert code == 1  # some are rejected
    document = json.loads(out)
    results = document["results"]
    assert [r["id"] for r in results] == ids
    for r in results:
        expected_outcome, expected_code = sim.expected_outcome(r["id"])
        assert r["outcome"] == expected_outcome, r
        if expected_outcome == "rejected":
            assert r["code"] == expected_code
        applied = sim.restart_counts.get(r["id"], 0)
        assert applied == (1 if r["outcome"] == "restarted" else 0)
    restarts = [q for q in sim.requests if q.path.endswith("/restart")]
    assert len(restarts) == math.ceil(1000 / 100)
    assert document["summary"]["total"] == 1000
    assert sum(document["summary"][k] for k in ("restarted", "rejected", "not_sent",
                                                "unknown")) == 1000
    assert "restarting 1,000 IDs in 10 requests" in err


@pytest.mark.parametrize("seed", [1, 2])
def test_faults_never_double_restart_or_overclaim(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    config = SimulatorConfig(per_minute=0, error_5xx_rate=0.10, drop_rate=0.05,
                             slow_rate=0.05, slow_seconds=1.5, seed=seed, query_faults=False)
    ids = mixed_ids(1500, start=574376043897100000)
    with Simulator(config) as s:
        code, out, _err = run_cli(capsys, *ids, "--format", "json", "--base-url", s.base_url,
                                  "--batch-size", "25", "--timeout", "1")
        counts = s.restart_counts
        faults = [q.fault for q in s.requests if q.fault]
    results = json.loads(out)["results"]
    assert code == 1
    assert sorted(r["id"] for r in results) == sorted(ids)  # exactly one outcome each
    assert all(n == 1 for n in counts.values())  # nothing applied twice
    for r in results:
        if r["outcome"] == "restarted":
            assert counts.get(r["id"]) == 1
        if r["outcome"] in ("rejected", "not_sent"):
            assert r["id"] not in counts
    assert {"5xx_before", "5xx_after", "drop_before", "drop_after", "slow"} & set(faults)
    assert any(r["outcome"] == "unknown" for r in results)


def test_wrong_token_exits_3_all_not_sent(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEELARK_TOKEN", "wrong-token")
    ids = mixed_ids(250)
    code, out, err = run_cli(capsys, *ids, "--format", "json", "--base-url", sim.base_url,
                             "--concurrency", "1")
    assert code == 3
    results = json.loads(out)["results"]
    assert {r["outcome"] for r in results} == {"not_sent"}
    assert "40003" in err and "signature or token rejected" in err
    assert "40003" in results[-1]["message"]
    assert not sim.restart_counts
    assert "wrong-token" not in out + err


def test_table_fits_80_columns_and_csv_reads_back(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ids = mixed_ids(100, start=574376043897200000)
    code, out, _ = run_cli(capsys, *ids, "--format", "table", "--base-url", sim.base_url)
    assert code == 1
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert sum(1 for line in lines if line[:18] in ids) == 100

    ids2 = mixed_ids(100, start=574376043897300000)
    _, out, _ = run_cli(capsys, *ids2, "--format", "csv", "--base-url", sim.base_url)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ids2
    assert {r["outcome"] for r in rows} == {"restarted", "rejected"}
    rejected = next(r for r in rows if r["outcome"] == "rejected")
    assert rejected["code"].isdigit() and rejected["meaning"] and rejected["hint"]


def test_no_valid_id_is_a_usage_error(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "12345", "hello")
    assert code == 2 and out == ""
    assert "no valid task ID" in err and "12345" in err


def test_unreadable_file_is_a_usage_error(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.txt"
    code, _, err = run_cli(capsys, "--ids-file", str(missing))
    assert code == 2  # said as a person would, not as Python's "[Errno 2] ...: '...'"
    assert f"error: cannot read the IDs from {missing}: No such file or directory" in err


def test_bad_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["restart", "--batch-size", "101", "574376043897425896"])
    assert caught.value.code == 2


def test_plain_http_to_a_remote_host_is_refused(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "574376043897425896", "--base-url", "http://example.com")
    assert code == 3 and "plain http://" in err


def test_missing_credentials_exit_3(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    sim: Simulator,
) -> None:
    monkeypatch.delenv("GEELARK_TOKEN")
    code, out, err = run_cli(capsys, "574376043897425896", "--base-url", sim.base_url,
                             "--format", "json")
    assert code == 3 and "no credentials" in err
    assert json.loads(out)["results"][0]["outcome"] == "not_sent"


def test_app_key_credentials_from_env(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEELARK_TOKEN")
    monkeypatch.setenv("GEELARK_APP_ID", "demo-app")
    monkeypatch.setenv("GEELARK_API_KEY", "demo-api-key")
    code, out, err = run_cli(capsys, "574376043897425800", "--base-url", sim.base_url,
                             "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"]["restarted"] == 1
    assert "restarting 1 ID in 1 request\n" in err  # one of each, said so
    config_text = Path(env["GEELARK_TUI_CONFIG"]).read_text()
    assert "demo-api-key" not in config_text and "demo-token" not in config_text


def test_run_saves_the_set_and_appends_one_log_line(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ids = mixed_ids(30, start=574376043897400000)
    run_cli(capsys, *ids, "--base-url", sim.base_url)
    saved = tomllib.loads(Path(env["GEELARK_TUI_CONFIG"]).read_text())
    assert "demo-token" not in json.dumps(saved, default=str)
    runs = history.read_runs(history.run_log_path())
    assert len(runs) == 1
    line = Path(history.run_log_path()).read_text()
    assert "demo-token" not in line and ids[0] in line


def test_set_is_saved_before_the_first_request_when_killed(tmp_path: Path) -> None:
    """Kill the server (and the client) mid-run: the ID set is already in the config file."""
    config_path = tmp_path / "cfg" / "config.toml"
    ids = mixed_ids(400, start=574376043897500000)
    env = {**os.environ, "GEELARK_TOKEN": "demo-token",
           "GEELARK_TUI_CONFIG": str(config_path), "GEELARK_TUI_DATA_DIR": str(tmp_path / "d")}
    with Simulator(SimulatorConfig(latency=0.5, per_minute=0)) as s:
        proc = subprocess.Popen(
            [sys.executable, "-m", "geelark_tui", "restart", "--base-url", s.base_url,
             "--batch-size", "10", "--concurrency", "1", *ids],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while not s.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert s.requests, "the run never reached the server"
    # the server is gone; now kill the client hard
    proc.kill()
    proc.wait(timeout=10)
    saved = tomllib.loads(config_path.read_text())
    sets = saved["recent"]["sets"] if "sets" in saved.get("recent", {}) else saved["recent"]
    assert any(list(entry["ids"]) == ids for entry in sets)


@pytest.fixture
def dev_null_kept() -> Iterator[None]:
    """Should a regression replace /dev/null with a file, put the device back (as root) once
    the test has seen it fail, so that one failure does not break the machine."""
    yield
    if not stat.S_ISCHR(os.lstat("/dev/null").st_mode) and os.geteuid() == 0:
        os.unlink("/dev/null")
        os.mknod("/dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        os.chmod("/dev/null", 0o666)


@pytest.mark.parametrize("where", ["/dev/null", "a FIFO"])
def test_a_config_path_that_is_not_a_file_is_never_written_and_the_run_goes_on(
    where: str, sim: Simulator, tmp_path: Path, dev_null_kept: None,
) -> None:
    if where == "/dev/null":
        path = Path("/dev/null")
    else:
        path = tmp_path / "config.toml"
        os.mkfifo(path)
    before = os.stat(path)
    done = subprocess.run(
        [sys.executable, "-m", "geelark_tui", "restart", "574376043897425800", "--config",
         str(path), "--base-url", sim.base_url, "--format", "json"],
        env={**os.environ, "GEELARK_TOKEN": "demo-token",
             "GEELARK_TUI_DATA_DIR": str(tmp_path / "data")},
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # a blocking read of the FIFO would hang here until the timeout
    after = os.stat(path)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)  # still the device / FIFO
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    beside = [p.name for p in path.parent.iterdir() if p.name.startswith((path.name + ".",
                                                                          f".{path.name}."))]
    assert beside == []  # no lock file, temp file or kept-aside copy next to it
    assert done.returncode == 0, done.stderr  # the run went on, on the defaults
    assert json.loads(done.stdout)["summary"]["restarted"] == 1
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, done.stderr  # said once, however many writes the run tried
    assert str(path) in warnings[0] and "not a regular file" in warnings[0]
    assert "chmod" not in done.stderr


def test_csv_hints_after_a_preflight_follow_the_task_status(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    waiting, completed = "574376043897425850", "574376043897425860"  # both answer 48001
    _, out, _ = run_cli(capsys, waiting, completed, "--preflight", "--include-all",
                        "--format", "csv", "--base-url", sim.base_url)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows[waiting]["code"] == rows[completed]["code"] == "48001"
    assert rows[waiting]["hint"].startswith("It is waiting")
    assert rows[completed]["hint"] == "It completed: nothing to restart, it ran."


# --- reading the IDs: the cap and the encodings of geelark_tui.idinput ----------------------------

ID_A, ID_B, ID_C = "574376043897425801", "574376043897425802", "574376043897425803"
UTF16_CSV = f"taskId,plan\n{ID_A},warm up\n{ID_B},post\n{ID_C},post\n".encode("utf-16")
XLSX_BYTES = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4


def test_ids_file_in_utf16_is_read(sim: Simulator, env: dict[str, str], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "from-notepad.csv"
    path.write_bytes(UTF16_CSV)
    code, out, err = run_cli(capsys, "--ids-file", str(path), "--format", "json",
                             "--base-url", sim.base_url)
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)["results"]] == [ID_A, ID_B, ID_C]
    assert "ignored" not in err


@pytest.mark.parametrize(("content", "says"), [
    (XLSX_BYTES, "the file is a spreadsheet or archive (.xlsx, .ods, .zip), not text"),
    (b"1" * (MAX_INPUT_BYTES + 1), "the file is over the 64 MiB limit for ID input"),
], ids=["xlsx", "over-the-cap"])
def test_an_ids_file_that_cannot_be_read_as_ids_is_a_usage_error(
        env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        content: bytes, says: str) -> None:
    path = tmp_path / "ids.bin"
    path.write_bytes(content)
    code, out, err = run_cli(capsys, "--ids-file", str(path))
    assert code == 2 and out == ""
    assert f"error: cannot read the IDs: {says}" in err


@pytest.mark.parametrize("stdin", [
    f"{ID_A}\x00{ID_B}\n{ID_C}\n".encode(),  # a NUL between two IDs
    f"{ID_A}\n{ID_B}\n{ID_C}\n".encode("utf-16"),  # PowerShell's pipe
    f"{ID_A}\r\n{ID_B}\r\n{ID_C}".encode("utf-16-le"),
], ids=["nul", "utf-16", "utf-16-le"])
def test_piped_stdin_gets_the_same_rules(sim: Simulator, env: dict[str, str],
                                         stdin: bytes) -> None:
    for how in ([], ["--ids-file", "-"]):
        done = subprocess.run(
            [sys.executable, "-m", "geelark_tui", "restart", *how, "--format", "json",
             "--base-url", sim.base_url], input=stdin, capture_output=True, timeout=60,
            env={**os.environ, **env})
        assert done.returncode in (0, 1), done.stderr  # the second time: already restarted
        assert [r["id"] for r in json.loads(done.stdout)["results"]] == [ID_A, ID_B, ID_C]
        assert b"ignored" not in done.stderr


def test_a_run_that_stops_at_once_says_its_unsent_batches_in_one_line(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Nothing listens: the run stops at the first refused connection, and the 99 batches
    never sent are one line on stderr, not 99."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(str(574376043900000000 + n) for n in range(1_000)))
    code, out, err = run_cli(capsys, "--ids-file", str(ids_file), "--batch-size", "10",
                             "--concurrency", "1", "--base-url", f"http://127.0.0.1:{port}",
                             "--format", "json")
    assert code == 3 and json.loads(out)["summary"]["not_sent"] == 1_000
    batch_lines = [line for line in err.splitlines() if line.startswith("batch ")]
    assert len(batch_lines) <= 2, err  # the refused one (and one in flight with it)
    unsent = 100 - len(batch_lines)
    assert f"{unsent:,} batches not sent after the stop" in err
