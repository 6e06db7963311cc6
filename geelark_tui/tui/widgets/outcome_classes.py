"""Outcome colours, as widgets ask for them: one component class per `codes.row_style` name,
shared by the results grid's rows and the summary's counts. The colours themselves are written
once, in ``app.tcss``."""

from __future__ import annotations

from geelark_tui.api.codes import ROW_STYLES


def outcome_class(style: str) -> str:
    """The component class for rows (or counts) in the row style ``style``."""
    return f"outcome--{style}"


OUTCOME_CLASSES = frozenset(outcome_class(style) for style in ROW_STYLES)
