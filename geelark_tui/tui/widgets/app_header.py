"""AppHeader: one line with the app's name and where it is connected (or the demo marker).

A plain widget rather than textual's Header: it has no children to race with screen switches,
and it repaints when the app's sub-title changes (Settings saved)."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class AppHeader(Widget):
    def on_mount(self) -> None:
        self.watch(self.app, "sub_title", self._sub_title_changed, init=False)

    def _sub_title_changed(self) -> None:
        self.refresh()

    def render(self) -> Content:
        sub = self.app.sub_title
        return Content(f"{self.app.title} · {sub}" if sub else self.app.title)
