"""KeyFooter: Textual's Footer, drawing its keys from the first compose and recomposed only
when they change (each recompose mounts a widget per key and lays the screen out again:
60-80 ms with 100,000 results)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from geelark_tui.tui.widgets.key_footer import KeyFooter

from .helpers import wait_for


class FooterApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "go", "Go", id="test.go"),
        Binding("ctrl+s", "stop", "Stop", id="test.stop"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stop_offered = True

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield KeyFooter(show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "stop" and not self.stop_offered else True


def keys_shown(app: App[None]) -> list[tuple[str, bool]]:
    return [(key.description, key.has_class("-disabled")) for key in app.screen.query(FooterKey)]


async def test_the_footer_is_rebuilt_only_when_its_keys_change(
        monkeypatch: pytest.MonkeyPatch) -> None:
    composed: list[object] = []
    compose = KeyFooter.compose

    def counting(self: KeyFooter) -> ComposeResult:
        composed.append(self)
        return compose(self)

    monkeypatch.setattr(KeyFooter, "compose", counting)
    app = FooterApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ("Go", False) in keys_shown(app))
        assert keys_shown(app) == [("Go", False), ("Stop", False)]
        # The keys came with the first compose (Textual's Footer draws none until the first
        # bindings signal, then composes again: the first screen lacked them for a frame).
        assert len(composed) == 1
        before = len(composed)
        for _ in range(3):  # focus changes: a bindings signal each, the same keys shown
            await pilot.press("tab")
            await pilot.pause()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert len(composed) == before
        app.stop_offered = False  # a key's state changes: rebuilt, showing it
        app.refresh_bindings()
        await wait_for(pilot, lambda: keys_shown(app) == [("Go", False), ("Stop", True)])
        assert len(composed) == before + 1
