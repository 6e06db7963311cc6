"""Words and symbols said the same way on every screen and in every message: counts, and
the symbol of each outcome."""

from __future__ import annotations

from geelark_tui.api.statuses import Outcome


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 ID``, ``1,234 IDs``, ``2 lookups``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# A word and a symbol per outcome, so nothing depends on colour alone.
OUTCOME_SYMBOLS: dict[Outcome, str] = {
    Outcome.RESTARTED: "✔",
    Outcome.REJECTED: "✘",
    Outcome.NOT_SENT: "○",
    Outcome.UNKNOWN: "?",
    Outcome.SKIPPED: "»",
}
