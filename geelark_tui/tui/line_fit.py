"""Text that must stay on one line of a given width: a grid cell, a status line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size

SEPARATOR = " · "


def printable(text: str) -> str:
    """`text` with each run of characters a terminal must not get (newlines, tabs, escape
    codes: servers send them) turned into one space; its spaces are kept, so a padded line
    keeps its columns."""
    if text.isprintable():
        return text
    out, blank = [], False
    for char in text:
        if char.isprintable():
            out.append(char)
            blank = False
        elif not blank:
            out.append(" ")
            blank = True
    return "".join(out)


def fit(text: str, width: int) -> str:
    """`text` on one line in exactly `width` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    text = printable(text)
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    # rstrip: no gap before the ellipsis where a wide character did not fit, or a space was
    return set_cell_size(set_cell_size(text, width - 1).rstrip() + "…", width)


def fit_parts(parts: Sequence[tuple[str, int]], width: int, *, cut: bool = True) -> str:
    """The parts' texts joined by " · " in at most `width` cells. While the line is too long,
    the part of the highest rank goes (the last of them first; rank 0: never); what is still
    too long has its longest part cut with an ellipsis, so the others stay whole (with `cut`
    false it is left to wrap: a reason that must be read whole)."""
    kept = [(printable(text), rank) for text, rank in parts if text]
    line = SEPARATOR.join(text for text, _ in kept)
    while cell_len(line) > width and any(rank for _, rank in kept):
        top = max(rank for _, rank in kept)
        drop = max(n for n, (_, rank) in enumerate(kept) if rank == top)
        del kept[drop]
        line = SEPARATOR.join(text for text, _ in kept)
    if not cut:
        return line
    over = cell_len(line) - width
    if over > 0 and kept:
        longest = max(range(len(kept)), key=lambda n: cell_len(kept[n][0]))
        room = cell_len(kept[longest][0]) - over
        if room >= 2:  # a character and the ellipsis
            kept[longest] = (fit(kept[longest][0], room).rstrip(), 0)
            line = SEPARATOR.join(text for text, _ in kept)
    return line if cell_len(line) <= width else fit(line, width).rstrip()
