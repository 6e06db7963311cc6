"""Ask where to export the grid and in which format (CSV or JSON, as the headless command)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, RadioButton, RadioSet, Static

from geelark_tui.api.models import IdResult
from geelark_tui.context import display_path
from geelark_tui.ids import IgnoredToken
from geelark_tui.report import RunExtras, to_csv, to_json
from geelark_tui.tui.base import AppModal

FORMATS = ("csv", "json")


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    fmt: str  # "csv" or "json"
    only_shown: bool = False


def render_export(fmt: str, rows: Sequence[IdResult], invalid: Sequence[IgnoredToken], *,
                  with_status: bool = False) -> str:
    """Exactly what `geelark-tui restart --format csv|json` prints for these rows (with
    `--preflight` when `with_status`)."""
    extras = RunExtras(with_status=with_status)
    if fmt == "json":
        return to_json(rows, invalid, extras) + "\n"
    return to_csv(rows, extras)


def write_export(request: ExportRequest, rows: Sequence[IdResult],
                 invalid: Sequence[IgnoredToken], *, with_status: bool = False) -> None:
    data = render_export(request.fmt, rows, invalid, with_status=with_status)
    request.path.write_text(data, encoding="utf-8")


def default_name(fmt: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"geelark-results-{stamp}.{fmt}"


class ExportScreen(AppModal[ExportRequest | None]):
    PALETTE_GROUP = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "submit", "Export", id="export.submit", priority=True,
                tooltip="Write the file"),
    ]

    def __init__(self, folder: Path, *, shown: int, total: int, filtered: bool,
                 now: datetime | None = None) -> None:
        super().__init__(id="export-screen")
        self._folder, self._shown, self._total, self._filtered = folder, shown, total, filtered
        self._now = now

    def compose(self) -> ComposeResult:
        path = display_path(self._folder / default_name("csv", self._now))
        with Vertical(classes="dialog"):
            yield Static(f"Export {self._total:,} rows", classes="dialog-title")
            yield Static("The same CSV or JSON as `geelark-tui restart --format ...`.",
                         classes="dialog-body", markup=False)
            yield Input(path, id="export-path", placeholder="file path")
            with RadioSet(id="export-format"):
                yield RadioButton("CSV", value=True, id="fmt-csv")
                yield RadioButton("JSON", id="fmt-json")
            if self._filtered:
                yield Checkbox(f"Only the {self._shown:,} rows the filter shows",
                               value=True, id="export-shown")
            yield Static("enter/ctrl+s: export · tab: next field · escape: cancel",
                         classes="dialog-hint")

    @property
    def fmt(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return "json" if pressed is not None and pressed.id == "fmt-json" else "csv"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        field = self.query_one("#export-path", Input)
        path = Path(field.value)
        if path.suffix.lower() in (".csv", ".json"):
            field.value = str(path.with_suffix("." + self.fmt))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("Type a file path first.", severity="warning")
            return
        path = Path(text).expanduser()
        fmt = self.fmt
        if path.suffix.lower() in (".csv", ".json"):
            fmt = path.suffix.lower()[1:]  # the name wins: ~/out.json is JSON
        elif path.is_dir():
            path = path / default_name(fmt, self._now)
        if not path.parent.is_dir():
            self.notify(f"No such folder: {display_path(path.parent)}", severity="error")
            return
        only = self._filtered and self.query_one("#export-shown", Checkbox).value
        self.dismiss(ExportRequest(path.absolute(), fmt, only))

    def action_cancel(self) -> None:
        self.dismiss(None)
