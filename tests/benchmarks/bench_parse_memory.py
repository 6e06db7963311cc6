"""Benchmark: peak memory of reading and parsing big input, as a multiple of its size (< 10x).

    python tests/benchmarks/bench_parse_memory.py          # exit code 1 when a target is missed

Why: a 62 MB file of 3,263,158 IDs once peaked at 5 GB before anything was sent. For each
shape the parser must handle at size (one ID a line, one huge comma-separated line, CSV, a
JSON array of IDs and one of records, free text: log lines with prose, ``key=value`` pairs
and URLs) a file of about ``SIZE_MB`` MB (just under the 64 MiB input cap) is written, then
read in a fresh interpreter exactly as the app and the headless command read it
(``idinput.read_ids_path`` + ``parse_ids``). The figure is the peak memory above what the
process held before reading, divided by the file's size: RSS on Linux
(``/proc/self/clear_refs`` resets the peak, ``VmHWM`` reads it), else tracemalloc's peak. It
counts the text itself (1x) and the IDs kept as ``str`` (an 18-digit ID is 19 bytes of text
and a 67-byte ``str``).

The baseline, in its own fresh interpreter on the same file: ``Path.read_text().split()`` and
``dict.fromkeys`` over the tokens, the least a splitting parser does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SIZE_MB = 62.0
TARGET_RATIO = 10.0
FIRST_ID = 574376043897000000

_CHILD = r"""
import json, sys, time, tracemalloc
from pathlib import Path
from geelark_tui.idinput import read_ids_path
from geelark_tui.ids import parse_ids

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024

how, path = sys.argv[1], Path(sys.argv[2])
rss = Path("/proc/self/clear_refs").exists()
if rss:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak RSS starts again from here
    base = status("VmRSS")
else:
    tracemalloc.start()
start = time.perf_counter()
if how == "ours":
    parsed = parse_ids(read_ids_path(path))
    count = parsed.count
else:
    count = len(dict.fromkeys(path.read_text().split()))
seconds = time.perf_counter() - start
peak = status("VmHWM") - base if rss else tracemalloc.get_traced_memory()[1]
print(json.dumps({"peak": peak, "seconds": seconds, "ids": count,
                  "method": "RSS" if rss else "tracemalloc"}))
"""


def _ids(n: int) -> Iterator[str]:
    return (str(FIRST_ID + 7919 * i) for i in range(n))


def _lines(n: int) -> str:
    return "\n".join(_ids(n)) + "\n"


def _one_line(n: int) -> str:
    return ", ".join(_ids(n))


def _csv(n: int) -> str:
    rows = (f"warm up {i % 97},{tid},{4 + 3 * (i % 2)},2026-01-0{1 + i % 9}"
            for i, tid in enumerate(_ids(n)))
    return "planName,taskId,status,scheduled\n" + "\n".join(rows) + "\n"


def _json(n: int) -> str:
    return json.dumps(list(_ids(n)))


def _json_records(n: int) -> str:
    return json.dumps([{"id": tid} for tid in _ids(n)], separators=(",", ":"))


def _free_text(n: int) -> str:
    return "".join(
        f"2026-01-01 12:{i % 60:02d}:07 worker-{i % 7} task {tid} failed: code 2999{i % 10}, "
        f"retry later (taskId={tid} envId={FIRST_ID + i % 89}) "
        f"https://open.geelark.com/task/{tid}?envId={FIRST_ID + i % 89}\n"
        for i, tid in enumerate(_ids(n)))


# name, builder, bytes a record takes (to aim at SIZE_MB)
SHAPES: tuple[tuple[str, Callable[[int], str], int], ...] = (
    ("one ID a line", _lines, 19),
    ("one huge comma-separated line", _one_line, 20),
    ("CSV, ID in the 2nd of 4 columns", _csv, 47),
    ("JSON array of strings", _json, 22),
    ("JSON array of records, compact: [{\"id\":\"…\"}]", _json_records, 28),
    ("free text: log lines, key=value, URLs", _free_text, 230),
)


def _measure(how: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, how, str(path)], capture_output=True,
                          text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(size_mb: float = SIZE_MB) -> dict[str, Any]:
    shapes: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-parse-memory-") as tmp:
        for name, build, per_record in SHAPES:
            path = Path(tmp) / "input.txt"
            records = int(size_mb * 1e6 / per_record)
            path.write_text(build(records), encoding="utf-8")
            size = path.stat().st_size
            ours, base = _measure("ours", path), _measure("baseline", path)
            shapes.append({"shape": name, "bytes": size, "records": records,
                           "ids": ours["ids"], "peak": ours["peak"], "seconds": ours["seconds"],
                           "ratio": ours["peak"] / size, "baseline_peak": base["peak"],
                           "baseline_ratio": base["peak"] / size, "method": ours["method"]})
            os.remove(path)
    return {"shapes": shapes, "target_ratio": TARGET_RATIO}


def rows(r: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str, bool | None]]:
    """(figure, ours, baseline, ratio, target, met) rows for the summary table."""
    for s in r["shapes"]:
        yield (f"read + parse {s['bytes'] / 1e6:.0f} MB, {s['shape']}: peak memory ({s['method']})",
               f"{s['peak'] / 2**20:.0f} MiB in {s['seconds']:.1f} s",
               f"{s['baseline_peak'] / 2**20:.0f} MiB (read_text + split + dict.fromkeys)",
               f"{s['ratio']:.1f}x the input", f"< {r['target_ratio']:g}x",
               s["ratio"] < r["target_ratio"])


def report(r: dict[str, Any]) -> str:
    return "\n".join(f"{row[0]}: {row[1]}, {row[3]} (baseline {row[2]}, "
                     f"{s['baseline_ratio']:.1f}x), {s['ids']:,} IDs"
                     + ("" if row[5] else "  MISSED")
                     for row, s in zip(rows(r), r["shapes"], strict=True))


def passed(r: dict[str, Any]) -> bool:
    return all(s["ratio"] < r["target_ratio"] for s in r["shapes"])


if __name__ == "__main__":
    result = run()
    print(report(result))
    sys.exit(0 if passed(result) else 1)
