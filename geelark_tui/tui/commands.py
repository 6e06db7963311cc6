"""The command palette provider: every action of the current screen, and the app's own."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from geelark_tui.tui.base import PaletteCommand, PaletteMixin


class GeeLarkCommands(Provider):
    """Context-aware: the commands depend on the screen the palette was opened from."""

    def _commands(self) -> list[PaletteCommand]:
        commands: list[PaletteCommand] = []
        screen = self.screen
        if isinstance(screen, PaletteMixin):
            commands.extend(screen.palette_commands())
        app_commands = getattr(self.app, "palette_commands", None)
        if callable(app_commands):
            commands.extend(app_commands())
        return commands

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.callback,
                          help=command.help)
