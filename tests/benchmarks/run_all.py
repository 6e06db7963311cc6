"""Every benchmark, one command, one Markdown table for the README.

    python tests/benchmarks/run_all.py

Runs ``bench_parse``, ``bench_parse_memory``, ``bench_grid``, ``bench_engine``,
``bench_tui``, ``bench_startup`` and ``bench_instructions`` in that order, each
in a fresh interpreter (so one benchmark's garbage, threads or event loop cannot slow the
next), each module's ``run()`` measuring its own baseline in the same run. A module that is not
there is skipped with a line saying so. Prints one table: figure, ours, baseline, ratio,
target, met. Exit code 1 when a target is missed or a benchmark fails. About 6 minutes.

It also times a fixed pure-Python loop at the start and at the end (`speed_probe`): the
shared machines these run on change speed by a factor of two or more over a day, and the
targets given in milliseconds (stalls, start-up) move with it while the ratios move less.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODULES = ("bench_parse", "bench_parse_memory", "bench_grid", "bench_engine", "bench_tui",
           "bench_startup", "bench_instructions")
_MARK = "@@bench-result@@ "
_CHILD = """
import json, sys
sys.path.insert(0, {here!r})
import {name} as bench
print({mark!r} + json.dumps(bench.run()), flush=True)
"""

Row = tuple[str, str, str, str, str, bool | None]


def _num(value: Any) -> float:
    return float(value)


def _parse_rows(r: dict[str, Any]) -> Iterator[Row]:
    """For `bench_parse`, which has no `rows()` of its own."""
    target = _num(r.get("target_s", 1.0))
    parse_s = _num(r["parse_s"])
    size = f" ({_num(r['megabytes']):.0f} MB)" if "megabytes" in r else ""
    yield (f"parse a {int(_num(r.get('ids', 1_000_000))):,}-ID paste{size}",
           f"{parse_s:.2f} s", f"{_num(r['baseline_s']):.2f} s (str.split + dict.fromkeys)",
           f"{parse_s / _num(r['baseline_s']):.1f}x", f"< {target:g} s", parse_s < target)


def _grid_rows(r: dict[str, Any], module: Any) -> Iterator[Row]:
    """For `bench_grid`, which has no `rows()` of its own: keys like `grid_100000_sort_id`."""
    paint_target = float(getattr(module, "TARGET_FIRST_PAINT", 0.5))
    op_target = float(getattr(module, "TARGET_FILTER_SORT", 0.2))
    counts = sorted({int(k.split("_")[1]) for k in r if k.startswith("grid_")})
    for count in counts:
        ours = r.get(f"grid_{count}_first_paint")
        if ours is None:
            continue
        ours = _num(ours)
        base = r.get(f"datatable_{count}_first_paint")
        yield (f"results grid: {count:,} rows on screen", f"{ours:.3f} s",
               "-" if base is None else f"{_num(base):.2f} s (stock DataTable)",
               "-" if base is None else f"{_num(base) / ours:.0f}x faster",
               f"< {paint_target:g} s", ours < paint_target)
    if not counts:
        return
    top = counts[-1]
    ops = {k.split("_", 2)[2]: _num(v) for k, v in r.items()
           if k.startswith(f"grid_{top}_") and k.split("_", 2)[2].startswith(("filter", "sort"))}
    if ops:
        worst = max(ops, key=lambda k: ops[k])
        yield (f"results grid: filter or sort {top:,} rows (slowest of {len(ops)}: {worst})",
               f"{ops[worst]:.3f} s", "-", "-", f"< {op_target:g} s", ops[worst] < op_target)
    jump = r.get(f"grid_{top}_to_last_row")
    if jump is not None:
        yield (f"results grid: jump to row {top:,}", f"{_num(jump):.3f} s", "-", "-", "-", None)
    memory = r.get(f"grid_{top}_memory_mib")
    if memory is not None:
        yield (f"results grid: memory on top of {top:,} results", f"{_num(memory):.1f} MiB",
               "-", "-", "-", None)


_ADAPTERS: dict[str, Callable[[dict[str, Any], Any], Iterable[Row]]] = {
    "bench_parse": lambda r, _module: _parse_rows(r),
    "bench_grid": _grid_rows,
}


def speed_probe() -> float:
    """Milliseconds a fixed pure-Python loop takes, the best of five: how fast this machine
    runs Python right now. Two runs of the benchmarks compare fairly only at a like speed."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for n in range(1_000_000):
            total += n & 7
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _machine_busy() -> float | None:
    """Busy CPU-seconds of the whole machine so far (Linux only)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:8]]
    except (OSError, ValueError):
        return None
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_child(name: str) -> dict[str, Any]:
    code = _CHILD.format(here=str(HERE), name=name, mark=_MARK)
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_MARK):
            result: dict[str, Any] = json.loads(line[len(_MARK):])
            return result
    raise RuntimeError(f"{name} exited {proc.returncode} without a result")


def _rows_for(name: str, result: dict[str, Any]) -> list[Row]:
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    module = __import__(name)
    if hasattr(module, "rows"):
        return list(module.rows(result))
    adapter = _ADAPTERS.get(name)
    if adapter is None:
        return [(name, json.dumps(result)[:60], "-", "-", "-", None)]
    return list(adapter(result, module))


def markdown(rows: list[Row]) -> str:
    lines = ["| figure | ours | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for figure, ours, base, ratio, target, met in rows:
        mark = "" if met is None else ("yes" if met else "**NO**")
        lines.append(f"| {figure} | {ours} | {base} | {ratio} | {target} | {mark} |")
    return "\n".join(lines)


def main() -> int:
    rows: list[Row] = []
    failed: list[str] = []
    started = time.perf_counter()
    speed_before = speed_probe()
    print(f"-- machine speed: the reference loop takes {speed_before:.0f} ms", flush=True)
    for name in MODULES:
        if not (HERE / f"{name}.py").exists():
            print(f"-- {name}: skipped, tests/benchmarks/{name}.py is not there", flush=True)
            continue
        print(f"-- {name} ...", flush=True)
        t0, busy0, ours0 = time.perf_counter(), _machine_busy(), _children_cpu()
        try:
            result = _run_child(name)
            seconds, busy1, ours1 = time.perf_counter() - t0, _machine_busy(), _children_cpu()
            module_rows = _rows_for(name, result)
        except Exception as exc:
            print(f"-- {name}: FAILED: {exc}", flush=True)
            failed.append(name)
            rows.append((name, "failed", "-", "-", "-", False))
            continue
        rows.extend(module_rows)
        line = f"-- {name}: done in {seconds:.0f} s"
        if busy0 is not None and busy1 is not None:
            # Processes outside this command's tree (tmux's are outside it too).
            others = max(0.0, busy1 - busy0 - (ours1 - ours0)) / seconds
            line += f"; other processes kept {others:.2f} of {os.cpu_count()} CPUs busy"
        print(line, flush=True)
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "report"):
            print("   " + module.report(result).replace("\n", "\n   "), flush=True)
    missed = [row[0] for row in rows if row[5] is False]
    speed = f"reference loop {speed_before:.0f} ms at the start, {speed_probe():.0f} ms at the end"
    print()
    print(markdown(rows))
    print()
    print(f"{len(rows)} figures in {time.perf_counter() - started:.0f} s ({speed}); "
          + (f"MISSED: {'; '.join(missed)}" if missed else "every target met"))
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
