"""Start-up: from launch to the first interactive screen, against a bare ``import textual.app``.

    python tests/benchmarks/bench_startup.py          # exit code 1 when a target is missed

How "first interactive screen" is measured: ``python -m geelark_tui`` (a config file with a token
and a loopback base URL, as a user has it after the first run; nothing is sent before a key is
pressed) is launched in a real terminal, a private tmux server (``tmux -L <own socket>``, never
the user's) with an 80x24 window, and ``tmux capture-pane`` is polled every few ms until the
entry screen's footer (its key bindings, e.g. ``^r Restart``) is on screen. That is what a user
sees: Python start-up, every import, reading the config, the terminal being set up, compose,
CSS and the first paint. Polling from outside, rather than a hook inside the app, keeps the app
unmodified and counts the terminal round trip; its granularity (`POLL_S`) is a few per cent of
the figure. ``--demo`` (which also imports and starts the simulator) is measured the same way,
for the record, and so is a minimal Textual app (a Static and a Footer showing the same
marker): the floor of any Textual app in this harness.

The baseline, measured in the same run: the wall time of ``python -c "import textual.app"`` as
a plain subprocess (no terminal), the floor of any Textual app. Targets (issues "Scale" and
15): median under 0.5 s, and no more than 1.6x the baseline's median. Without tmux the launch
figure is reported as skipped.

Headless start-up: the wall time of ``python -m geelark_tui restart <one new ID> --format json``
against the simulator (its own process, no latency, on 127.0.0.1 over plain http), from launch
to exit: Python start-up, imports, config, the client, one real restart request and its
answer, the run log, the JSON on stdout. Median of `RUNS`, interleaved with the baseline;
target: no more than 0.8x the bare ``import textual.app``.

Also measured: the headless command never imports textual (``python -X importtime -m
geelark_tui restart`` with no IDs, and ``restart --help``), and how long those take.
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import TOKEN, IdSource, SimProcess

RUNS = 7
POLL_S = 0.005
TIMEOUT_S = 20.0
TARGET_S = 0.5
TARGET_RATIO = 1.6
TARGET_HEADLESS_RATIO = 0.8
SIZE = (80, 24)
# Any of these on screen means the entry screen is up with its bindings live.
MARKERS = ("^r Restart", "^q Quit")
BARE = [sys.executable, "-c", "import textual.app"]
APP = [sys.executable, "-m", "geelark_tui"]
DEMO = [*APP, "--demo"]
CONFIG = """[api]
auth_method = "token"
token = "bench-token-0123456789"
base_url = "http://127.0.0.1:9"
"""
# The harness's own share of the launch figure: tmux starting a Python that prints a marker.
FLOOR = [sys.executable, "-c", f"import time; print({MARKERS[0]!r}, flush=True); time.sleep(0.3)"]
# The floor of any Textual app in the same harness: a Static and a compact Footer showing the
# same `^q Quit` marker as ours.
MINIMAL = [sys.executable, "-c", """
from textual.app import App
from textual.binding import Binding
from textual.widgets import Footer, Static

class Minimal(App):
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def compose(self):
        yield Static("a minimal Textual app")
        yield Footer(compact=True)

Minimal().run()
"""]
# The floor of the headless figure: the same restart request from the shortest script on the
# product's fixed stack (asyncio, httpx and what httpx loads for a request: httpcore, h11,
# anyio), with none of our code; trio and httpx's own CLI kept out as our package does, and no
# certificates loaded (plain http: `verify=False` checks nothing that would be checked).
HTTPX_FLOOR = [sys.executable, "-c", """
import sys
sys.modules["trio"] = sys.modules["httpx._main"] = None
import asyncio, os, httpx

async def main(url, token, task_id):
    async with httpx.AsyncClient(base_url=url, verify=False) as client:
        answer = await client.post("/open/v1/task/restart", json={"ids": [task_id]},
                                   headers={"Authorization": f"Bearer {token}",
                                            "traceId": os.urandom(16).hex().upper()})
        assert answer.json()["code"] == 0, answer.text

asyncio.run(main(*sys.argv[1:]))
"""]
# What the launched app gets from `_isolated_env` (tmux starts it with the server's environment).
_PASSED = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
           "GEELARK_TUI_CONFIG", "TERM", "PYTHONPYCACHEPREFIX")


def _isolated_env(home: Path) -> dict[str, str]:
    """An environment that cannot read or write the real user's config or data.

    Byte code goes to a private cache (``PYTHONPYCACHEPREFIX``) that the warm-up run fills, for
    textual and for us alike: a user's second start never compiles anything, even where
    ``PYTHONDONTWRITEBYTECODE`` is set (as in CI containers) or the checkout is read-only.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GEELARK_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPYCACHEPREFIX=str(home / "pycache"), HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"), XDG_STATE_HOME=str(home / ".local/state"),
        GEELARK_TUI_CONFIG=str(home / "config.toml"), TERM="xterm-256color",
    )
    return env


def time_bare(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(BARE, env=env, check=True)
    return time.perf_counter() - start


class _Tmux:
    """A private tmux server on its own socket, removed on close."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"geelark-bench-{os.getpid()}"
        self.env = env
        self._n = 0
        # One idle session keeps the server up, so each launch pays only for its own window.
        self._tmux("new-session", "-d", "-s", "idle", "-x", str(SIZE[0]), "-y", str(SIZE[1]),
                   "sleep 3600")
        self._path = self._tmux("display-message", "-p", "#{socket_path}").stdout.strip()

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, *args], env=self.env, check=check,
                              capture_output=True, text=True)

    def _start(self, argv: list[str], extra_env: dict[str, str] | None = None) -> str:
        """Start `argv` in a window of its own, with `_PASSED` of the environment (and
        `extra_env`); the window's name."""
        self._n += 1
        name = f"run{self._n}"
        passed = {**{k: self.env[k] for k in _PASSED}, **(extra_env or {})}
        command = shlex.join(["env", "-u", "PYTHONDONTWRITEBYTECODE",
                              *(f"{k}={v}" for k, v in passed.items()), *argv])
        self._tmux("new-session", "-d", "-s", name, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
                   command)
        return name

    def _gone(self, name: str, seconds: float, every: float) -> bool:
        """Wait up to `seconds` for the window `name` to close; whether it did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._tmux("has-session", "-t", name, check=False).returncode != 0:
                return True
            time.sleep(every)
        return False

    def run(self, argv: list[str], extra_env: dict[str, str] | None = None,
            timeout: float = 300.0) -> None:
        """Run `argv` in a window of its own until it ends."""
        name = self._start(argv, extra_env)
        if not self._gone(name, timeout, 0.2):
            self._tmux("kill-session", "-t", name, check=False)
            raise TimeoutError(f"{argv} still running after {timeout} s")

    def launch(self, argv: list[str]) -> tuple[float, str]:
        """Seconds from launch until a marker is on screen, and the screen at that moment."""
        start = time.perf_counter()
        name = self._start(argv)
        screen = ""
        try:
            while time.perf_counter() - start < TIMEOUT_S:
                screen = self._tmux("capture-pane", "-p", "-t", name, check=False).stdout
                if any(marker in screen for marker in MARKERS):
                    return time.perf_counter() - start, screen
                time.sleep(POLL_S)
            raise TimeoutError(f"no {MARKERS} on screen after {TIMEOUT_S} s:\n{screen}")
        finally:
            self._quit(name)

    def _quit(self, name: str) -> None:
        self._tmux("send-keys", "-t", name, "C-q", check=False)
        if not self._gone(name, 5.0, 0.02):
            self._tmux("kill-session", "-t", name, check=False)

    def close(self) -> None:
        self._tmux("kill-server", check=False)
        if self._path:  # tmux leaves its socket file behind
            Path(self._path).unlink(missing_ok=True)


def time_headless_restart(env: dict[str, str], url: str, task_id: str) -> float:
    """Wall time of a headless restart of one ID with a real request; checks it restarted."""
    argv = [sys.executable, "-m", "geelark_tui", "restart", task_id, "--format", "json",
            "--base-url", url]
    start = time.perf_counter()
    proc = subprocess.run(argv, env={**env, "GEELARK_TOKEN": TOKEN},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or '"restarted": 1' not in proc.stdout:
        raise RuntimeError(f"restart of {task_id} exited {proc.returncode}: {proc.stderr}")
    return seconds


def time_httpx_floor(env: dict[str, str], url: str, task_id: str) -> float:
    """Wall time of `HTTPX_FLOOR` restarting one ID (checked: the answer's code is 0)."""
    start = time.perf_counter()
    subprocess.run([*HTTPX_FLOOR, url, TOKEN, task_id], env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    return time.perf_counter() - start


def headless_imports(env: dict[str, str]) -> dict[str, Any]:
    """Wall time and imports of the headless paths: `restart` (no IDs: exits 2 after loading
    everything a run needs) and `restart --help`. `*_textual_modules` must be 0."""
    out: dict[str, Any] = {}
    for key, args in (("restart_help", ["restart", "--help"]), ("restart", ["restart"])):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "geelark_tui", *args],
                              env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        out[f"{key}_s"] = time.perf_counter() - start
        modules = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                   if line.startswith("import time:")]
        roots = [name.split(".")[0] for name in modules]
        out[f"{key}_textual_modules"] = roots.count("textual")
        out[f"{key}_rich_modules"] = roots.count("rich")
        out[f"{key}_exit"] = proc.returncode
    return out


def run(runs: int = RUNS) -> dict[str, Any]:
    """Medians in seconds; `launch_s` is None when tmux is not installed."""
    with tempfile.TemporaryDirectory(prefix="geelark-bench-") as tmp:
        env = _isolated_env(Path(tmp))
        Path(env["GEELARK_TUI_CONFIG"]).write_text(CONFIG)
        time_bare(env)  # warm the file cache and .pyc files for both
        out: dict[str, Any] = {"runs": runs, "target_s": TARGET_S, "target_ratio": TARGET_RATIO}
        bare: list[float] = []
        launch: list[float] = []
        demo: list[float] = []
        floor: list[float] = []
        minimal: list[float] = []
        one: list[float] = []
        httpx_floor: list[float] = []
        tmux = _Tmux(env) if shutil.which("tmux") else None
        sim = SimProcess(0.0)
        ids = IdSource().take(2 * runs + 2)
        try:
            time_headless_restart(env, sim.url, ids.pop())  # warm-up, not counted
            time_httpx_floor(env, sim.url, ids.pop())
            if tmux is not None:
                tmux.launch(APP)  # warm-up, not counted
                tmux.launch(DEMO)
                tmux.launch(MINIMAL)
            for _ in range(runs):  # interleaved, so a busy moment hits each alike
                bare.append(time_bare(env))
                one.append(time_headless_restart(env, sim.url, ids.pop()))
                httpx_floor.append(time_httpx_floor(env, sim.url, ids.pop()))
                if tmux is not None:
                    launch.append(tmux.launch(APP)[0])
                    demo.append(tmux.launch(DEMO)[0])
                    floor.append(tmux.launch(FLOOR)[0])
                    minimal.append(tmux.launch(MINIMAL)[0])
        finally:
            sim.close()
            if tmux is not None:
                tmux.close()
        out["headless_one_s"] = statistics.median(one)
        out["headless_one_runs_s"] = one
        out["headless_one_ratio"] = out["headless_one_s"] / statistics.median(bare)
        out["httpx_floor_s"] = statistics.median(httpx_floor)
        out["httpx_floor_runs_s"] = httpx_floor
        out["httpx_floor_ratio"] = out["httpx_floor_s"] / statistics.median(bare)
        out["bare_import_s"] = statistics.median(bare)
        out["bare_runs_s"] = bare
        out["launch_runs_s"] = launch
        out["launch_s"] = statistics.median(launch) if launch else None
        out["demo_s"] = statistics.median(demo) if demo else None
        out["demo_runs_s"] = demo
        out["ratio"] = out["launch_s"] / out["bare_import_s"] if launch else None
        out["harness_floor_s"] = statistics.median(floor) if floor else None
        out["minimal_s"] = statistics.median(minimal) if minimal else None
        out["minimal_runs_s"] = minimal
        out.update(headless_imports(env))
    return out


def passed(r: dict[str, Any]) -> bool:
    launch_ok = r["launch_s"] is None or (r["launch_s"] < TARGET_S
                                          and r["ratio"] <= TARGET_RATIO)
    return bool(launch_ok and r["restart_textual_modules"] == 0
                and r["restart_help_textual_modules"] == 0
                and r["headless_one_ratio"] <= TARGET_HEADLESS_RATIO)


def rows(r: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str, bool | None]]:
    """(figure, ours, baseline, ratio, target, met) rows for the summary table."""
    bare = f"{r['bare_import_s']:.3f} s (import textual.app)"
    if r["launch_s"] is None:
        yield ("start-up to first interactive screen (median)", "skipped: no tmux", bare,
               "-", f"< {TARGET_S} s, <= {TARGET_RATIO}x", None)
    else:
        yield (f"start-up to first interactive screen (median of {r['runs']})",
               f"{r['launch_s']:.3f} s", bare, f"{r['ratio']:.2f}x",
               f"< {TARGET_S} s and <= {TARGET_RATIO:g}x",
               r["launch_s"] < TARGET_S and r["ratio"] <= TARGET_RATIO)
        yield ("the same with --demo (the simulator imported and started too), for the record",
               f"{r['demo_s']:.3f} s", bare, f"{r['demo_s'] / r['bare_import_s']:.2f}x", "-",
               None)
        yield ("terminal harness floor (tmux starting a Python that prints the marker)",
               f"{r['harness_floor_s']:.3f} s", "-", "-", "-", None)
        yield ("a minimal Textual app (a Static and a Footer) in the same harness, for the "
               "record: the floor of any Textual app",
               f"{r['minimal_s']:.3f} s", bare, f"{r['minimal_s'] / r['bare_import_s']:.2f}x",
               "-", None)
    yield ("headless `restart` of 1 ID with a real request (loopback http), wall time",
           f"{r['headless_one_s']:.3f} s", bare, f"{r['headless_one_ratio']:.2f}x",
           f"<= {TARGET_HEADLESS_RATIO}x", r["headless_one_ratio"] <= TARGET_HEADLESS_RATIO)
    yield ("the same request from a 10-line script on asyncio and httpx, none of our code, "
           "for the record: the floor of that figure on this stack",
           f"{r['httpx_floor_s']:.3f} s", bare, f"{r['httpx_floor_ratio']:.2f}x", "-", None)
    n = r["restart_textual_modules"] + r["restart_help_textual_modules"]
    yield ("headless `restart` with no ID (exits 2) / `restart --help`: wall time, textual "
           "modules imported",
           f"{r['restart_s']:.3f} s / {r['restart_help_s']:.3f} s, {n} textual modules",
           bare, f"{r['restart_s'] / r['bare_import_s']:.2f}x", "0 textual modules", n == 0)


def report(r: dict[str, Any]) -> str:
    lines = [f"{row[0]}: {row[1]} | baseline {row[2]} | {row[3]} | target {row[4]}"
             + ("" if row[5] is None else " | " + ("ok" if row[5] else "MISSED"))
             for row in rows(r)]
    lines.append("  launch runs: " + ", ".join(f"{s:.3f}" for s in r["launch_runs_s"])
                 + " s; demo runs: " + ", ".join(f"{s:.3f}" for s in r["demo_runs_s"])
                 + " s; bare runs: " + ", ".join(f"{s:.3f}" for s in r["bare_runs_s"]) + " s"
                 + "; minimal app: " + ", ".join(f"{s:.3f}" for s in r["minimal_runs_s"]) + " s"
                 + "; headless 1 ID: " + ", ".join(f"{s:.3f}" for s in r["headless_one_runs_s"])
                 + " s; httpx script: "
                 + ", ".join(f"{s:.3f}" for s in r["httpx_floor_runs_s"]) + " s")
    return "\n".join(lines)


if __name__ == "__main__":
    result = run()
    print(report(result))
    sys.exit(0 if passed(result) else 1)
