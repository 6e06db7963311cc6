"""Runs the parse benchmark under pytest: ``pytest tests/benchmarks``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_parse import TARGET_S, run


def test_parse_million_ids_under_target() -> None:
    r = run()
    print(f"\nparse {r['parse_s']:.2f} s, baseline {r['baseline_s']:.2f} s")
    assert r["parse_s"] < TARGET_S, r
