"""The footer every screen shows: Textual's Footer, with its keys from the first frame and
rebuilt only when they change.

Textual's Footer draws no key until the first bindings signal, then recomposes on every one:
each focus change, each screen shown or resumed, each `refresh_bindings()`. A recompose mounts
a widget per key and lays the screen out again: at 80x24 that is 10-40 ms, and with 100,000
results on the screen 60-80 ms; the results screen's first second brought five of them, all
showing the same keys. And the app's first screen was complete only a frame (and whatever
ran after the first paint) later: 0.12 s of start-up here. This one draws the keys at once
and recomposes when what it would show differs from what it shows.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A Footer that skips recomposing to the keys it already shows, or soon will."""

    # The keys (`_shown_keys`) on show, or those a recompose already asked for will show.
    _target: Hashable = None

    def _shown_keys(self, screen: Screen[object]) -> Hashable:
        """Everything of the screen's bindings that the Footer's compose draws."""
        display = self.app.get_key_display
        return tuple((key, display(binding), binding.description, binding.action,
                      binding.group, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
                     if binding.show)

    def compose(self) -> ComposeResult:
        # `_bindings_ready` (Textual's): until the first bindings signal the Footer draws
        # nothing, and the keys come a frame after the rest of the screen. Here they are drawn
        # from the first compose; should the signal bring other keys (the focused widget's),
        # `bindings_changed` recomposes. (Pinned release, tests/tui/test_textual_internals.py.)
        self._bindings_ready = True
        self._target = self._shown_keys(self.screen)
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey):
                # Else each key restyles itself once mounted (its `compact` watcher adds the
                # class): 3-8 ms a key here. Not yet mounted, it has no style to update.
                widget.add_class("-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        # The Footer's own test of whether this signal makes it recompose.
        recomposes = screen.app.app_focus and self.is_attached and screen is self.screen
        keys = self._shown_keys(screen) if recomposes else None
        if recomposes and keys == self._target:
            return
        super().bindings_changed(screen)
        if recomposes:
            self._target = keys
