"""Interrupting a run: `python -m geelark_tui restart` as a real process against a slow
simulator, stopped by SIGINT, SIGTERM or SIGHUP; and the engine cancelled mid-request.

A first signal stops after the request in flight: the process exits promptly with code 1, a
complete result on stdout, one run-log line saying what was sent and what not, and the ID set
already saved. A second signal exits at once, still writing the log. Nothing the server
applied is ever reported `not_sent`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from geelark_tui import history
from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.endpoints import RESTART_PATH
from geelark_tui.api.models import Outcome
from geelark_tui.engine import RestartRun, RunSettings
from geelark_tui.events import RateLimitWait
from geelark_tui.simulator import Simulator, SimulatorConfig

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@dataclass
class Finished:
    code: int
    out: str
    err: str
    seconds: float  # from the last signal to the exit
    applied: dict[str, int]  # the simulator's ground truth
    seen: set[str]  # IDs in restart requests the simulator received
    config: Path
    log: Path


@pytest.fixture
def interrupted(tmp_path: Path) -> Iterator[Any]:
    def run(ids: list[str], signals: list[signal.Signals], latency: float,
            after_requests: int = 2, extra: tuple[str, ...] = ()) -> Finished:
        config, data = tmp_path / "cfg" / "config.toml", tmp_path / "data"
        env = {**os.environ, "GEELARK_TOKEN": "demo-token", "GEELARK_TUI_CONFIG": str(config),
               "GEELARK_TUI_DATA_DIR": str(data)}
        with Simulator(SimulatorConfig(latency=latency, per_minute=0)) as sim:
            proc = subprocess.Popen(
                [sys.executable, "-m", "geelark_tui", "restart", "--base-url", sim.base_url,
                 "--batch-size", "10", "--concurrency", "1", "--format", "json", *extra, *ids],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            procs.append(proc)
            deadline = time.monotonic() + 30
            while len(sim.requests) < after_requests and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(sim.requests) >= after_requests, "the run never reached the server"
            for sig in signals:
                proc.send_signal(sig)
                time.sleep(0.05)
            began = time.monotonic()
            out, err = proc.communicate(timeout=15)
            seconds = time.monotonic() - began
            time.sleep(0.3)  # let a request cut off mid-way land
            seen = {i for r in sim.requests if r.path == RESTART_PATH for i in r.ids}
            return Finished(proc.returncode, out, err, seconds, sim.restart_counts, seen,
                            config, data / "runs.jsonl")

    procs: list[subprocess.Popen[str]] = []
    yield run
    for proc in procs:  # a failed test must not leave a process behind
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def fresh_ids(n: int, salt: int) -> list[str]:
    return [str(574376043898000000 + salt * 10_000 + i) for i in range(n)]


def check_common(done: Finished, ids: list[str]) -> dict[str, str]:
    """What every interrupted run must satisfy; returns ID -> outcome."""
    assert done.code == 1, done.err
    document = json.loads(done.out)  # a complete result, not a torn one
    outcome = {r["id"]: r["outcome"] for r in document["results"]}
    assert [r["id"] for r in document["results"]] == ids
    assert document["summary"]["total"] == len(ids)
    assert sum(document["summary"][k] for k in ("restarted", "rejected", "not_sent",
                                                "unknown")) == len(ids)
    for task_id, state in outcome.items():
        if task_id in done.applied:
            assert state != "not_sent", f"{task_id} was applied by the server"
        if state == "not_sent":
            assert task_id not in done.seen
    assert outcome[ids[-1]] == "not_sent"  # far from done when stopped
    assert all(n == 1 for n in done.applied.values())
    # the set was saved before the first request
    saved = tomllib.loads(done.config.read_text())
    sets = saved["recent"]["sets"] if "sets" in saved.get("recent", {}) else saved["recent"]
    assert any(list(entry["ids"]) == ids for entry in sets)
    # one run-log line with what was sent and what not
    runs = history.read_runs(done.log)
    assert len(runs) == 1, "no run-log line: the signal killed the process"
    line = runs[0]
    assert line["interrupted"] is True
    logged = {i: name for name, group in line["ids"].items() for i in group}
    assert logged == outcome
    return outcome


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
def test_a_signal_stops_after_the_request_in_flight(interrupted: Any, sig: signal.Signals
                                                    ) -> None:
    ids = fresh_ids(300, salt=sig.value)
    done = interrupted(ids, [sig], latency=0.3)
    assert done.seconds < 5
    outcome = check_common(done, ids)
    # every batch the server saw was finished and answered; every other ID not sent
    for task_id in ids:
        if task_id in done.seen:
            expected = "restarted" if task_id in done.applied else "rejected"
            assert outcome[task_id] == expected, task_id
        else:
            assert outcome[task_id] == "not_sent"
    assert len(done.seen) < len(ids)
    # the signal is named, on stderr and in the run log
    assert f"stopping: stopped by {sig.name}" in done.err
    assert history.read_runs(done.log)[0]["stop_reason"] == f"stopped by {sig.name}"


def test_a_second_signal_exits_at_once_and_still_logs(interrupted: Any) -> None:
    ids = fresh_ids(200, salt=99)
    latency = 4.0  # the first signal alone would wait this long for the answer
    done = interrupted(ids, [signal.SIGINT, signal.SIGTERM], latency=latency, after_requests=1)
    assert done.seconds < latency - 1.5
    outcome = check_common(done, ids)
    in_flight = [i for i in ids if i in done.seen and outcome[i] not in ("restarted",
                                                                         "rejected")]
    assert in_flight and all(outcome[i] == "unknown" for i in in_flight)  # applied or not


def test_a_second_signal_during_the_preflight_is_logged_as_interrupted(interrupted: Any
                                                                      ) -> None:
    ids = fresh_ids(300, salt=98)
    done = interrupted(ids, [signal.SIGINT, signal.SIGTERM], latency=3.0, after_requests=1,
                       extra=("--preflight",))
    assert done.seconds < 2
    outcome = check_common(done, ids)
    assert set(outcome.values()) == {"not_sent"} and not done.seen  # no restart went out
    line = history.read_runs(done.log)[0]
    assert line["interrupted"] is True and line["stop_reason"] == "stopped by SIGINT"


# -- the engine cancelled mid-request ---------------------------------------------------------

async def test_cancelled_mid_request_is_unknown_and_the_rest_not_sent() -> None:
    ids = [f"57437604389900{i:04d}" for i in range(30)]
    arrived = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await asyncio.sleep(60)  # the server has it and is slow to answer
        raise AssertionError("unreachable")

    client = GeeLarkClient("http://api.test", TokenAuth("t"),
                           transport=httpx.MockTransport(handler))
    run = RestartRun(client, ids, RunSettings(batch_size=10, concurrency=1))
    task = asyncio.create_task(run.run())
    await asyncio.wait_for(arrived.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    results = run.report.results
    assert {results[i].outcome for i in ids[:10]} == {Outcome.UNKNOWN}
    assert "in flight" in results[ids[0]].message
    assert {results[i].outcome for i in ids[10:]} == {Outcome.NOT_SENT}


async def test_cancelled_while_backing_off_after_a_429_is_not_sent() -> None:
    ids = [f"57437604389901{i:04d}" for i in range(10)]
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(429, text="<html>Too Many Requests</html>")

    client = GeeLarkClient("http://api.test", TokenAuth("t"),
                           transport=httpx.MockTransport(handler))
    backing_off = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, RateLimitWait) and "backing off" in event.reason:
            backing_off.set()

    run = RestartRun(client, ids, RunSettings(batch_size=10, backoff=30.0), on_event=on_event)
    task = asyncio.create_task(run.run())
    await asyncio.wait_for(backing_off.wait(), 5)  # the server provably did not take it
    assert calls == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert {r.outcome for r in run.report.results.values()} == {Outcome.NOT_SENT}
