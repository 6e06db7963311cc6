"""IdStats: what the parser made of the text, live: unique IDs, duplicates, ignored tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from geelark_tui.words import plural

if TYPE_CHECKING:
    from geelark_tui.ids import ParsedIds

SHOWN_IGNORED = 50


class IdStats(VerticalScroll, can_focus=False):
    """Counts on top, then every ignored token with its reason (up to SHOWN_IGNORED)."""

    def compose(self) -> ComposeResult:
        yield Static("No IDs yet: paste or type them on the left.", id="id-counts", markup=False)
        yield Static("", id="id-ignored", markup=False)

    def show(self, parsed: ParsedIds, requests: int) -> None:
        counts = self.query_one("#id-counts", Static)
        ignored = self.query_one("#id-ignored", Static)
        if not parsed.ids and not parsed.ignored_total:
            counts.update("No IDs yet: paste or type them on the left.")
            ignored.update("")
            self.set_class(False, "-has-ids")
            return
        self.set_class(bool(parsed.ids), "-has-ids")
        ignored_line = f"{plural(parsed.ignored_total, 'token')} ignored"
        if parsed.ignored_total:
            ignored_line += " (ctrl+t)"
        lines = [f"{plural(parsed.count, 'unique ID')} → {plural(requests, 'request')}",
                 f"{plural(parsed.duplicates, 'duplicate')} dropped", ignored_line]
        if parsed.source != "text":
            lines.append(f"read as {parsed.source.upper()}")
        counts.update("\n".join(lines))
        shown = [f"• {t.token}: {t.reason}" for t in parsed.ignored[:SHOWN_IGNORED]]
        more = parsed.ignored_total - len(shown)
        if more > 0:
            shown.append(f"… and {more:,} more")
        ignored.update("\n".join(shown))
