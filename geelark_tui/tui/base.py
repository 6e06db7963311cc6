"""What every screen of the app shares: typed access to the app and its context, the header
(with the demo marker), and palette commands derived from the screen's own bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from geelark_tui.context import AppContext
from geelark_tui.tui import stylesheets
from geelark_tui.tui.widgets.app_header import AppHeader
from geelark_tui.tui.widgets.demo_banner import DemoBanner

if TYPE_CHECKING:
    from geelark_tui.tui.app import GeeLarkApp

T = TypeVar("T")


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    help: str
    callback: Callable[[], Any]


class AppMixin:
    """Typed access to the running `GeeLarkApp`, for screens and widgets."""

    @property
    def gapp(self) -> GeeLarkApp:
        return cast("GeeLarkApp", cast(Screen[Any], self).app)

    @property
    def ctx(self) -> AppContext:
        return self.gapp.context


class PaletteMixin(AppMixin):
    """Every binding with an id and a description becomes a command-palette command."""

    PALETTE_GROUP = ""

    def palette_commands(self) -> Iterable[PaletteCommand]:
        screen = cast(Screen[Any], self)
        for binding in Binding.make_bindings(screen.BINDINGS):
            if not binding.id or not binding.description:
                continue
            if screen.check_action(binding.action, ()) is False:
                continue
            key = screen.app.get_key_display(binding)
            title = f"{self.PALETTE_GROUP}: {binding.description}" if self.PALETTE_GROUP \
                else binding.description
            yield PaletteCommand(title, f"{binding.tooltip or binding.description} ({key})",
                                 _action_runner(screen, binding.action))
        yield from self.extra_commands()

    def extra_commands(self) -> Iterable[PaletteCommand]:
        return ()


def _action_runner(screen: Screen[Any], action: str) -> Callable[[], Any]:
    async def run() -> None:
        await screen.run_action(action)

    return run


class LaidOutOnceAtItsSize:
    """A screen laid out and painted once as it appears, not twice.

    Textual lays a screen out as it is shown, and that layout sends the screen a Resize of the
    very size it was laid out at; Textual's handler lays it out and paints it again (and lays
    out the screens a dialog covers). Both ran in one go: the confirmation and the progress
    screen each froze the app 8-11 ms longer as they appeared (100,000 IDs behind them). A
    Resize to a size the screen, or a screen under it that shows, does not have yet (the
    terminal resized) is handled as before.
    """

    async def _on_resize(self, event: events.Resize) -> None:
        """Runs before Textual's own handler (Textual calls each class's along the MRO)."""
        screen = cast(Screen[Any], self)
        breakpoints = (screen.HORIZONTAL_BREAKPOINTS or screen.VERTICAL_BREAKPOINTS
                       or screen.app.HORIZONTAL_BREAKPOINTS or screen.app.VERTICAL_BREAKPOINTS)
        # Textual's handler also lays out the screens under a dialog: all must have the size.
        shown = (screen, *screen.app._background_screens)
        if not breakpoints and all(s.outer_size == event.size for s in shown):
            event.prevent_default()  # not Screen._on_resize: nothing to lay out again
            event.stop()


class StyledOnceAsItAppears:
    """A screen styled once as it appears, not twice.

    Textual styles each widget as it is mounted, then styles the whole screen again when it is
    first shown (its first ScreenResume), with nothing changed in between: 8-11 ms of the
    confirmation's first step here, ~15 ms of the first screen's. Later resumes are left as
    Textual has them (a screen switched back to, or another mode's, is restyled).
    """

    _styled_as_mounted = True  # until the first resume: every widget has the style it mounted with

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Runs before Textual's own handler (Textual calls each class's along the MRO)."""
        if self._styled_as_mounted:
            self._styled_as_mounted = False
            event.refresh_styles = False


class AppScreen(LaidOutOnceAtItsSize, StyledOnceAsItAppears, PaletteMixin, Screen[T]):
    """A full screen: header (with the demo marker in demo mode) on top."""

    # Read by the app after the first paint; else by Textual as the screen first shows.
    CSS_PATH: ClassVar[list[str | PurePath] | None] = stylesheets.LATER

    def compose_header(self) -> ComposeResult:
        yield AppHeader()
        if self.ctx.demo:
            yield DemoBanner(self.ctx.host())

    def line_width(self) -> int:
        """Cells for a line of text across the screen (padding 0 1), also before its first
        layout: what a one-line status is fitted to."""
        return (self.size.width or self.app.size.width) - 2


class AppModal(LaidOutOnceAtItsSize, StyledOnceAsItAppears, PaletteMixin, ModalScreen[T]):
    """A dialog over the current screen (its styles are in app.tcss, read before the first
    paint)."""
