"""Runs the engine benchmark under pytest (about 15 s):

    python -m pytest tests/benchmarks -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_engine import TARGET_GAP_S, TARGET_RATIO, report, run


def test_engine_overhead_loop_stalls_and_baselines() -> None:
    r = run()
    print("\n" + report(r))
    assert r["unchunked_code"] == 40004, r  # one unchunked request: refused outright
    assert r["naive_10k_requests"] == 100 * r["ours_10k_requests"], r
    assert r["max_loop_gap_s"] <= TARGET_GAP_S, report(r)
    assert r["engine_ratio"] <= TARGET_RATIO, report(r)
