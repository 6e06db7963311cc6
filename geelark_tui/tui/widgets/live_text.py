"""LiveText: a line of text redrawn several times a second (counts, a countdown).

`Static.update` lays the whole screen out again each time, in case the text's height changed;
ten times a second over a run that is most of the app's work. `show` redraws only this widget,
and asks for a layout only when the text needs a height other than the one it was laid out at.
"""

from __future__ import annotations

from textual.widgets import Static


class LiveText(Static):
    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, markup=False)
        self._text = text
        self._laid_out = False  # sized by a layout at least once

    def on_resize(self) -> None:
        self._laid_out = True

    def show(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self.update(text, layout=False)
        self.clear_cached_dimensions()
        region = self.content_region
        if not region.width:
            # Not laid out yet: its first layout sizes it to this text. Laid out before, it is
            # under a hidden parent, whose showing would reuse the old height: ask for a layout.
            if self._laid_out:
                self.refresh(layout=True)
            return
        height = self.styles.height
        if height is not None and not height.is_auto:  # its CSS sets it, whatever the text
            return
        if self.get_content_height(self.size, self.size, region.width) != region.height:
            self.refresh(layout=True)
