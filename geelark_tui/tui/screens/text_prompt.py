"""Ask for one line of text (e.g. a new name for a recent set): enter keeps it, escape cancels.
Dismisses with the text, stripped, or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.key_footer import KeyFooter


class TextPromptScreen(AppModal["str | None"]):
    PALETTE_GROUP = "Dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Go back"),
    ]

    def __init__(self, title: str, body: str, value: str = "", *,
                 placeholder: str = "") -> None:
        super().__init__(id="prompt-screen")
        self._title, self._body, self._value, self._placeholder = title, body, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title", markup=False)
            yield Static(self._body, classes="dialog-body", markup=False)
            yield Input(self._value, placeholder=self._placeholder, id="prompt-text")
            yield Static("enter: keep · escape: cancel", classes="dialog-hint")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify("Type something first, or press escape.", severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
