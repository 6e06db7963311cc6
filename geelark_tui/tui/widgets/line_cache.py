"""LineCache: Textual's LRUCache, emptied without leaving work for the garbage collector.

LRUCache keeps its entries in a ring of small lists ([previous, next, key, value]) and its
`clear()` lets go of the ring whole: a cycle, so nothing in it (rendered lines, each with seven
caches of its own) is freed until a full collection finds it. The app holds full collections
off while a run goes on (tui/gc_policy.py), so a log or a grid that clears its line cache now
and then left thousands of objects for the one collection after the run: at 100,000 IDs half
of it (35-60 ms of 75-115) went on garbage of this kind. Unlinked first, they are freed at
once by reference counting. (Only `clear` is mended: the widgets never `discard`, and a cache
dropped with its widget goes with the widget's own cycles.)
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.cache import LRUCache

Key = TypeVar("Key")
Value = TypeVar("Value")


class LineCache(LRUCache[Key, Value], Generic[Key, Value]):
    __slots__ = ()

    def clear(self) -> None:
        for link in self._cache.values():
            link.clear()
        super().clear()
