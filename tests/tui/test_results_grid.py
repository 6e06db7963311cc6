"""ResultsGrid behaviour through Pilot: rendering, keys, messages, filter, sort, updates, scale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from time import perf_counter

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message
from textual.strip import Strip

from geelark_tui.api.codes import ROW_STYLES
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.tui import stylesheets
from geelark_tui.tui.widgets.outcome_classes import outcome_class
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.summary_bar import SummaryBar

R = Outcome.RESTARTED
RESULTS: tuple[IdResult, ...] = (
    IdResult("574376043897425896", Outcome.RESTARTED, 0, "restarted"),
    IdResult("574376043897425897", Outcome.REJECTED, 48000, "retry limit reached"),
    IdResult("574376043897425898", Outcome.REJECTED, 48001, "task is running"),
    IdResult("574376043897425899", Outcome.NOT_SENT, None, "stopped by the user"),
    IdResult("574376043897425900", Outcome.UNKNOWN, None, "Timed out; now WAITING: probably"),
    IdResult("574376043897425801", Outcome.REJECTED, 48002, "task not found"),
)


class GridApp(App[None]):
    CSS_PATH = stylesheets.EVERY  # the app's: the row colours are there

    def __init__(self, results: Sequence[IdResult] = RESULTS) -> None:
        super().__init__()
        self.results = results
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ResultsGrid(self.results, id="grid")

    def on_mount(self) -> None:
        self.query_one(ResultsGrid).focus()

    def on_results_grid_cursor_moved(self, message: ResultsGrid.CursorMoved) -> None:
        self.messages.append(message)

    def on_results_grid_selection_changed(self, message: ResultsGrid.SelectionChanged) -> None:
        self.messages.append(message)

    @property
    def grid(self) -> ResultsGrid:
        return self.query_one(ResultsGrid)

    def cursor_moves(self) -> list[IdResult | None]:
        return [m.result for m in self.messages if isinstance(m, ResultsGrid.CursorMoved)]

    def selection_counts(self) -> list[int]:
        return [m.count for m in self.messages if isinstance(m, ResultsGrid.SelectionChanged)]


def lines(grid: ResultsGrid) -> list[str]:
    return [grid.render_line(y).text for y in range(grid.scrollable_content_region.height)]


def ids(results: Sequence[IdResult]) -> list[str]:
    return [r.id for r in results]


def make_results(count: int) -> list[IdResult]:
    kinds = [(r.outcome, r.code, r.message) for r in RESULTS]
    return [IdResult(str(10**17 + (n * 7919) % count), *kinds[n % len(kinds)])
            for n in range(count)]


async def test_rows_render_at_80_columns_with_symbols_words_and_next_steps() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = lines(app.grid)
        header = shown[0]
        for title in ("ID", "OUTCOME", "CODE", "NEXT STEP"):
            assert title in header
        assert "MEANING" not in header  # no room at 80 columns: the detail pane says it
        assert "574376043897425896" in shown[1] and "✔ restarted" in shown[1]
        assert "Nothing to do." in shown[1]
        assert "✘ rejected" in shown[2] and "48000" in shown[2]
        assert "Cannot be retried again; recreate the ta…" in shown[2]  # from api.codes
        assert "○ not sent" in shown[4] and "Safe to re-submit" in shown[4]
        assert "? unknown" in shown[5]
        assert "If it completed, it ran: nothing to rest…" in shown[3]
        width = app.grid.scrollable_content_region.width
        assert all(cell_len(line) == width for line in shown)
        assert shown[len(RESULTS) + 1].strip() == ""


async def test_next_step_column_fits_at_120_columns() -> None:
    app = GridApp()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        shown = lines(app.grid)
        assert "NEXT STEP" in shown[0]
        assert "Nothing to do." in shown[1]
        assert "Cannot be retried again; recreate the task." in shown[2]
        assert "Safe to re-submit once the cause is fixed." in shown[4]


async def test_row_classes_come_from_codes_row_style() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.grid
        grid.move_cursor(5)  # keep the cursor style out of the rows compared
        colours = [strip_style(grid.render_line(y)) for y in range(1, 6)]
        expected = [grid.get_component_rich_style(outcome_class(name)).color
                    for name in ("success", "permanent", "wait", "not-sent", "unknown")]
        assert colours == expected
        assert None not in colours and len(set(colours)) > 2  # coloured, by app.tcss


async def test_the_summary_counts_are_coloured_like_the_rows() -> None:
    """The outcome colours are written once (app.tcss), for the grid and the summary bar."""

    class WithSummary(GridApp):
        def compose(self) -> ComposeResult:
            yield SummaryBar()
            yield from super().compose()

    app = WithSummary()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.query_one(SummaryBar)
        bar.show_results(RESULTS)
        for name in ROW_STYLES:
            for widget in (app.grid, bar):
                assert widget.get_component_styles(outcome_class(name)).has_rule("color")
            if name != "not-sent":  # muted text is blended with each widget's background
                colour = app.grid.get_component_rich_style(outcome_class(name)).color
                assert bar.get_component_rich_style(outcome_class(name)).color == colour, name
        spans = {str(span.style) for span in bar.render().spans}
        assert str(bar.get_component_rich_style(outcome_class("success"))) in spans


def strip_style(strip: Strip) -> object:
    return next(iter(strip)).style.color  # type: ignore[union-attr]


async def test_cursor_keys_move_and_post_cursor_moved() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.cursor_moves() == [RESULTS[0]]
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.grid.cursor_result == RESULTS[2]
        assert app.cursor_moves() == [RESULTS[0], RESULTS[1], RESULTS[2]]
        await pilot.press("up")
        assert app.grid.cursor_result == RESULTS[1]
        await pilot.press("end")
        assert app.grid.cursor_result == RESULTS[-1]
        await pilot.press("down")  # already on the last row: nothing moves, nothing is posted
        await pilot.press("home")
        await pilot.pause()
        assert app.grid.cursor_result == RESULTS[0]
        assert app.cursor_moves()[-3:] == [RESULTS[1], RESULTS[-1], RESULTS[0]]


async def test_page_keys_move_a_screen_and_scroll_the_cursor_into_view() -> None:
    results = make_results(200)
    app = GridApp(results)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()
        body = app.grid.scrollable_content_region.height - 1
        assert app.grid.cursor_row == body
        assert results[body].id in lines(app.grid)[-1]  # the cursor line is the last one shown
        await pilot.press("end")
        await pilot.pause()
        assert lines(app.grid)[-1].split()[0] == results[-1].id
        assert "ID" in lines(app.grid)[0]  # the header stays put
        await pilot.press("pageup")
        assert app.grid.cursor_row == 199 - body


async def test_space_toggles_selection_with_a_visible_marker() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "space")
        await pilot.pause()
        assert app.grid.selected_ids == {RESULTS[1].id}
        assert lines(app.grid)[2].startswith("● ")
        assert not lines(app.grid)[1].startswith("●")
        await pilot.press("down", "space", "space")
        await pilot.pause()
        assert app.grid.selected_ids == {RESULTS[1].id}
        assert app.selection_counts() == [1, 2, 1]
        app.grid.clear_selection()
        await pilot.pause()
        assert app.grid.selected_ids == frozenset()
        assert app.selection_counts()[-1] == 0
        assert not lines(app.grid)[2].startswith("●")


async def test_click_moves_the_cursor_and_the_marker_column_toggles() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click(ResultsGrid, offset=(10, 3))
        assert app.grid.cursor_result == RESULTS[2]
        await pilot.click(ResultsGrid, offset=(0, 4))
        assert app.grid.selected_ids == {RESULTS[3].id}


async def test_filter_by_outcome_code_and_text() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.set_filter(outcomes={Outcome.REJECTED})
        assert ids(grid.visible_results) == [*ids(RESULTS[1:3]), RESULTS[5].id]
        assert grid.line_count == 3
        assert ids(grid.visible_slice(1, 10)) == [RESULTS[2].id, RESULTS[5].id]
        grid.set_filter(codes={48001, None})
        assert ids(grid.visible_results) == ids(RESULTS[2:5])
        grid.set_filter(outcomes={Outcome.REJECTED}, codes={48001, None})
        assert ids(grid.visible_results) == [RESULTS[2].id]
        grid.set_filter(text="waiting")  # message, case-insensitive
        assert ids(grid.visible_results) == [RESULTS[4].id]
        grid.set_filter(text="425801")  # part of an ID
        assert ids(grid.visible_results) == [RESULTS[5].id]
        grid.set_filter(outcomes={Outcome.RESTARTED}, text="stopped")
        assert grid.visible_results == []
        await pilot.pause()
        assert "No rows match the filter." in lines(grid)[1]
        assert grid.cursor_result is None
        grid.set_filter()
        assert grid.visible_results == list(RESULTS)
        assert grid.all_results == RESULTS


async def test_cursor_follows_its_row_through_a_filter() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.grid.move_cursor(2)
        app.grid.set_filter(outcomes={Outcome.REJECTED})
        await pilot.pause()
        assert app.grid.cursor_result == RESULTS[2]
        assert app.grid.cursor_row == 1


@pytest.mark.parametrize(("column", "order", "reverse_order"), [
    ("input", [0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]),
    ("id", [5, 0, 1, 2, 3, 4], [4, 3, 2, 1, 0, 5]),
    # restarted, rejected, not_sent, unknown; ties keep input order both ways
    ("outcome", [0, 1, 2, 5, 3, 4], [4, 3, 1, 2, 5, 0]),
    ("code", [0, 1, 2, 5, 3, 4], [3, 4, 5, 2, 1, 0]),  # no code sorts last
    ("meaning", [1, 3, 0, 5, 2, 4], [4, 2, 5, 0, 3, 1]),  # case-insensitive
])
async def test_sort_by_each_column_and_reverse(column: str, order: list[int],
                                               reverse_order: list[int]) -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.sort_by(column)  # type: ignore[arg-type]
        assert ids(grid.visible_results) == [RESULTS[n].id for n in order]
        grid.sort_by(column, reverse=True)  # type: ignore[arg-type]
        assert ids(grid.visible_results) == [RESULTS[n].id for n in reverse_order]
        await pilot.pause()
        assert [line.split()[0] for line in lines(grid)[1:7]] == ids(grid.visible_results)


async def test_ids_of_different_lengths_sort_as_numbers() -> None:
    results = [IdResult(i, R, 0, "") for i in ("1000000", "999999", "12345678")]
    app = GridApp(results)
    async with app.run_test(size=(80, 24)):
        app.grid.sort_by("id")
        assert ids(app.grid.visible_results) == ["999999", "1000000", "12345678"]


async def test_sort_keys_cycle_and_reverse_with_a_header_indicator() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert app.grid.sort_state == ("id", False)
        assert "ID▲" in lines(app.grid)[0]
        await pilot.press("s", "s")
        await pilot.pause()
        assert app.grid.sort_state == ("code", False)
        assert "CODE▲" in lines(app.grid)[0]
        await pilot.press("S")
        await pilot.pause()
        assert app.grid.sort_state == ("code", True)
        assert "CODE▼" in lines(app.grid)[0]
        assert app.grid.visible_results[0].code is None
        await pilot.press("s")  # MEANING is not on screen at 80 columns: not in the cycle
        assert app.grid.sort_state == ("input", False)
        assert app.grid.visible_results == list(RESULTS)
        assert app.grid.sort_columns() == ("input", "id", "outcome", "code")


def test_bindings_have_ids_and_descriptions() -> None:
    bindings = {b.id: b for b in ResultsGrid.BINDINGS if not isinstance(b, tuple)}
    assert {"grid.toggle_select", "grid.sort", "grid.sort_reverse"} <= set(bindings)
    assert len(bindings) == len(ResultsGrid.BINDINGS)
    assert all(b.description and b.tooltip for b in bindings.values())


async def test_update_results_replaces_rows_in_place() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.move_cursor(3)
        await pilot.pause()
        fixed = IdResult(RESULTS[3].id, Outcome.RESTARTED, 0, "restarted on retry")
        new = IdResult("574376043897425999", Outcome.UNKNOWN, None, "connection dropped")
        grid.update_results([fixed, new])
        await pilot.pause()
        assert list(grid.all_results) == [*RESULTS[:3], fixed, *RESULTS[4:], new]
        assert grid.cursor_result == fixed
        assert app.cursor_moves()[-1] == fixed  # the detail pane learns of the new result
        assert "✔ restarted" in lines(grid)[4]
        grid.set_filter(outcomes={Outcome.UNKNOWN})
        grid.sort_by("id", reverse=True)
        grid.update_results([IdResult(RESULTS[4].id, Outcome.REJECTED, 48002, "gone")])
        assert ids(grid.visible_results) == [new.id]  # the filter applies to updated rows


async def test_set_results_keeps_filter_sort_cursor_and_selection() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.set_filter(outcomes={Outcome.REJECTED})
        grid.sort_by("code", reverse=True)
        grid.move_cursor(1)
        await pilot.press("space")
        kept = grid.cursor_result
        assert kept is not None
        grid.set_results([*RESULTS, IdResult("574376043897425990", Outcome.REJECTED, 48003, "")])
        assert [r.code for r in grid.visible_results] == [48003, 48002, 48001, 48000]
        assert grid.cursor_result == kept
        assert grid.selected_ids == {kept.id}
        grid.set_results([])
        await pilot.pause()
        assert grid.selected_ids == frozenset()
        assert app.grid.cursor_result is None
        assert app.selection_counts()[-1] == 0
        grid.set_filter()
        await pilot.pause()
        assert "No results yet." in lines(grid)[1]


async def test_no_color_keeps_symbols_words_and_a_visible_cursor(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color
        shown = lines(app.grid)
        for n, word in enumerate(("✔ restarted", "✘ rejected", "✘ rejected", "○ not sent",
                                  "? unknown"), start=1):
            assert word in shown[n]
        cursor_style = next(iter(app.grid.render_line(1))).style
        assert cursor_style is not None and cursor_style.reverse


async def test_100_000_rows_paint_filter_and_sort_fast() -> None:
    results = [IdResult(r.id, r.outcome, r.code, r.message, (1, 2, 4, 7, None)[n % 5])
               for n, r in enumerate(make_results(100_000))]
    app = GridApp(())
    async with app.run_test(size=(120, 40)) as pilot:
        grid = app.grid
        await pilot.pause()
        start = perf_counter()
        grid.set_results(results)
        await pilot.pause()  # the screen is composed and the visible lines rendered here
        assert results[0].id in lines(grid)[1]
        await pilot.press("end")
        assert results[-1].id in lines(grid)[-1]
        assert perf_counter() - start < 1.0  # target 0.5 s: see tests/benchmarks/bench_grid.py
        changes: list[Callable[[], None]] = [
            lambda: grid.set_filter(outcomes={Outcome.REJECTED}),
            lambda: grid.set_filter(text="waiting"),
            lambda: grid.sort_by("id", reverse=True),
            lambda: setattr(grid, "show_status", True),
            lambda: grid.set_filter(statuses={"failed"}),
            lambda: grid.set_filter(text="progress"),  # what STATUS says is searched too
            lambda: grid.sort_by("status"),
            lambda: grid.sort_by("meaning"),
            lambda: grid.set_filter(),
        ]
        for change in changes:
            start = perf_counter()
            change()
            await pilot.pause()
            assert perf_counter() - start < 1.0  # target 0.2 s (bench_grid); room for a busy box
        assert len(grid.visible_results) == 100_000
        assert grid.visible_results[0].code == 48000  # "retry limit (5) reached" sorts first


async def test_odd_messages_stay_on_one_line_of_the_right_width() -> None:
    odd = "超时\n任务状态未知\x1b[31m red"  # wide characters, a newline, an escape code
    results = [IdResult("574376043897425896", Outcome.UNKNOWN, None, odd),
               IdResult("574376043897425897", Outcome.UNKNOWN, None, "tab\there " * 20)]
    app = GridApp(results)
    async with app.run_test(size=(120, 24)) as pilot:  # wide enough for MEANING (the message)
        await pilot.pause()
        width = app.grid.scrollable_content_region.width
        for line in lines(app.grid)[1:3]:
            assert cell_len(line) == width
            assert line.isprintable()
        assert "超时 任务状态未知 [31m red" in lines(app.grid)[1]
        assert lines(app.grid)[2].split(" Check the task")[0].endswith("…")
