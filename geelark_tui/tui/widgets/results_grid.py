"""ResultsGrid: a keyboard-first, virtualised table of run results (issue "Scale").

`ScrollView` + the Line API: only the lines on screen are rendered, so 100,000 rows cost no more
to show than 20. The grid keeps the results, the positions of the rows shown (a `range` when
nothing is filtered or sorted, else a compact int array) and the sort keys of the current sort
column. What each column says is `result_columns`; which colour a row has, `api.codes` (the
row style) and ``app.tcss`` (the colour), never this module.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from geelark_tui.api.codes import row_style
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.report import hint_for
from geelark_tui.tui.line_fit import fit
from geelark_tui.tui.widgets.line_cache import LineCache
from geelark_tui.tui.widgets.line_list import LineList, navigation_bindings
from geelark_tui.tui.widgets.outcome_classes import OUTCOME_CLASSES, outcome_class
from geelark_tui.tui.widgets.result_columns import (
    MARK_W,
    SORT_CYCLE,
    SORT_KEYS,
    SortColumn,
    column_widths,
    header_text,
    row_text,
    status_label,
    status_sort_key,
)


class ResultsGrid(LineList):
    """One row per ID: ID, OUTCOME (symbol + word), STATUS (after a lookup), CODE, MEANING
    (on a wide line), NEXT STEP; "●" = selected."""

    # Styled in results_grid.tcss; the row colours (OUTCOME_CLASSES) in app.tcss.
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "results-grid--header", "results-grid--cursor", "results-grid--selected",
        *OUTCOME_CLASSES,
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        *navigation_bindings("grid", "row"),
        Binding("space", "toggle_select", "Select", id="grid.toggle_select",
                tooltip="Select or unselect the row under the cursor"),
        Binding("s", "cycle_sort", "Sort", id="grid.sort",
                tooltip="Sort by the next column: input order, ID, outcome, status, code, "
                        "meaning"),
        Binding("S", "reverse_sort", "Reverse", id="grid.sort_reverse",
                tooltip="Reverse the sort order"),
    ]

    class CursorMoved(Message):
        """The row under the cursor changed: another row, or a new result for the same ID."""

        def __init__(self, result: IdResult | None, grid: ResultsGrid | None = None) -> None:
            super().__init__()
            self.result = result
            self.grid = grid

        @property
        def control(self) -> ResultsGrid | None:
            return self.grid

    class SelectionChanged(Message):
        """The set of selected IDs changed; `count` is its new size."""

        def __init__(self, count: int, grid: ResultsGrid | None = None) -> None:
            super().__init__()
            self.count = count
            self.grid = grid

        @property
        def control(self) -> ResultsGrid | None:
            return self.grid

    def __init__(self, results: Sequence[IdResult] = (), *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._results: list[IdResult] = []
        self._visible: Sequence[int] = range(0)  # positions in _results, filtered and sorted
        self._cursor = 0  # index into _visible
        self._selected: set[str] = set()
        self._sort: SortColumn = "input"
        self._reverse = False
        self._outcomes: frozenset[str] | None = None
        self._codes: frozenset[int | None] | None = None
        self._statuses: frozenset[str] | None = None
        self._text = ""
        self._keys: tuple[str, list[Any]] | None = None  # (column, key per position)
        self._id_width = 0  # the longest ID's length
        self._posted: IdResult | None = None
        self._show_status = False
        # The STATUS column's text; a screen that knows when each status was seen may refine it.
        self.status_text: Callable[[IdResult], str] = status_label
        # The NEXT STEP column; a screen that knows each task's latest facts refines it.
        self.hint_text: Callable[[IdResult], str] = hint_for
        self._live = False
        self._styles: dict[tuple[str, bool, bool], Style] = {}
        self._lines: LineCache[tuple[int, int, bool, bool], Strip] = LineCache(512)
        self.set_results(results)

    # ---- public API -------------------------------------------------------------------------

    def set_results(self, results: Sequence[IdResult]) -> None:
        """Replace every row; the filter, the sort and the selection (of IDs still present) stay.

        The cursor stays on the same ID if it is still shown, else on the same line."""
        cursor = self.cursor_result
        self._results = list(results)
        self._keys = None
        self._lines.clear()
        self._id_width = max(map(len, (r.id for r in self._results)), default=0)
        if self._selected:
            before = len(self._selected)
            self._selected &= {r.id for r in self._results}
            if len(self._selected) != before:
                self._post(self.SelectionChanged(len(self._selected), self))
        keep = None if cursor is None else next(
            (n for n, r in enumerate(self._results) if r.id == cursor.id), None)
        self._rebuild(keep)

    def update_results(self, changed: Iterable[IdResult]) -> None:
        """Replace the rows with the same IDs in place; IDs not in the grid are appended."""
        new = {r.id: r for r in changed}
        if not new:
            return
        results, touched = self._results, []
        for pos, old in enumerate(results):
            if old.id in new:
                results[pos] = new.pop(old.id)
                touched.append(pos)
        for result in new.values():
            touched.append(len(results))
            results.append(result)
            self._id_width = max(self._id_width, len(result.id))
        if self._keys is not None:
            column, keys = self._keys
            status_text = self.status_text
            for pos in touched:
                row = results[pos]
                key = SORT_KEYS[column](row) if column in SORT_KEYS else status_sort_key(
                    row, status_text(row))
                keys[pos:pos + 1] = [key]  # replaces, or appends at the end
        self._lines.clear()
        self._rebuild(self._cursor_position())

    def set_filter(self, outcomes: Collection[Outcome] | None = None,
                   codes: Collection[int | None] | None = None, text: str = "",
                   statuses: Collection[str] | None = None) -> None:
        """Show only matching rows. `None`: no constraint; `statuses`: what the STATUS
        column says; `text`: a substring of the ID, the message or (shown) the STATUS."""
        self._outcomes = None if outcomes is None else frozenset(outcomes)
        self._codes = None if codes is None else frozenset(codes)
        self._statuses = None if statuses is None else frozenset(statuses)
        self._text = text.strip().casefold()
        self._rebuild(self._cursor_position())

    @property
    def filtered(self) -> bool:
        """Some filter narrows the rows shown."""
        return bool(self._text) or any(f is not None for f in (self._outcomes, self._codes,
                                                                  self._statuses))

    def redraw_rows(self) -> None:
        """What NEXT STEP says may have changed (the screen learnt of some task): draw the
        rows again, filtered and sorted as they are."""
        self._lines.clear()
        self.refresh()

    def refresh_rows(self) -> None:
        """What the STATUS column says changed (the screen learnt more about the tasks):
        repaint, and filter and sort again by the new words."""
        self._lines.clear()
        if self._sort == "status":
            self._keys = None
        self._rebuild(self._cursor_position())

    def sort_columns(self) -> tuple[SortColumn, ...]:
        """The columns `s` cycles through: those on screen (and the input order)."""
        width = self.scrollable_content_region.width or 1000
        meaning = column_widths(width, self._id_width, self._show_status)[1] > 0
        return tuple(c for c in SORT_CYCLE if (c != "status" or self._show_status)
                     and (c != "meaning" or meaning))

    def sort_by(self, column: SortColumn, reverse: bool = False) -> None:
        """Sort by a column; "input" is the order the IDs came in, which also breaks ties."""
        if column not in SORT_CYCLE:
            raise ValueError(f"cannot sort by {column!r}")
        self._sort, self._reverse = column, reverse
        self._rebuild(self._cursor_position())

    @property
    def show_status(self) -> bool:
        """Whether the STATUS column is shown (after a pre-flight or a re-check)."""
        return self._show_status

    @show_status.setter
    def show_status(self, show: bool) -> None:
        if show != self._show_status:
            self._show_status = show
            self._lines.clear()
            self.refresh()

    @property
    def sort_state(self) -> tuple[SortColumn, bool]:
        """The sort column and whether it is reversed."""
        return self._sort, self._reverse

    @property
    def all_results(self) -> Sequence[IdResult]:
        return tuple(self._results)

    @property
    def visible_results(self) -> Sequence[IdResult]:
        results = self._results
        return [results[pos] for pos in self._visible]

    def visible_slice(self, start: int, stop: int) -> list[IdResult]:
        """Rows `start` to `stop` of `visible_results`, without building all of it."""
        results = self._results
        return [results[pos] for pos in self._visible[start:stop]]

    @property
    def selected_ids(self) -> frozenset[str]:
        return frozenset(self._selected)

    def clear_selection(self) -> None:
        if self._selected:
            self._selected.clear()
            self.refresh()
            self._post(self.SelectionChanged(0, self))

    def select_shown(self) -> int:
        """Add every row shown to the selection; returns how many were added."""
        results, before = self._results, len(self._selected)
        self._selected.update(results[pos].id for pos in self._visible)
        added = len(self._selected) - before
        if added:
            self.refresh()
            self._post(self.SelectionChanged(len(self._selected), self))
        return added

    def hidden_selected(self) -> int:
        """Selected rows the filter hides."""
        if not self._selected:
            return 0
        results = self._results
        shown = sum(1 for pos in self._visible if results[pos].id in self._selected)
        return len(self._selected) - shown

    @property
    def cursor_result(self) -> IdResult | None:
        position = self._cursor_position()
        return None if position is None else self._results[position]

    @property
    def cursor_row(self) -> int:
        """Index of the cursor in `visible_results` (0 when nothing is shown)."""
        return self._cursor

    @property
    def cursor_line(self) -> int:
        return self._cursor

    @property
    def line_count(self) -> int:
        return len(self._visible)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on a row of `visible_results` (clamped) and scroll it into view."""
        self._cursor = max(0, min(row, len(self._visible) - 1))
        self._changed()

    def move_to(self, line: int) -> None:
        self.move_cursor(line)

    # ---- filtering and sorting ----------------------------------------------------------------

    def _rebuild(self, keep: int | None) -> None:
        """Recompute the rows shown; the cursor stays on position `keep` if it is still shown."""
        results, outcomes, codes, text = self._results, self._outcomes, self._codes, self._text
        statuses, status_text = self._statuses, self.status_text
        in_status = text if self._show_status else ""
        rows: Sequence[int] = range(len(results))
        if outcomes is not None or codes is not None or statuses is not None or text:
            rows = [n for n, r in enumerate(results)
                    if (outcomes is None or r.outcome in outcomes)
                    and (codes is None or r.code in codes)
                    and (statuses is None or status_text(r) in statuses)
                    and (not text or text in r.id.casefold() or text in r.message.casefold()
                         or (in_status and in_status in status_text(r).casefold()))]
        if self._sort != "input":
            if self._keys is None or self._keys[0] != self._sort:
                self._keys = None  # free the old column's keys first
                key = SORT_KEYS.get(self._sort) or (lambda r: status_sort_key(r, status_text(r)))
                self._keys = (self._sort, list(map(key, results)))
            rows = sorted(rows, key=self._keys[1].__getitem__, reverse=self._reverse)
        elif self._reverse:
            rows = rows[::-1]
        self._visible = rows if isinstance(rows, range) else array("l", rows)
        if keep is not None and keep in self._visible:  # O(1) for a range
            self._cursor = self._visible.index(keep)
        self._cursor = max(0, min(self._cursor, len(rows) - 1))
        self.virtual_size = Size(0, len(rows) + 1)  # + the header line
        self._changed()

    def _cursor_position(self) -> int | None:
        return self._visible[self._cursor] if self._visible else None

    # ---- cursor, selection, events ------------------------------------------------------------

    def _post(self, message: Message) -> None:
        if self._live:
            self.post_message(message)

    def _changed(self) -> None:
        """Repaint, keep the cursor in view, and tell the app if the cursor's result changed."""
        self.refresh()
        if not self._live:
            return
        self.scroll_to_cursor()
        result = self.cursor_result
        if result is not self._posted:
            self._posted = result
            self.post_message(self.CursorMoved(result, self))

    def on_mount(self) -> None:
        self._live = True  # messages go out from now on (`is_mounted` is set after on_mount)
        self._changed()

    def notify_style_update(self) -> None:  # also runs on focus and blur
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()
        self.refresh()

    def action_toggle_select(self) -> None:
        result = self.cursor_result
        if result is not None:
            self._selected.symmetric_difference_update((result.id,))
            self.refresh()
            self._post(self.SelectionChanged(len(self._selected), self))

    def action_cycle_sort(self) -> None:
        cycle = self.sort_columns()
        at = cycle.index(self._sort) if self._sort in cycle else 0
        self.sort_by(cycle[(at + 1) % len(cycle)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self._sort, not self._reverse)

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a click in the "●" column also toggles the selection."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = offset.y - 1 + round(self.scroll_y)
        if row < len(self._visible):
            self.move_cursor(row)
            if offset.x < MARK_W:
                self.action_toggle_select()

    # ---- rendering ----------------------------------------------------------------------------

    def _style(self, component: str, cursor: bool = False, selected: bool = False) -> Style:
        key = (component, cursor, selected)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style + self.get_component_rich_style(component)
            for overlay in ("selected",) * selected + ("cursor",) * cursor:
                # An overlay without a colour of its own keeps the row's colour.
                overlay_class, row_colour = f"results-grid--{overlay}", Style(color=style.color)
                style += self.get_component_rich_style(overlay_class)
                if not self.get_component_styles(overlay_class).has_rule("color"):
                    style += row_colour
            self._styles[key] = style
        return style

    def _header(self, width: int) -> Strip:
        text = header_text(width, self._id_width, self._show_status, self._sort, self._reverse)
        return Strip([Segment(text, self._style("results-grid--header"))], width)

    def _row(self, result: IdResult, width: int, cursor: bool, selected: bool) -> Strip:
        status = self.status_text(result) if self._show_status else None
        text = row_text(result, width, self._id_width, status, selected, self.hint_text(result))
        style = self._style(outcome_class(row_style(result.outcome, result.code)), cursor,
                            selected)
        return Strip([Segment(text, style)], width)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        row = y - 1 + round(self.scroll_y)
        if row >= len(self._visible):
            if y == 1 and not self._visible:
                note = "No rows match the filter." if self._results else "No results yet."
                style = self._style(outcome_class("not-sent"))
                return Strip([Segment(fit("  " + note, width), style)], width)
            return Strip.blank(width, self.rich_style)
        pos = self._visible[row]
        result = self._results[pos]
        key = (pos, width, row == self._cursor, result.id in self._selected)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._row(result, width, key[2], key[3])
        return strip
