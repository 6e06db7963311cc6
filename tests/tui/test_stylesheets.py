"""The later screens' stylesheets are not parsed before the first paint; every screen still
has its styles: read by the app after the first paint, or by Textual as the screen shows."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from geelark_tui.tui import stylesheets
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.progress import ProgressScreen

from .helpers import make_app, make_config, tid, wait_for


def has_later(app: GeeLarkApp) -> bool:
    return all(app.stylesheet.has_source(str(path)) for path in stylesheets.LATER)


def later_rules(app: GeeLarkApp) -> bool:
    return any(rule.selector_names & {"#run-title", "#results-run"} for rule in
               app.stylesheet.rules)


async def test_the_later_screens_styles_are_read_after_the_first_paint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen_at_first_paint: list[bool] = []
    original = GeeLarkApp._after_first_paint

    def first_paint(self: GeeLarkApp) -> None:
        seen_at_first_paint.append(has_later(self) or later_rules(self))
        original(self)

    monkeypatch.setattr(GeeLarkApp, "_after_first_paint", first_paint)
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(seen_at_first_paint))
        assert seen_at_first_paint == [False]
        assert isinstance(app.screen, EntryScreen)
        assert has_later(app) and later_rules(app)  # parsed, ahead of the screens using them


async def test_a_later_screen_shown_before_the_app_read_its_styles_has_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stylesheets, "read_later", lambda stylesheet: None)
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not has_later(app)
        session = app.context.session(app.context.plan((tid(1),)))
        await app.push_screen(progress := ProgressScreen(session, autostart=False))
        await pilot.pause()
        title = progress.query_one("#run-title", Static)
        assert title.styles.text_style.bold and title.styles.padding.left == 1  # later.tcss
