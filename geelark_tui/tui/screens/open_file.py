"""Ask for a file path (IDs to load). Tab completes the path; enter loads, escape cancels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Static

from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.key_footer import KeyFooter


class PathSuggester(Suggester):
    """Completes the last path component from what is on disk."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, _, stem = expanded.rpartition("/")
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            hidden_ok = stem.startswith(".") or not name.startswith(".")
            if name.startswith(stem) and name != stem and hidden_ok:
                full = f"{folder}/{name}" if folder or expanded.startswith("/") else name
                if os.path.isdir(full):
                    full += "/"
                return value + full[len(expanded):]
        return None


class OpenFileScreen(AppModal[Path | None]):
    PALETTE_GROUP = "Load file"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="open.cancel"),
        Binding("tab", "complete", "Complete path", id="open.complete", priority=True),
    ]

    def __init__(self, start: str = "") -> None:
        super().__init__(id="open-screen")
        self._start = start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Load IDs from a file", classes="dialog-title")
            yield Static("Any text file: a list, CSV with an ID column, JSON, a log.",
                         classes="dialog-body")
            yield Input(self._start, placeholder="path, e.g. ~/ids.txt", id="open-path",
                        suggester=PathSuggester())
            yield Static("tab: complete · enter: load · escape: cancel", classes="dialog-hint")
        yield KeyFooter(compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify("Type a file path first.", severity="warning")
            return
        self.dismiss(Path(text).expanduser())

    def action_complete(self) -> None:
        field = self.query_one("#open-path", Input)
        field.cursor_position = len(field.value)
        field.action_cursor_right()  # at the end of the text, this accepts the suggestion

    def action_cancel(self) -> None:
        self.dismiss(None)
