"""JSON exactly as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it, a piece at a
time. No textual.

The standard library's indented encoder is pure Python and builds the whole text at once: for
100,000 results ~1 s and ~100 MiB at its peak. Here each result is formatted with the C
encoder for its scalars, and a large list goes out in pieces of `PIECE` items, so a document
of any size costs one piece of memory on top of the results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

PIECE = 1_000  # list items per piece of output
_scalar = json.JSONEncoder(ensure_ascii=False).encode  # str, int, float, bool, None


def pretty(value: Any, level: int = 0) -> str:
    """`value` (dicts with str keys, lists, tuples, scalars), indented as at `level`."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + "  " * (level + 1)
        return "{" + ",".join(f"{inner}{_scalar(key)}: {pretty(item, level + 1)}"
                              for key, item in value.items()) + "\n" + "  " * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        return ("[" + ",".join(f"{inner}{pretty(item, level + 1)}" for item in value)
                + "\n" + "  " * level + "]")
    return _scalar(value)


def iter_document(fields: Mapping[str, Any | Iterable[Any]], *,
                  streamed: frozenset[str] = frozenset()) -> Iterator[str]:
    """A top-level object, its fields in order; the fields named in `streamed` are iterables
    written as lists a piece at a time (each item made only when its piece is written)."""
    yield "{"
    for n, (key, value) in enumerate(fields.items()):
        yield ("," if n else "") + f"\n  {_scalar(key)}: "
        if key not in streamed:
            yield pretty(value, 1)
            continue
        empty, piece = True, []
        for item in value:
            piece.append(f"\n    {pretty(item, 2)}")
            if len(piece) == PIECE:
                yield ("," if not empty else "[") + ",".join(piece)
                empty, piece = False, []
        if piece:
            yield ("," if not empty else "[") + ",".join(piece)
            empty = False
        yield "[]" if empty else "\n  ]"
    yield "\n}" if fields else "}"
