"""What every screen of the app shares: typed access to the app and its context, the header
(with the demo marker), and palette commands derived from the screen's own bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from geelark_tui.context import AppContext
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


class AppScreen(PaletteMixin, Screen[T]):
    """A full screen: header (with the demo marker in demo mode) on top."""

    def compose_header(self) -> ComposeResult:
        yield AppHeader()
        if self.ctx.demo:
            yield DemoBanner(self.ctx.host())


class AppModal(PaletteMixin, ModalScreen[T]):
    """A dialog over the current screen."""
