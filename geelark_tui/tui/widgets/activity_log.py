"""ActivityLog: a RichLog that grows without laying the screen out again.

RichLog sets its `virtual_size` on every write, and Textual's `virtual_size` is a reactive
that lays out the whole screen; until the log holds `max_lines` lines every write changes it.
On the progress screen that was a layout and a repaint of every widget (15-40 ms here) up to
ten times a second. The log's place on screen does not depend on its content (its CSS gives it
a height), so only its scrollbars follow a new size: they are updated here, and a layout is
asked for only when one of them appears or goes (the scrollbar's `display` asks for it).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import RichLog


class ActivityLog(RichLog):
    # Textual's own descriptor, but repaint-only: the name and storage are Widget's.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def _watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)  # the scrollbars: shown or hidden, thumb size
