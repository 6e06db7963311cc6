"""IdBox: the box IDs are pasted into. A text too large to lay out at once is held whole and
only its start is shown, read-only.

Why: a TextArea lays out every line on the UI thread when text arrives (wrap offsets, tab
widths and a line map per line, twice when the scrollbar appears): 1.4 s and ~60 MiB for a
paste of 100,000 IDs, during which the app is frozen. Nobody edits 100,000 lines by hand; they
need the counts (computed from the whole text, in a thread) and to see what they pasted.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from geelark_tui.idinput import paste_problem
from geelark_tui.words import plural

LARGE_CHARS = 20_000  # about 1,000 IDs one a line: laid out within a frame
LARGE_LINES = 1_000
PREVIEW_LINES = 40
PREVIEW_WIDTH = 200  # characters of each preview line
EDIT_KEYS = frozenset({"backspace", "delete", "enter", "tab"})


def line_count(text: str) -> int:
    """Lines of `text`, whatever its line breaks (a terminal's paste often has CR alone); a
    break at the end starts no line (a file's last line ends with one)."""
    if not text:
        return 0
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def is_large(text: str) -> bool:
    """Too large for the box to lay out without a visible stall."""
    return len(text) > LARGE_CHARS or line_count(text) > LARGE_LINES


def size_text(chars: int) -> str:
    return f"{chars / 1_000_000:.1f} MB" if chars >= 100_000 else f"{chars / 1000:.0f} kB"


def preview(text: str) -> str:
    """A note, the first lines of `text` (each cut short) and how many more there are; the
    work is bounded by the preview's size, except counting the lines (C speed)."""
    head = text[: PREVIEW_LINES * (PREVIEW_WIDTH + 2)].splitlines()[:PREVIEW_LINES]
    lines = [line[:PREVIEW_WIDTH] + ("…" if len(line) > PREVIEW_WIDTH else "") for line in head]
    total = line_count(text)
    note = (f"[A large paste: {size_text(len(text))}, {plural(total, 'line')}. Only its start "
            "is shown, and the box is read-only; the counts are for all of it. ctrl+n clears.]")
    more = total - len(lines)
    return "\n".join([note, *lines, *([f"… {more:,} more lines"] if more > 0 else [])])


class IdBox(TextArea):
    """A TextArea that holds a large text whole (`ids_text`) and shows only its start."""

    def __init__(self, text: str = "", **kwargs: object) -> None:
        self._held: str | None = None
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        if text:
            self.set_ids_text(text)

    @property
    def ids_text(self) -> str:
        """Everything in the box: the held text, or what the TextArea holds."""
        return self._held if self._held is not None else self.text

    @property
    def holds_large(self) -> bool:
        return self._held is not None

    def set_ids_text(self, text: str) -> None:
        """Replace the box's content (a recent set, a loaded file, clear)."""
        if is_large(text):
            self._hold(text)
            return
        if self._held is not None:
            self._held = None
            self.read_only = False
            self.remove_class("-large")
        self.load_text(text)

    def _hold(self, text: str) -> None:
        self._held = text
        self.read_only = True
        self.add_class("-large")
        self.load_text(preview(text))
        self.move_cursor((0, 0))

    def on_key(self, event: events.Key) -> None:
        if self._held is not None and (event.is_printable or event.key in EDIT_KEYS):
            self.notify("The box holds a large paste and is read-only: ctrl+n clears it.",
                        title="IDs", timeout=4)

    def on_paste(self, event: events.Paste) -> None:
        """Insert the paste as the TextArea would (at the cursor, over the selection); a
        result too large to lay out is held instead. A paste into a held text is added at
        its end, on a line of its own. A paste over the input cap is refused before it
        reaches the box, so what the box held stays as it was (the same cap as Load file and
        the headless command)."""
        problem = paste_problem(event.text, len(self.ids_text))
        if problem is not None:
            event.prevent_default()  # TextArea's own handler would insert it
            event.stop()
            self.notify(problem, title="Paste refused", severity="error")
            return
        if self._held is not None:
            joiner = "" if not self._held or self._held[-1].isspace() else "\n"
            new = self._held + joiner + event.text
        elif not is_large(event.text) and len(self.text) + len(event.text) <= LARGE_CHARS:
            return  # small: the TextArea inserts it
        else:
            document = self.document
            start, end = sorted(self.selection)
            new = (document.get_text_range((0, 0), start) + event.text
                   + document.get_text_range(end, document.end))
            if not is_large(new):
                return
        event.prevent_default()  # the TextArea's own handler would lay it all out
        self._hold(new)
