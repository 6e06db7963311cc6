"""What the results screen does with its rows: retry, copy, ticket reply, export. Each acts on
exactly the selection, else exactly the rows shown (every row when nothing is filtered), and
says which. A retry runs on top of the screen and its answers are merged into the set in place
(`take_run`): one ticket = one set."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual import work

from geelark_tui.after import after_of
from geelark_tui.api.models import RUNNING_STATUSES, IdResult, Outcome
from geelark_tui.configstore import ConfigError, save_config, update_recent_counts
from geelark_tui.report import RunExtras, summarize
from geelark_tui.task_info import BEFORE_THE_RUN
from geelark_tui.ticket import ticket_reply, totals_line
from geelark_tui.tracker import stopped_text
from geelark_tui.tui import gc_policy
from geelark_tui.tui.screens.confirm import ask_to_restart
from geelark_tui.tui.screens.export import ExportRequest, ExportScreen, write_export
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results_filter import RowFilter, Scope
from geelark_tui.tui.screens.results_follow import TaskFollowing
from geelark_tui.tui.widgets.summary_bar import SummaryBar


class ResultActions(TaskFollowing):
    """The screen provides `row_filter`, `set_key` (the recent set the rows belong to) and
    `runs_changed()` (repaint what says which run is shown)."""

    row_filter: RowFilter
    set_key: str | None
    runs: list[RunOutcome]

    def runs_changed(self) -> None:
        """A retry was merged in."""

    def scope(self) -> Scope:
        grid = self.grid
        selected = grid.selected_ids
        if selected:
            rows = [r for r in self.results if r.id in selected]
            return Scope(rows, "selected", grid.hidden_selected())
        if self.row_filter.active:
            return Scope(list(grid.visible_results), "shown")
        return Scope(list(self.results), "all")

    # -- retry ------------------------------------------------------------------------------

    def action_resubmit(self) -> None:
        scope = self.scope()
        if not scope.rows:
            self.notify("No rows shown: nothing to retry.", title="Retry", severity="warning")
            return
        unknown = sum(1 for r in scope.rows if r.outcome is Outcome.UNKNOWN)
        ask_to_restart(self, tuple(r.id for r in scope.rows), unknown_resubmits=unknown,
                       scope=scope.which(), set_key=self.set_key, into=self,
                       open_settings=False)

    def stuck(self, rows: list[IdResult]) -> list[IdResult]:
        """Rows skipped, or refused with 48001, whose task is (as last seen) waiting or
        running: what "cancel and restart" takes."""
        tasks = self.store.tasks

        def status(row: IdResult) -> int | None:  # read from the packed row: no Task built
            return tasks.status_of(row.id) if row.id in tasks else row.status

        return [r for r in rows if (r.outcome is Outcome.SKIPPED or r.code == 48001)
                and status(r) in RUNNING_STATUSES]

    def action_cancel_restart(self) -> None:
        """`x`: cancel the stuck tasks of the selection (else of the rows shown), then restart
        them, after a confirmation that says so."""
        scope = self.scope()
        rows = self.stuck(scope.rows)
        if not rows:
            self.notify(f"None of {scope.phrase('row')} is waiting or running (skipped, or "
                        "refused with 48001): nothing to cancel.", title="Cancel and restart",
                        severity="warning")
            return
        stuck = ("the waiting or running of " + scope.which() if len(rows) < len(scope.rows)
                 else scope.which())
        ask_to_restart(self, tuple(r.id for r in rows), scope=stuck,
                       set_key=self.set_key, into=self, open_settings=False,
                       cancel_active=True)

    def export_extras(self) -> RunExtras:
        """What an export adds to the rows, as `geelark-tui restart` would: the status column
        (after a lookup; each task's status before the run, as the contract has it, not what
        following found since), what following found (`after`), and the next steps from the
        latest facts."""
        latest = self.latest_tasks()
        after = ({i: after_of(latest.get(i)) for i in self.followed} if self.followed
                 else None)
        return RunExtras(with_status=self.statuses_before_known, after=after, latest=latest,
                         before=self.set.statuses_before_run)

    def take_run(self, outcome: RunOutcome) -> None:
        """A retry of some rows has ended: its answers update those rows in place, each row
        keeping its earlier answers (the detail pane's "Runs" line)."""
        run = f"retry {len(self.set.runs)}"
        changed = self.set.merge(outcome.results, run)
        if outcome.plan.lookup is not None:
            self.store.absorb(outcome.plan.lookup, BEFORE_THE_RUN)
        self.runs.append(outcome)
        grid = self.grid
        self.statuses_before_known |= outcome.plan.lookup is not None
        grid.show_status = grid.show_status or outcome.plan.lookup is not None
        grid.update_results(changed)
        grid.refresh_rows()
        self.query_one(SummaryBar).show_results(self.results)
        self.show_detail()
        self.runs_changed()
        self.status_changed()  # a filter may show other rows now
        ended = f" {stopped_text(outcome.stop_reason)}." if outcome.stop_reason else ""
        hidden = ""
        if grid.filtered:  # the retried rows may no longer match it: say so, not vanish
            shown = {r.id for r in grid.visible_results}
            out = sum(r.id not in shown for r in changed)
            verb = "matches" if out == 1 else "match"
            hidden = (f" {out:,} of them no longer {verb} the filter (escape shows every row)."
                      if out else "")
        self.notify(f"{run.capitalize()}: {totals_line(outcome.results)}.{ended} "
                    f"{len(changed):,} rows changed in place; the detail pane shows each "
                    f"row's runs.{hidden}", title="Retry")
        for warning in outcome.warnings:
            self.notify(warning, title="Run log", severity="warning")
        self._save_counts()
        self.call_after_refresh(gc_policy.collect_after_run)  # the one the retry went without
        self.follow_run(outcome)

    def _save_counts(self) -> None:
        """The set's counts in the recent list: those of the whole set, not of the retry."""
        config = self.ctx.config
        if self.set_key is None or not any(r.key == self.set_key for r in config.recent):
            return
        update_recent_counts(config, self.set_key, summarize(self.results))
        for warning in config.take_warnings():
            self.notify(warning, title="Config", severity="warning")

    # -- copy, ticket reply -----------------------------------------------------------------

    def action_copy(self) -> None:
        scope = self.scope()
        if not scope.rows:
            self.notify("No rows shown: nothing to copy.", severity="warning")
            return
        self.app.copy_to_clipboard("\n".join(r.id for r in scope.rows))
        self.notify(f"Copied {scope.phrase()} to the clipboard.", title="Copied")

    def ticket_title(self) -> str:
        config = self.ctx.config
        named = next((r for r in config.recent if r.key == self.set_key), None)
        return "" if named is None or named.is_auto_named else named.name

    def action_ticket(self) -> None:
        scope = self.scope()
        if not scope.rows:
            self.notify("No rows shown: nothing to reply about.", severity="warning")
            return
        self.app.copy_to_clipboard(ticket_reply(scope.rows, title=self.ticket_title(),
                                                latest=self.latest_tasks()))
        self.notify(f"Copied a ticket reply for {scope.phrase()} to the clipboard (e "
                    "exports it as a file).", title="Ticket reply")

    # -- export -----------------------------------------------------------------------------

    def action_export(self) -> None:
        config = self.ctx.config
        folder = Path(config.ui.results_export_dir or ".")  # the dialog makes it absolute
        scope = self.scope()
        self.app.push_screen(ExportScreen(folder, scope=scope, total=len(self.results)),
                             lambda request: self._export(request, scope))

    def _export(self, request: ExportRequest | None, scope: Scope) -> None:
        if request is None:
            return
        rows = list(self.results) if request.every_row else scope.rows
        self._write(request, rows, self.ticket_title())

    @work(thread=True, exclusive=True, group="export", exit_on_error=False,
          description="write an export")
    def _write(self, request: ExportRequest, rows: list[IdResult], title: str) -> None:
        try:
            write_export(request, rows, self.outcome.plan.invalid, self.export_extras(),
                         title=title)
        except (OSError, ConfigError) as exc:  # ConfigError: not a regular file (any more)
            reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
            self.app.call_from_thread(self.notify, f"Cannot write {request.path}: {reason}",
                                      title="Export", severity="error")
            return
        self.app.call_from_thread(self._exported, request, len(rows))

    def _exported(self, request: ExportRequest, count: int) -> None:
        what = "a ticket reply for " if request.fmt == "md" else ""
        self.notify(f"Wrote {what}{count:,} row{'s' if count != 1 else ''} to {request.path}.",
                    title="Exported")
        config = self.ctx.config
        folder = str(request.path.parent)
        if config.ui.results_export_dir != folder:
            config.ui = replace(config.ui, results_export_dir=folder)
            save_config(config)
            for warning in config.take_warnings():
                self.notify(warning, severity="warning")
