"""Runs the app benchmark under pytest (about three minutes: each scenario three times):

    python -m pytest tests/benchmarks -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_tui import N_IDS, passed, report, run


def test_100_000_ids_in_the_app_without_a_stall() -> None:
    r = run()
    print("\n" + report(r))
    assert r["app_plain"]["restarted"] == N_IDS, r
    assert r["headless_plain"]["exit"] == 0 and r["headless_preflight"]["exit"] == 0, r
    assert passed(r), report(r)
