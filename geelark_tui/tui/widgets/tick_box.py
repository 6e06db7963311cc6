"""TickBox: a checkbox whose box says on or off without colour.

Textual's own checkbox shows "X" in both states and tells them apart by colour alone, so with
NO_COLOR (or a monochrome terminal) ticked and unticked look the same. A TickBox shows "X"
when ticked and an empty box when not.
"""

from __future__ import annotations

from textual.widgets import Checkbox

TICKED, UNTICKED = "X", " "


class TickBox(Checkbox):
    def on_mount(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        self.refresh()

    def watch_value(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        super().watch_value()
