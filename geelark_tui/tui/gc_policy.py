"""When Python's cyclic garbage collector may stop the app, and for how long.

A full collection looks at every tracked object. After the first paint the app's own objects
(Textual, the screens, their styles: ~60,000) are frozen out of it: they live as long as the
app. A run of 100,000 IDs brings ~300,000 more (results, the pre-flight's tasks), and each full
collection during the run froze the app for 0.1-0.2 s, several times. So while a run is going
there is no automatic full collection (the young generations are still collected, which is
where nearly all cyclic garbage dies: ~30 objects a request reach the old generation); one
full collection follows once its results are on screen. Following the restarted tasks
afterwards holds them off the same way (each poll's tasks would otherwise bring a 0.1 s full
collection every second or so at 100,000 IDs), with one collection when it ends. (A run with
a pre-flight starts with the confirmation's lookup.) Nothing but the start-up's objects is
frozen: a screen closed later (a cancelled confirmation with its lookup, a replaced results
screen) is cyclic garbage that must stay collectable.
"""

from __future__ import annotations

import gc

_holders: set[object] = set()  # the runs (sessions) holding full collections off
_owed = False  # a run went without full collections; none has happened since
_thresholds = gc.get_threshold()


def freeze_start_up() -> None:
    """After the first paint: what is alive now lives as long as the app."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """The app is ending: what it froze can be collected once it is gone (tests make many),
    and collections are as before, whatever still held them off."""
    global _owed
    gc.unfreeze()
    if _holders or _owed:
        _holders.clear()
        _owed = False
        gc.set_threshold(*_thresholds)


def hold_full_collections(run: object) -> None:
    """`run` (its session) starts, with its pre-flight or its restarts: no automatic full
    collection until it is released. Holding the same run again changes nothing, so the
    confirmation's lookup hands its hold on to the run it starts."""
    global _thresholds
    if not _holders and not _owed:
        _thresholds = gc.get_threshold()
        gc.set_threshold(_thresholds[0], _thresholds[1], 2**31 - 1)
    _holders.add(run)


def release_full_collections(run: object) -> None:
    """`run` has ended (or will not start). Automatic full collections come back with
    `collect_after_run`, which makes up for the ones the run went without when it suits the
    app (restored now, one would follow at once: the run left them long overdue)."""
    global _owed
    if run in _holders:
        _holders.discard(run)
        _owed = not _holders


def collect_after_run() -> None:
    """The full collection a run went without, if one is owed (and no run is going); then
    automatic collections as before."""
    global _owed
    if _owed and not _holders:
        _owed = False
        gc.collect()
        gc.set_threshold(*_thresholds)
