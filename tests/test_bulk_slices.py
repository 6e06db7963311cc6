"""Bulk work on a large ID set, done in threads by the session, goes a slice at a time (a thread
in one long C call holds the GIL and stalls the app), with the same results as before."""

from __future__ import annotations

import hashlib
import random

from geelark_tui.recentsets import SLICE, in_slices, set_key


def plain_key(ids: list[str]) -> str:
    """The key as every config file written so far has it."""
    return hashlib.sha256("\n".join(sorted(set(ids))).encode()).hexdigest()[:16]


def test_a_large_sets_key_is_unchanged() -> None:
    rng = random.Random(7)
    ids = [str(rng.randrange(10**17, 10**18)) for _ in range(3 * SLICE + 17)]
    ids += ids[:50]  # duplicates
    rng.shuffle(ids)
    assert set_key(ids) == plain_key(ids)
    assert set_key(reversed(ids)) == plain_key(ids)
    for small in ([], ["1"], ids[:10]):
        assert set_key(small) == plain_key(small)


def test_slices_cover_everything_in_order() -> None:
    items = list(range(2 * SLICE + 3))
    parts = list(in_slices(items))
    assert [len(p) for p in parts] == [SLICE, SLICE, 3]
    assert [i for p in parts for i in p] == items
    assert list(in_slices([])) == []
