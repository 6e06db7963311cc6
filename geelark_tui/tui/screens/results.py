"""The results screen: a summary bar, the grid (one row per ID), the detail pane for the row
under the cursor (see results_tasks.py), filters, and what to do next: re-submit, re-check,
copy the IDs shown, export, or start a new set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input, Static

from geelark_tui.api.codes import describe
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.configstore import save_config
from geelark_tui.connection import ConnectionConfigError
from geelark_tui.tracker import format_duration, outcome_word
from geelark_tui.tui import gc_policy
from geelark_tui.tui.base import PaletteCommand
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.export import ExportRequest, ExportScreen, write_export
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results_tasks import TaskLookups
from geelark_tui.tui.screens.run_log import RunLogScreen
from geelark_tui.tui.widgets.id_stats import plural
from geelark_tui.tui.widgets.result_columns import SORT_CYCLE
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.summary_bar import SummaryBar
from geelark_tui.tui.widgets.task_detail import TaskDetail

RETRY_OUTCOMES = frozenset({Outcome.NOT_SENT, Outcome.UNKNOWN})
NO_FILTER = object()


def code_name(code: int | None) -> str:
    return "no code" if code is None else f"{code} {describe(code).meaning}"


class ResultsTable(ResultsGrid):
    """The grid, with "select" and "reverse sort" out of the footer (80 columns: room for the
    screen's keys); F1 help lists them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        replace(b, show=False) for b in Binding.make_bindings(ResultsGrid.BINDINGS)
        if b.id in ("grid.sort_reverse", "grid.toggle_select")
    ]


class ResultsScreen(TaskLookups):
    PALETTE_GROUP = "Results"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "resubmit", "Retry", id="results.resubmit",
                tooltip="Run again the not-sent and unknown IDs, and any selected"),
        Binding("c", "copy", "Copy", id="results.copy",
                tooltip="Copy the IDs of the rows shown to the clipboard"),
        Binding("e", "export", "Export", id="results.export",
                tooltip="Write the grid to a CSV or JSON file"),
        Binding("f", "cycle_outcome", "Outcome", id="results.filter_outcome",
                tooltip="Show only one outcome (press again for the next)"),
        Binding("g", "cycle_code", "Code", id="results.filter_code", show=False,
                tooltip="Show only one code (press again for the next)"),
        Binding("slash", "find", "Find", id="results.find",
                tooltip="Show only rows whose ID or message contains a text"),
        Binding("k", "recheck", "Re-check", id="results.recheck",
                tooltip="Look the restarted (and unknown) tasks up again: their status now"),
        Binding("n", "new_set", "New", id="results.new_set",
                tooltip="Back to an empty ID box"),
        Binding("d", "toggle_details", "Details", id="results.details", show=False,
                tooltip="Show or hide the task details under the grid"),
        Binding("l", "show_log", "Run log", id="results.log", show=False,
                tooltip="The run's activity log and how it ended"),
        Binding("escape", "clear", "Clear filter", id="results.clear", show=False,
                tooltip="Show every row again and drop the selection"),
    ]

    def __init__(self, outcome: RunOutcome) -> None:
        super().__init__(outcome, id="results")
        self._outcome_filter: Outcome | None = None
        self._code_filter: object = NO_FILTER  # an int code, None ("no code") or NO_FILTER
        self._text_filter = ""
        self._sort_shown: tuple[str, bool] = ("input", False)

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield SummaryBar(id="results-summary")
        yield Static(self._run_line(), id="results-run", markup=False)
        yield Input(placeholder="find: part of an ID or message (enter: keep, escape: clear)",
                    id="results-find")
        yield ResultsTable(self.results, id="grid")
        yield TaskDetail(id="results-detail")
        yield Static("", id="results-status", markup=False)
        yield Footer(compact=True, show_command_palette=False)  # 80 columns: room for keys

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

    # -- text -------------------------------------------------------------------------------

    def _run_line(self) -> str:
        o = self.outcome
        report = o.report
        requests = ""
        if report is not None:
            requests = f" · {plural(report.restart_requests, 'restart request')}"
            lookups = report.query_requests + (o.plan.lookup.requests if o.plan.lookup else 0)
            if lookups:
                requests += f" + {plural(lookups, 'lookup')}"
        took = f"in {format_duration(o.elapsed)}"
        head = f"Stopped: {o.stop_reason}" if o.stop_reason else "Finished"
        return f"{head} · {took}{requests} · {o.plan.host}"

    def _filter_words(self) -> str:
        parts = []
        if self._outcome_filter is not None:
            parts.append(f"outcome {outcome_word(self._outcome_filter)}")
        if self._code_filter is not NO_FILTER:
            parts.append(code_name(self._code_filter))  # type: ignore[arg-type]
        if self._text_filter:
            parts.append(f'"{self._text_filter}"')
        return ", ".join(parts)

    def _update_status(self) -> None:
        grid = self.grid
        shown, total = len(grid.visible_results), len(self.results)
        column, reverse = self._sort_shown = grid.sort_state
        words = self._filter_words()
        status = f"{shown:,} of {total:,} rows" + (f" · only {words}" if words else "")
        status += f" · sorted by {column}{' (reversed)' if reverse else ''}"
        if grid.selected_ids:
            status += f" · {len(grid.selected_ids):,} selected"
        if self.rechecking:
            done, of = self.recheck_progress
            status += f" · re-checking {done:,} of {of:,}"
        self.query_one("#results-status", Static).update(status)
        self.set_class(bool(words), "-filtered")

    def status_changed(self) -> None:
        self._update_status()

    def _follow_sort(self) -> None:
        if self.grid.sort_state != self._sort_shown:
            self._update_status()

    def on_results_grid_selection_changed(self, event: ResultsGrid.SelectionChanged) -> None:
        self._update_status()

    # -- filters ----------------------------------------------------------------------------

    def _apply_filter(self) -> None:
        outcomes = None if self._outcome_filter is None else {self._outcome_filter}
        codes = None if self._code_filter is NO_FILTER else {self._code_filter}
        self.grid.set_filter(outcomes=outcomes, codes=codes,  # type: ignore[arg-type]
                             text=self._text_filter)
        self._update_status()

    def set_outcome_filter(self, outcome: Outcome | None) -> None:
        self._outcome_filter = outcome
        self._apply_filter()

    def set_code_filter(self, code: object) -> None:
        self._code_filter = code
        self._apply_filter()

    def _present_outcomes(self) -> list[Outcome]:
        present = {r.outcome for r in self.results}
        return [o for o in Outcome if o in present]

    def _present_codes(self) -> list[int | None]:
        codes = {r.code for r in self.results}
        return sorted(codes, key=lambda c: -1 if c is None else c)

    def action_cycle_outcome(self) -> None:
        cycle: list[Outcome | None] = [None, *self._present_outcomes()]
        at = cycle.index(self._outcome_filter) if self._outcome_filter in cycle else 0
        self.set_outcome_filter(cycle[(at + 1) % len(cycle)])

    def action_cycle_code(self) -> None:
        cycle: list[object] = [NO_FILTER, *self._present_codes()]
        at = cycle.index(self._code_filter) if self._code_filter in cycle else 0
        self.set_code_filter(cycle[(at + 1) % len(cycle)])

    def action_find(self) -> None:
        field = self.query_one("#results-find", Input)
        self.add_class("-finding")
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "results-find":
            self._text_filter = event.value.strip()
            self._apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "results-find":
            self.grid.focus()
            self.set_class(bool(self._text_filter), "-finding")

    def action_clear(self) -> None:
        field = self.query_one("#results-find", Input)
        had_filter = bool(self._filter_words()) or bool(self.grid.selected_ids)
        self._outcome_filter, self._code_filter, self._text_filter = None, NO_FILTER, ""
        with field.prevent(Input.Changed):
            field.value = ""
        self.remove_class("-finding")
        self.grid.clear_selection()
        self._apply_filter()
        self.grid.focus()
        if not had_filter:
            self.notify("Press n for a new set of IDs, or ctrl+q to quit.")

    # -- actions ----------------------------------------------------------------------------

    def retry_ids(self) -> tuple[tuple[str, ...], int]:
        """IDs worth re-submitting, in input order, and how many of them are `unknown`."""
        selected = self.grid.selected_ids
        chosen = [r for r in self.results if r.outcome in RETRY_OUTCOMES or r.id in selected]
        unknown = sum(1 for r in chosen if r.outcome is Outcome.UNKNOWN)
        return tuple(r.id for r in chosen), unknown

    def action_resubmit(self) -> None:
        ids, unknown = self.retry_ids()
        if not ids:
            self.notify("No ID is worth re-submitting: none is not sent or unknown. Select "
                        "rows with space to re-submit them anyway.", title="Re-submit",
                        severity="warning")
            return
        try:
            plan = self.ctx.plan(ids, unknown_resubmits=unknown)
        except ConnectionConfigError as exc:
            self.notify(str(exc), title="Not ready to connect", severity="error")
            return
        self.app.push_screen(
            RestartConfirmScreen(plan, demo=self.ctx.demo, preflight=self.ctx.preflight),
            lambda confirmed: self.gapp.start_run(confirmed) if confirmed else None)

    def action_copy(self) -> None:
        ids = [r.id for r in self.grid.visible_results]
        if not ids:
            self.notify("No rows shown: nothing to copy.", severity="warning")
            return
        self.app.copy_to_clipboard("\n".join(ids))
        which = "shown" if self._filter_words() else "in the grid"
        self.notify(f"Copied {plural(len(ids), 'ID')} ({which}) to the clipboard.",
                    title="Copied")

    def action_export(self) -> None:
        config = self.ctx.config
        folder = Path(config.ui.results_export_dir or ".").expanduser()
        filtered = bool(self._filter_words())
        self.app.push_screen(
            ExportScreen(folder, shown=len(self.grid.visible_results), total=len(self.results),
                         filtered=filtered),
            self._export,
        )

    def _export(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        rows = self.grid.visible_results if request.only_shown else self.results
        self._write(request, list(rows))

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _write(self, request: ExportRequest, rows: list[IdResult]) -> None:
        try:
            write_export(request, rows, self.outcome.plan.invalid,
                         with_status=self.grid.show_status)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.app.call_from_thread(self.notify, f"Cannot write {request.path}: {reason}",
                                      title="Export", severity="error")
            return
        self.app.call_from_thread(self._exported, request, len(rows))

    def _exported(self, request: ExportRequest, count: int) -> None:
        self.notify(f"Wrote {plural(count, 'row')} to {request.path}.", title="Exported")
        config = self.ctx.config
        folder = str(request.path.parent)
        if config.ui.results_export_dir != folder:
            config.ui = replace(config.ui, results_export_dir=folder)
            save_config(config)
            for warning in config.take_warnings():
                self.notify(warning, severity="warning")

    def action_new_set(self) -> None:
        self.gapp.new_set()

    def action_show_log(self) -> None:
        self.app.push_screen(RunLogScreen(self.outcome))

    # -- palette ----------------------------------------------------------------------------

    def extra_commands(self) -> Iterable[PaletteCommand]:
        for outcome in self._present_outcomes():
            word = outcome_word(outcome)
            yield PaletteCommand(f"Results: only {word}", f"Show only the {word} rows",
                                 lambda o=outcome: self.set_outcome_filter(o))  # type: ignore[misc]
        for code in self._present_codes():
            yield PaletteCommand(f"Results: only code {code_name(code)}",
                                 "Show only rows with this code",
                                 lambda c=code: self.set_code_filter(c))  # type: ignore[misc]
        for column in SORT_CYCLE:
            yield PaletteCommand(f"Results: sort by {column}", "Sort the grid by this column",
                                 lambda c=column: self.grid.sort_by(c))  # type: ignore[misc]
        yield PaletteCommand("Results: show every row", "Clear the filters and the selection",
                             self.action_clear)
