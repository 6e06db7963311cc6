"""Interrupting the TUI mid-run: the installed `geelark-tui` in a real terminal (tmux, 80x24)
against a slow simulator, stopped by ctrl+c, SIGTERM, SIGHUP (`kill -HUP`, terminal still
there), a real hang-up (the terminal closed under it, as when an SSH connection drops), or a
server too slow to answer in time.

Each time: the process exits within a few seconds; the ID set was in the config file before
the first request reached the server; the run log has one line, marked interrupted, giving
every ID an outcome that agrees with the simulator's record (nothing the server applied is
logged `not_sent`); and the shell that started the app gets its terminal back (canonical
mode and echo on, alternate screen off).
"""

from __future__ import annotations

import os
import signal
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tmux_driver import COMMAND, TMUX, TmuxDriver

from geelark_tui import history
from geelark_tui.api.endpoints import RESTART_PATH
from geelark_tui.simulator import Simulator, SimulatorConfig

E2E = pytest.mark.e2e  # the tmux tests; the Pilot ones at the end run the app in-process

if os.environ.get("CI") and not (TMUX and COMMAND):
    raise RuntimeError("CI must install tmux and the geelark-tui command (.ci/run does)")

TOKEN = "sk-TEST-TOKEN-9f8e7d6c5b4a"
IDS = [str(574376043898200000 + n) for n in range(200)]
PROMPT_EXIT = 5.0  # seconds from the interruption to the process being gone


@dataclass
class Session(TmuxDriver):
    sim: Simulator
    config_at_first_request: list[str] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.tmp / "config.toml"

    @property
    def run_log(self) -> Path:
        return self.tmp / "data" / "runs.jsonl"

    def app_pid(self) -> int:
        """The app: the child of the pane's shell."""
        shell = int(self.tmux("list-panes", "-t", "app", "-F", "#{pane_pid}").strip())
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def restart_requests(self) -> int:
        return sum(1 for r in self.sim.requests if r.path == RESTART_PATH)

    def start_run(self, min_requests: int = 2) -> int:
        """Start the app, paste the IDs, confirm; return its pid once requests flow."""
        self.config.write_text("[submit]\nbatch_size = 10\nconcurrency = 1\npreflight = false\n")
        self.config.chmod(0o600)
        env = {"TERM": "xterm-256color", "GEELARK_TOKEN": TOKEN, "HOME": str(self.tmp),
               "GEELARK_TUI_CONFIG": str(self.config),
               "GEELARK_TUI_DATA_DIR": str(self.tmp / "data")}
        assignments = " ".join(f"{k}={v}" for k, v in env.items())
        stty = self.tmp / "stty.txt"
        self.tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24",
                  f"sh -c 'env {assignments} {COMMAND} --base-url {self.sim.base_url}; "
                  f"echo EXIT=$?; stty -a > {stty}; echo DONE; sleep 600'")
        self.wait_for(lambda s: "No IDs yet" in s or "Paste" in s, "the entry screen")
        self.paste("\n".join(IDS) + "\n")
        self.wait_for(lambda s: "200 unique IDs" in s, "the pasted IDs counted")
        self.tmux("send-keys", "-t", "app", "C-r")
        self.wait_for(lambda s: "Restart 200" in s, "the confirmation")
        self.tmux("send-keys", "-t", "app", "Enter")
        deadline = time.monotonic() + 20
        while self.restart_requests() < min_requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.restart_requests() >= min_requests, "the run never reached the server"
        return self.app_pid()


@pytest.fixture
def session(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    if not (TMUX and COMMAND):
        pytest.skip("needs tmux and the installed geelark-tui command")
    made: list[Session] = []

    def make(latency: float) -> Session:
        sim = Simulator(SimulatorConfig(token=TOKEN, latency=latency, per_minute=0))
        sim.start()
        name = f"geelark-int-{os.getpid()}-{request.node.name}"[:90]
        session = Session(tmp_path, name, sim)
        process = sim._process  # the first request: what does the config file say then?

        def recording(*args: Any, **kwargs: Any) -> Any:
            if not session.config_at_first_request:
                session.config_at_first_request.append(session.config.read_text())
            return process(*args, **kwargs)

        sim._process = recording  # type: ignore[method-assign]
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()
        session.sim.stop()


def wait_gone(pid: int, timeout: float = 15) -> float:
    """Seconds until ``pid`` has exited."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return time.monotonic() - began
        time.sleep(0.02)
    raise AssertionError(f"the app (pid {pid}) is still running after {timeout} s")


def check_run(session: Session, *, reason: str) -> dict[str, str]:
    """The set saved before the first request; one run-log line agreeing with the server."""
    saved = tomllib.loads(session.config_at_first_request[0])
    sets = saved["recent"]["sets"] if "sets" in saved.get("recent", {}) else saved["recent"]
    assert any(list(entry["ids"]) == IDS for entry in sets), "the set was not saved first"
    time.sleep(0.3)  # a request cut off mid-way lands at the server
    runs = history.read_runs(session.run_log)
    assert len(runs) == 1, f"expected one run-log line, found {len(runs)}"
    line = runs[0]
    assert line["interrupted"] is True
    assert reason in line["stop_reason"]
    outcome = {i: name for name, group in line["ids"].items() for i in group}
    assert sorted(outcome) == sorted(IDS)  # every ID has exactly one outcome
    seen = {i for r in session.sim.requests if r.path == RESTART_PATH for i in r.ids}
    applied = session.sim.restart_counts
    for task_id, state in outcome.items():
        if task_id in applied:
            assert state != "not_sent", f"{task_id} was applied by the server"
        if state == "not_sent":
            assert task_id not in seen, f"{task_id} was sent"
    assert any(s == "not_sent" for s in outcome.values()), "stopped mid-run"
    assert any(s != "not_sent" for s in outcome.values())
    assert TOKEN not in session.run_log.read_text()
    return outcome


def check_terminal_restored(session: Session, code: int) -> None:
    screen = session.wait_for(lambda s: "DONE" in s, "the shell after the app")
    assert f"EXIT={code}" in screen
    stty = (session.tmp / "stty.txt").read_text().split()
    for flag in ("icanon", "echo", "isig", "icrnl"):
        assert flag in stty and f"-{flag}" not in stty, flag
    assert session.tmux("display-message", "-p", "-t", "app", "#{alternate_on}").strip() == "0"


@E2E
def test_ctrl_c_asks_then_stops_and_quits(session: Any) -> None:
    """ctrl+c in the app is a key (the terminal is in raw mode). Mid-run it asks, like
    ctrl+q: enter stops the run after the requests in flight and quits."""
    s = session(latency=0.4)
    pid = s.start_run()
    s.tmux("send-keys", "-t", "app", "C-c")
    s.wait_for(lambda screen: "Quit while restarting?" in screen, "the quit question")
    began = time.monotonic()
    s.tmux("send-keys", "-t", "app", "Enter")
    wait_gone(pid)
    assert time.monotonic() - began < PROMPT_EXIT
    check_run(s, reason="stopped by the user")
    check_terminal_restored(s, 0)


@E2E
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=lambda s: s.name)
def test_a_signal_stops_logs_and_restores_the_terminal(session: Any, sig: signal.Signals
                                                       ) -> None:
    s = session(latency=0.4)
    pid = s.start_run()
    os.kill(pid, sig)
    assert wait_gone(pid) < PROMPT_EXIT
    outcome = check_run(s, reason=sig.name)
    seen = {i for r in s.sim.requests if r.path == RESTART_PATH for i in r.ids}
    # the batches in flight were answered in time: nothing is left unknown
    assert all(outcome[i] in ("restarted", "rejected") for i in seen)
    check_terminal_restored(s, 128 + sig)


@E2E
def test_a_server_too_slow_for_the_grace_period(session: Any) -> None:
    """The request in flight is not answered within the grace period: the app exits anyway,
    and the IDs of that request are logged `unknown` (the server did apply them)."""
    s = session(latency=8.0)
    pid = s.start_run(min_requests=1)
    os.kill(pid, signal.SIGTERM)
    assert wait_gone(pid) < PROMPT_EXIT
    outcome = check_run(s, reason="SIGTERM")
    in_flight = IDS[:10]
    assert {outcome[i] for i in in_flight} == {"unknown"}
    assert {outcome[i] for i in IDS[10:]} == {"not_sent"}
    check_terminal_restored(s, 128 + signal.SIGTERM)


@E2E
def test_a_second_signal_exits_at_once(session: Any) -> None:
    s = session(latency=8.0)
    pid = s.start_run(min_requests=1)
    os.kill(pid, signal.SIGTERM)
    s.wait_for(lambda screen: "Stopping" in screen, "the first signal taken")
    os.kill(pid, signal.SIGTERM)
    assert wait_gone(pid) < 2.5  # well inside the grace period the first one gave
    outcome = check_run(s, reason="SIGTERM")
    assert {outcome[i] for i in IDS[:10]} == {"unknown"}
    check_terminal_restored(s, 128 + signal.SIGTERM)


@E2E
def test_a_dropped_connection(session: Any) -> None:
    """The terminal itself goes away (tmux closes the pty, as sshd does when the network
    drops): SIGHUP, then every write fails. The run is still logged and the process ends."""
    s = session(latency=0.4)
    pid = s.start_run()
    s.tmux("kill-server")
    assert wait_gone(pid) < PROMPT_EXIT
    check_run(s, reason="SIGHUP")


# -- in-process (Pilot): the same endings, without a terminal -------------------------------------

async def pilot_run(tmp_path: Path, latency: float) -> tuple[Any, Simulator, Path]:
    from .helpers import make_app, make_config

    sim = Simulator(SimulatorConfig(token=TOKEN, latency=latency, per_minute=0))
    sim.start()
    run_log = tmp_path / "runs.jsonl"
    config = make_config(sim.base_url, token=TOKEN, batch_size=10, concurrency=1,
                         preflight=False)
    return make_app(config, prefill="\n".join(IDS), run_log=run_log), sim, run_log


def logged(run_log: Path) -> dict[str, str]:
    runs = history.read_runs(run_log)
    assert len(runs) == 1, runs
    assert runs[0]["interrupted"] is True
    return {i: name for name, group in runs[0]["ids"].items() for i in group}


async def test_quit_at_once_while_stopping_still_logs_the_run(tmp_path: Path) -> None:
    """ctrl+q, "Stop and quit", then ctrl+q again: the app quits without waiting for the
    request in flight, and that request's IDs are logged `unknown`, the rest `not_sent`."""
    from .helpers import confirm_run, wait_for

    app, sim, run_log = await pilot_run(tmp_path, latency=5.0)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm_run(pilot, app)
            await wait_for(pilot, lambda: sim.requests)
            progress = app.active_run()
            assert progress is not None and progress.tracker is not None
            await pilot.press("ctrl+q", "enter")  # stop and quit: waits for the request ...
            await wait_for(pilot, lambda: progress.tracker.stopping)
            assert app.return_code is None
            await pilot.press("ctrl+q")  # ... unless asked again
            await wait_for(pilot, lambda: app.return_code is not None, timeout=3)
        outcome = logged(run_log)
        assert {outcome[i] for i in IDS[:10]} == {"unknown"}
        assert {outcome[i] for i in IDS[10:]} == {"not_sent"}
    finally:
        sim.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
async def test_a_signal_mid_run_logs_and_exits(tmp_path: Path, sig: signal.Signals) -> None:
    from .helpers import confirm_run, wait_for

    app, sim, run_log = await pilot_run(tmp_path, latency=0.3)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm_run(pilot, app)
            await wait_for(pilot, lambda: len(sim.requests) >= 2)
            app.handle_signal(sig)
            await wait_for(pilot, lambda: app.return_code is not None, timeout=5)
        assert app.return_code == 128 + sig
        outcome = logged(run_log)
        seen = {i for r in sim.requests if r.path == RESTART_PATH for i in r.ids}
        assert all(outcome[i] in ("restarted", "rejected") for i in seen)
        assert all(outcome[i] == "not_sent" for i in IDS if i not in seen)
        assert sig.name in history.read_runs(run_log)[0]["stop_reason"]
    finally:
        sim.stop()


async def test_ctrl_c_without_a_run_only_says_how_to_quit(tmp_path: Path) -> None:
    from .helpers import make_app, make_config, notifications

    app = make_app(make_config(token=TOKEN))
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_focus(None)  # in the ID box, ctrl+c copies
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code is None
        assert any("to quit" in n for n in notifications(app))


async def test_a_crash_mid_run_still_logs_the_run(tmp_path: Path) -> None:
    """An unhandled error ends the app mid-run: its worker is cancelled, and the run is
    logged on the way out (the in-flight request `unknown`, the rest `not_sent`)."""
    from .helpers import confirm_run, wait_for

    app, sim, run_log = await pilot_run(tmp_path, latency=5.0)

    def boom() -> None:
        raise RuntimeError("forced crash mid-run")

    try:
        with pytest.raises(RuntimeError, match="forced crash"):
            async with app.run_test(size=(80, 24)) as pilot:
                await confirm_run(pilot, app)
                await wait_for(pilot, lambda: sim.requests)
                app.call_later(boom)
                await wait_for(pilot, lambda: app.return_code is not None, timeout=3)
        outcome = logged(run_log)
        assert {outcome[i] for i in IDS[:10]} == {"unknown"}
        assert {outcome[i] for i in IDS[10:]} == {"not_sent"}
    finally:
        sim.stop()
