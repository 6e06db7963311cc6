"""Ask where to export the rows an action takes (the selection, else the rows shown) and as
what: CSV or JSON (as the headless command), or the ticket reply (Markdown)."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, RadioButton, RadioSet, Static

from geelark_tui.api.models import IdResult
from geelark_tui.configstore import atomic_write
from geelark_tui.context import display_path
from geelark_tui.ids import IgnoredToken
from geelark_tui.report import NO_EXTRAS, RunExtras, to_csv, to_json
from geelark_tui.ticket import ticket_reply
from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from geelark_tui.tui.screens.results_filter import Scope

FORMATS = ("csv", "json", "md")  # "md": the ticket reply


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    fmt: str  # "csv", "json" or "md"
    every_row: bool = False  # every row of the set instead of the action's scope


def render_export(fmt: str, rows: Sequence[IdResult], invalid: Sequence[IgnoredToken],
                  extras: RunExtras = NO_EXTRAS, *, title: str = "") -> str:
    """Exactly what `geelark-tui restart --format csv|json` prints for these rows (with
    `--preflight` when `with_status`), or the ticket reply."""
    if fmt == "json":
        return to_json(rows, invalid, extras) + "\n"
    if fmt == "md":
        return ticket_reply(rows, title=title, latest=extras.latest)
    return to_csv(rows, extras)


def write_export(request: ExportRequest, rows: Sequence[IdResult],
                 invalid: Sequence[IgnoredToken], extras: RunExtras = NO_EXTRAS, *,
                 title: str = "") -> None:
    """Written whole or not at all (a full disk leaves an existing file as it was). A link is
    followed: the file it points to is replaced, and keeps its permissions."""
    data = render_export(request.fmt, rows, invalid, extras, title=title).encode("utf-8")
    target = Path(os.path.realpath(request.path))
    atomic_write(target, data, stat.S_IMODE(target.stat().st_mode) if target.exists() else None)


def default_name(fmt: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    kind = "ticket-reply" if fmt == "md" else "results"
    return f"geelark-{kind}-{stamp}.{fmt}"


class ExportScreen(AppModal[ExportRequest | None]):
    PALETTE_GROUP = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "submit", "Export", id="export.submit", priority=True,
                tooltip="Write the file"),
    ]

    def __init__(self, folder: Path, *, scope: Scope, total: int,
                 now: datetime | None = None) -> None:
        super().__init__(id="export-screen")
        self._folder = folder.expanduser().absolute()  # never a bare name: say where
        self._scope, self._total = scope, total
        self._now = now

    def compose(self) -> ComposeResult:
        path = display_path(self._folder / default_name("csv", self._now))
        with Vertical(classes="dialog"):
            yield Static(self._title(False), classes="dialog-title", id="export-title",
                         markup=False)
            yield Static("CSV or JSON as `geelark-tui restart --format ...` writes them, or "
                         "the ticket reply (Markdown).", classes="dialog-body", markup=False)
            yield Input(path, id="export-path", placeholder="file path")
            with RadioSet(id="export-format"):
                yield RadioButton("CSV", value=True, id="fmt-csv")
                yield RadioButton("JSON", id="fmt-json")
                yield RadioButton("Ticket reply (Markdown)", id="fmt-md")
            if self._scope.kind != "all":
                yield TickBox(f"Every row instead ({self._total:,})", id="export-all")
            yield Static("enter/ctrl+s: export · tab: next field · escape: cancel",
                         classes="dialog-hint")
        yield KeyFooter(compact=True)

    def _title(self, every_row: bool) -> str:
        if every_row:
            return f"Export all {self._total:,} rows"
        return f"Export {self._scope.phrase('row')}"

    @property
    def every_row(self) -> bool:
        boxes = self.query("#export-all").results(Checkbox)
        return any(box.value for box in boxes)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#export-title", Static).update(self._title(event.value))

    @property
    def fmt(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "fmt-csv")[4:] if pressed is not None else "csv"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        field = self.query_one("#export-path", Input)
        path = Path(field.value)
        if path.suffix.lower()[1:] in FORMATS:
            name = default_name(self.fmt, self._now) if path.name.startswith("geelark-") \
                else path.with_suffix("." + self.fmt).name
            field.value = str(path.with_name(name))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("Type a file path first.", severity="warning")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self._folder / path  # relative to the folder shown, not to the app's
        fmt = self.fmt
        if path.suffix.lower()[1:] in FORMATS:
            fmt = path.suffix.lower()[1:]  # the name wins: ~/out.json is JSON
        elif path.is_dir():
            path = path / default_name(fmt, self._now)
        if not path.parent.is_dir():
            self.notify(f"No such folder: {display_path(path.parent)}", severity="error")
            return
        request = ExportRequest(path.absolute(), fmt, self.every_row)
        if not path.exists():
            self.dismiss(request)
        elif not path.is_file():  # a pipe, a device: writing to it could block for good
            self.notify(f"Not a regular file: {display_path(path)}. Choose another name.",
                        severity="error")
        else:
            from geelark_tui.tui.screens.yes_no import YesNoScreen

            def answered(replace: bool | None) -> None:
                if replace:
                    self.dismiss(request)

            self.app.push_screen(
                YesNoScreen(f"Replace {path.name}?",
                            f"{display_path(path)} exists; the export would take its place.",
                            yes="Replace", no="Keep it", dialog_id="replace-export"),
                answered)

    def action_cancel(self) -> None:
        self.dismiss(None)
