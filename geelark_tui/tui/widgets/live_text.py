"""LiveText: a line of text redrawn several times a second (counts, a countdown).

`Static.update` lays the whole screen out again each time, in case the text's height changed;
ten times a second over a run that is most of the app's work. `show` redraws only this widget,
and asks for a layout only when the number of lines the text takes changes.
"""

from __future__ import annotations

from textual.widgets import Static


class LiveText(Static):
    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, markup=False)
        self._text = text
        self._height = -1  # lines at the last layout; -1: not laid out by `show` yet

    def show(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self.update(text, layout=False)
        self.clear_cached_dimensions()
        width = self.content_region.width
        height = self.get_content_height(self.size, self.size, width) if width else -1
        if height != self._height or height < 0:
            self._height = height
            self.refresh(layout=True)
