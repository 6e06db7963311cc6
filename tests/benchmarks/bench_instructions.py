"""Start-up in instructions, not seconds: the same comparisons as `bench_startup`, counted.

    python tests/benchmarks/bench_instructions.py      # about a minute; needs valgrind

`bench_startup`'s wall times move by a fifth between runs on a shared machine (its bare
``import textual.app`` took 0.28-0.41 s within one run). Here each command runs once under
valgrind's callgrind, which counts the instructions the process executes: the same count, to
a few tenths of a per cent, on any run and any load. What it leaves out is waiting (the terminal,
the network, the disk), so these ratios are lower bounds of the wall-time ratios, whose
harness adds the same waits to both sides.

Counted, each against ``python -c "import textual.app"``:
* the first screen of the app: ``python -m geelark_tui`` in a private tmux window at 80x24 (a
  config file with a token, as `bench_startup` has it), stopped by `_FIRST_FRAME` right after
  Textual handed its driver the first frame showing the footer's keys (what `bench_startup`
  waits for on screen); a minimal Textual app (a Static and a Footer) the same way;
* the headless ``restart`` of one ID with a real request to the simulator (its own process, not
  counted), and `bench_startup.HTTPX_FLOOR`, the same request from a 10-line script.

For the record only (no targets: those are `bench_startup`'s, on wall time). Without valgrind,
or tmux for the app's rows, the rows say skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import TOKEN, IdSource, SimProcess
from bench_startup import BARE, CONFIG, HTTPX_FLOOR, MINIMAL, _isolated_env, _Tmux

TIMEOUT_S = 300.0
# Run as `python -c _FIRST_FRAME <app|minimal> [code] ` with `_DONE` in the environment: the app
# (or the minimal one) exits as soon as a frame showing the footer's keys has been handed to the
# driver (`App._display`, release pinned), and says so in the file `_DONE` names. Not merely a
# frame with the bindings active: Textual's Footer draws its keys a frame after the rest.
_DONE = "GEELARK_BENCH_DONE"
_FIRST_FRAME = """
import os, sys
import textual.app
shown = textual.app.App._display
def _display(self, screen, renderable):
    shown(self, screen, renderable)
    if renderable is not None and any(key.region for key in screen.query("FooterKey")):
        with open(os.environ["GEELARK_BENCH_DONE"], "w") as done:
            done.write("first frame")
        os._exit(0)
textual.app.App._display = _display
if sys.argv[1] == "app":
    from geelark_tui.cli import main
    sys.exit(main([]))
exec(sys.argv[2])
"""
_COLLECTED = re.compile(r"Collected : (\d+)")


def _count(argv: list[str], env: dict[str, str], tmux: _Tmux | None = None) -> int:
    """Instructions `argv` executes, under callgrind; in a window of `tmux` when given (the
    app needs a terminal)."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as tmp:
        log, done = Path(tmp) / "log", Path(tmp) / "done"
        valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                    f"--log-file={log}", *argv]
        if tmux is None:
            proc = subprocess.run(valgrind, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
            if proc.returncode != 0:  # a failed run is not a figure
                raise RuntimeError(f"{argv} exited {proc.returncode}: {proc.stderr[-2000:]}")
        else:
            tmux.run(valgrind, {_DONE: str(done)}, timeout=TIMEOUT_S)
            if not done.exists():
                raise RuntimeError(f"{argv} ended before its first frame")
        found = _COLLECTED.search(log.read_text())
    if found is None:
        raise RuntimeError(f"callgrind counted nothing for {argv}")
    return int(found.group(1))


def run() -> dict[str, Any]:
    """Instruction counts (None: skipped) and their ratios to the bare import."""
    out: dict[str, Any] = {}
    if shutil.which("valgrind") is None:
        return {"skipped": "valgrind is not installed"}
    with tempfile.TemporaryDirectory(prefix="geelark-bench-") as tmp:
        env = _isolated_env(Path(tmp))
        Path(env["GEELARK_TUI_CONFIG"]).write_text(CONFIG)
        subprocess.run(BARE, env=env, check=True)  # byte code compiled, files cached
        out["bare"] = _count(BARE, env)
        sim = SimProcess(0.0)
        try:
            one, floor_id, *warm = IdSource().take(4)
            restart = [sys.executable, "-m", "geelark_tui", "restart", one, "--format", "json",
                       "--base-url", sim.url]
            headless_env = {**env, "GEELARK_TOKEN": TOKEN}
            # Warm-up runs (byte code compiled, files cached), not counted.
            subprocess.run([*restart[:4], warm[0], *restart[5:]], env=headless_env,
                           capture_output=True, check=True)
            subprocess.run([*HTTPX_FLOOR, sim.url, TOKEN, warm[1]], env=env,
                           capture_output=True, check=True)
            out["headless_one"] = _count(restart, headless_env)
            out["httpx_floor"] = _count([*HTTPX_FLOOR, sim.url, TOKEN, floor_id], env)
        finally:
            sim.close()
        if shutil.which("tmux") is not None:
            tmux = _Tmux(env)
            try:
                for key, which in (("first_screen", ["app"]),
                                   ("minimal", ["minimal", MINIMAL[2]])):
                    argv = [sys.executable, "-c", _FIRST_FRAME, *which]
                    # byte code compiled, files cached
                    tmux.run(argv, {_DONE: str(Path(tmp) / "warm")}, timeout=TIMEOUT_S)
                    out[key] = _count(argv, env, tmux=tmux)
            finally:
                tmux.close()
    for key in ("headless_one", "httpx_floor", "first_screen", "minimal"):
        if key in out:
            out[f"{key}_ratio"] = out[key] / out["bare"]
    return out


def rows(r: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str, bool | None]]:
    """(figure, ours, baseline, ratio, target, met) rows for the summary table."""
    if "skipped" in r:
        yield ("start-up in instructions (callgrind)", f"skipped: {r['skipped']}", "-", "-",
               "-", None)
        return
    bare = f"{r['bare'] / 1e6:,.0f} M (import textual.app)"
    figures = (("first_screen", "first screen of the app, in instructions"),
               ("minimal", "a minimal Textual app (a Static and a Footer), in instructions"),
               ("headless_one", "headless `restart` of 1 ID with a real request, in "
                                "instructions"),
               ("httpx_floor", "the same request from a 10-line script on asyncio and httpx, "
                               "in instructions"))
    for key, label in figures:
        if key in r:
            yield (label, f"{r[key] / 1e6:,.0f} M", bare, f"{r[f'{key}_ratio']:.2f}x", "-",
                   None)
        else:
            yield (label, "skipped: no tmux", bare, "-", "-", None)


def report(r: dict[str, Any]) -> str:
    return "\n".join(" | ".join(row[:4]) for row in rows(r))


if __name__ == "__main__":
    print(report(run()))
