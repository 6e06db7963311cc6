"""100,000 IDs in the real app: stalls, time to what the user waits for, CPU and memory.

    python tests/benchmarks/bench_tui.py            # exit code 1 when a target is missed

The scenario (issue 15), without and with the pre-flight, three times each (`RUNS`,
``BENCH_TUI_RUNS``), interleaved, each run in a fresh process; every figure is the median of
its runs (a single worst gap moves by a third between runs of the same code on these shared
machines), and the report lists each run's own. The scenario: the real `GeeLarkApp` under
Pilot at 80x24; the simulator in its own process (20 ms latency, no rate limit of its own);
10 requests in flight; 100,000 IDs pasted (one a line, 2 MB), then ``ctrl+r``, ``enter`` as
soon as the confirmation allows it, and the run to the results grid. A 10 ms asyncio ticker
in the app's event loop records every gap between its ticks: a gap is a stall the user feels
(keys and paints wait for it).

Pacing: GeeLark's 200 requests a minute would make 1,000 requests take 5 minutes, and the
product's limits stay as they are (`RunSettings` refuses more than 200). So the app gets an
`AppContext` whose `pacer()` has no window (`UnpacedContext`), and the headless command a
`Pacer.for_api` with none (`_unpaced_headless`), as `bench_engine` gives `RestartRun` one.

"Shown" means painted: the benchmark's app records each frame the screen hands to the driver
(`FrameApp._display`), and a figure ends at the first frame after its condition holds.

Figures, each with a baseline measured in the same run:

* stalls (longest tick gap) while pasting, during the run (``ctrl+r`` to the engine's
  `RunFinished`, the pre-flight and ``enter`` included) and at the end (`RunFinished` to one
  second after the results are painted); baseline: the longest gap of the same ticker over one
  second of the app sitting idle (the machine's own noise).
* paste -> live counts painted; baseline: `parse_ids` on the same text in the same process.
* finished (`RunFinished`) -> results grid painted; baseline: a bare app painting a
  `ResultsGrid` of the same 100,000 results.
* CPU of the app from ``ctrl+r`` to the results painted, against the same run headless
  (``geelark-tui restart --ids-file ... --format json``, in its own process, minus its parse).
* RSS the paste adds (after it settled and a `gc.collect()`); baseline: the pasted text's size.
* RSS peak of the headless command over 100,000 IDs, without and with ``--preflight``;
  baseline: the same command with 1 ID.

Start-up (first screen in tmux, headless ``restart`` of one ID) is `bench_startup`; run as a
script, this module prints its figures too, so the whole table of the issue is in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from app_probes import MIB, GcPauses, StallSampler, Ticker, peak_rss_mib, rss_mib  # noqa: E402
from bench_engine import (  # noqa: E402
    LATENCY,
    TOKEN,
    IdSource,
    SimProcess,
    machine_busy,
    unpaced,
)

N_IDS = int(os.environ.get("BENCH_TUI_IDS", 100_000))  # fewer only to try the benchmark out
RUNS = int(os.environ.get("BENCH_TUI_RUNS", 3))  # of each scenario; the figures are medians
CONCURRENCY = 10
SETTLE_S = 1.0  # after a figure's end, stalls are still counted this long
SIZE = (80, 24)
_MARK = "@@bench-tui@@ "
PROFILE_ENV = "BENCH_TUI_PROFILE"  # where to write a profile of the run (needs pyinstrument)
STALLS_ENV = "BENCH_TUI_STALLS"  # set: sample where stalls go (`StallSampler`)

TARGETS = {
    "paste_stall_s": 0.100,
    "paste_to_counts_s": 0.5,
    "run_stall_s": 0.050,
    "end_stall_s": 0.100,
    "finished_to_results_s": 0.2,
    "cpu_ratio": 1.15,
    "paste_rss_mib": 40.0,
    "headless_rss_mib": 120.0,
}


# -- the app's side (a child process per scenario) ---------------------------------------------


def _profiler() -> Any:
    """With `PROFILE_ENV` set (a path), pyinstrument profiles ctrl+r to the results painted."""
    if not os.environ.get(PROFILE_ENV):
        return None
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    return profiler


def _app_scenario(url: str, preflight: bool, first: int) -> dict[str, Any]:
    from textual.app import App
    from textual.events import Paste

    from geelark_tui.config import load_config
    from geelark_tui.configstore import save_config
    from geelark_tui.context import AppContext
    from geelark_tui.events import RunFinished
    from geelark_tui.ids import parse_ids
    from geelark_tui.pacing import Pacer
    from geelark_tui.session import RunSession
    from geelark_tui.tui.app import GeeLarkApp
    from geelark_tui.tui.screens.confirm import RestartConfirmScreen
    from geelark_tui.tui.screens.results import ResultsScreen
    from geelark_tui.tui.widgets.id_stats import IdStats

    class ObservedSession(RunSession):
        """Notes when the engine says the run is over (whoever else listens)."""

        finished_at: float | None = None

        @property  # type: ignore[override]
        def on_event(self) -> Callable[[Any], None]:
            return self._observe

        @on_event.setter
        def on_event(self, handler: Callable[[Any], None] | None) -> None:
            def observe(event: Any) -> None:
                if isinstance(event, RunFinished) and self.finished_at is None:
                    self.finished_at = time.perf_counter()
                if handler is not None:
                    handler(event)

            self._observe = observe

    @dataclass
    class UnpacedContext(AppContext):
        """The app's context with no request pacing and observed sessions."""

        unpaced_pacer: Pacer = field(default_factory=unpaced)
        sessions: list[ObservedSession] = field(default_factory=list)

        def pacer(self, settings: Any = None) -> Pacer:
            return self.unpaced_pacer

        def session(self, plan: Any) -> RunSession:
            session = ObservedSession(plan, self.client(plan), self.pacer(),
                                      config=self.config, run_log=self.run_log,
                                      scrub=self.scrub, secrets=self.secrets)
            self.sessions.append(session)
            return session

    class FrameApp(GeeLarkApp):
        """Records when each frame of each screen is handed to the driver."""

        frames: list[tuple[float, object]]

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                self.frames.append((time.perf_counter(), screen))

    ids = IdSource(first).take(N_IDS)
    text = "\n".join(ids)
    tmp = Path(tempfile.mkdtemp(prefix="geelark-bench-tui-"))
    config = load_config(tmp / "config.toml", env={})
    config.api = replace(config.api, base_url=url, auth_method="token", token=TOKEN,
                         app_id="", api_key="")
    config.submit = replace(config.submit, batch_size=100, concurrency=CONCURRENCY,
                            preflight=preflight)
    save_config(config)
    context = UnpacedContext(config, run_log=tmp / "runs.jsonl")
    app = FrameApp(context)
    app.frames = []
    out: dict[str, Any] = {"preflight": preflight, "ids": N_IDS}

    def first_frame_after(moment: float, screen_type: type[Any] | None = None) -> float | None:
        for when, screen in app.frames:
            if when > moment and (screen_type is None or isinstance(screen, screen_type)):
                return when
        return None

    async def until(condition: Callable[[], bool], timeout: float = 120.0) -> float:
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"waited {timeout} s for {condition}")
            await asyncio.sleep(0.002)
        return time.perf_counter()

    async def painted(condition: Callable[[], bool], screen_type: type[Any] | None = None) -> float:
        held = await until(condition)
        shown: list[float] = []

        def frame() -> bool:
            when = first_frame_after(held, screen_type)
            if when is not None:
                shown.append(when)
            return when is not None

        await until(frame)
        return shown[0]

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            ticker = Ticker(sampler=StallSampler() if os.environ.get(STALLS_ENV) else None)
            collections = GcPauses()
            ticker.start()
            await pilot.pause()
            await asyncio.sleep(1.5)  # start-up done, the client made after the first paint
            idle_from = time.perf_counter()
            await asyncio.sleep(1.0)
            out["idle_stall_s"] = ticker.longest(idle_from, time.perf_counter())

            gc.collect()
            rss_before = rss_mib()
            await asyncio.sleep(0.05)  # the collection's own gap is no one's stall
            stats = app.screen.query_one(IdStats)
            pasted = time.perf_counter()
            app.post_message(Paste(text))
            counts = await painted(lambda: f"{N_IDS:,} unique IDs" in str(
                stats.query_one("#id-counts").render()))
            await asyncio.sleep(SETTLE_S)
            out["paste_to_counts_s"] = counts - pasted
            out["paste_stall_s"] = ticker.longest(pasted, counts + SETTLE_S)
            out["paste_stall_cpu_s"] = ticker.longest(pasted, counts + SETTLE_S, cpu=True)
            gc.collect()
            out["paste_rss_mib"] = rss_mib() - rss_before
            out["text_mib"] = len(text) / MIB
            await asyncio.sleep(0.05)

            profiler = _profiler()
            cpu0, asked = time.process_time(), time.perf_counter()
            pressing = asyncio.create_task(pilot.press("ctrl+r"))
            await until(lambda: isinstance(app.screen, RestartConfirmScreen)
                        and not app.screen.looking)
            ready = time.perf_counter()
            out["confirm_ready_s"] = ready - asked
            await pressing
            confirming = asyncio.create_task(pilot.press("enter"))
            await until(lambda: bool(context.sessions) and
                        context.sessions[-1].finished_at is not None)
            finished = context.sessions[-1].finished_at
            assert finished is not None
            shown = await painted(lambda: isinstance(app.screen, ResultsScreen), ResultsScreen)
            cpu = time.process_time() - cpu0
            if profiler is not None:
                profiler.stop()
                Path(os.environ[PROFILE_ENV]).with_suffix(f".{int(preflight)}.txt").write_text(
                    profiler.output_text(unicode=False, color=False, show_all=True))
            await asyncio.sleep(SETTLE_S)
            await confirming
            out["lookup_stall_s"] = ticker.longest(asked, ready) if preflight else None
            out["run_stall_s"] = ticker.longest(asked, finished)
            out["end_stall_s"] = ticker.longest(finished, shown + SETTLE_S)
            out["run_stall_cpu_s"] = ticker.longest(asked, finished, cpu=True)
            out["end_stall_cpu_s"] = ticker.longest(finished, shown + SETTLE_S, cpu=True)
            out["finished_to_results_s"] = shown - finished
            out["app_cpu_s"] = cpu
            pauses = collections.within(asked, shown + SETTLE_S)
            out["gc2_pauses"] = len(pauses)
            out["gc2_longest_s"] = max(pauses, default=0.0)
            out["run_s"] = finished - asked
            screen = app.screen
            assert isinstance(screen, ResultsScreen)
            out["restarted"] = sum(1 for r in screen.results if r.outcome.value == "restarted")
            out["app_peak_rss_mib"] = peak_rss_mib()
            ticker.stop()
            if ticker.sampler is not None:
                out["stall_stacks"] = ticker.sampler.top()
            await pilot.press("ctrl+q")

    asyncio.run(scenario())

    # Baselines in this process: the parse alone, and a bare app painting the same grid.
    start = time.perf_counter()
    parse_ids(text)
    out["parse_s"] = time.perf_counter() - start
    out["grid_alone_s"] = _grid_alone(App, ids)
    return out


def _grid_alone(app_type: type[Any], ids: list[str]) -> float:
    from geelark_tui.api.models import IdResult, Outcome
    from geelark_tui.tui import stylesheets
    from geelark_tui.tui.widgets.results_grid import ResultsGrid

    results = [IdResult(i, Outcome.RESTARTED, 0, "restarted") for i in ids]
    shown: list[float] = []

    class Bare(app_type):  # type: ignore[misc,valid-type]
        CSS_PATH = stylesheets.EVERY

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None and self.query(ResultsGrid):
                shown.append(time.perf_counter())

    async def paint() -> float:
        app = Bare()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            await app.mount(ResultsGrid(results))
            while not shown:
                await asyncio.sleep(0.002)
            return shown[0] - start

    return asyncio.run(paint())


def _headless_scenario(url: str, preflight: bool, first: int, n: int) -> dict[str, Any]:
    """`geelark-tui restart` as a user runs it, its `Pacer.for_api` without a window."""
    import geelark_tui.headless as headless
    from geelark_tui.cli import main
    from geelark_tui.pacing import Pacer

    class Unpaced(Pacer):
        @classmethod
        def for_api(cls, per_minute: int, per_hour: int, clock: Any = None) -> Pacer:
            return unpaced()

    parse_cpu = [0.0]
    real_parse = headless.parse_ids

    def timed_parse(text: str) -> Any:
        start = time.process_time()
        try:
            return real_parse(text)
        finally:
            parse_cpu[0] += time.process_time() - start

    headless.Pacer = Unpaced  # type: ignore[misc]
    headless.parse_ids = timed_parse  # type: ignore[assignment]
    tmp = Path(tempfile.mkdtemp(prefix="geelark-bench-headless-"))
    ids_file = tmp / "ids.txt"
    ids_file.write_text("\n".join(IdSource(first).take(n)))
    os.environ.update(HOME=str(tmp), GEELARK_TUI_CONFIG=str(tmp / "config.toml"),
                      GEELARK_TOKEN=TOKEN, XDG_STATE_HOME=str(tmp / "state"),
                      XDG_DATA_HOME=str(tmp / "data"), XDG_CONFIG_HOME=str(tmp / "config"))
    argv = ["restart", "--ids-file", str(ids_file), "--format", "json", "--base-url", url,
            "--concurrency", str(CONCURRENCY), *(["--preflight"] if preflight else [])]
    stdout, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # the JSON document is written as for a user, to /dev/null
    cpu = time.process_time()
    try:
        code = main(argv)
    finally:
        sys.stdout.flush()
        os.dup2(stdout, 1)
    cpu = time.process_time() - cpu
    return {"exit": code, "cpu_s": cpu - parse_cpu[0], "parse_cpu_s": parse_cpu[0],
            "peak_rss_mib": peak_rss_mib()}


# -- the parent: the simulator, the children, the figures -------------------------------------


def _child(kind: str, url: str, preflight: bool, first: int, n: int = N_IDS) -> dict[str, Any]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", kind, url,
            "1" if preflight else "0", str(first), str(n)]
    proc = subprocess.run(argv, capture_output=True, text=True)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_MARK):
            result: dict[str, Any] = json.loads(line[len(_MARK):])
            return result
    raise RuntimeError(f"{kind} child exited {proc.returncode}:\n{proc.stderr[-3000:]}")


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One scenario's figures over its runs: the median of each number (a single worst gap
    moves by a third between runs of the same code here), the worst of `exit` and
    `restarted`, and every run's own figures under `runs`."""
    out: dict[str, Any] = {"runs": runs}
    for key, value in runs[0].items():
        values = [run[key] for run in runs]
        if key == "exit":
            out[key] = next((v for v in values if v != 0), 0)
        elif key == "restarted":
            out[key] = min(values)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and all(
                isinstance(v, (int, float)) for v in values):
            out[key] = statistics.median(values)
        else:
            out[key] = value
    return out


def run(runs: int = RUNS) -> dict[str, Any]:
    """Each scenario `runs` times, interleaved (a busy spell of the machine hits each alike),
    each run in a fresh process and with IDs of its own; the figures are the medians."""
    sim = SimProcess(LATENCY)
    out: dict[str, Any] = {"ids": N_IDS, "concurrency": CONCURRENCY, "latency_s": LATENCY,
                           "scenario_runs": runs}
    start, busy0, sim0 = time.perf_counter(), machine_busy(), sim.cpu()
    ours0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    each: dict[str, list[dict[str, Any]]] = {}
    try:
        first = 0
        for _ in range(runs):
            for preflight in (False, True):
                key = "preflight" if preflight else "plain"
                each.setdefault(f"app_{key}", []).append(
                    _child("app", sim.url, preflight, first))
                each.setdefault(f"headless_{key}", []).append(
                    _child("headless", sim.url, preflight, first + N_IDS))
                first += 2 * N_IDS
        out["headless_one"] = _child("headless", sim.url, False, first, 1)
        seconds, busy1, sim1 = time.perf_counter() - start, machine_busy(), sim.cpu()
    finally:
        sim.close()
    out.update({key: _median_of(results) for key, results in each.items()})
    ours1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if busy0 is not None and busy1 is not None:
        ours = (ours1.ru_utime + ours1.ru_stime - ours0.ru_utime - ours0.ru_stime)
        out["other_load_cpus"] = max(0.0, busy1 - busy0 - ours - (sim1 - sim0)) / seconds
    return out


def _figures(r: dict[str, Any]) -> Iterator[tuple[str, float, str, str, str, float, bool]]:
    """(figure, ours, unit, baseline text, ratio text, target, met) for every figure."""
    plain, pre = r["app_plain"], r["app_preflight"]
    hp, hq, one = r["headless_plain"], r["headless_preflight"], r["headless_one"]
    ms = 1000.0
    idle = max(plain["idle_stall_s"], pre["idle_stall_s"])
    idle_text = f"{idle * ms:.0f} ms (the app idle, same ticker)"

    def ratio(ours: float, base: float) -> str:
        return f"{ours / base:.1f}x" if base else "-"

    stall = max(plain["paste_stall_s"], pre["paste_stall_s"])
    yield (f"longest stall while pasting {N_IDS:,} IDs", stall * ms, "ms", idle_text,
           ratio(stall, idle), TARGETS["paste_stall_s"] * ms,
           stall <= TARGETS["paste_stall_s"])
    shown = max(plain["paste_to_counts_s"], pre["paste_to_counts_s"])
    parse = min(plain["parse_s"], pre["parse_s"])
    yield ("paste -> live counts shown", shown, "s", f"{parse:.2f} s (parse_ids alone)",
           ratio(shown, parse), TARGETS["paste_to_counts_s"],
           shown <= TARGETS["paste_to_counts_s"])
    for name, a in (("", plain), (", pre-flight", pre)):
        yield (f"longest stall at the end of the run{name}", a["end_stall_s"] * ms, "ms",
               idle_text, ratio(a["end_stall_s"], idle), TARGETS["end_stall_s"] * ms,
               a["end_stall_s"] <= TARGETS["end_stall_s"])
        grid = a["grid_alone_s"]
        yield (f"finished -> results grid shown{name}", a["finished_to_results_s"], "s",
               f"{grid:.2f} s (the grid alone)", ratio(a["finished_to_results_s"], grid),
               TARGETS["finished_to_results_s"],
               a["finished_to_results_s"] <= TARGETS["finished_to_results_s"])
        yield (f"longest stall during the run{name}", a["run_stall_s"] * ms, "ms", idle_text,
               ratio(a["run_stall_s"], idle), TARGETS["run_stall_s"] * ms,
               a["run_stall_s"] <= TARGETS["run_stall_s"])
    for name, a, h in (("", plain, hp), (", pre-flight", pre, hq)):
        cpu = a["app_cpu_s"] / h["cpu_s"]
        yield (f"CPU of the app's run vs the same run headless{name}", a["app_cpu_s"], "s",
               f"{h['cpu_s']:.2f} s (headless)", f"{cpu:.2f}x", TARGETS["cpu_ratio"],
               cpu <= TARGETS["cpu_ratio"])
    added = max(plain["paste_rss_mib"], pre["paste_rss_mib"])
    yield (f"RSS added by a paste of {N_IDS:,} IDs", added, "MiB",
           f"{plain['text_mib']:.1f} MiB (the text)", ratio(added, plain["text_mib"]),
           TARGETS["paste_rss_mib"], added <= TARGETS["paste_rss_mib"])
    for name, h in (("", hp), (", pre-flight", hq)):
        peak = h["peak_rss_mib"]
        yield (f"RSS peak, headless {N_IDS:,} IDs{name}", peak, "MiB",
               f"{one['peak_rss_mib']:.0f} MiB (1 ID)", ratio(peak, one["peak_rss_mib"]),
               TARGETS["headless_rss_mib"], peak <= TARGETS["headless_rss_mib"])


def _ours(value: float, unit: str) -> str:
    return f"{value:.0f} {unit}" if unit in ("ms", "MiB") else f"{value:.2f} {unit}"


def rows(r: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str, bool | None]]:
    """(figure, ours, baseline, ratio, target, met) rows for the summary table."""
    for figure, ours, unit, base, ratio, target, met in _figures(r):
        target_text = f"<= {target:g}x" if unit == "s" and "CPU" in figure else \
            f"<= {target:g} {unit}"
        ours_text = f"{ours:.2f} s" if "CPU" in figure else _ours(ours, unit)
        yield (figure, ours_text, base, ratio, target_text, met)


def passed(r: dict[str, Any]) -> bool:
    return all(f[6] for f in _figures(r))


def report(r: dict[str, Any]) -> str:
    lines = [f"{row[0]}: {row[1]} | baseline {row[2]} | {row[3]} | target {row[4]}"
             + ("" if row[5] is None else " | " + ("ok" if row[5] else "MISSED"))
             for row in rows(r)]
    for key in ("app_plain", "app_preflight"):
        a = r[key]
        lines.append(f"  {key}: run {a['run_s']:.2f} s, confirmation ready after "
                     f"{a['confirm_ready_s']:.2f} s, {a['restarted']:,} restarted, app peak "
                     f"RSS {a['app_peak_rss_mib']:.0f} MiB, idle stall "
                     f"{a['idle_stall_s'] * 1000:.0f} ms, {a['gc2_pauses']:g} full collections "
                     f"(longest {a['gc2_longest_s'] * 1000:.0f} ms); CPU the app used in its "
                     f"longest stall: paste {a['paste_stall_cpu_s'] * 1000:.0f}, run "
                     f"{a['run_stall_cpu_s'] * 1000:.0f}, end {a['end_stall_cpu_s'] * 1000:.0f} ms")
    for key in ("app_plain", "app_preflight"):
        runs = r[key]["runs"]
        lines.append(f"  {key}, each of the {len(runs)} runs: " + "; ".join(
            f"{name} " + ", ".join(f"{run[field] * scale:.{digits}f}" for run in runs)
            for name, field, scale, digits in (
                ("run stall ms", "run_stall_s", 1000, 0), ("end stall ms", "end_stall_s", 1000, 0),
                ("finished -> results s", "finished_to_results_s", 1, 2),
                ("app CPU s", "app_cpu_s", 1, 2))))
    for key in ("headless_plain", "headless_preflight"):
        lines.append(f"  {key} CPU s, each run: "
                     + ", ".join(f"{run['cpu_s']:.2f}" for run in r[key]["runs"]))
    other = r.get("other_load_cpus")
    if other is not None:
        lines.append(f"  other processes kept {other:.2f} of {os.cpu_count()} CPUs busy")
    return "\n".join(lines)


def _child_main(argv: list[str]) -> None:
    kind, url, preflight, first, n = argv[0], argv[1], argv[2] == "1", int(argv[3]), int(argv[4])
    if kind == "app":
        result = _app_scenario(url, preflight, first)
    else:
        result = _headless_scenario(url, preflight, first, n)
    with contextlib.suppress(OSError):
        print(_MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child_main(sys.argv[2:])
        sys.exit(0)
    result = run()
    print(report(result))
    import bench_startup

    startup = bench_startup.run()
    print(bench_startup.report(startup))
    sys.exit(0 if passed(result) and bench_startup.passed(startup) else 1)
