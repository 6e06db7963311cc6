"""Past runs: the run log's runs, newest first; enter reopens one as a results grid (one row per
ID with its outcome and code), where it can be filtered, copied, exported or retried."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from geelark_tui.context import AppContext, display_path
from geelark_tui.pastruns import PastRun, past_runs
from geelark_tui.plan import RunPlan
from geelark_tui.recentsets import set_key
from geelark_tui.tui.base import AppModal
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.widgets.key_footer import KeyFooter


def reopened(context: AppContext, past: PastRun) -> RunOutcome:
    """A past run as the results screen shows it. Lookups and retries go to the host in use
    now (the confirmation names it); without usable settings they say why, when tried."""
    from geelark_tui.connection import ConnectionConfigError

    results = past.results()
    ids = tuple(r.id for r in results)
    try:
        base_url = context.base_url()
    except ConnectionConfigError:
        base_url = ""
    plan = RunPlan(ids=ids, settings=context.run_settings(), base_url=base_url,
                   host=past.host, auth_label=context.credentials().label)
    key = set_key(ids) if ids else None
    known = key if any(r.key == key for r in context.config.recent) else None
    return RunOutcome(plan, results, None, log=(f"Reopened from the run log: {past.line()}",),
                      stop_reason=past.stop_reason, recent_key=known,
                      origin=f"From the run log: the run of {past.when()} on {past.host}")


class PastRunsScreen(AppModal["PastRun | None"]):
    PALETTE_GROUP = "Past runs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="pastruns.close", tooltip="Back"),
    ]

    def __init__(self, run_log: Path | None) -> None:
        super().__init__(id="pastruns-screen")
        self.run_log = run_log
        self.runs: list[PastRun] = []

    def compose(self) -> ComposeResult:
        where = ("Demo runs are not logged." if self.run_log is None
                 else f"From {display_path(self.run_log)}, newest first.")
        with Vertical(classes="dialog", id="pastruns-dialog"):
            yield Static("Past runs", classes="dialog-title")
            yield Static(where, classes="dialog-hint", markup=False)
            yield OptionList(id="pastruns")
            yield Static("enter: reopen as a results grid · escape: close",
                         classes="dialog-hint")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        runs = self.query_one("#pastruns", OptionList)
        runs.focus()
        if self.run_log is None:
            runs.add_option(Option("Nothing to show.", disabled=True))
            return
        runs.add_option(Option("Reading the run log…", disabled=True))
        self._read(self.run_log)

    @work(thread=True, exclusive=True, group="past-runs", exit_on_error=False,
          description="read the run log")
    def _read(self, path: Path) -> None:
        try:
            found = past_runs(path)
        except OSError as exc:
            self.app.call_from_thread(self._show, [], f"Cannot read the run log: {exc}")
            return
        self.app.call_from_thread(self._show, found, "No runs logged yet.")

    def _show(self, found: list[PastRun], empty: str) -> None:
        self.runs = found
        options = self.query_one("#pastruns", OptionList)
        options.clear_options()
        if not found:
            options.add_option(Option(empty, disabled=True))
            return
        options.add_options(Option(Text(run.line(), no_wrap=True, overflow="ellipsis"),
                                   id=str(n)) for n, run in enumerate(found))
        options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(self.runs[int(event.option.id)])

    def action_close(self) -> None:
        self.dismiss(None)
