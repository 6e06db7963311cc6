"""ActivityLog: a RichLog that grows without laying the screen out again, keeps to the
lines the user scrolled back to, and wraps its lines again when its width changes.

RichLog sets its `virtual_size` on every write, and Textual's `virtual_size` is a reactive
that lays out the whole screen; until the log holds `max_lines` lines every write changes it.
On the progress screen that was a layout and a repaint of every widget (15-40 ms here) up to
ten times a second. The log's place on screen does not depend on its content (its CSS gives it
a height), so only its scrollbars follow a new size: they are updated here, and a layout is
asked for only when one of them appears or goes (the scrollbar's `display` asks for it).

RichLog also scrolls to its end on every write: scrolled back during a run, the user was
thrown to the end by the next line, a tenth of a second later. Here a write follows the end
only if the log was at its end when it last scrolled.

RichLog keeps each line wrapped at the width it was written at; the log does not scroll
sideways, so a terminal made narrower cut the ends of its lines off. The log keeps what was
written (a text line an entry, as many as it keeps lines) and writes it again at the new
width.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import groupby
from typing import Self, cast

from rich.style import Style
from textual.events import Resize
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import RichLog

from geelark_tui.tui.widgets.line_cache import LineCache

REWRAP_AFTER = 0.05  # s: the resizes of a drag come closer together


class ActivityLog(RichLog):
    def __init__(self, *, max_lines: int | None = None, min_width: int = 78, wrap: bool = False,
                 markup: bool = False, id: str | None = None) -> None:
        super().__init__(max_lines=max_lines, min_width=min_width, wrap=wrap, markup=markup,
                         id=id)
        # RichLog's own, emptied on every restyle: a cleared LRUCache is garbage for a full
        # collection (see line_cache.py).
        self._line_cache = LineCache(1024)
        # What was written, a text line an entry (as many as the log keeps lines), wrapped
        # again when the width changes: RichLog keeps each line wrapped at the width it was
        # written at, and made narrower it cut their ends off.
        self._written: deque[object] = deque(maxlen=max_lines)
        self._wrapped_for = 0  # the width the lines are wrapped for
        self._rewrap: Timer | None = None  # a resize waits for the next: a drag, one rewrap

    # Textual's own descriptor, but repaint-only: the name and storage are Widget's.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def _watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)  # the scrollbars: shown or hidden, thumb size

    # A paint of the log asks, for each line, for its style twice and for its content region;
    # Textual works each out again (the style from every ancestor's styles): once a paint.
    # A paint took 2.4-2.7 ms instead of 3.8 (medians over a 100,000-ID run).
    _painting: tuple[Style, Region] | None = None

    @property
    def rich_style(self) -> Style:
        return super().rich_style if self._painting is None else self._painting[0]

    @property
    def scrollable_content_region(self) -> Region:
        painting = self._painting
        return super().scrollable_content_region if painting is None else painting[1]

    def render_lines(self, crop: Region) -> list[Strip]:
        self._painting = (super().rich_style, super().scrollable_content_region)
        try:
            return super().render_lines(crop)
        finally:
            self._painting = None

    # At the end when it last scrolled: writes keep it there. Not `is_vertical_scroll_end`
    # at the write: a terminal made smaller moves the end away from where the log was.
    _following = True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._following = new_value >= self.max_scroll_y

    def write(self, content: object, width: int | None = None, expand: bool = False,
              shrink: bool = True, scroll_end: bool | None = None,
              animate: bool = False) -> Self:
        if scroll_end is None and self.auto_scroll:
            scroll_end = self._following
        if self._size_known:  # before, RichLog keeps it and writes it again once it has one
            if self._wrapped_for != self.scrollable_content_region.width:
                self._wrap_again()  # resized, its Resize not handled yet: first the old lines
            if isinstance(content, str):
                self._written.extend(content.split("\n"))
            else:
                self._written.append(content)
        return super().write(content, width, expand, shrink, scroll_end, animate)

    def on_resize(self, event: Resize) -> None:  # then Textual calls RichLog's own
        if self._wrapped_for and self.scrollable_content_region.width != self._wrapped_for:
            if self._rewrap is not None:
                self._rewrap.stop()
            self._rewrap = self.set_timer(REWRAP_AFTER, self._wrap_again)

    def _wrap_again(self) -> None:
        if self._rewrap is not None:
            self._rewrap.stop()
            self._rewrap = None
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wrapped_for:
            return
        self._wrapped_for = width
        if not self._written:
            return
        following, scroll_y = self._following, self.scroll_y
        self.clear()
        for text, entries in groupby(self._written, key=lambda entry: isinstance(entry, str)):
            if text:  # the text lines between other writes, as one write
                super().write("\n".join(cast(Iterable[str], entries)), scroll_end=False)
            else:
                for entry in entries:
                    super().write(entry, scroll_end=False)
        if following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:  # where it was, as near as the new wrapping allows
            self.scroll_to(y=min(scroll_y, self.max_scroll_y), animate=False, immediate=True)
