"""GeeLarkApp: screens, global keys, the command palette and the theme. Deliberately small:
each screen does its own work; the app only moves between them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer

from geelark_tui.config import record_recent_set, save_config, update_recent_counts
from geelark_tui.report import summarize
from geelark_tui.tui.base import PaletteCommand, PaletteMixin
from geelark_tui.tui.context import AppContext, RunPlan
from geelark_tui.tui.screens.entry import EntryScreen

if TYPE_CHECKING:
    from textual.command import Provider

    from geelark_tui.tui.screens.progress import ProgressScreen

# Start-up cost: only the entry screen is imported up front; the other screens (and the
# command palette provider) when first used.

GRID_CSS = Path(__file__).parent / "widgets" / "results_grid.tcss"
THEME_SAVE_DELAY = 1.0  # the theme picker previews themes: save the one the user stays on


def commands_provider() -> type[Provider]:
    from geelark_tui.tui.commands import GeeLarkCommands

    return GeeLarkCommands


class GeeLarkApp(App[int]):
    # The grid's own sheet when installed (it mirrors the grid's DEFAULT_CSS, so the app still
    # looks right from a wheel built without it).
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss", *([GRID_CSS] if GRID_CSS.exists() else [])]
    TITLE = "geelark-tui"
    COMMANDS = App.COMMANDS | {commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help", tooltip="Keys, and what outcomes mean"),
        Binding("f2", "settings", "Settings", id="app.settings", show=False,
                tooltip="Credentials, API host and pacing"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False,
                tooltip="Quit (asks while a run is going on)"),
    ]

    def __init__(self, context: AppContext, *, prefill: str = "", blink: bool = True) -> None:
        super().__init__()
        self.context = context
        self.blink = blink
        self._prefill = prefill
        self._quit_after_run = False
        self._theme_timer: Timer | None = None
        self._started = False  # the theme from the config has been applied

    # -- start ------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return EntryScreen(self._prefill)

    def on_mount(self) -> None:
        theme = self.context.config.ui.theme
        if theme in self.available_themes:
            self.theme = theme
        else:
            self.notify(f"Theme {theme!r} is not available; using {self.theme}.",
                        severity="warning")
        self._started = True
        self.sub_title = "DEMO: simulated API" if self.context.demo else self.context.shown_host()
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What needs the connection code (and httpx): after the first screen is up."""
        self.settings_changed()
        for warning in self.context.config.take_warnings():
            self.notify(warning, title="Config", severity="warning", timeout=12)
        if not self.context.demo and not self.context.credentials().complete:
            from geelark_tui.tui.screens.settings import SettingsScreen

            self.push_screen(SettingsScreen(first_run=True))

    def settings_changed(self) -> None:
        ctx = self.context
        self.sub_title = ("DEMO: simulated API" if ctx.demo
                          else f"{ctx.host()} · {ctx.credentials().label}")

    def watch_theme(self, theme: str) -> None:
        if not self._started or theme == self.context.config.ui.theme:
            return
        if self._theme_timer is not None:
            self._theme_timer.stop()
        self._theme_timer = self.set_timer(THEME_SAVE_DELAY, self._save_theme)

    def _save_theme(self) -> None:
        config = self.context.config
        if config.ui.theme != self.theme:
            config.ui = replace(config.ui, theme=self.theme)
            save_config(config)
            for warning in config.take_warnings():
                self.notify(warning, title="Config", severity="warning")

    # -- moving between screens -------------------------------------------------------------

    def start_run(self, plan: RunPlan) -> None:
        """Confirmed: remember the set (before the first request), then show the run."""
        from geelark_tui.tui.screens.progress import ProgressScreen
        from geelark_tui.tui.screens.results import ResultsScreen

        config = self.context.config
        recent = record_recent_set(config, plan.ids)
        for warning in config.take_warnings():
            self.notify(warning, title="Config", severity="warning")
        screen = ProgressScreen(plan, recent_key=recent.key)
        if isinstance(self.screen, ResultsScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_progress_screen_finished(self, message: ProgressScreen.Finished) -> None:
        from geelark_tui.tui.screens.results import ResultsScreen

        outcome = message.outcome
        config = self.context.config
        if outcome.recent_key is not None:
            update_recent_counts(config, outcome.recent_key, summarize(outcome.results))
            outcome.warnings.extend(config.take_warnings())
        if self._quit_after_run:
            self.exit(0)
            return
        progress = message.screen
        while len(self.screen_stack) > 1 and self.screen is not progress:
            self.pop_screen()  # e.g. the stop dialog, still open when the run ended
        self.switch_screen(ResultsScreen(outcome))

    def new_set(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, EntryScreen):
            self.pop_screen()
        if isinstance(self.screen, EntryScreen):
            self.screen.set_text("")

    def active_run(self) -> ProgressScreen | None:
        from geelark_tui.tui.screens.progress import ProgressScreen

        for screen in self.screen_stack:
            if isinstance(screen, ProgressScreen) and screen.running:
                return screen
        return None

    # -- global actions ---------------------------------------------------------------------

    def action_help(self) -> None:
        from geelark_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        about = self.screen
        title = about.PALETTE_GROUP if isinstance(about, PaletteMixin) else "current"
        self.push_screen(HelpScreen(about, title or "current"))

    def action_settings(self) -> None:
        from geelark_tui.tui.screens.settings import SettingsScreen

        if any(isinstance(s, SettingsScreen) for s in self.screen_stack):
            return
        self.push_screen(SettingsScreen())

    async def action_quit(self) -> None:
        run = self.active_run()
        if run is None or self._quit_after_run:
            self.exit(0)
            return
        from geelark_tui.tui.screens.quit_confirm import QuitConfirmScreen

        if isinstance(self.screen, QuitConfirmScreen):
            return
        tracker = run.tracker
        done = tracker.settled if tracker else 0
        self.push_screen(QuitConfirmScreen(done, len(run.plan.ids)), self._quit_answer)

    def _quit_answer(self, confirmed: bool | None) -> None:
        run = self.active_run()
        if not confirmed:
            return
        if run is None:
            self.exit(0)
            return
        self._quit_after_run = True
        run.stop()
        self.notify("Stopping: the app quits once the requests in flight are answered. "
                    "Press ctrl+q again to quit at once.", title="Quitting")

    def palette_commands(self) -> Iterable[PaletteCommand]:
        from geelark_tui.tui.screens.results import ResultsScreen
        from geelark_tui.tui.screens.settings import SettingsScreen

        yield PaletteCommand("Help", "Keys, and what outcomes mean (f1)", self.action_help)
        if not any(isinstance(s, SettingsScreen) for s in self.screen_stack):
            yield PaletteCommand("Settings", "Credentials, API host and pacing (f2)",
                                 self.action_settings)
        if isinstance(self.screen, ResultsScreen):
            yield PaletteCommand("New set", "Back to an empty ID box", self.new_set)
