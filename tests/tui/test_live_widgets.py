"""LiveText and ActivityLog: the progress screen's widgets that change ten times a second
without laying the screen out again (each layout repaints every widget: 15-40 ms); and the
line cache that ActivityLog and the results grid empty without making cyclic garbage."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.events import Resize
from textual.geometry import Region
from textual.message import Message
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.tui.widgets.activity_log import ActivityLog
from geelark_tui.tui.widgets.line_cache import LineCache
from geelark_tui.tui.widgets.live_text import LiveText
from geelark_tui.tui.widgets.results_grid import ResultsGrid

from .helpers import wait_for


class LiveApp(App[None]):
    CSS = "#fixed { height: 1; } #log { height: 8; }"

    def compose(self) -> ComposeResult:
        yield LiveText("0 of 10 sent", id="auto")
        yield LiveText("", id="fixed")
        yield ActivityLog(max_lines=50, wrap=True, min_width=1, id="log")
        yield Static("below", id="below")


async def test_livetext_lays_out_only_when_its_height_changes(
        layouts: list[Screen[Any]]) -> None:
    app = LiveApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        auto = app.query_one("#auto", LiveText)
        fixed = app.query_one("#fixed", LiveText)
        below = app.query_one("#below")
        before = len(layouts)
        for n in range(1, 6):  # one line each: no layout, only a repaint
            auto.show(f"{n} of 10 sent")
            fixed.show(f"waiting {n} s")
            await pilot.pause()
        assert len(layouts) == before
        assert str(auto.render()) == "5 of 10 sent"

        top = below.region.y
        auto.show("a longer line that needs two lines of this narrow screen")
        await pilot.pause()
        assert len(layouts) > before  # it grew: the widgets under it move down
        assert auto.region.height == 2 and below.region.y == top + 1

        before = len(layouts)
        fixed.show("a text too long for the one line the CSS gives this widget")
        await pilot.pause()
        assert len(layouts) == before and fixed.region.height == 1


class HiddenApp(App[None]):
    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield LiveText("a line that needs two lines of this narrow screen", id="text")


async def test_livetext_changed_under_a_hidden_parent_has_its_new_height_when_shown() -> None:
    app = HiddenApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        box, text = app.query_one("#box"), app.query_one("#text", LiveText)
        assert text.region.height == 2
        box.display = False
        await pilot.pause()
        text.show("tiny")
        box.display = True
        await pilot.pause()
        assert text.region.height == 1


async def test_the_activity_log_grows_without_a_layout(layouts: list[Screen[Any]]) -> None:
    app = LiveApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        log = app.query_one("#log", ActivityLog)
        before = len(layouts)
        for n in range(30):
            log.write(f"batch {n}: 100 restarted")
            await pilot.pause()
        assert len(layouts) == before
        assert len(log.lines) == 30 and log.virtual_size.height == 30
        # The scrollbar follows the content, and the newest line is in view.
        shown = log.scrollable_content_region.height
        assert log.vertical_scrollbar.window_virtual_size == 30
        assert log.vertical_scrollbar.window_size == shown
        assert log.scroll_y == log.max_scroll_y == 30 - shown
        on_screen = [log.render_line(y).text for y in range(log.size.height)]
        assert any("batch 29" in line for line in on_screen), on_screen


async def log_at_its_end(pilot: Pilot[None], app: App[None], lines: int) -> ActivityLog:
    """The app's log holding `lines` lines ("batch 0", …), scrolled to its end."""
    log = app.query_one("#log", ActivityLog)
    for n in range(lines):
        log.write(f"batch {n}")
    await wait_for(pilot, lambda: log.max_scroll_y > 0 and log.is_vertical_scroll_end)
    return log


async def test_the_activity_log_keeps_to_where_the_user_scrolled_back() -> None:
    app = LiveApp()
    async with app.run_test(size=(40, 20)) as pilot:
        log = await log_at_its_end(pilot, app, 20)
        log.scroll_to(y=2, animate=False)
        await pilot.pause()
        for n in range(20, 25):
            log.write(f"batch {n}")
            await pilot.pause()
        assert log.scroll_y == 2 and len(log.lines) == 25  # still reading what it was
        log.scroll_end(animate=False)
        await pilot.pause()
        log.write("batch 25")
        await wait_for(pilot, lambda: log.scroll_y == log.max_scroll_y == 26 - log.size.height)


class FillApp(App[None]):
    CSS = "#log { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield ActivityLog(max_lines=50, id="log")


async def test_the_activity_log_follows_its_end_after_the_terminal_shrinks() -> None:
    app = FillApp()
    async with app.run_test(size=(40, 20)) as pilot:
        log = await log_at_its_end(pilot, app, 30)
        await pilot.resize_terminal(40, 12)  # the log shows fewer lines: its end moves down
        await wait_for(pilot, lambda: log.size.height == 12)
        log.write("batch 30")
        await wait_for(pilot, lambda: log.scroll_y == log.max_scroll_y == 31 - 12)


def cyclic_garbage() -> list[object]:
    """What a full collection would free now, kept for the test to look at."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def holds_a_line(garbage: object, text: str) -> bool:
    """A link of an LRUCache's ring ([previous, next, key, value]) whose value is a line."""
    return (isinstance(garbage, list) and len(garbage) == 4 and isinstance(garbage[3], Strip)
            and text in garbage[3].text)


async def six_lines_shown(app: LiveApp, pilot: Pilot[None]) -> ActivityLog:
    log = app.query_one(ActivityLog)
    for n in range(6):
        log.write(f"line {n} of the log")
    await wait_for(pilot, lambda: len(log._line_cache) >= 6)
    return log


async def test_activity_log_restyled_leaves_its_rendered_lines_to_reference_counting() -> None:
    """Each restyle empties the log's line cache; with Textual's LRUCache the links holding its
    lines were a cycle only a full collection frees, and the app holds those off during a run."""
    app = LiveApp()
    async with app.run_test(size=(40, 20)) as pilot:
        log = await six_lines_shown(app, pilot)
        gc.collect()
        gc.disable()
        try:
            log.notify_style_update()
            assert len(log._line_cache) == 0
            left = [o for o in cyclic_garbage() if holds_a_line(o, "of the log")]
        finally:
            gc.enable()
        assert left == []


def test_line_cache_is_an_lru_cache_whose_clear_leaves_no_cycle() -> None:
    for cache in (LineCache[int, Strip](3), LRUCache[int, Strip](3)):
        for n in range(5):
            cache[n] = Strip([Segment(f"line {n}")])
        assert cache.get(0) is None and str(cache.get(4).text) == "line 4"  # the oldest went
        gc.collect()
        gc.disable()
        try:
            cache.clear()
            left = sorted(o[3].text for o in cyclic_garbage() if holds_a_line(o, "line"))
        finally:
            gc.enable()
        assert len(cache) == 0 and cache.get(4) is None
        if isinstance(cache, LineCache):
            assert left == []
        else:  # why LineCache is there: Textual's leaves its ring to the collector (should a
            # Textual release fix that, this fails, and LineCache is no longer needed)
            assert left == ["line 2", "line 3", "line 4"]


ROWS = [IdResult(f"57437604389742{n:04d}", Outcome.RESTARTED, 0, "restarted") for n in range(10)]


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResultsGrid(ROWS)


async def test_results_grid_emptied_leaves_its_rows_to_reference_counting() -> None:
    """The grid empties its row cache on each update, filter or sort (following 100,000
    restarted tasks: every poll)."""
    app = GridApp()
    async with app.run_test(size=(80, 20)) as pilot:
        grid = app.query_one(ResultsGrid)
        await wait_for(pilot, lambda: len(grid._lines) >= 10)
        gc.collect()
        gc.disable()
        try:
            grid.set_results(ROWS[:5])
            left = [o for o in cyclic_garbage() if holds_a_line(o, "5743760438974200")]
        finally:
            gc.enable()
        assert left == []


async def test_activity_log_works_out_its_style_once_a_paint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's RichLog asks for its style twice a line (each time from every ancestor's
    styles); the log's lines look the same."""
    app = LiveApp()
    async with app.run_test(size=(40, 20)) as pilot:
        log = await six_lines_shown(app, pilot)
        worked_out: list[object] = []
        rich_style = DOMNode.rich_style

        def counting(node: DOMNode) -> Style:
            if node is log:
                worked_out.append(node)
            return rich_style.fget(node)  # type: ignore[attr-defined,no-any-return]

        monkeypatch.setattr(DOMNode, "rich_style", property(counting))
        whole = Region(0, 0, log.outer_size.width, log.outer_size.height)
        log.refresh()
        lines = log.render_lines(whole)
        assert len(worked_out) == 1
        assert [line.text.strip() for line in lines[:6]] == [f"line {n} of the log"
                                                             for n in range(6)]
        for name in ("render_lines", "rich_style", "scrollable_content_region"):
            monkeypatch.delattr(ActivityLog, name)  # RichLog's own, asking each time
        log.refresh()
        assert [list(line) for line in log.render_lines(whole)] == [list(line) for line in lines]
        assert len(worked_out) > 6


class WideLogApp(App[None]):
    CSS = "#log { height: 1fr; overflow-x: hidden; }"  # as on the progress screen

    def compose(self) -> ComposeResult:
        yield ActivityLog(max_lines=50, wrap=True, min_width=1, id="log")


LONG = "batch 4: HTTP 500 with a body that is not JSON; looking up 2 tasks with task/query"


def words_on_screen(log: ActivityLog) -> list[str]:
    return " ".join(log.render_line(y).text for y in range(log.size.height)).split()


async def test_the_activity_log_wraps_its_lines_again_when_its_width_changes() -> None:
    """Narrower, nothing is cut off; wider, the lines use the room; at its end, it stays
    there; scrolled back, it stays near where it was."""
    app = WideLogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        log = await log_at_its_end(pilot, app, 20)
        log.write(LONG)
        await wait_for(pilot, lambda: log.is_vertical_scroll_end and "task/query" in " ".join(
            words_on_screen(log)))
        assert len(log.lines) == 22  # the long one on two lines

        await pilot.resize_terminal(30, 12)
        await wait_for(pilot, lambda: len(log.lines) == 24)
        await wait_for(pilot, lambda: log.is_vertical_scroll_end)
        assert words_on_screen(log)[-len(LONG.split()):] == LONG.split()  # every word shown
        assert all(line.cell_length <= log.scrollable_content_region.width for line in log.lines)

        await pilot.resize_terminal(60, 12)
        await wait_for(pilot, lambda: len(log.lines) == 22)
        log.scroll_to(y=3, animate=False)
        await pilot.pause()
        await pilot.resize_terminal(30, 12)
        await wait_for(pilot, lambda: len(log.lines) == 24)
        assert log.scroll_y == 3 and not log.is_vertical_scroll_end
        log.write("batch 99")  # scrolled back: not thrown to the end
        await wait_for(pilot, lambda: len(log.lines) == 25)
        assert log.scroll_y == 3


async def test_a_line_written_before_the_logs_resize_arrives_leaves_nothing_cut_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen's layout gives the log its new size and queues its Resize; the progress
    screen's repaint can write in between. Also: what is kept to wrap again is a text line an
    entry, as many as the log keeps lines (a write of 50 lines is 50 entries)."""
    app = WideLogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        log = app.query_one(ActivityLog)
        log.write(LONG)
        await wait_for(pilot, lambda: len(log.lines) == 2)
        post_message = log.post_message

        def write_first(message: Message) -> bool:
            if isinstance(message, Resize):  # the size is already the new one
                log.write("batch 5")
            return post_message(message)

        monkeypatch.setattr(log, "post_message", write_first)
        log.styles.width = 30
        await wait_for(pilot, lambda: log.lines[-1].text.strip() == "batch 5")
        width = log.scrollable_content_region.width
        assert all(line.cell_length <= width for line in log.lines)
        assert " ".join(words_on_screen(log)).endswith(f"{LONG} batch 5")

        log.write("\n".join(f"line {n}" for n in range(60)))
        await wait_for(pilot, lambda: log.lines[-1].text.strip() == "line 59")
        assert list(log._written) == [f"line {n}" for n in range(10, 60)]  # max_lines=50
