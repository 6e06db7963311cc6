"""The app's screens and dialogs are laid out once as they appear (Textual's own handler of the
Resize their first layout sends laid them out and painted them a second time, and the screens
under a dialog too) and again whenever the terminal changes size."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ProgressBar, Static

from geelark_tui.tui.base import AppModal, AppScreen
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.progress import ProgressScreen

from .helpers import make_app, make_config, tid, wait_for


@pytest.fixture
def resized(monkeypatch: pytest.MonkeyPatch) -> list[Screen[Any]]:
    """Each of the app's screens laid out again by a Resize event (`Screen._screen_resized`)."""
    done: list[Screen[Any]] = []
    original = Screen._refresh_layout

    def recording(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        if sys._getframe(1).f_code.co_name == "_screen_resized" and isinstance(
                self, (AppScreen, AppModal)):
            done.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", recording)
    return done


class Page(AppScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("a page", id="page-text")


class Dialog(AppModal[None]):
    DEFAULT_CSS = "Dialog { align: center middle; } #dialog-text { width: 50%; height: 3; }"

    def compose(self) -> ComposeResult:
        yield Static("a dialog", id="dialog-text")


class PagesApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Page())


async def test_screens_are_not_laid_out_again_as_they_appear_but_are_on_a_resize(
        resized: list[Screen[Any]]) -> None:
    app = PagesApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, Page) and app.screen.is_mounted)
        page = app.screen
        await pilot.pause()
        assert page.query_one("#page-text").region.width == 60

        app.push_screen(dialog := Dialog())
        await wait_for(pilot, lambda: dialog.is_mounted)
        await pilot.pause()
        assert dialog.query_one("#dialog-text").region.width == 30
        assert resized == []

        await pilot.resize_terminal(90, 30)
        await wait_for(pilot, lambda: dialog.query_one("#dialog-text").region.width == 45)
        assert dialog in resized and page in resized  # the page shows beneath the dialog
        assert page.query_one("#page-text").region.width == 90

        app.pop_screen()
        await pilot.resize_terminal(70, 20)
        await wait_for(pilot, lambda: page.query_one("#page-text").region.width == 70)


class Other(AppScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("another page")


class ModesApp(App[None]):
    MODES = {"pages": Page, "other": Other}  # noqa: RUF012 (Textual's own class variable)

    def on_mount(self) -> None:
        self.switch_mode("pages")


async def test_a_page_under_a_dialog_is_laid_out_for_a_size_it_missed() -> None:
    """Resized while another mode showed, the dialog comes back at its new size first (Textual
    resumes it with a layout); the page under it must follow when the Resize arrives."""
    app = ModesApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, Page) and app.screen.is_mounted)
        page = app.screen
        app.push_screen(dialog := Dialog())
        await wait_for(pilot, lambda: dialog.is_mounted)
        await app.switch_mode("other")
        await pilot.pause()
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        await app.switch_mode("pages")
        await wait_for(pilot, lambda: page.query_one("#page-text").region.width == 90)
        assert dialog.query_one("#dialog-text").region.width == 45


async def test_progress_bars_are_laid_out_without_rendering_them_to_measure(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A ProgressBar is `width: auto` in Textual; with its Bar at `1fr`, each layout renders
    the bar to measure it (7-8 ms of the confirmation's first step here). Ours have a width of
    their own, and still span the dialog and the screen."""
    measured: list[Widget] = []
    original = Widget.get_content_width

    def recording(self: Widget, *args: Any, **kwargs: Any) -> int:
        measured.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Widget, "get_content_width", recording)
    app = make_app(make_config(preflight=True))
    async with app.run_test(size=(80, 24)) as pilot:
        plan = app.context.plan(tuple(tid(n) for n in range(300)))
        confirm = RestartConfirmScreen(plan, preflight=True)
        confirm._look_up = lambda: None  # type: ignore[method-assign,assignment,return-value]
        await app.push_screen(confirm)
        await pilot.pause()
        bar = confirm.query_one("#lookup-bar", ProgressBar)
        assert bar.display and bar.region.width == confirm.query_one("#confirm-text").region.width

        app.pop_screen()
        progress = ProgressScreen(app.context.session(plan), autostart=False)
        await app.push_screen(progress)
        await pilot.pause()
        assert progress.query_one("#run-bar", ProgressBar).region.width == 80

    bars = [w for w in measured if isinstance(w, ProgressBar) or type(w).__name__ == "Bar"]
    assert bars == []


async def test_a_screen_is_styled_once_as_it_appears_and_again_when_it_comes_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual styles each widget as it mounts, and styled the whole screen again as it was
    first shown; a screen shown again (another mode in between) is restyled as before."""
    applied: list[DOMNode] = []
    original = Stylesheet.apply

    def recording(self: Stylesheet, node: DOMNode, *args: Any, **kwargs: Any) -> None:
        applied.append(node)
        original(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", recording)
    app = ModesApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, Page) and app.screen.is_mounted)
        app.push_screen(dialog := Dialog())
        await wait_for(pilot, lambda: dialog.is_mounted)
        await pilot.pause()
        dialog_text = dialog.query_one("#dialog-text")
        assert applied.count(dialog) == 1 and applied.count(dialog_text) == 1

        await app.switch_mode("other")
        await app.switch_mode("pages")
        await wait_for(pilot, lambda: applied.count(dialog_text) == 2)
