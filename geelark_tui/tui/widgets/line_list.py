"""What the app's virtualised lists share (the results grid, Find's task groups): a header line,
then body lines drawn on demand (the Line API), a cursor moved by the usual keys and kept in
view. A subclass says how many body lines there are, where the cursor is, and how to move it.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.scroll_view import ScrollView


def navigation_bindings(prefix: str, noun: str) -> list[Binding]:
    """Up, down, page up, page down, home and end, with ids `<prefix>.<key>`."""
    return [
        Binding("up", "move(-1)", "Up", show=False, id=f"{prefix}.cursor_up",
                tooltip=f"Previous {noun}"),
        Binding("down", "move(1)", "Down", show=False, id=f"{prefix}.cursor_down",
                tooltip=f"Next {noun}"),
        Binding("pageup", "page(-1)", "Page up", show=False, id=f"{prefix}.page_up",
                tooltip="Up one screen"),
        Binding("pagedown", "page(1)", "Page down", show=False, id=f"{prefix}.page_down",
                tooltip="Down one screen"),
        Binding("home", "jump(0)", "First", show=False, id=f"{prefix}.home",
                tooltip=f"First {noun}"),
        Binding("end", "jump(-1)", "Last", show=False, id=f"{prefix}.end",
                tooltip=f"Last {noun}"),
    ]


class LineList(ScrollView, can_focus=True):
    """A header line and body lines under it, with a cursor on a body line."""

    @property
    def cursor_line(self) -> int:
        """The body line under the cursor."""
        raise NotImplementedError

    @property
    def line_count(self) -> int:
        raise NotImplementedError

    def move_to(self, line: int) -> None:
        """Put the cursor on a body line (the subclass clamps it) and keep it in view."""
        raise NotImplementedError

    def body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)  # lines under the header

    def scroll_to_cursor(self) -> None:
        line, body, top = self.cursor_line, self.body_height(), round(self.scroll_y)
        if line < top:
            self.scroll_to(y=line, animate=False, force=True)
        elif line >= top + body:
            self.scroll_to(y=line - body + 1, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self.scroll_to_cursor()

    def action_move(self, lines: int) -> None:
        self.move_to(self.cursor_line + lines)

    def action_page(self, pages: int) -> None:
        self.move_to(self.cursor_line + pages * self.body_height())

    def action_jump(self, line: int) -> None:
        """Go to a body line; negative counts from the end."""
        self.move_to(line if line >= 0 else self.line_count + line)
