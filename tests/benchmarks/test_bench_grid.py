"""The "Scale" targets for ResultsGrid, measured by bench_grid (run: pytest tests/benchmarks).

The stock DataTable baseline runs at 10,000 rows only (100,000 takes ~10 s); run
`python tests/benchmarks/bench_grid.py` for the full comparison.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bench_grid import TARGET_FILTER_SORT, TARGET_FIRST_PAINT, report, run


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    measured = run(baseline_sizes=(10_000,), grid_sizes=(10_000, 100_000))
    print("\n" + report(measured))
    return measured


def test_100_000_rows_on_screen_and_scrollable_within_half_a_second(
        figures: dict[str, float]) -> None:
    assert figures["grid_100000_first_paint"] < TARGET_FIRST_PAINT
    assert figures["grid_100000_to_last_row"] < TARGET_FIRST_PAINT


def test_filter_and_sort_over_100_000_rows_within_0_2_s(figures: dict[str, float]) -> None:
    slow = {k: v for k, v in figures.items()
            if k.startswith(("grid_100000_filter", "grid_100000_sort")) and v >= TARGET_FILTER_SORT}
    assert not slow


def test_grid_beats_datatable(figures: dict[str, float]) -> None:
    assert figures["grid_10000_first_paint"] * 5 < figures["datatable_10000_first_paint"]
    assert figures["grid_100000_first_paint"] < figures["datatable_10000_first_paint"]


def test_grid_memory_stays_small(figures: dict[str, float]) -> None:
    assert figures["grid_100000_memory_mib"] < 16
