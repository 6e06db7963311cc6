"""Benchmark: parse a 1,000,000-ID paste (newline separated, ~19 MB); the target is under 1 s.

Run: ``python tests/benchmarks/bench_parse.py`` (exit code 1 when over the target). The baseline,
a bare ``str.split`` + ``dict.fromkeys`` over the same text in the same process, shows how much
of the time is the machine and how much is the parser.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable

from geelark_tui.ids import parse_ids

N_IDS = 1_000_000
TARGET_S = 1.0
ROUNDS = 3


def build_text(n: int = N_IDS, seed: int = 20240529) -> str:
    """``n`` distinct-ish 18-19 digit IDs, one per line."""
    rng = random.Random(seed)
    return "\n".join(str(rng.randrange(10**17, 10**19)) for _ in range(n))


def _median_time(func: Callable[[str], object], text: str) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        func(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline(text: str) -> dict[str, None]:
    return dict.fromkeys(text.split())


def run(n: int = N_IDS) -> dict[str, float]:
    text = build_text(n)
    result = parse_ids(text)
    expected = len(_baseline(text))
    if result.count != expected or result.ignored_total:
        raise AssertionError(f"parsed {result.count} IDs, expected {expected}")
    parse_s = _median_time(parse_ids, text)
    baseline_s = _median_time(_baseline, text)
    return {
        "ids": float(n),
        "megabytes": len(text) / 1e6,
        "parse_s": parse_s,
        "baseline_s": baseline_s,
        "ratio": parse_s / baseline_s,
        "target_s": TARGET_S,
    }


def main() -> int:
    r = run()
    print(
        f"parse {int(r['ids']):,} IDs ({r['megabytes']:.1f} MB): {r['parse_s']:.2f} s "
        f"(baseline split+dedupe {r['baseline_s']:.2f} s, ratio {r['ratio']:.1f}x), "
        f"target < {TARGET_S:g} s"
    )
    return 0 if r["parse_s"] < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
