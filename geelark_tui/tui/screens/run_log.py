"""The activity log of a finished run, kept from the progress screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from geelark_tui.tui.base import AppModal

if TYPE_CHECKING:
    from geelark_tui.tui.screens.progress import RunOutcome


class RunLogScreen(AppModal[None]):
    PALETTE_GROUP = "Run log"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,l,q", "close", "Close", id="runlog.close"),
    ]

    def __init__(self, outcome: RunOutcome) -> None:
        super().__init__(id="runlog-screen")
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="runlog-dialog"):
            yield Static("Run log", classes="dialog-title")
            if self.outcome.stop_reason:
                yield Static(f"Stopped: {self.outcome.stop_reason}", classes="dialog-warning",
                             markup=False)
            yield RichLog(max_lines=1000, wrap=True, markup=False, id="runlog")
            yield Static("escape: close", classes="dialog-hint")

    def on_mount(self) -> None:
        log = self.query_one("#runlog", RichLog)
        log.write("\n".join(self.outcome.log) or "(nothing was logged)")
        log.focus()

    def action_close(self) -> None:
        self.dismiss(None)
