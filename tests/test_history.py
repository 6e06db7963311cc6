"""The run log: one JSON line per run, private, tolerant of torn lines, never a secret."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from geelark_tui import history
from geelark_tui.history import append_run, read_runs, run_log_path

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
END = datetime(2026, 11, 28, 12, 1, 30, tzinfo=UTC)


def run(path: Path, **overrides: Any) -> None:
    kwargs: dict[str, Any] = {
        "started_at": START, "finished_at": END, "api_host": "https://openapi.geelark.com",
        "counts": {"restarted": 2, "rejected": 1, "not_sent": 0, "unknown": 0},
        "ids_by_outcome": {"restarted": ["1000001", "1000002"], "rejected": ["1000003"]},
        "interrupted": False, "stop_reason": None,
    }
    append_run(path, **{**kwargs, **overrides})


def test_path_env_override_and_default(tmp_path: Path, _isolated_user_dirs: Path) -> None:
    assert run_log_path({"GEELARK_TUI_DATA_DIR": str(tmp_path)}) == tmp_path / "runs.jsonl"
    default = run_log_path({})
    assert default.name == "runs.jsonl" and default.parent.name == "geelark-tui"
    assert default.is_relative_to(_isolated_user_dirs)


def test_one_private_line_per_run(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "data" / "geelark-tui" / "runs.jsonl"
        run(path)
        run(path, interrupted=True, stop_reason="stopped by the user",
            started_at=START.timestamp(), finished_at=END.timestamp())
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["api_host"] == "openapi.geelark.com"
    assert first["started_at"] == "2026-11-28T12:00:00+00:00"
    assert first["counts"]["restarted"] == 2 and first["ids"]["rejected"] == ["1000003"]
    assert first["interrupted"] is False and first["stop_reason"] is None
    assert second["interrupted"] is True and second["stop_reason"] == "stopped by the user"
    assert second["finished_at"] == "2026-11-28T12:01:30+00:00"
    assert read_runs(path) == [first, second]


def test_host_never_carries_user_info_or_path() -> None:
    assert history.host_of("https://user:secret@api.example.com:8443/x?token=1") == \
        "api.example.com:8443"
    assert history.host_of("127.0.0.1:9999") == "127.0.0.1:9999"
    assert history.host_of("openapi.geelark.com") == "openapi.geelark.com"


def test_refuses_to_write_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    secret = "tok-0123456789abcdef"
    with pytest.raises(ValueError):
        run(path, stop_reason=f"auth failed for {secret}", secrets={secret, ""})
    assert not path.exists()
    run(path, secrets={secret})
    assert secret not in path.read_text()


def test_torn_and_garbage_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    run(path)
    with path.open("ab") as f:
        f.write(b'{"v":1,"started_at":"2026-11-28T1')  # a run killed mid-write
    run(path)  # starts on the torn line: that line is lost, this one is not
    with path.open("ab") as f:
        f.write(b"\n\xff\xfe garbage\n[1, 2]\n\n")
    run(path, interrupted=True)
    runs = read_runs(path)
    assert [r["interrupted"] for r in runs] == [False, True]
    assert read_runs(tmp_path / "missing.jsonl") == []


WRITER = """
import sys
from datetime import datetime, UTC
from pathlib import Path
from geelark_tui.history import append_run
for n in range(25):
    now = datetime.now(UTC)
    append_run(Path(sys.argv[1]), started_at=now, finished_at=now, api_host="h",
               counts={"restarted": n}, ids_by_outcome={"restarted": [sys.argv[2]] * 2000},
               interrupted=False, stop_reason=None)
"""


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"{w}" * 12])
             for w in range(1, 5)]
    assert [p.wait() for p in procs] == [0] * 4
    lines = path.read_text().splitlines()
    assert len(lines) == 100
    assert all(len(set(json.loads(line)["ids"]["restarted"])) == 1 for line in lines)


def test_past_runs_reopen_with_their_codes_newest_first(tmp_path: Path) -> None:
    """The run log keeps the code behind each ID (additive `codes`); a past run reopens
    as one row per ID with its outcome and code; an older line without codes still reads."""
    from geelark_tui.api.models import IdResult, Outcome
    from geelark_tui.pastruns import past_runs
    from geelark_tui.runlog import log_run
    from geelark_tui.runreport import RunReport

    path = tmp_path / "runs.jsonl"
    run(path)  # written before codes were logged
    results = [IdResult("1000001", Outcome.RESTARTED, 0, "restarted"),
               IdResult("1000002", Outcome.REJECTED, 48002, "task does not exist"),
               IdResult("1000003", Outcome.NOT_SENT, 40017, "not sent"),
               IdResult("1000004", Outcome.UNKNOWN, None, "HTTP 502")]
    report = RunReport(ids=tuple(r.id for r in results), results={r.id: r for r in results},
                       started_at=START.timestamp(), finished_at=END.timestamp(),
                       stop_reason="stopped by the user", stopped_by_user=True)
    assert log_run(report, results, "https://openapi.geelark.com", path=path) is None
    assert json.loads(path.read_text().splitlines()[1])["codes"] == {
        "48002": ["1000002"], "40017": ["1000003"]}
    newest, oldest = past_runs(path)
    assert [(r.id, r.outcome, r.code) for r in newest.results()] == [
        (r.id, r.outcome, r.code) for r in results]
    assert newest.stop_reason == "stopped by the user" and newest.total == 4
    assert "4 IDs · ✔ 1  ✘ 1  ○ 1  ? 1 · openapi.geelark.com · stopped: stopped by the user" in (
        newest.line())
    assert [(r.outcome, r.code) for r in oldest.results()] == [
        (Outcome.RESTARTED, 0), (Outcome.RESTARTED, 0), (Outcome.REJECTED, None)]
    assert past_runs(tmp_path / "none.jsonl") == []
    assert [r.total for r in past_runs(path, limit=1)] == [4]


@pytest.mark.parametrize("n", [0, 1, 1_999, 2_000, 2_001, 10_000])
def test_the_line_is_exactly_what_json_dumps_writes_for_lists_of_any_length(n: int) -> None:
    record = {"v": 1, "stop_reason": None, "interrupted": False, "note": "é \"quoted\" \n",
              "counts": {"restarted": n}, "ids": {"restarted": [str(10**17 + i) for i in range(n)],
                                                  "rejected": ["1"]},
              "codes": {"40005": [str(i) for i in range(n // 3)]}}
    expected = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    assert history.compact_json(record) == expected
