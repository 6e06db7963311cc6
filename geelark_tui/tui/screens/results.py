"""The results screen: a compact summary, the grid (one row per ID), the detail pane for the row
under the cursor (see results_tasks.py), filters on outcome, code, STATUS and text, an explicit
selection, and what to do next (results_actions.py): retry, copy, the ticket reply, export,
re-check, a past run, or a new set. The rows are one set: a retry updates them in place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from geelark_tui.api.models import Outcome
from geelark_tui.tracker import format_duration, outcome_word, stopped_text
from geelark_tui.tui import gc_policy
from geelark_tui.tui.base import PaletteCommand
from geelark_tui.tui.line_fit import fit_parts
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results_actions import ResultActions
from geelark_tui.tui.screens.results_filter import NO_FILTER, RowFilter, code_name, next_in
from geelark_tui.tui.screens.run_log import RunLogScreen
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.live_text import LiveText
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.summary_bar import SummaryBar
from geelark_tui.tui.widgets.task_detail import TaskDetail
from geelark_tui.words import plural

SHOWN_IN_FOOTER = frozenset({"results.resubmit", "results.copy", "results.ticket",
                             "results.export", "results.filter_outcome", "results.find",
                             "results.select_shown", "results.new_set"})


class ResultsTable(ResultsGrid):
    """The grid, with its keys out of the footer (80 columns: room for the screen's keys);
    F1 help and the palette list them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        replace(b, show=False) for b in Binding.make_bindings(ResultsGrid.BINDINGS)
        if b.id in ("grid.sort", "grid.sort_reverse", "grid.toggle_select")
    ]


class ResultsScreen(ResultActions):
    PALETTE_GROUP = "Results"
    BINDINGS: ClassVar[list[BindingType]] = [
        replace(b, show=b.id in SHOWN_IN_FOOTER) for b in Binding.make_bindings([
            Binding("r", "resubmit", "Retry", id="results.resubmit",
                    tooltip="Restart the selected rows, else the rows shown (asks first)"),
            Binding("c", "copy", "Copy", id="results.copy",
                    tooltip="Copy the IDs of the selected rows, else of the rows shown"),
            Binding("t", "ticket", "Ticket", id="results.ticket",
                    tooltip="Copy a ticket reply: totals, then the IDs by what to do next"),
            Binding("e", "export", "Export", id="results.export",
                    tooltip="Write the selected rows, else the rows shown: CSV, JSON or the "
                            "ticket reply"),
            Binding("f", "cycle_outcome", "Outcome", id="results.filter_outcome",
                    tooltip="Show only one outcome (press again for the next)"),
            Binding("g", "cycle_code", "Code", id="results.filter_code",
                    tooltip="Show only one code (press again for the next)"),
            Binding("h", "cycle_status", "Status", id="results.filter_status",
                    tooltip="Show only one STATUS (press again for the next)"),
            Binding("slash", "find", "Find", id="results.find",
                    tooltip="Show only rows whose ID, message or STATUS contains a text"),
            Binding("a", "select_shown", "All shown", id="results.select_shown",
                    tooltip="Select every row shown (space selects one)"),
            Binding("u", "clear_selection", "Unselect", id="results.clear_selection",
                    tooltip="Clear the selection"),
            Binding("k", "recheck", "Re-check", id="results.recheck",
                    tooltip="Look the restarted (and unknown) tasks up again: their status now"),
            Binding("x", "cancel_restart", "Cancel+restart", id="results.cancel_restart",
                    tooltip="Cancel the waiting or running tasks of the selected rows (else "
                            "of the rows shown), then restart them (asks first)"),
            Binding("w", "toggle_follow", "Follow", id="results.follow",
                    tooltip="Stop following the restarted tasks (or follow them again)"),
            Binding("n", "new_set", "New", id="results.new_set",
                    tooltip="Back to an empty ID box"),
            Binding("d", "toggle_details", "Details", id="results.details",
                    tooltip="Show or hide the task details under the grid"),
            Binding("l", "show_log", "Run log", id="results.log",
                    tooltip="The activity log of the runs and how they ended"),
            Binding("p", "app.past_runs", "Past runs", id="results.past_runs",
                    tooltip="Runs from the run log: reopen one as a results grid"),
            Binding("escape", "clear", "Clear filter", id="results.clear",
                    tooltip="Show every row again and drop the selection"),
        ])
    ]

    def __init__(self, outcome: RunOutcome) -> None:
        # No fixed id: a past run reopened from a results screen is pushed while the screen
        # it replaces is still being removed.
        super().__init__(outcome)
        self.row_filter = RowFilter()
        self.set_key = outcome.recent_key
        self.runs = [outcome]
        self._sort_shown: tuple[str, bool] = ("input", False)

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield SummaryBar(zeros=False, total=False, id="results-summary")  # total: status line
        yield Static(self._run_line(), id="results-run", markup=False)
        yield Input(placeholder="find: part of an ID, a message or a STATUS (enter: keep, "
                                "escape: clear)", id="results-find")
        yield ResultsTable(self.results, id="grid")
        yield LiveText(id="results-follow")
        yield TaskDetail(id="results-detail")
        yield Static("", id="results-status", markup=False)
        yield KeyFooter(compact=True, show_command_palette=False)  # 80 columns: room for keys

    def on_mount(self) -> None:
        summary = self.query_one(SummaryBar)
        if self.outcome.tally is not None:
            summary.show_tally(self.outcome.tally)
        else:
            summary.show_results(self.results)
        self.mount_tasks()
        self.set_class(bool(self.outcome.stop_reason), "-stopped")
        self.query_one(ResultsGrid).focus()
        self._update_status()
        self.set_interval(0.2, self._follow_sort)  # the grid sorts on its own keys (s, S)
        self.call_after_refresh(gc_policy.collect_after_run)
        for warning in self.outcome.warnings:
            self.notify(warning, title="Run log", severity="warning")
        self.expect_following(self.outcome)
        self.follow_changed()
        # After the first paint (the line is there from the start: no second layout of 100,000
        # rows when following begins): the results are what the user waits for (100,000 rows).
        self.call_after_refresh(self.follow_run, self.outcome)

    # -- text -------------------------------------------------------------------------------

    def _run_line(self) -> str:
        o = self.runs[-1]
        if o.origin:
            return o.origin
        report = o.report
        requests = ""
        if report is not None:
            requests = plural(report.restart_requests, 'restart request')
            cancels = o.session.cancels if o.session is not None else None
            if cancels is not None and cancels.requests:
                requests += f" + {plural(cancels.requests, 'cancel request')}"
            lookups = report.query_requests + (o.plan.lookup.requests if o.plan.lookup else 0)
            lookups += cancels.lookups if cancels is not None else 0
            if lookups:
                requests += f" + {plural(lookups, 'lookup')}"
        run = self.set.runs[-1]
        head = stopped_text(o.stop_reason) if o.stop_reason else "Finished"
        if len(self.runs) > 1:
            ids = plural(len(o.plan.ids), "ID")
            head = f"{run.capitalize()} ({ids}): {head[0].lower()}{head[1:]}"
        # On one line if it can be: the host goes first (the header names it); a stop
        # reason is never cut, it wraps.
        return fit_parts([(head, 0), (f"in {format_duration(o.elapsed)}", 1), (requests, 2),
                          (o.plan.host, 3)], self.line_width(), cut=False)

    def runs_changed(self) -> None:
        self.query_one("#results-run", Static).update(self._run_line())
        self.set_class(bool(self.runs[-1].stop_reason), "-stopped")
        self.query_one(TaskDetail).set_class(True, "-runs")

    def _update_status(self) -> None:
        grid = self.grid
        shown, total = grid.line_count, len(self.results)
        column, reverse = self._sort_shown = grid.sort_state
        words = self.row_filter.words()
        # Each part with the rank it goes by when the line is too long (0: never): the sort
        # first (the grid's header marks it), then "none selected".
        parts = [(f"{shown:,} of {total:,} rows", 0), (f"only {words}" if words else "", 0)]
        if column != "input" or reverse:  # input order needs no words
            parts.append((f"sorted by {column}{' (reversed)' if reverse else ''}", 2))
        selected = len(grid.selected_ids)
        if selected:
            hidden = grid.hidden_selected()
            parts.append((f"{selected:,} selected" + (f" ({hidden:,} hidden)" if hidden else ""),
                          0))
        else:
            parts.append(("none selected", 1))
        if self.rechecking:
            done, of = self.recheck_progress
            parts.append((f"re-checking {done:,} of {of:,}", 0))
        line = self.query_one("#results-status", Static)
        line.update(fit_parts(parts, self.line_width()), layout=False)  # one line, always
        self.set_class(bool(words), "-filtered")
        self.set_class(bool(selected), "-selecting")

    def status_changed(self) -> None:
        self._update_status()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_lines)

    def _fit_lines(self) -> None:
        """Fitted to the new width."""
        self.query_one("#results-run", Static).update(self._run_line())
        self._update_status()

    def follow_changed(self) -> None:
        line = self.follow_line()
        field = self.query_one("#results-follow", LiveText)
        field.show(line)
        field.display = bool(line)  # a layout only when the line comes or goes

    def _follow_sort(self) -> None:
        if self.grid.sort_state != self._sort_shown:
            self._update_status()

    def on_results_grid_selection_changed(self, event: ResultsGrid.SelectionChanged) -> None:
        self._update_status()

    # -- filters ----------------------------------------------------------------------------

    def _apply_filter(self) -> None:
        self.grid.set_filter(**self.row_filter.grid_args())  # type: ignore[arg-type]
        self._update_status()

    def set_outcome_filter(self, outcome: Outcome | None) -> None:
        self.row_filter.outcome = outcome
        self._apply_filter()

    def set_code_filter(self, code: object) -> None:
        self.row_filter.code = code
        self._apply_filter()

    def set_status_filter(self, status: str | None) -> None:
        self.row_filter.status = status
        self._apply_filter()

    def _present_outcomes(self) -> list[Outcome]:
        present = {r.outcome for r in self.results}
        return [o for o in Outcome if o in present]

    def _present_codes(self) -> list[int | None]:
        codes = {r.code for r in self.results}
        return sorted(codes, key=lambda c: -1 if c is None else c)

    def _present_statuses(self) -> list[str]:
        if not self.grid.show_status:
            return []
        return sorted({self.row_status(r) for r in self.results})

    def action_cycle_outcome(self) -> None:
        self.set_outcome_filter(next_in([None, *self._present_outcomes()],
                                        self.row_filter.outcome))

    def action_cycle_code(self) -> None:
        self.set_code_filter(next_in([NO_FILTER, *self._present_codes()], self.row_filter.code))

    def action_cycle_status(self) -> None:
        statuses = self._present_statuses()
        if not statuses:
            self.notify("No STATUS yet: the tasks were not looked up (k re-checks them).",
                        title="Status", severity="warning")
            return
        self.set_status_filter(next_in([None, *statuses], self.row_filter.status))

    def action_find(self) -> None:
        field = self.query_one("#results-find", Input)
        self.add_class("-finding")
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "results-find":
            self.row_filter.text = event.value.strip()
            self._apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "results-find":
            self.grid.focus()
            self.set_class(bool(self.row_filter.text), "-finding")

    def action_clear(self) -> None:
        field = self.query_one("#results-find", Input)
        had_filter = self.row_filter.active or bool(self.grid.selected_ids)
        self.row_filter = RowFilter()
        with field.prevent(Input.Changed):
            field.value = ""
        self.remove_class("-finding")
        self.grid.clear_selection()
        self._apply_filter()
        self.grid.focus()
        if not had_filter:
            self.notify("Press n for a new set of IDs, or ctrl+q to quit.")

    # -- selection --------------------------------------------------------------------------

    def action_select_shown(self) -> None:
        added = self.grid.select_shown()
        shown = self.grid.line_count
        self.notify(f"Selected the {plural(shown, 'row')} shown ({added:,} newly): r, c, t "
                    "and e now act on the selection; u clears it.", title="Selection")

    def action_clear_selection(self) -> None:
        self.grid.clear_selection()

    # -- more -------------------------------------------------------------------------------

    def action_new_set(self) -> None:
        self.gapp.new_set()

    def action_show_log(self) -> None:
        self.app.push_screen(RunLogScreen(self.runs, self.set.runs))

    def extra_commands(self) -> Iterable[PaletteCommand]:
        for outcome in self._present_outcomes():
            word = outcome_word(outcome)
            yield PaletteCommand(f"Results: only {word}", f"Show only the {word} rows",
                                 lambda o=outcome: self.set_outcome_filter(o))  # type: ignore[misc]
        for code in self._present_codes():
            yield PaletteCommand(f"Results: only code {code_name(code)}",
                                 "Show only rows with this code",
                                 lambda c=code: self.set_code_filter(c))  # type: ignore[misc]
        for status in self._present_statuses():
            yield PaletteCommand(f"Results: only status {status}",
                                 "Show only rows whose STATUS says this",
                                 lambda s=status: self.set_status_filter(s))  # type: ignore[misc]
        for column in self.grid.sort_columns():
            yield PaletteCommand(f"Results: sort by {column}", "Sort the grid by this column",
                                 lambda c=column: self.grid.sort_by(c))  # type: ignore[misc]
        yield PaletteCommand("Results: show every row", "Clear the filters and the selection",
                             self.action_clear)
