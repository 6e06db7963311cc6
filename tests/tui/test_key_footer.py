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


async def test_the_progress_screen_offers_stop_from_its_first_frame(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The stop key is offered while a run is running; the footer's first compose already
    has it (it came a frame late when the run's tracker was made after the footer)."""
    from geelark_tui.tui.screens.progress import ProgressScreen

    from .helpers import FakeClock, make_app, make_config, tid

    first: list[list[str]] = []
    compose = KeyFooter.compose

    def recording(self: KeyFooter) -> ComposeResult:
        if isinstance(self.screen, ProgressScreen) and not first:
            first.append([key[3] for key in self._shown_keys(self.screen)])  # actions
        return compose(self)

    monkeypatch.setattr(KeyFooter, "compose", recording)
    app = make_app(make_config("http://127.0.0.1:9", preflight=False))
    async with app.run_test(size=(80, 24)) as pilot:
        plan = app.context.plan(tuple(tid(n) for n in range(3)))
        await app.push_screen(ProgressScreen(app.context.session(plan), clock=FakeClock(),
                                             autostart=False))
        await pilot.pause()
    assert first and "stop" in first[0], first


class CompactApp(FooterApp):
    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield KeyFooter(compact=True, show_command_palette=False)


async def test_compact_keys_are_not_restyled_one_by_one_as_they_mount(
        restyled: list[object]) -> None:
    """Textual's FooterKey adds its `-compact` class once mounted, restyling itself (3-8 ms a
    key here); KeyFooter gives the class before the key is mounted."""
    app = CompactApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ("Go", False) in keys_shown(app))
        keys = list(app.screen.query(FooterKey))
        assert len(keys) == 2 and all(key.has_class("-compact") for key in keys)
        assert not [node for node in restyled if isinstance(node, FooterKey)]
