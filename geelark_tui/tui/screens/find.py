"""Find: the tasks of the last 7 days without a list of IDs, grouped, selected and restarted.

Opening the screen reads the whole task history (task/historyRecords, page by page, in a
worker, paced by the session's one pacer; escape stops it) and keeps every task read; the
form (time range, statuses, plan, phone, failure codes) then filters locally, in a thread, so
changing it costs no request. The list groups the matches by failure reason (g: by plan, phone,
status), expands a group into its tasks, selects groups or tasks, and ctrl+r restarts the
selection through the usual confirmation, run and results.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Select, Static
from textual.worker import get_current_worker

from geelark_tui.api.models import Task
from geelark_tui.events import RateLimitWait
from geelark_tui.task_filter import (
    DEFAULT_SINCE,
    DEFAULT_STATUSES,
    STATE_NAMES,
    TaskFilter,
    parse_duration,
    parse_fail_codes,
)
from geelark_tui.task_groups import GROUP_TITLES, GroupBy, Grouping
from geelark_tui.tasks import PageRead, TaskWalk, WalkEnd, WalkEvent, WalkResult
from geelark_tui.tui.base import AppScreen, PaletteCommand
from geelark_tui.tui.screens.confirm import ask_to_restart
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.task_groups import TaskGroupList
from geelark_tui.words import plural

CUSTOM = "custom"
RANGES = (("last hour", "1h"), ("last 12 hours", "12h"), ("last 24 hours", "24h"),
          ("last 7 days", DEFAULT_SINCE), ("custom:", CUSTOM))
TYPING_DELAY = 0.25  # seconds of quiet typing before the filter is applied
ALL_STATUSES = None


class StatusBox(Checkbox):
    """A status tick box whose mark is blank when unticked: not told by colour alone."""

    def __init__(self, label: str, value: bool, *, id: str) -> None:
        super().__init__(label, value, compact=True, id=id)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()


class FindScreen(AppScreen[None]):
    PALETTE_GROUP = "Find"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "restart", "Restart", id="find.restart", priority=True,
                tooltip="Restart the selected tasks, or the group or task under the cursor "
                        "(asks first)"),
        Binding("g", "regroup", "Group", id="find.regroup",
                tooltip="Group by the next of: failure reason, plan, phone, status"),
        Binding("ctrl+l", "reload", "Reload", id="find.reload", priority=True,
                tooltip="Read the task history again (statuses change after restarts)"),
        Binding("ctrl+e", "edit", "Search", id="find.edit", show=False,
                tooltip="Back to the search form (time range, statuses, plan, phone, code)"),
        Binding("escape", "stop_or_back", "Stop/back", id="find.back",
                tooltip="Stop reading the history; when not reading, back to the ID box"),
    ]

    def __init__(self, *, autoload: bool = True) -> None:
        super().__init__(id="find")
        self._autoload = autoload  # False: nothing is read until ctrl+l (or `walked` is fed)
        self._all: list[Task] = []  # every task read, in the order read
        self._matched: list[Task] = []
        self._filter = TaskFilter()
        self._form: tuple[object, ...] = ()
        self._by = GroupBy.REASON
        self._applied = 0  # how many of `_all` the grouping has seen
        self._generation = 0  # a rebuild in a thread is stale once this has moved on
        self._rebuilding = False
        self._walk: TaskWalk | None = None
        self._result: WalkResult | None = None
        self._pages = self._seen = 0
        self._waiting = 0.0
        self._problem = ""
        self._typing: Timer | None = None

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="find-form"):
            with Horizontal(classes="find-row"):
                yield Label("Since", classes="find-label")
                yield Select(RANGES, value=DEFAULT_SINCE, allow_blank=False, compact=True,
                             id="find-range")
                yield self._input("find-custom", "36h, 90m, 2d", disabled=True)
                yield Label("Plan", classes="find-label find-label-2")
                yield self._input("find-plan", "part of a plan name")
            with Horizontal(classes="find-row", id="find-statuses"):
                yield Label("Status", classes="find-label")
                for status, name in STATE_NAMES.items():
                    yield StatusBox(name, status in DEFAULT_STATUSES, id=f"find-status-{name}")
            with Horizontal(classes="find-row"):
                yield Label("Phone", classes="find-label")
                yield self._input("find-phone", "part of a phone name")
                yield Label("Fail code", classes="find-label find-label-2")
                yield self._input("find-codes", "20002,29996")
        yield Static("", id="find-note", markup=False)
        yield TaskGroupList(id="find-groups")
        yield KeyFooter(compact=True, show_command_palette=False)

    def _input(self, id: str, placeholder: str, *, disabled: bool = False) -> Input:
        return Input(id=id, placeholder=placeholder, compact=True, disabled=disabled)

    def on_mount(self) -> None:
        self._filter, self._form = self._read_form() or (self._filter, ())
        self.groups.grouping = Grouping(self._by)
        self.groups.focus()
        if self._autoload:
            self._load()

    @property
    def groups(self) -> TaskGroupList:
        return self.query_one(TaskGroupList)

    @property
    def reading(self) -> bool:
        return self._walk is not None

    # -- reading the history ----------------------------------------------------------------

    @work(exclusive=True, group="find-load", exit_on_error=False)
    async def _load(self) -> None:
        from geelark_tui.connection import ConnectionConfigError

        try:
            client, pacer = self.ctx.client(), self.ctx.pacer()
        except ConnectionConfigError as exc:
            self.notify(str(exc), title="Not ready to connect", severity="error")
            self._problem = str(exc)
            self._show_note()
            self.gapp.action_settings()
            return
        walk = self._walk = TaskWalk(client, pacer, TaskFilter(statuses=ALL_STATUSES),
                                     on_event=self.walked, wall_clock=self.ctx.wall_clock)
        self.groups.reading = True
        self._show_note()
        try:
            self._result = await walk.run()
        except Exception as exc:  # shown, never a crash
            message = (self.ctx.scrub or str)(f"{type(exc).__name__}: {exc}")
            self._result = WalkResult([], WalkEnd.INCOMPLETE, f"reading failed: {message}")
        finally:
            if self._walk is walk:
                self._walk = None
                self.groups.reading = False
        self.finished(self._result)

    def walked(self, event: WalkEvent) -> None:
        """One event of the walk: a page read (its tasks join the list) or a wait."""
        if isinstance(event, RateLimitWait):
            self._waiting = event.seconds
        elif isinstance(event, PageRead):
            self._waiting = 0.0
            self._pages, self._seen = event.pages, event.seen
            self._all.extend(event.found)
            if not self._rebuilding:
                self._catch_up()
        self._show_note()

    def finished(self, result: WalkResult) -> None:
        """The walk is over: say how it ended when that was not by reading it all."""
        self._show_note()
        reason = (self.ctx.scrub or str)(result.reason)
        if result.end is WalkEnd.REFUSED:
            self.notify(reason, title="The API refused the history", severity="error")
        elif result.end is WalkEnd.INCOMPLETE:
            self.notify(reason, title="The list may be incomplete", severity="warning",
                        timeout=12)

    def _catch_up(self) -> None:
        """Add the tasks read since the grouping was built (a page, or what arrived while a
        rebuild ran in its thread)."""
        new = [t for t in self._all[self._applied:] if self._filter.matches(t)]
        self._applied = len(self._all)
        if new:
            self._matched.extend(new)
            self.groups.grouping.add(new)
        self.groups.grew()

    # -- filtering and grouping (in a thread: the list may be long) -------------------------

    def _read_form(self) -> tuple[TaskFilter, tuple[object, ...]] | None:
        """The filter the form describes, or None (with the problem shown) when it cannot."""
        span = self.query_one("#find-range", Select).value
        custom = self.query_one("#find-custom", Input).value.strip()
        codes_text = self.query_one("#find-codes", Input).value.strip()
        statuses = frozenset(s for s, name in STATE_NAMES.items()
                             if self.query_one(f"#find-status-{name}", Checkbox).value)
        plan = self.query_one("#find-plan", Input).value
        phone = self.query_one("#find-phone", Input).value
        try:
            seconds = parse_duration(custom if span == CUSTOM else str(span))
            codes = parse_fail_codes(codes_text) if codes_text else frozenset()
        except ValueError as exc:
            self._problem = str(exc) if span != CUSTOM or custom else "type a duration: 36h"
            self._show_note()
            return None
        self._problem = ""
        form = (span, custom, statuses, plan.strip().casefold(), phone.strip().casefold(), codes)
        return TaskFilter(statuses=statuses, since=self.ctx.wall_clock() - seconds,
                          plan=plan, phone=phone, fail_codes=codes), form

    def apply_form(self) -> None:
        read = self._read_form()
        if read is None or read[1] == self._form:
            self._show_note()
            return
        self._filter, self._form = read
        self._rebuild()

    def _rebuild(self) -> None:
        self._generation += 1
        self._rebuilding = True
        self._show_note()
        self._regroup(self._generation, self._filter, self._by, self._all[:])

    @work(thread=True, exclusive=True, group="find-filter", exit_on_error=False,
          description="filter and group the tasks")
    def _regroup(self, generation: int, task_filter: TaskFilter, by: GroupBy,
                 tasks: list[Task]) -> None:
        matched = [t for t in tasks if task_filter.matches(t)]
        grouping = Grouping(by, matched)
        shown = {t.id for t in matched}
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._regrouped, generation, len(tasks), matched,
                                      grouping, shown)

    def _regrouped(self, generation: int, applied: int, matched: list[Task],
                   grouping: Grouping, shown: set[str]) -> None:
        if generation != self._generation:
            return
        self._rebuilding = False
        self._matched, self._applied = matched, applied
        self.groups.keep_selected(shown)
        self.groups.show(grouping)
        self._catch_up()
        self._show_note()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "find-range":
            custom = self.query_one("#find-custom", Input)
            custom.disabled = event.value != CUSTOM
            if not custom.disabled:
                custom.focus()
            self.apply_form()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.apply_form()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_DELAY, self.apply_form)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.apply_form()
        self.groups.focus()

    def on_task_group_list_selection_changed(self, event: TaskGroupList.SelectionChanged) -> None:
        self._show_note()

    # -- the note under the form ------------------------------------------------------------

    def _show_note(self) -> None:
        read = f"{self._seen:,} tasks read" + (f" in {plural(self._pages, 'page')}"
                                               if self._pages else "")
        matched = f"{len(self._matched):,} match"
        result = self._result
        if self._problem:
            note = self._problem
        elif self.reading and self._waiting >= 1:
            note = f"Reading… {read} · waiting for the request budget: {self._waiting:.0f} s"
        elif self.reading:
            note = f"Reading the history… {read} · {matched} (escape stops)"
        elif result is not None and result.end is WalkEnd.STOPPED:
            note = f"Stopped: {read}, {matched} · ctrl+l reads again"
        elif result is not None and not result.complete:
            note = f"{matched} of {read} · the list may be incomplete · ctrl+l reads again"
        else:
            note = f"{matched} of {read}"
        selected = len(self.groups.selected_ids)
        if selected and not self._problem:
            note += f" · {selected:,} selected"
        if self._rebuilding and not self._problem:
            note += " · filtering…"
        self.query_one("#find-note", Static).update(note)
        self.set_class(self.reading, "-reading")
        self.set_class(bool(self._problem), "-problem")

    # -- actions ----------------------------------------------------------------------------

    def action_regroup(self) -> None:
        self._by = self._by.next()
        self._rebuild()
        self.notify(f"Grouped by {GROUP_TITLES[self._by]}.", title="Find", timeout=2)

    def group_by(self, by: GroupBy) -> None:
        self._by = by
        self._rebuild()

    def action_reload(self) -> None:
        if self._walk is not None:
            self._walk.stop("reading again")
        self.workers.cancel_group(self, "find-load")
        self._walk, self._result = None, None
        self._all, self._matched, self._applied = [], [], 0
        self._pages = self._seen = 0
        self.groups.clear_selection()
        self.groups.show(Grouping(self._by))
        self._generation += 1  # a rebuild still running is for the old list
        self._rebuilding = False
        self._load()

    def action_edit(self) -> None:
        self.query_one("#find-range", Select).focus()

    def action_stop_or_back(self) -> None:
        if self._walk is not None:
            self._walk.stop()
            self.notify("Stopping after the page in flight.", title="Find", timeout=3)
            return
        self.app.pop_screen()

    def chosen_ids(self) -> list[str]:
        """The selected tasks in the order read; else those under the cursor."""
        selected = self.groups.selected_ids
        if selected:
            return [t.id for t in self._matched if t.id in selected]
        return self.groups.cursor_ids()

    def action_restart(self) -> None:
        ids = self.chosen_ids()
        if not ids:
            self.notify("No task to restart: select groups or tasks (space, a).",
                        title="Nothing to restart", severity="warning")
            return
        ask_to_restart(self, tuple(ids))

    def extra_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand(f"Find: group by {GROUP_TITLES[by]}",
                               f"Group the tasks found by {GROUP_TITLES[by]}",
                               partial(self.group_by, by))
                for by in GroupBy if by is not self._by]
