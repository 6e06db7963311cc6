"""The tokens of a text that were not read as IDs, each with its reason: a list to review with
the keyboard (up, down, page up/down), from the entry screen or the confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from geelark_tui.ids import IgnoredToken
from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.task_detail import printable
from geelark_tui.words import plural


def ignored_title(listed: int, total: int) -> str:
    title = f"{plural(total, 'token')} ignored: not read as task IDs"
    if total > listed:
        title += f" (the first {listed:,} listed)"
    return title


class IgnoredScreen(AppModal[None]):
    PALETTE_GROUP = "Ignored"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="ignored.close", tooltip="Back"),
    ]

    def __init__(self, ignored: Sequence[IgnoredToken], total: int) -> None:
        super().__init__(id="ignored-screen")
        self.ignored, self.total = tuple(ignored), max(total, len(ignored))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="ignored-dialog"):
            yield Static(ignored_title(len(self.ignored), self.total), classes="dialog-title",
                         markup=False)
            options = OptionList(id="ignored-list")
            options.add_options(
                Option(Text(f"{printable(t.token)}: {t.reason}", no_wrap=True,
                            overflow="ellipsis"))
                for t in self.ignored)
            yield options
            yield Static("↑ ↓ page up/down: move · enter or escape: close",
                         classes="dialog-hint")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if options.option_count:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
