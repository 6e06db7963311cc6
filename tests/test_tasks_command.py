"""`geelark-tui tasks` against the simulator over real HTTP, and its pipe into `restart`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geelark_tui.cli import main
from geelark_tui.simulator import Simulator, SimulatorConfig

COMMAND = Path(sys.executable).parent / "geelark-tui"


def tasks(capsys: pytest.CaptureFixture[str], sim: Simulator, *args: str) -> tuple[int, str, str]:
    code = main(["tasks", "--base-url", sim.base_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def window(sim: Simulator, hours: float, statuses: tuple[int, ...] = (4, 7)) -> list[str]:
    since = time.time() - hours * 3600
    return [t.id for t in sim.history_tasks() if t.status in statuses and t.schedule_at >= since]


def test_json_lists_the_failed_and_cancelled_of_the_window(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tasks(capsys, sim, "--since", "2d", "--format", "json")
    assert code == 0
    document = json.loads(out)
    expected = window(sim, 48)
    assert sorted(t["id"] for t in document["tasks"]) == sorted(expected)
    summary = document["summary"]
    assert summary["total"] == len(expected)
    assert set(summary["by_status"]) == {"failed", "cancelled"}
    assert sum(summary["by_status"].values()) == len(expected)
    assert sum(summary["by_fail_code"].values()) == summary["by_status"]["failed"]
    assert all(key.isdigit() for key in summary["by_fail_code"])
    first = document["tasks"][0]
    assert list(first) == ["id", "status", "state", "task_type", "plan_name", "phone",
                           "scheduled_at", "fail_code", "fail_desc"]
    assert first["scheduled_at"].endswith("Z") and first["state"] in ("failed", "cancelled")
    times = [t["scheduled_at"] for t in document["tasks"]]
    assert times == sorted(times, reverse=True)  # newest first, whatever the server's order
    assert "page 13:" in err or "page 12:" in err  # progress on stderr, not stdout
    assert "done:" in err and "page" not in out


def test_filters_on_the_command_line(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    listed = sim.history_tasks()
    code, out, _ = tasks(capsys, sim, "--status", "all", "--phone", "us-west-0",
                         "--plan", "VIDEO", "--fail-code", "29996,29999", "--format", "ids")
    assert code == 0
    expected = {t.id for t in listed if "us-west-0" in t.serial_name.lower()
                and "video" in t.plan_name.lower() and t.fail_code in (29996, 29999)}
    assert expected and set(out.split()) == expected
    code, out, _ = tasks(capsys, sim, "--status", "completed,waiting", "--limit", "7",
                         "--format", "csv")
    rows = out.splitlines()
    assert code == 0 and len(rows) == 8 and rows[0].startswith("id,status,state,")
    assert all(",completed," in r or ",waiting," in r for r in rows[1:])


def test_no_match_is_success_and_bad_flags_are_usage_errors(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tasks(capsys, sim, "--plan", "no plan is called this", "--format", "ids")
    assert (code, out) == (0, "") and "done: 0 tasks match" in err
    sent = len(sim.requests)
    for bad in (["--since", "8d"], ["--since", "soon"], ["--status", "broken"],
                ["--fail-code", "x1"], ["--limit", "0"], ["--format", "xml"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["tasks", "--base-url", sim.base_url, *bad])
        assert exit_info.value.code == 2, bad
    assert len(sim.requests) == sent  # a usage error sends nothing


def test_authentication_and_configuration_errors_exit_3(
    sim: Simulator, env: dict[str, str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEELARK_TOKEN", "wrong")
    code, out, err = tasks(capsys, sim, "--format", "json")
    assert code == 3 and "40003" in err and json.loads(out)["summary"]["complete"] is False
    monkeypatch.delenv("GEELARK_TOKEN")
    code, _, err = tasks(capsys, sim)
    assert code == 3 and "no credentials" in err
    code = main(["tasks", "--base-url", "http://example.com"])
    assert code == 3 and "http" in capsys.readouterr().err


def test_an_incomplete_history_exits_1_and_prints_what_was_found(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with Simulator(SimulatorConfig(per_minute=0, history_faults={3: "40008"})) as sim:
        code, out, err = tasks(capsys, sim, "--status", "all", "--format", "json")
    document = json.loads(out)
    assert code == 1 and len(document["tasks"]) == 200
    assert document["summary"]["complete"] is False
    assert "40008" in document["summary"]["stop_reason"] and "warning:" in err


def test_tasks_piped_into_restart_restarts_exactly_the_failed_and_cancelled(
    sim: Simulator, env: dict[str, str]
) -> None:
    """Two real processes and a real pipe: `tasks --since 12h --format ids | restart`."""
    expected = window(sim, 12)
    assert len(expected) >= 10
    child_env = {**os.environ, **env, "GEELARK_BASE_URL": sim.base_url}
    finder = subprocess.Popen([str(COMMAND), "tasks", "--since", "12h", "--format", "ids"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env)
    assert finder.stdout is not None
    restarter = subprocess.run([str(COMMAND), "restart", "--format", "json"],
                               stdin=finder.stdout, capture_output=True, text=True,
                               env=child_env, timeout=60)
    finder.stdout.close()
    assert finder.wait(timeout=60) == 0
    assert restarter.returncode == 0, restarter.stderr
    results = json.loads(restarter.stdout)["results"]
    assert sorted(r["id"] for r in results) == sorted(expected)
    assert {r["outcome"] for r in results} == {"restarted"}
    assert sim.restart_counts == dict.fromkeys(expected, 1)  # the simulator's own record


@pytest.mark.parametrize("fmt", ["ids", "table", "json", "csv"])
def test_no_credential_is_ever_printed(
    fmt: str, env: dict[str, str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "tok-SECRET-0123456789abcdef"
    monkeypatch.setenv("GEELARK_TOKEN", secret)
    with Simulator(SimulatorConfig(per_minute=0, token="another")) as sim:
        code, out, err = tasks(capsys, sim, "--format", fmt)
    assert code == 3
    for piece in (secret, secret[:8], secret[-8:]):
        assert piece not in out and piece not in err
