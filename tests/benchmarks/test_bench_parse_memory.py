"""Runs the parse-memory benchmark under pytest (``pytest tests/benchmarks``), on smaller
files than ``python tests/benchmarks/bench_parse_memory.py`` (the ratio hardly depends on size)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_parse_memory import TARGET_RATIO, report, run


def test_reading_and_parsing_each_shape_peaks_under_10x_its_size() -> None:
    r = run(size_mb=16)
    print("\n" + report(r))
    assert all(s["ids"] > 50_000 for s in r["shapes"]), report(r)
    assert all(s["ratio"] < TARGET_RATIO for s in r["shapes"]), report(r)
