"""GeeLarkApp: screens, global keys, the command palette and the theme. Deliberately small:
each screen does its own work; the app only moves between them. How the process ends
(signals, a hang-up, a crash, the exit code) is `tui/lifecycle.py`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from geelark_tui.context import AppContext
from geelark_tui.redact import Redactor
from geelark_tui.tui import gc_policy, stylesheets
from geelark_tui.tui.base import PaletteCommand, PaletteMixin
from geelark_tui.tui.lifecycle import UNWIND_WAIT, LifecycleApp
from geelark_tui.tui.screens.entry import EntryScreen

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.worker import Worker

    from geelark_tui.pastruns import PastRun
    from geelark_tui.session import RunSession
    from geelark_tui.tui.screens.progress import ProgressScreen, RunOutcome
    from geelark_tui.tui.screens.results_actions import ResultActions

# Start-up cost: only the entry screen is imported up front; the other screens (and the
# command palette provider) when first used.

THEME_SAVE_DELAY = 1.0  # the theme picker previews themes: save the one the user stays on
# A run's log line is written this long after its end: its results are painted by then
# (0.2 s for 100,000 IDs on a slow machine) and the writing does not compete with them.
LOG_AFTER = 0.3
SECRET_INPUTS = frozenset({"token", "api-key"})  # the Settings fields (also when revealed)


def commands_provider() -> type[Provider]:
    from geelark_tui.tui.commands import GeeLarkCommands

    return GeeLarkCommands


class GeeLarkApp(LifecycleApp):
    CSS_PATH: ClassVar[list[str | PurePath]] = stylesheets.FIRST  # the rest: after the first paint
    TITLE = "geelark-tui"
    COMMANDS = App.COMMANDS | {commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help", tooltip="Keys, and what outcomes mean"),
        Binding("f2", "settings", "Settings", id="app.settings", show=False,
                tooltip="Credentials, API host and pacing"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False,
                tooltip="Quit (asks while a run is going on)"),
        Binding("f4", "past_runs", "Past runs", id="app.past_runs", show=False,
                tooltip="Runs from the run log: reopen one as a results grid"),
    ]

    def __init__(self, context: AppContext, *, prefill: str = "",
                 handle_signals: bool = False) -> None:
        # Every credential this session knows: saved, from the environment, or typed.
        redactor = Redactor(lambda: self.context.config.secrets(), self._typed_secrets)
        super().__init__(redactor, handle_signals=handle_signals)
        self.context = context
        context.scrub, context.secrets = redactor.scrub, redactor.secrets
        self._prefill = prefill
        self._theme_timer: Timer | None = None
        self._started = False  # the theme from the config has been applied
        self._typed: set[str] = set()
        self._runs: list[ProgressScreen] = []  # every run of the session
        self._settled: list[ProgressScreen] = []  # ... whose end the app has handled
        self._into: dict[ProgressScreen, ResultActions] = {}  # retries: whose rows they update
        # The saved theme, before anything is styled: set in on_mount, it restyled and laid out
        # the composed first screen again (8 % more instructions to the first screen).
        if context.config.ui.theme in self.available_themes:
            self.theme = context.config.ui.theme

    # -- start ------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return EntryScreen(self._prefill)

    def on_mount(self) -> None:
        theme = self.context.config.ui.theme
        if theme != self.theme:
            self.notify(f"Theme {theme!r} is not available; using {self.theme}.",
                        severity="warning")
        self._started = True
        self.sub_title = "DEMO: simulated API" if self.context.demo else self.context.shown_host()
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What needs the connection code (and httpx): after the first screen is up."""
        stylesheets.read_later(self.stylesheet)
        gc_policy.freeze_start_up()
        self.settings_changed()
        for warning in self.context.config.take_warnings():
            self.notify(warning, title="Config", severity="warning", timeout=12)
        if self.context.demo:
            return
        problem, complete = self.context.base_url_problem(), self.context.credentials().complete
        if problem or not complete:  # an unusable base URL is never swapped for another
            from geelark_tui.tui.screens.settings import SettingsScreen

            self.push_screen(SettingsScreen(first_run=not complete, problem=problem))

    @on(events.Unmount)
    def _thaw(self) -> None:
        gc_policy.thaw()

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        self.context.warm_up()
        # The ID parser and the screens of a run are imported here, after the first paint and
        # off the event loop: neither the start-up nor the first paste or ctrl+r waits for them.
        import geelark_tui.ids
        import geelark_tui.tui.screens.confirm
        import geelark_tui.tui.screens.progress
        import geelark_tui.tui.screens.results  # noqa: F401

    def settings_changed(self) -> None:
        self._warm_up()  # the client for these settings, before it is needed
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
        from geelark_tui.configstore import save_config

        config = self.context.config
        if config.ui.theme != self.theme:
            config.ui = replace(config.ui, theme=self.theme)
            save_config(config)
            for warning in config.take_warnings():
                self.notify(warning, title="Config", severity="warning")

    # -- moving between screens -------------------------------------------------------------

    def start_run(self, session: RunSession, *, into: ResultActions | None = None) -> None:
        """Confirmed: show the run (the session records the set before its first request).
        ``into``: the results screen whose rows the run retries; the run goes on top of it,
        and its results are handed back to it at the end (one ticket = one set)."""
        from geelark_tui.tui.screens.progress import ProgressScreen
        from geelark_tui.tui.screens.results import ResultsScreen

        screen = ProgressScreen(session)
        self._runs.append(screen)
        if into is not None:
            self._into[screen] = into
            self.push_screen(screen)
        elif isinstance(self.screen, ResultsScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_progress_screen_finished(self, message: ProgressScreen.Finished) -> None:
        from geelark_tui.tui.screens.results import ResultsScreen

        outcome = message.outcome
        progress = message.screen
        self._settled.append(progress)
        # The log and the warnings quote servers and exceptions (the session has already
        # scrubbed the results and the stop reason).
        outcome.log = self.redactor.scrub_data(outcome.log)
        outcome.warnings[:] = self.redactor.scrub_data(outcome.warnings)
        if self.quit_after_run:
            self.leave()  # the run log is written on the way out (`settle_unfinished_runs`)
            return
        self._log_run(progress.session)
        while len(self.screen_stack) > 1 and self.screen is not progress:
            self.pop_screen()  # e.g. the stop dialog, still open when the run ended
        into = self._into.pop(progress, None)
        if into is not None and into in self.screen_stack:
            self.pop_screen()  # back to the rows the run retried, updated in place
            into.take_run(outcome)
            return
        self.switch_screen(ResultsScreen(outcome))

    @work(group="run-log", exit_on_error=False, description="write the run log")
    async def _log_run(self, session: RunSession) -> None:
        """A run's last stage, once its results are on screen: the run-log line and the
        set's counts (its warnings said here; the results screen has already shown). An app
        worker: it outlives whatever screen is shown meanwhile."""
        await asyncio.sleep(LOG_AFTER)
        for warning in self.redactor.scrub_data(await session.log()):
            self.notify(warning, title="Run log", severity="warning")

    def open_results(self, outcome: RunOutcome) -> None:
        """Show rows that did not come from a run of this session (a past run)."""
        from geelark_tui.tui.screens.results import ResultsScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, EntryScreen):
            self.pop_screen()
        self.push_screen(ResultsScreen(outcome))

    def action_past_runs(self) -> None:
        from geelark_tui.tui.screens.past_runs import PastRunsScreen

        if self.active_run() is not None:
            self.notify("A run is going on: past runs can be opened once it ends.",
                        title="Past runs", severity="warning")
            return
        if not any(isinstance(s, PastRunsScreen) for s in self.screen_stack):
            self.push_screen(PastRunsScreen(self.context.run_log), self._reopen)

    def _reopen(self, past: PastRun | None) -> None:
        if past is not None:
            from geelark_tui.tui.screens.past_runs import reopened

            self.open_results(reopened(self.context, past))

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
        if run is None or self.quit_after_run:
            # Quit at once (also while stopping): what was in flight is logged `unknown` as
            # the app exits (see on_unmount).
            self.leave()
            return
        from geelark_tui.tui.screens.quit_confirm import QuitConfirmScreen

        if isinstance(self.screen, QuitConfirmScreen):
            return
        tracker = run.tracker
        total = len(run.plan.planned)
        self.push_screen(
            QuitConfirmScreen(lambda: (tracker.settled, tracker.total_ids) if tracker
                              else (0, total), logged=self.context.run_log is not None),
            self._quit_answer)

    def _quit_answer(self, confirmed: bool | None) -> None:
        run = self.active_run()
        if not confirmed:
            return
        if run is None:
            self.exit(0)
            return
        self.quit_after_run = True
        run.stop()
        self.notify("Stopping: the app quits once the requests in flight are answered. "
                    "Press ctrl+q again to quit at once.", title="Quitting")

    def action_help_quit(self) -> None:
        """ctrl+c. In the app it is a key, not a signal (the terminal is in raw mode), and
        Textual only says which key quits. During a run it is taken as the quit it most
        likely means, with ctrl+q's question: stop and quit, or keep running. A run is never
        lost to a reflex; a second ctrl+c once stopping quits at once (still logged)."""
        if self.active_run() is not None:
            self.call_next(self.action_quit)
        else:
            super().action_help_quit()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        from geelark_tui.tui.screens.results import ResultsScreen
        from geelark_tui.tui.screens.settings import SettingsScreen

        yield PaletteCommand("Help", "Keys, and what outcomes mean (f1)", self.action_help)
        if not any(isinstance(s, SettingsScreen) for s in self.screen_stack):
            yield PaletteCommand("Settings", "Credentials, API host and pacing (f2)",
                                 self.action_settings)
        if isinstance(self.screen, ResultsScreen):
            yield PaletteCommand("New set", "Back to an empty ID box", self.new_set)
        yield PaletteCommand("Past runs", "Runs from the run log: reopen one as a results "
                             "grid (f4)", self.action_past_runs)

    # -- secrets ----------------------------------------------------------------------------

    def _typed_secrets(self) -> set[str]:
        """Credentials typed into Settings (saved or not), remembered once seen."""
        with contextlib.suppress(Exception):  # also while the DOM is being torn down
            for screen in list(self.screen_stack):
                for field in screen.query(Input):
                    if (field.password or field.id in SECRET_INPUTS) and field.value.strip():
                        self._typed.add(field.value.strip())
        return self._typed

    # -- runs that did not end by themselves (how the app ends: tui/lifecycle.py) ------------

    def stop_run_for_exit(self, reason: str) -> list[Worker[Any]] | None:
        run = self.active_run()
        if run is None:
            return None
        run.stop(reason)
        return [w for w in self.workers if w.node is run]

    async def settle_unfinished_runs(self) -> None:
        """The app is ending with a run still going (quit at once, a signal's grace over, a
        crash, a hung-up terminal): its worker is cancelled. Let it unwind (the session marks
        what was in flight `unknown`, the rest `not_sent`, and logs it); a session that could
        not unwind in time is settled and logged here. Then the connections are closed."""
        pending = [r for r in self._runs if r not in self._settled]
        for run in pending:
            self.workers.cancel_node(run)  # at unmount, Textual has done so already
        if pending:
            await self.wait_for_workers([w for w in self.workers if w.node in pending],
                                        UNWIND_WAIT)
        for run in pending:
            self._settled.append(run)
        writing = [w for w in self.workers if w.group == "run-log"]
        if writing:  # a line being written is finished, not cut off (or written twice)
            await self.wait_for_workers(writing, UNWIND_WAIT)
        for run in self._runs:  # its worker cancelled, a log's thread may still be writing
            await run.session.log_written(UNWIND_WAIT)
        for run in self._runs:  # also a run whose results are shown but not yet logged
            run.session.abandon(self.end_reason or "the app was closed during the run")
        with contextlib.suppress(Exception):  # closing connections must not hold up the exit
            await self.context.aclose()
