"""The activity logs of a set's runs (the first, then each retry), kept from the progress
screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from geelark_tui.tracker import stopped_text
from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from geelark_tui.tui.screens.progress import RunOutcome


class RunLogScreen(AppModal[None]):
    PALETTE_GROUP = "Run log"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,l,q", "close", "Close", id="runlog.close"),
    ]

    def __init__(self, runs: Sequence[RunOutcome], names: Sequence[str]) -> None:
        super().__init__(id="runlog-screen")
        self.runs = list(zip(names, runs, strict=False))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="runlog-dialog"):
            yield Static("Run log", classes="dialog-title")
            name, last = self.runs[-1]
            if last.stop_reason:
                yield Static(f"{name.capitalize()}: {stopped_text(last.stop_reason)}",
                             classes="dialog-warning", markup=False)
            yield RichLog(max_lines=1000, wrap=True, markup=False, min_width=1, id="runlog")
            yield Static("escape: close", classes="dialog-hint")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        log = self.query_one("#runlog", RichLog)
        lines: list[str] = []
        for name, run in self.runs:
            if len(self.runs) > 1:
                ended = f": {stopped_text(run.stop_reason)}" if run.stop_reason else ""
                lines += ["", f"── {name}{ended} ──"] if lines else [f"── {name}{ended} ──"]
            lines.extend(run.log or ["(nothing was logged)"])
        log.write("\n".join(lines))
        log.focus()

    def action_close(self) -> None:
        self.dismiss(None)
