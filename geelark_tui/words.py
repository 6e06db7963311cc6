"""Counting words, the same way on every screen and in every message."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 ID``, ``1,234 IDs``, ``2 lookups``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
