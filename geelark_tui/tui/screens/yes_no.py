"""A yes/no dialog with the facts needed to answer it (stop, quit, discard...), and the two
buttons every dialog ends with. `YesNoScreen` returns a bool through
`push_screen(screen, callback)`: `enter` confirms, `escape` cancels."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.key_footer import KeyFooter


class YesNoScreen(AppModal[bool]):
    """A question with the facts needed to answer it."""

    PALETTE_GROUP = "Dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer(True)", "Confirm", id="ask.yes", priority=True,
                tooltip="Go ahead"),
        Binding("escape", "answer(False)", "Cancel", id="ask.no", tooltip="Go back"),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", no: str = "Cancel",
                 warning: str = "", dialog_id: str = "ask") -> None:
        super().__init__(id=f"{dialog_id}-screen")
        self._title, self._body, self._warning = title, body, warning
        self._yes, self._no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title", markup=False)
            yield Static(self._body, classes="dialog-body", markup=False)
            if self._warning:
                yield Static(self._warning, classes="dialog-warning", markup=False)
            yield from buttons(self._yes, self._no)
        yield KeyFooter(compact=True)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


def buttons(yes: str, no: str) -> ComposeResult:
    with Horizontal(classes="dialog-buttons"):
        ok = Button(f"{yes} (enter)", variant="primary", id="yes")
        cancel = Button(f"{no} (esc)", id="no")
        ok.can_focus = cancel.can_focus = False  # enter always confirms, escape cancels
        yield ok
        yield cancel
