"""What the results screen knows about the tasks behind its rows, and how it learns more: the
STATUS column, the detail pane for the row under the cursor, on-demand lookups and the re-check.

The detail pane shows the task from the pre-flight or a re-check; when neither has it, a
task/query lookup is made once the cursor has rested on a row for a moment, for up to 100 rows
from the cursor on (so moving down the grid costs one request per 100 rows). The re-check (k)
looks the restarted (and unknown) IDs up again and gives each row its new status. Every lookup
runs in a worker and goes through the session's pacer, so it shares the API's rate limits with
the runs; a failed lookup is shown, never raised.

The rows are a `ResultSet` (one ticket = one set): what a lookup learns updates them in place
(`absorb_facts`), and so does a retry (the results screen merges its run into the set).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.timer import Timer

from geelark_tui.api.models import RESTARTABLE_STATUSES, IdResult, Outcome, Task
from geelark_tui.report import hint_for
from geelark_tui.resultset import ResultSet
from geelark_tui.task_info import BEFORE_THE_RUN, TaskStore, status_counts
from geelark_tui.tui.base import AppScreen
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.widgets.result_columns import status_label
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.task_detail import TaskDetail
from geelark_tui.words import plural

if TYPE_CHECKING:
    from geelark_tui.preflight import Lookup

RECHECK_OUTCOMES = frozenset({Outcome.RESTARTED, Outcome.UNKNOWN})
FETCH_DELAY = 0.3  # seconds the cursor rests on a row before its task is looked up
FETCH_ROWS = 100  # the rows from the cursor on that one on-demand lookup covers


class TaskLookups(AppScreen[None]):
    """The results screen's task knowledge; the screen composes a `ResultsGrid` and a
    `TaskDetail`, calls `mount_tasks()` when mounted and binds `recheck` and
    `toggle_details` to keys."""

    def __init__(self, outcome: RunOutcome, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.outcome = outcome
        self.set = ResultSet(outcome.results)  # the outcome's list, updated in place
        self.store = outcome.tasks or TaskStore.before_run(outcome.plan.lookup)
        self._fetch_timer: Timer | None = None
        self.rechecking = False
        self.recheck_progress = (0, 0)  # IDs looked up, of how many
        self.statuses_before_known = False  # see `mount_tasks`

    def status_changed(self) -> None:
        """Rows changed or the re-check progressed: the screen may repaint its status line."""

    @property
    def results(self) -> list[IdResult]:
        return self.set.rows

    @property
    def grid(self) -> ResultsGrid:
        return self.query_one(ResultsGrid)

    def latest_task(self, task_id: str) -> Task | None:
        """What a lookup after the run (following, a re-check, the detail pane) found: the
        newest fact, which the next step follows (the pre-flight's is in the row already)."""
        if self.store.source.get(task_id, BEFORE_THE_RUN) == BEFORE_THE_RUN:
            return None
        return self.store.tasks.get(task_id)

    def latest_tasks(self) -> dict[str, Task]:
        tasks, source = self.store.tasks, self.store.source
        return {i: tasks[i] for i in tasks if source.get(i, BEFORE_THE_RUN) != BEFORE_THE_RUN}

    def row_hint(self, result: IdResult) -> str:
        return hint_for(result, task=self.latest_task(result.id))

    def mount_tasks(self) -> None:
        self.grid.status_text = self.row_status
        self.grid.hint_text = self.row_hint
        # The tasks' statuses before the run are known (a pre-flight, a past run's log): the
        # STATUS column from the start, and the exports' `status` column.
        self.statuses_before_known = (self.outcome.plan.lookup is not None
                                      or any(r.status is not None for r in self.results))
        self.grid.show_status = self.statuses_before_known

    def row_status(self, result: IdResult) -> str:
        """The STATUS column: a restarted task's status from before the run is "was failed";
        failed again after a re-check, "failed again"."""
        label = status_label(result)
        if result.outcome is not Outcome.RESTARTED or result.status is None:
            return label
        if self.store.source.get(result.id) == BEFORE_THE_RUN:
            return f"was {label}"
        return f"{label} again" if result.status in RESTARTABLE_STATUSES else label

    # -- the detail pane -------------------------------------------------------------------

    @property
    def detail(self) -> TaskDetail:
        return self.query_one(TaskDetail)

    def on_results_grid_cursor_moved(self, event: ResultsGrid.CursorMoved) -> None:
        self.show_detail()
        self._want_detail()

    def show_detail(self) -> None:
        result = self.grid.cursor_result
        info = self.store.info(result.id) if result is not None else self.store.info("")
        answers = None
        if self.set.retried and result is not None:
            answers = self.set.history(result.id)
        self.detail.show(result, info, answers)

    def _want_detail(self, *, retry: bool = False) -> None:
        """Look the cursor's task up soon, if nothing says what it is."""
        result = self.grid.cursor_result
        if result is None or not self.detail.expanded:
            return
        store = self.store
        if store.known(result.id) or result.id in store.looking:
            return
        if result.id in store.errors and not retry:
            return
        if self._fetch_timer is not None:
            self._fetch_timer.stop()
        self._fetch_timer = self.set_timer(FETCH_DELAY, self._fetch_from_cursor)

    def _fetch_from_cursor(self) -> None:
        store, grid = self.store, self.grid
        if not self.detail.expanded:
            return
        start = grid.cursor_row
        rows = grid.visible_slice(start, start + FETCH_ROWS)
        ids = [r.id for r in rows if not store.known(r.id) and r.id not in store.looking]
        if not ids:
            return
        store.looking.update(ids)
        self.show_detail()
        self._fetch(ids)

    @work(exclusive=True, group="detail", exit_on_error=False, description="look tasks up")
    async def _fetch(self, ids: list[str]) -> None:
        try:
            found = await self._look_up(ids, concurrency=1)
        finally:  # also when a newer lookup cancelled this one
            self.store.looking.difference_update(ids)
        self.store.absorb(found, "looked up")
        self.grid.redraw_rows()  # their NEXT STEP says what the pane says
        self.show_detail()

    async def _look_up(self, ids: list[str], *, concurrency: int,
                       on_progress: Callable[[int, int], None] | None = None) -> Lookup:
        """task/query through the session's pacer; a failure is recorded, never raised."""
        from geelark_tui.preflight import Lookup, lookup

        plan = self.outcome.plan
        try:
            return await lookup(self.ctx.client(plan), ids, self.ctx.pacer(plan.settings),
                                concurrency=concurrency, on_progress=on_progress)
        except Exception as exc:  # e.g. credentials removed in Settings: say so, never crash
            return Lookup(tuple(ids), failed=set(ids), errors=[f"{type(exc).__name__}: {exc}"])

    def action_toggle_details(self) -> None:
        expanded = not self.detail.expanded
        self.detail.set_expanded(expanded)
        self.show_detail()
        if expanded:
            self._want_detail(retry=True)
        elif self._fetch_timer is not None:
            self._fetch_timer.stop()

    # -- re-check ---------------------------------------------------------------------------

    def action_recheck(self) -> None:
        ids = [r.id for r in self.results if r.outcome in RECHECK_OUTCOMES]
        if not ids:
            self.notify("Nothing to re-check: no ID was restarted (or has an unknown outcome).",
                        title="Re-check", severity="warning")
            return
        if self.rechecking:
            self.notify("Already re-checking.", title="Re-check")
            return
        self.rechecking = True
        self.recheck_progress = (0, len(ids))
        self.status_changed()
        self.notify(f"Looking up {plural(len(ids), 'task')}…", title="Re-check")
        self._recheck(ids)

    def _rechecked_some(self, done: int, total: int) -> None:
        self.recheck_progress = (done, total)
        self.status_changed()

    @work(exclusive=True, group="recheck", exit_on_error=False,
          description="re-check tasks")
    async def _recheck(self, ids: list[str]) -> None:
        try:
            found = await self._look_up(ids, concurrency=self.outcome.plan.settings.concurrency,
                                        on_progress=self._rechecked_some)
        finally:
            self.rechecking = False
        self.rechecked(found)
        self.status_changed()

    def absorb_facts(self, found: Lookup, source: str) -> list[IdResult]:
        """New facts about some tasks (a re-check, following them): the store takes them, each
        row looked up gets the status its task has now, in place, and the STATUS column and
        the detail pane show it. Returns the rows that changed."""
        self.store.absorb(found, source)
        failed = found.failed
        changed = self.set.with_statuses({i: found.status_of(i) for i in found.ids
                                          if i not in failed})
        self.grid.show_status = True
        self.grid.update_results(changed)
        self.grid.refresh_rows()  # "was failed" may now read "failed again"
        self.show_detail()
        # A filter may show other rows now. Not on every follow poll without one: the status
        # line takes ~50 ms with 100,000 rows selected.
        if self.grid.filtered:
            self.status_changed()
        return changed

    def rechecked(self, found: Lookup) -> None:
        """Each re-checked row gets the status its task has now."""
        self.absorb_facts(found, "re-checked")
        looked = [i for i in found.ids if i not in found.failed]
        words = status_counts(found.status_of(i) for i in looked)
        if found.failed:
            words += (", " if words else "") + f"{len(found.failed):,} could not be looked up"
            self.notify(f"Re-checked {len(found.ids):,}: {words} ({found.errors[-1]}).",
                        title="Re-check", severity="warning")
        else:
            self.notify(f"Re-checked {len(found.ids):,}: {words}.", title="Re-check")
