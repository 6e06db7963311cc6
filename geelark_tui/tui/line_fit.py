"""Text that must stay on one line of a given width: a grid cell, a status line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size

SEPARATOR = " · "


def fit(text: str, width: int) -> str:
    """`text` on one line in exactly `width` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if not text.isprintable():  # newlines, tabs, escape codes: never into the terminal
        text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def fit_parts(parts: Sequence[tuple[str, int]], width: int) -> str:
    """The parts' texts joined by " · " in at most `width` cells. While the line is too long,
    the part of the highest rank goes (the last of them first; rank 0: never); what is left
    still too long is cut with an ellipsis."""
    kept = [part for part in parts if part[0]]
    line = SEPARATOR.join(text for text, _ in kept)
    while cell_len(line) > width and any(rank for _, rank in kept):
        top = max(rank for _, rank in kept)
        drop = max(n for n, (_, rank) in enumerate(kept) if rank == top)
        del kept[drop]
        line = SEPARATOR.join(text for text, _ in kept)
    return line if cell_len(line) <= width else fit(line, width).rstrip()
