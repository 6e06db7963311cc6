"""F1 help: the keys of the screen it was opened from, the app's keys, and what rows mean."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from geelark_tui.api.models import Outcome
from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.words import OUTCOME_SYMBOLS

MEANINGS = {
    Outcome.RESTARTED: "the server confirmed the restart",
    Outcome.REJECTED: "the server refused it; the code says why, the hint what to do",
    Outcome.NOT_SENT: "never reached the server (stopped, or an account-level error)",
    Outcome.UNKNOWN: "may or may not have been applied; check before re-submitting",
    Outcome.SKIPPED: "not sent on purpose: a lookup showed it cannot be restarted now",
}

ABOUT = """\
geelark-tui restarts failed and cancelled GeeLark tasks.
Paste task IDs in any shape, press ctrl+r, confirm, and read what happened to each ID.
Rows are coloured by code, and every row also carries a symbol and a word."""


def key_lines(bindings: Iterable[tuple[Binding, str]]) -> list[str]:
    seen: set[str] = set()
    lines = []
    for binding, key in bindings:
        if not binding.description or binding.id in seen:
            continue
        seen.add(binding.id or binding.description)
        lines.append(f"{key:<8} {binding.tooltip or binding.description}")
    return lines


def _with_ids(owner: type[Any]) -> list[Binding]:
    """The bindings with an id declared by a class and its bases (ours, not textual's)."""
    found: dict[str, Binding] = {}
    for cls in reversed(owner.__mro__):
        for binding in Binding.make_bindings(getattr(cls, "BINDINGS", [])):
            if binding.id:
                found[binding.id] = binding
    return list(found.values())


def screen_keys(screen: Screen[Any]) -> list[str]:
    """The keys of ``screen``, of its widgets that declare keys with ids, and of the app."""
    app = screen.app
    owners = [type(screen), *dict.fromkeys(type(w) for w in screen.query("*"))]
    own = [(b, app.get_key_display(b)) for owner in owners for b in _with_ids(owner)]
    glob = [(b, app.get_key_display(b)) for b in _with_ids(type(app))]
    glob.append((Binding("ctrl+p", "command_palette", "Command palette", id="palette",
                         tooltip="Command palette: every action, searchable"), "^p"))
    return [*key_lines(own), "", "Everywhere:", *key_lines(glob)]


class HelpScreen(AppModal[None]):
    PALETTE_GROUP = "Help"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close help", id="help.close"),
    ]

    def __init__(self, about_screen: Screen[Any], title: str) -> None:
        super().__init__(id="help-screen")
        self._lines = screen_keys(about_screen)
        self._title = title

    def compose(self) -> ComposeResult:
        outcomes = [f"{OUTCOME_SYMBOLS[o]} {o.value.replace('_', ' '):<10} {MEANINGS[o]}"
                    for o in Outcome if o in MEANINGS]
        text = "\n".join([ABOUT, "", f"Keys on the {self._title} screen:", *self._lines,
                          "", "Outcomes:", *outcomes])
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static("Help", classes="dialog-title")
            yield Static(text, markup=False, id="help-text")
            yield Static("escape: close", classes="dialog-hint")
        yield KeyFooter(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)
