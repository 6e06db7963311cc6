"""When Python's cyclic garbage collector may stop the app, and for how long.

A full collection looks at every tracked object. After the first paint the app's own objects
(Textual, the screens, their styles: ~60,000) are frozen out of it: they live as long as the
app. A run of 100,000 IDs brings ~300,000 more (results, the pre-flight's tasks), and each full
collection during the run froze the app for 0.1-0.2 s, several times. So while a run is going
there is no automatic full collection (the young generations are still collected, which is
where nearly all cyclic garbage dies: ~30 objects a request reach the old generation); one
full collection follows once its results are on screen.
"""

from __future__ import annotations

import gc

_held = 0
_owed = False  # a run went without full collections; none has happened since
_thresholds = gc.get_threshold()


def freeze_start_up() -> None:
    """After the first paint: what is alive now lives as long as the app."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """The app is ending: what it froze can be collected once it is gone (tests make many)."""
    gc.unfreeze()


def hold_full_collections() -> None:
    """A run starts: no automatic full collection until `release_full_collections`."""
    global _held, _thresholds
    if _held == 0:
        _thresholds = gc.get_threshold()
        gc.set_threshold(_thresholds[0], _thresholds[1], 2**31 - 1)
    _held += 1


def release_full_collections() -> None:
    """A run has ended: automatic collections as before; call `collect_after_run` once its
    results are on screen."""
    global _held, _owed
    if _held == 0:
        return
    _held -= 1
    if _held == 0:
        gc.set_threshold(*_thresholds)
        _owed = True


def collect_after_run() -> None:
    """The full collection a run went without, if one is owed (and no run is going)."""
    global _owed
    if _owed and _held == 0:
        _owed = False
        gc.collect()
