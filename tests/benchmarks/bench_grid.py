"""ResultsGrid against the stock DataTable, in one process, on this machine.

    python tests/benchmarks/bench_grid.py [--quick]

"First paint" runs from handing the rows to the widget until the widget has rendered a line of
them; for DataTable that is after it has measured its cells (the slow part), which it does when
idle. Filter and sort run from the call until the grid has repainted. Targets (issue "Scale"):
100,000 rows on screen within 0.5 s, a filter or sort over them within 0.2 s.
"""

from __future__ import annotations

import asyncio
import sys
import tracemalloc
from collections.abc import Callable
from time import perf_counter
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable

from geelark_tui.api.codes import describe
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.report import hint_for
from geelark_tui.tui.widgets.result_columns import SortColumn
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.words import OUTCOME_SYMBOLS

TARGET_FIRST_PAINT = 0.5
TARGET_FILTER_SORT = 0.2
SIZE = (120, 40)

_KINDS: tuple[tuple[Outcome, int | None, str], ...] = (
    (Outcome.RESTARTED, 0, "restarted"),
    (Outcome.REJECTED, 48000, "retry limit reached"),
    (Outcome.REJECTED, 48001, "task is running"),
    (Outcome.REJECTED, 48002, "task not found"),
    (Outcome.NOT_SENT, None, "stopped by the user"),
    (Outcome.UNKNOWN, None, "timed out after sending; now waiting: probably restarted"),
    (Outcome.RESTARTED, 0, "verified by task/query"),
)


def make_results(count: int) -> list[IdResult]:
    """`count` results with 19-digit IDs in scrambled order and a realistic mix of outcomes."""
    return [
        IdResult(str(1_800_000_000_000_000_000 + (n * 7_919) % count * 13), *_KINDS[n % 7])
        for n in range(count)
    ]


class _CountingGrid(ResultsGrid):
    paints = 0

    def render_line(self, y: int) -> Strip:
        if y > 0 and self._visible:
            self.paints += 1
        return super().render_line(y)


class _CountingTable(DataTable[str]):
    paints = 0

    def render_line(self, y: int) -> Strip:
        if self.row_count and not self._require_update_dimensions:
            self.paints += 1
        return super().render_line(y)


class _BenchApp(App[None]):
    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def _until_painted(pilot: Pilot[None], widget: _CountingGrid | _CountingTable,
                         action: Callable[[], Any]) -> float:
    widget.paints = 0
    start = perf_counter()
    action()
    while not widget.paints:
        await pilot.pause()
    return perf_counter() - start


def _table_rows(results: list[IdResult]) -> list[tuple[str, ...]]:
    return [
        (r.id, f"{OUTCOME_SYMBOLS[r.outcome]} {r.outcome.value}", "" if r.code is None
         else str(r.code), describe(r.code).meaning if r.code is not None else r.message,
         hint_for(r))
        for r in results
    ]


async def datatable_first_paint(count: int) -> float:
    rows = _table_rows(make_results(count))  # converting is not counted against DataTable
    table = _CountingTable()
    app = _BenchApp(table)
    async with app.run_test(headless=True, size=SIZE) as pilot:
        table.add_columns("ID", "OUTCOME", "CODE", "MEANING", "NEXT STEP")
        await pilot.pause()
        return await _until_painted(pilot, table, lambda: table.add_rows(rows))


async def grid_figures(count: int, filter_sort: bool) -> dict[str, float]:
    results = make_results(count)
    grid = _CountingGrid()
    app = _BenchApp(grid)
    figures: dict[str, float] = {}
    async with app.run_test(headless=True, size=SIZE) as pilot:
        grid.focus()
        await pilot.pause()
        figures["first_paint"] = await _until_painted(pilot, grid,
                                                      lambda: grid.set_results(results))
        figures["to_last_row"] = await _until_painted(pilot, grid, lambda: grid.action_jump(-1))
        if not filter_sort:
            return figures
        operations: dict[str, Callable[[], Any]] = {
            "filter_outcome": lambda: grid.set_filter(outcomes={Outcome.REJECTED}),
            "filter_code": lambda: grid.set_filter(codes={48001, None}),
            "filter_text": lambda: grid.set_filter(text="probably"),
            "filter_clear": lambda: grid.set_filter(),
            "sort_id": lambda: grid.sort_by("id"),
            "sort_outcome": lambda: grid.sort_by("outcome"),
            "sort_code": lambda: grid.sort_by("code"),
            "sort_meaning": lambda: grid.sort_by("meaning"),
            "sort_meaning_reverse": lambda: grid.sort_by("meaning", reverse=True),
            "sort_input": lambda: grid.sort_by("input"),
        }
        for name, operation in operations.items():  # each sort key is computed cold here
            figures[name] = await _until_painted(pilot, grid, operation)
    return figures


def grid_memory(count: int) -> float:
    """MiB the grid allocates on top of the results: index list, sort keys, search text."""
    results = make_results(count)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    grid = ResultsGrid(results)
    columns: tuple[SortColumn, ...] = ("id", "outcome", "code", "meaning")
    for column in columns:
        grid.sort_by(column)
    grid.set_filter(text="x")
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / 2**20


async def _run(baseline_sizes: tuple[int, ...], grid_sizes: tuple[int, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for count in baseline_sizes:
        out[f"datatable_{count}_first_paint"] = await datatable_first_paint(count)
    for count in grid_sizes:
        figures = await grid_figures(count, filter_sort=count == max(grid_sizes))
        out.update({f"grid_{count}_{name}": value for name, value in figures.items()})
    out[f"grid_{max(grid_sizes)}_memory_mib"] = grid_memory(max(grid_sizes))
    return out


def run(baseline_sizes: tuple[int, ...] = (10_000, 100_000),
        grid_sizes: tuple[int, ...] = (10_000, 100_000)) -> dict[str, float]:
    """Every figure in seconds (memory in MiB), keyed like `grid_100000_first_paint`."""
    return asyncio.run(_run(baseline_sizes, grid_sizes))


def report(figures: dict[str, float]) -> str:
    lines = []
    for key, value in figures.items():
        kind, count, name = key.split("_", 2)
        if kind != "grid":
            continue
        label = f"grid {int(count):,} rows {name.replace('_', ' ')}"
        if name == "memory_mib":
            lines.append(f"{label}: {value:.1f} MiB on top of the results")
            continue
        text = f"{label}: {value:.3f} s"
        baseline = figures.get(f"datatable_{count}_first_paint")
        if name == "first_paint" and baseline is not None:
            text += f" (DataTable {baseline:.2f} s, {baseline / value:.0f}x faster)"
        if name == "first_paint":
            text += f", target < {TARGET_FIRST_PAINT} s"
        elif name.startswith(("filter", "sort")):
            text += f", target < {TARGET_FILTER_SORT} s"
        lines.append(text)
    return "\n".join(lines)


if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    result = run(baseline_sizes=(10_000,) if quick else (10_000, 100_000))
    print(report(result))
