"""TaskGroupList: found tasks in groups with counts, each group expandable into its tasks.

Built like the results grid (`ScrollView` + the Line API): only the lines on screen are
rendered, and a line is found from the group offsets (a bisect), so a group of 100,000 tasks
expands, scrolls and selects as fast as one of ten. Selection is by task ID: selecting a
group selects its tasks. Colours: later.tcss (`TaskGroupList`), by task state.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from geelark_tui.api.models import Task
from geelark_tui.task_filter import state_name
from geelark_tui.task_groups import GROUP_TITLES, GroupBy, Grouping, TaskGroup, reason_of
from geelark_tui.tasks_report import short_time
from geelark_tui.tui.line_fit import fit
from geelark_tui.tui.widgets.line_list import LineList, navigation_bindings

MARK_W, ARROW_W, COUNT_W = 2, 2, 7
ID_W, STATE_W, WHEN_W, OTHER_W = 19, 10, 12, 12
STATE_STYLES = {"failed": "failed", "cancelled": "cancelled", "completed": "completed"}
# The two other facts a task line shows, by how the list is grouped.
OTHERS: dict[GroupBy, tuple[Callable[[Task], str], Callable[[Task], str]]] = {
    GroupBy.REASON: (lambda t: t.serial_name or "", lambda t: t.plan_name or ""),
    GroupBy.PLAN: (lambda t: t.serial_name or "", reason_of),
    GroupBy.PHONE: (lambda t: t.plan_name or "", reason_of),
    GroupBy.STATUS: (lambda t: t.serial_name or "", reason_of),
}


class TaskGroupList(LineList):
    """One line per group ("▸ 312  29997 insufficient balance"), its tasks under it when
    expanded; "●" marks what is selected ("◐": part of a group)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "task-groups--header", "task-groups--group", "task-groups--failed",
        "task-groups--cancelled", "task-groups--completed", "task-groups--active",
        "task-groups--cursor", "task-groups--selected", "task-groups--empty",
    }
    DEFAULT_CSS = """
    TaskGroupList { height: 1fr; overflow-x: hidden; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *navigation_bindings("groups", "line"),
        Binding("enter", "expand", "Open", id="groups.expand",
                tooltip="Show or hide the tasks of the group under the cursor"),
        Binding("right", "expand", "Open", show=False, id="groups.expand_right",
                tooltip="Show or hide the tasks of the group under the cursor"),
        Binding("left", "collapse", "Close", show=False, id="groups.collapse",
                tooltip="Hide the tasks of this group"),
        Binding("space", "toggle_select", "Select", id="groups.select",
                tooltip="Select or unselect the group or task under the cursor"),
        Binding("a", "select_all", "All", id="groups.select_all",
                tooltip="Select every task shown (again: select none)"),
    ]

    class SelectionChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grouping = Grouping(GroupBy.REASON)
        self.reading = False  # says "reading..." instead of "no tasks" while empty
        self._groups: list[TaskGroup] = []
        self._starts: list[int] = []  # the body line of each group
        self._index: dict[str, int] = {}  # group key -> position
        self._lines = 0
        self._expanded: set[str] = set()
        self._selected: set[str] = set()
        self._sel_counts: dict[str, int] = {}
        self._cursor: tuple[str, int] | None = None  # (group key, task index or -1)
        self._styles: dict[tuple[str, bool, bool], Style] = {}

    # ---- data -----------------------------------------------------------------------------

    def show(self, grouping: Grouping) -> None:
        """Show another grouping (grouped another way, or filtered anew). Expanded groups,
        the selection and the cursor's group stay where they still exist."""
        self.grouping = grouping
        self.grew()

    def grew(self) -> None:
        """The grouping changed (a page of tasks arrived): lay the lines out again."""
        groups = self.grouping.groups
        self._groups, self._index, self._sel_counts = groups, {}, {}
        starts, line = [], 0
        for n, group in enumerate(groups):
            self._index[group.key] = n
            starts.append(line)
            line += 1 + (len(group.tasks) if group.key in self._expanded else 0)
        self._starts, self._lines = starts, line
        self.virtual_size = Size(0, line + 1)  # + the header
        if self._cursor is not None and self._cursor[0] not in self._index:
            self._cursor = None
        if self._cursor is None and groups:
            self._cursor = (groups[0].key, -1)
        self._moved()

    @property
    def selected_ids(self) -> frozenset[str]:
        return frozenset(self._selected)

    def keep_selected(self, shown: set[str]) -> None:
        """Forget selected tasks that are no longer shown (the filter changed)."""
        if not self._selected <= shown:
            self._set_selection(self._selected & shown)

    def clear_selection(self) -> None:
        self._set_selection(set())

    def cursor_ids(self) -> list[str]:
        """The tasks under the cursor: its group's, or one task's."""
        where = self._where(self.cursor_line)
        if where is None:
            return []
        group, task = where
        return group.ids if task < 0 else [group.tasks[task].id]

    @property
    def cursor_line(self) -> int:
        if self._cursor is None or self._cursor[0] not in self._index:
            return 0
        key, task = self._cursor
        return self._starts[self._index[key]] + 1 + task

    @property
    def line_count(self) -> int:
        return self._lines

    def _where(self, line: int) -> tuple[TaskGroup, int] | None:
        """The group on a body line and the task's index in it (-1: the group's own line)."""
        if not 0 <= line < self._lines:
            return None
        n = bisect_right(self._starts, line) - 1
        return self._groups[n], line - self._starts[n] - 1

    def _set_selection(self, selected: set[str]) -> None:
        self._selected, self._sel_counts = selected, {}
        self.refresh()
        self.post_message(self.SelectionChanged(len(selected)))

    def _selected_in(self, group: TaskGroup) -> int:
        count = self._sel_counts.get(group.key)
        if count is None:
            selected = self._selected
            count = self._sel_counts[group.key] = sum(1 for t in group.tasks if t.id in selected)
        return count

    # ---- cursor and keys ----------------------------------------------------------------

    def move_to(self, line: int) -> None:
        where = self._where(max(0, min(line, self._lines - 1)))
        if where is not None:
            self._cursor = (where[0].key, where[1])
        self._moved()

    def _moved(self) -> None:
        self.refresh()
        if self.is_mounted:
            self.scroll_to_cursor()

    def action_expand(self) -> None:
        where = self._where(self.cursor_line)
        if where is None:
            return
        key = where[0].key
        self._expanded.symmetric_difference_update((key,))
        self._cursor = (key, -1)
        self.grew()

    def action_collapse(self) -> None:
        where = self._where(self.cursor_line)
        if where is not None and where[0].key in self._expanded:
            self.action_expand()

    def action_toggle_select(self) -> None:
        ids = self.cursor_ids()
        if not ids:
            return
        if all(i in self._selected for i in ids):
            self._set_selection(self._selected.difference(ids))
        else:
            self._set_selection(self._selected.union(ids))

    def action_select_all(self) -> None:
        shown = {t.id for g in self._groups for t in g.tasks}
        self._set_selection(set() if shown and shown <= self._selected else shown)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1:
            self.move_to(offset.y - 1 + round(self.scroll_y))

    # ---- rendering ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self.refresh()

    def _style(self, name: str, cursor: bool = False, selected: bool = False) -> Style:
        key = (name, cursor, selected)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style + self.get_component_rich_style(f"task-groups--{name}")
            for overlay in ("selected",) * selected + ("cursor",) * cursor:
                style += self.get_component_rich_style(f"task-groups--{overlay}")
            self._styles[key] = style
        return style

    def _strip(self, text: str, width: int, style: Style) -> Strip:
        return Strip([Segment(fit(text, width), style)], width)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            title = GROUP_TITLES[self.grouping.by].upper()
            head = " " * (MARK_W + ARROW_W) + f"{'TASKS':>{COUNT_W}}  BY {title} (g: regroup)"
            return self._strip(head, width, self._style("header"))
        line = y - 1 + round(self.scroll_y)
        where = self._where(line)
        if where is None:
            if y == 1 and not self._lines:
                note = "Reading the task history…" if self.reading else "No task matches."
                return self._strip("  " + note, width, self._style("empty"))
            return Strip.blank(width, self.rich_style)
        group, task = where
        cursor = line == self.cursor_line and self._cursor is not None
        if task < 0:
            chosen = self._selected_in(group)
            mark = "● " if chosen == len(group.tasks) else "◐ " if chosen else "  "
            arrow = "▾ " if group.key in self._expanded else "▸ "
            text = f"{mark}{arrow}{len(group.tasks):>{COUNT_W},}  {group.key}"
            return self._strip(text, width, self._style("group", cursor, chosen > 0))
        item = group.tasks[task]
        selected = item.id in self._selected
        state = state_name(item.status)
        first, second = OTHERS[self.grouping.by]
        guide = "  └ " if task == len(group.tasks) - 1 else "  │ "
        text = (("● " if selected else "  ") + guide + fit(item.id, ID_W) + " "
                + fit(state, STATE_W - 1) + " " + fit(short_time(item.schedule_at), WHEN_W - 1)
                + " " + fit(first(item), OTHER_W - 1) + " " + second(item))
        style = STATE_STYLES.get(state, "active")
        return self._strip(text, width, self._style(style, cursor, selected))
